#include "report.hpp"

#include <cmath>
#include <cstdio>

namespace bench {

namespace {

constexpr double handle_tolerance = 1.03; // within 3% of raw
constexpr double seed_speedup_target = 3.0;
constexpr double name_vs_handle_target = 2.0;

std::string size_text(std::size_t size)
{
    return size >= 1024 ? std::to_string(size / 1024) + " KiB" : std::to_string(size) + " B";
}

std::string value_text(const Row &row, double value)
{
    if (std::isnan(value))
        return "-";
    char text[32];
    const bool whole = row.unit == "ns" || row.unit == "msg/s";
    std::snprintf(text, sizeof text, whole ? "%.0f %s" : "%.1f %s", value, row.unit.c_str());
    return text;
}

std::string ratio_text(const Row &row, double value)
{
    if (std::isnan(value))
        return "-";
    char text[16];
    std::snprintf(text, sizeof text, "%.2f", cost_vs_raw(row, value));
    return text;
}

} // namespace

double cost_vs_raw(const Row &row, double value)
{
    return row.higher_is_better ? row.raw / value : value / row.raw;
}

void print_table(const std::vector<Row> &rows)
{
    std::printf("| measurement | size | raw mq_* | libpmq | libpmq / raw | seed style | seed / raw |\n");
    std::printf("|---|---:|---:|---:|---:|---:|---:|\n");
    for (const Row &row : rows)
        std::printf("| %s | %s | %s | %s | %s | %s | %s |\n", row.measurement.c_str(),
                    size_text(row.size).c_str(), value_text(row, row.raw).c_str(),
                    value_text(row, row.libpmq).c_str(), ratio_text(row, row.libpmq).c_str(),
                    value_text(row, row.seed).c_str(), ratio_text(row, row.seed).c_str());
}

void print_targets(const std::vector<Row> &rows, const std::vector<Row> &name_pairs,
                   const std::vector<Row> &handle_pairs)
{
    std::printf("\nTargets (medians of this run; a noisy machine can miss by noise alone):\n");
    int missed = 0;
    for (const Row &row : rows) {
        if (!row.handle_call || cost_vs_raw(row, row.libpmq) <= handle_tolerance)
            continue;
        std::printf("  MISSED  %s, %s: libpmq costs %.2fx raw (target <= %.2f)\n",
                    row.measurement.c_str(), size_text(row.size).c_str(),
                    cost_vs_raw(row, row.libpmq), handle_tolerance);
        ++missed;
    }
    if (missed == 0)
        std::printf("  ok      every handle-call row within 3%% of raw\n");
    for (std::size_t i = 0; i < name_pairs.size() && i < handle_pairs.size(); ++i) {
        const Row &name = name_pairs[i];
        const double speedup = name.seed / name.libpmq;
        const double vs_handle = name.libpmq / handle_pairs[i].libpmq;
        std::printf("  %-7s name-based pair, %s: %.1fx faster than the seed's style (target >= %.0f)\n",
                    speedup >= seed_speedup_target ? "ok" : "MISSED", size_text(name.size).c_str(),
                    speedup, seed_speedup_target);
        std::printf("  %-7s name-based pair, %s: %.2fx a handle pair (target <= %.0f)\n",
                    vs_handle <= name_vs_handle_target ? "ok" : "MISSED",
                    size_text(name.size).c_str(), vs_handle, name_vs_handle_target);
    }
}

} // namespace bench
