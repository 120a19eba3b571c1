// elementwise.cpp - add and relu on 1M float32 elements, in GB/s of memory traffic
// (bytes read + bytes written), against a plain memcpy moving the same bytes.
// Usage: bench_elementwise [--threads N]
#include <cstdio>
#include <cstring>
#include <vector>

#include "bench_util.h"
#include "core/core.h"

int main(int argc, char** argv) {
  if (int t = bench::threads_flag(argc, argv)) keras::core::set_num_threads(t);
  const int64_t n = 1 << 20;
  keras::core::ops::RandomOptions o;
  o.minval = -1;
  o.seed = 3;
  keras::core::Tensor a = keras::core::ops::random_uniform({n}, o);
  o.seed = 4;
  keras::core::Tensor b = keras::core::ops::random_uniform({n}, o);
  const double bytes = double(n) * sizeof(float);

  // memcpy of n floats reads n*4 bytes and writes n*4 bytes.
  std::vector<float> src(static_cast<size_t>(n), 1.0f), dst(static_cast<size_t>(n));
  double t_copy = bench::time_per_call([&] { std::memcpy(dst.data(), src.data(), size_t(bytes)); }, 200);
  double t_add = bench::time_per_call([&] { keras::core::ops::add(a, b); }, 200);
  double t_relu = bench::time_per_call([&] { keras::core::ops::relu(a); }, 200);
  double gb_copy = 2 * bytes / t_copy / 1e9;
  double gb_add = 3 * bytes / t_add / 1e9;   // two reads, one write
  double gb_relu = 2 * bytes / t_relu / 1e9;  // one read, one write
  std::printf(
      "{\"bench\":\"elementwise\",\"threads\":%d,\"elements\":%lld,\"memcpy_gbps\":%.2f,"
      "\"add_gbps\":%.2f,\"relu_gbps\":%.2f,\"add_ratio\":%.3f,\"relu_ratio\":%.3f,"
      "\"add_us\":%.1f,\"relu_us\":%.1f,\"memcpy_us\":%.1f,\"isa\":\"%s\"}\n",
      keras::core::get_num_threads(), (long long)n, gb_copy, gb_add, gb_relu, gb_add / gb_copy,
      gb_relu / gb_copy, t_add * 1e6, t_relu * 1e6, t_copy * 1e6, bench::isa());
  return 0;
}
