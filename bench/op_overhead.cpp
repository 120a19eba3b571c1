// op_overhead.cpp - the fixed cost of one op call: `add` on two 1-element tensors
// (argument checks, output allocation from the caching allocator, dispatch, kernel).
// Usage: bench_op_overhead [--threads N]
#include <cstdio>

#include "bench_util.h"
#include "core/core.h"

int main(int argc, char** argv) {
  if (int t = bench::threads_flag(argc, argv)) keras::core::set_num_threads(t);
  keras::core::Tensor a = keras::core::constant({1.0f}), b = keras::core::constant({2.0f});
  double t = bench::time_per_call([&] { keras::core::ops::add(a, b); }, 200000);
  double t_op = bench::time_per_call([&] { (void)(a + b); }, 200000);
  std::printf("{\"bench\":\"op_overhead\",\"op\":\"add\",\"elements\":1,\"ns_per_call\":%.1f,"
              "\"ns_per_operator_call\":%.1f,\"target_ns\":1000,\"isa\":\"%s\"}\n",
              t * 1e9, t_op * 1e9, bench::isa());
  return 0;
}
