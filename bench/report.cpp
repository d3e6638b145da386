#include "report.hpp"

#include <cmath>
#include <cstdio>
#include <utility>

#include "statistics.hpp"

namespace bench {

namespace {

constexpr double handle_tolerance = 1.02; // handle calls: within 2% of the floor
constexpr double name_tolerance = 1.10;   // name-based pair: within 10% of its floor

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

std::string ratio_text(double cost)
{
    if (std::isnan(cost))
        return "-";
    char text[16];
    std::snprintf(text, sizeof text, "%.3f", cost);
    return text;
}

double median_cost(const std::vector<double> &raw, const std::vector<double> &other,
                   bool higher_is_better)
{
    if (other.empty())
        return NAN;
    std::vector<double> costs;
    for (std::size_t i = 0; i < raw.size() && i < other.size(); ++i)
        costs.push_back(higher_is_better ? raw[i] / other[i] : other[i] / raw[i]);
    return median(costs);
}

} // namespace

Row make_row(std::string measurement, std::string unit, std::size_t size, const Series &series,
             bool higher_is_better, bool handle_call, double scale)
{
    return Row{std::move(measurement),
               std::move(unit),
               size,
               median(series.raw) * scale,
               median(series.libpmq) * scale,
               series.seed.empty() ? NAN : median(series.seed) * scale,
               median_cost(series.raw, series.libpmq, higher_is_better),
               median_cost(series.raw, series.floor, higher_is_better),
               median_cost(series.raw, series.seed, higher_is_better),
               median_cost(series.floor, series.libpmq, higher_is_better),
               handle_call};
}

void print_table(const std::vector<Row> &rows)
{
    std::printf("| measurement | size | raw mq_* | libpmq | libpmq / raw | floor / raw "
                "| seed style | seed / raw |\n");
    std::printf("|---|---:|---:|---:|---:|---:|---:|---:|\n");
    for (const Row &row : rows)
        std::printf("| %s | %s | %s | %s | %s | %s | %s | %s |\n", row.measurement.c_str(),
                    size_text(row.size).c_str(), value_text(row, row.raw).c_str(),
                    value_text(row, row.libpmq).c_str(), ratio_text(row.libpmq_cost).c_str(),
                    ratio_text(row.floor_cost).c_str(), value_text(row, row.seed).c_str(),
                    ratio_text(row.seed_cost).c_str());
}

void print_targets(const std::vector<Row> &rows, const std::vector<Row> &name_pairs,
                   const std::vector<Row> &handle_pairs)
{
    std::printf("\nTargets, against the floor each row measures (medians of this run; a noisy "
                "machine can miss by noise alone):\n");
    int missed = 0;
    for (const Row &row : rows) {
        if (!row.handle_call)
            continue;
        // Without a floor (the timed pairs) raw is the bound: it does more.
        const bool has_floor = !std::isnan(row.over_floor);
        const double cost = has_floor ? row.over_floor : row.libpmq_cost;
        if (cost <= handle_tolerance)
            continue;
        std::printf("  MISSED  %s (%s), %s: libpmq costs %.3fx %s (target <= %.2f)\n",
                    row.measurement.c_str(), row.unit.c_str(), size_text(row.size).c_str(), cost,
                    has_floor ? "the floor" : "raw", handle_tolerance);
        ++missed;
    }
    if (missed == 0)
        std::printf("  ok      every handle-call row within 2%% of its floor (timed pairs: of "
                    "raw timed calls)\n");
    for (std::size_t i = 0; i < name_pairs.size() && i < handle_pairs.size(); ++i) {
        const Row &name = name_pairs[i];
        std::printf("  %-7s name-based pair, %s: %.3fx raw calls plus one fstat each "
                    "(target <= %.2f)\n",
                    name.over_floor <= name_tolerance ? "ok" : "MISSED",
                    size_text(name.size).c_str(), name.over_floor, name_tolerance);
        std::printf("          (%.2fx faster than the seed's style; %.2fx a handle pair)\n",
                    name.seed_cost / name.libpmq_cost,
                    name.libpmq_cost / handle_pairs[i].libpmq_cost);
    }
}

} // namespace bench
