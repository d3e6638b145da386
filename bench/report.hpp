// The table pmq-bench prints, and its verdict on the performance targets.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace bench {

struct Row {
    std::string measurement; // "send+recv pair"
    std::string unit;        // "ns", "us", "msg/s", "MB/s"
    std::size_t size;        // message size in bytes
    double raw;
    double libpmq;
    double seed;             // NaN where the seed's style is not measured
    bool higher_is_better;   // rates
    bool handle_call;        // libpmq's handle calls: the 3% target applies
};

// How much more this costs than raw: time / raw time, or raw rate / rate.
// 1.00 = as fast as raw, 1.03 = 3% slower.
double cost_vs_raw(const Row &row, double value);

// The Markdown table of all rows.
void print_table(const std::vector<Row> &rows);

// Checks the targets (handle calls within 3% of raw; name-based pair at
// least 3x faster than the seed and at most 2x a handle pair) and prints
// each verdict.  `handle_pairs` are the rows the name-based pair is held to.
void print_targets(const std::vector<Row> &rows, const std::vector<Row> &name_pairs,
                   const std::vector<Row> &handle_pairs);

} // namespace bench
