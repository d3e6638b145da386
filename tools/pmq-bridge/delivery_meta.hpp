// What a JetStream delivery's reply subject says about it, read straight
// from the subject: natsMsg_GetMetaData copies it into an allocated
// structure with the stream's and the consumer's names, which the import
// has no use for, at a tenth of its instructions per 16 B message.
#pragma once

#include <cstdint>

namespace pmq_bridge {

struct DeliveryMeta {
    uint64_t stream_seq = 0;
    uint64_t delivery = 0;       // the consumer's sequence
    uint64_t times_delivered = 0; // 1 the first time
};

// Reads "$JS.ACK.<stream>.<consumer>.<delivered>.<stream seq>.<consumer
// seq>.<time>.<pending>" or its newer form, which puts a domain and an
// account hash before the stream and may add tokens after <pending>.
// False for anything else (not a JetStream delivery).
bool read_delivery_meta(const char *reply, DeliveryMeta &meta);

} // namespace pmq_bridge
