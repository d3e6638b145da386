#include "queue_name.hpp"

namespace pmq_cli {

std::string queue_name(const std::string &argument)
{
    if (!argument.empty() && argument.front() == '/')
        return argument;
    return "/" + argument;
}

} // namespace pmq_cli
