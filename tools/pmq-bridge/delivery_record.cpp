#include "delivery_record.hpp"

#include "exit_status.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

namespace pmq_bridge {

struct DeliveryRecord::Layout {
    char magic[8];
    int64_t stream_created;
    char stream[256];
    char durable[256];
    uint64_t delivered;
    uint64_t sending;
};

namespace {
constexpr char record_magic[8] = {'P', 'M', 'Q', 'D', 'L', 'V', 'R', '1'};
}

DeliveryRecord::DeliveryRecord(const std::string &path)
{
    fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd_ < 0 || ::ftruncate(fd_, sizeof(Layout)) != 0)
        throw Fatal{ExitStatus::failure, "cannot open the delivery record " + path + ": " + std::strerror(errno)};
    void *p = ::mmap(nullptr, sizeof(Layout), PROT_READ | PROT_WRITE, MAP_SHARED, fd_, 0);
    if (p == MAP_FAILED)
        throw Fatal{ExitStatus::failure, "cannot map the delivery record " + path + ": " + std::strerror(errno)};
    record_ = static_cast<Layout *>(p);
}

DeliveryRecord::~DeliveryRecord()
{
    if (record_ != nullptr)
        ::munmap(record_, sizeof(Layout));
    if (fd_ >= 0)
        ::close(fd_);
}

bool DeliveryRecord::bind(const std::string &stream, int64_t stream_created, const std::string &durable)
{
    if (std::memcmp(record_->magic, record_magic, sizeof record_magic) == 0 && record_->stream_created == stream_created &&
        stream == record_->stream && durable == record_->durable)
        return false;
    const bool had_one = std::memcmp(record_->magic, record_magic, sizeof record_magic) == 0;
    std::memset(record_, 0, sizeof(Layout));
    record_->stream_created = stream_created;
    std::snprintf(record_->stream, sizeof record_->stream, "%s", stream.c_str());
    std::snprintf(record_->durable, sizeof record_->durable, "%s", durable.c_str());
    __atomic_thread_fence(__ATOMIC_RELEASE);
    std::memcpy(record_->magic, record_magic, sizeof record_magic);
    return had_one;
}

uint64_t DeliveryRecord::delivered() const
{
    return __atomic_load_n(&record_->delivered, __ATOMIC_ACQUIRE);
}

uint64_t DeliveryRecord::uncertain() const
{
    const uint64_t sending = __atomic_load_n(&record_->sending, __ATOMIC_ACQUIRE);
    return sending > delivered() ? sending : 0;
}

void DeliveryRecord::begin(uint64_t seq)
{
    __atomic_store_n(&record_->sending, seq, __ATOMIC_RELEASE);
}

void DeliveryRecord::abandon()
{
    __atomic_store_n(&record_->sending, delivered(), __ATOMIC_RELEASE);
}

void DeliveryRecord::done(uint64_t seq)
{
    __atomic_store_n(&record_->delivered, seq, __ATOMIC_RELEASE);
}

} // namespace pmq_bridge
