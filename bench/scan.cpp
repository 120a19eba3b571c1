// scan.cpp - milliseconds per call of the keras.ops scans and segment reductions of
// core/ops_reduce.h on a rows x cols float32 tensor (default 2048 x 2048): cumsum along
// the last axis (each row a contiguous line) and the first (column slabs), cumprod, and
// segment_max into 64 segments. Prints one JSON line.
// Usage: bench_scan [--threads N] [--rows R] [--cols C] [--reps R]
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

#include "bench_util.h"
#include "core/core.h"

namespace ops = keras::core::ops;

int main(int argc, char** argv) {
  if (int t = bench::threads_flag(argc, argv)) keras::core::set_num_threads(t);
  int64_t rows = 2048, cols = 2048;
  int reps = 7;
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::string(argv[i]) == "--rows") rows = std::atoll(argv[i + 1]);
    if (std::string(argv[i]) == "--cols") cols = std::atoll(argv[i + 1]);
    if (std::string(argv[i]) == "--reps") reps = std::atoi(argv[i + 1]);
  }
  keras::core::Tensor x = ops::random_uniform({rows, cols}, {.minval = 0.999, .maxval = 1.001, .seed = 1});
  keras::core::Tensor ids = ops::cast(ops::floor_divide(ops::range(rows), ops::fill({}, double((rows + 63) / 64), keras::core::DType::int32)),
                               keras::core::DType::int32);
  std::vector<std::pair<const char*, std::function<void()>>> cases = {
      {"cumsum_axis1", [&] { ops::cumsum(x, 1); }},
      {"cumsum_axis0", [&] { ops::cumsum(x, 0); }},
      {"cumprod_axis1", [&] { ops::cumprod(x, 1); }},
      {"segment_max_64", [&] { ops::segment_max(x, ids, 64); }},
  };
  std::string out;
  for (auto& [name, f] : cases) {
    const double ms = bench::time_per_call(f, 1, reps) * 1e3;
    char buf[160];
    std::snprintf(buf, sizeof buf, "%s{\"op\":\"%s\",\"ms\":%.3f}", out.empty() ? "" : ",", name, ms);
    out += buf;
  }
  std::printf("{\"bench\":\"scan\",\"impl\":\"keras-cpp\",\"threads\":%d,\"rows\":%lld,\"cols\":%lld,\"results\":[%s]}\n",
              keras::core::get_num_threads(), (long long)rows, (long long)cols, out.c_str());
}
