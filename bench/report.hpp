// The table pmq-bench prints, and its verdict on the performance targets.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace bench {

// One measurement's results: the median over the rounds of each style's
// figure, and of its cost relative to raw in the same round (time / raw
// time, or raw rate / rate: 1.00 = as fast as raw, 1.03 = 3% slower).
// Taking each round's ratio before the median cancels the machine's load
// drifting between rounds.
struct Row {
    std::string measurement; // "send+recv pair"
    std::string unit;        // "ns", "us", "msg/s", "MB/s"
    std::size_t size;        // message size in bytes
    double raw;
    double libpmq;
    double seed;             // NaN where the seed's style is not measured
    double libpmq_cost;
    double floor_cost;       // the floor's cost (see Series); NaN where not measured
    double seed_cost;        // NaN where the seed's style is not measured
    double over_floor;       // libpmq's cost relative to the floor, per round; NaN without one
    bool handle_call;        // libpmq's handle calls: the 2%-of-the-floor target applies
};

// Per-round figures of one measurement, in the order the rounds ran.  The
// floor is the least any implementation can cost in this row: raw calls
// through a bare wrapper function in a shared library for the handle calls,
// raw calls plus one fstat each for the name-based calls (styles.hpp).
struct Series {
    std::vector<double> raw, libpmq, floor, seed; // floor, seed: empty where not measured
};

// The row of a series; `scale` multiplies the figures (not the costs).
Row make_row(std::string measurement, std::string unit, std::size_t size, const Series &series,
             bool higher_is_better, bool handle_call, double scale = 1.0);

// The Markdown table of all rows.
void print_table(const std::vector<Row> &rows);

// Checks the targets against the floor each row measures (decided on issue
// #3): handle calls within 2% of the floor (rows without one, the timed
// pairs, against raw timed calls, which do more); the name-based pair within
// 10% of raw calls plus one fstat each.  Prints each verdict, and for the
// name-based pair how it compares with the seed's style and a handle pair.
// `handle_pairs` are the rows the name-based pair is compared with.
void print_targets(const std::vector<Row> &rows, const std::vector<Row> &name_pairs,
                   const std::vector<Row> &handle_pairs);

} // namespace bench
