#include "failure.hpp"

#include <pmq/pmq.h>

#include <iostream>

namespace pmq_cli {

ExitStatus report_library_failure()
{
    return report_failure(pmq_last_error());
}

ExitStatus report_failure(std::string_view explanation)
{
    std::cerr << "pmq: " << explanation << '\n';
    return ExitStatus::failure;
}

} // namespace pmq_cli
