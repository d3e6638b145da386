// Same-thread measurements: send one message and receive it back, n times.
#pragma once

#include <cstddef>
#include <vector>

#include "statistics.hpp"

namespace bench {

// Nanoseconds per send+receive pair of `size` bytes on queue `name`, in
// style S (opened before the clock starts, after a short warm-up).
template <class S>
double nanoseconds_per_pair(const char *name, std::size_t size, long pairs)
{
    S style(name);
    std::vector<char> message(size, 'm');
    std::vector<char> buffer(8192);
    for (int i = 0; i < 16; ++i) { // warm-up: lazy binding, caches, the queue's pages
        style.send(message.data(), size);
        style.receive(buffer.data(), buffer.size());
    }
    const auto start = Clock::now();
    for (long i = 0; i < pairs; ++i) {
        style.send(message.data(), size);
        style.receive(buffer.data(), buffer.size());
    }
    return nanoseconds_since(start) / static_cast<double>(pairs);
}

} // namespace bench
