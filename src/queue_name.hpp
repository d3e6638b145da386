// Queue-name validation, done before any system call touches the name.
#pragma once

#include <cstddef>

#include "status.hpp"

namespace pmq::detail {

// The longest name after the leading '/', as Linux counts it (NAME_MAX).
inline constexpr std::size_t max_name_length = 255;

// A valid name is '/' followed by 1..max_name_length characters, none of them
// '/', and not "." or "..".  `operation` ("pmq_create") starts the explanation.
Status check_queue_name(const char *name, const char *operation);

} // namespace pmq::detail
