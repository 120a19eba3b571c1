// bench_util.h - timing helpers shared by the benchmark programs.
#pragma once
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/cpu_features.h"

namespace bench {

using Clock = std::chrono::steady_clock;

inline double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

inline double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  size_t n = v.size();
  return n == 0 ? 0.0 : (n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]));
}

// Median seconds per call of f, over `reps` timed batches of `iters` calls each,
// after one untimed batch.
template <class F>
double time_per_call(F&& f, int iters, int reps = 7) {
  for (int i = 0; i < iters; ++i) f();
  std::vector<double> t;
  for (int r = 0; r < reps; ++r) {
    auto t0 = Clock::now();
    for (int i = 0; i < iters; ++i) f();
    t.push_back(seconds_since(t0) / iters);
  }
  return median(t);
}

// Seconds per call of f and of g, timed in alternation (f's rep, then g's, reps times;
// medians), so both see the same machine load and their ratio holds on a busy machine.
template <class F, class G>
std::pair<double, double> time_alternating(F&& f, G&& g, int iters, int reps = 9) {
  for (int i = 0; i < iters; ++i) f(), g();
  std::vector<double> tf, tg;
  for (int r = 0; r < reps; ++r) {
    auto t0 = Clock::now();
    for (int i = 0; i < iters; ++i) f();
    tf.push_back(seconds_since(t0) / iters);
    t0 = Clock::now();
    for (int i = 0; i < iters; ++i) g();
    tg.push_back(seconds_since(t0) / iters);
  }
  return {median(tf), median(tg)};
}

// The vector instruction set of the engine's CPU kernels ("avx512", "avx2", "baseline"),
// the "isa" field of every benchmark's JSON line.
inline const char* isa() {
  static const std::string name = keras::core::cpu_features().isa;
  return name.c_str();
}

// --threads N (default: the engine's default, all cores).
inline int threads_flag(int argc, char** argv) {
  for (int i = 1; i + 1 < argc; ++i)
    if (std::string(argv[i]) == "--threads") return std::atoi(argv[i + 1]);
  return 0;
}

// The flags of the training benchmarks (bench_mlp_fashion, bench_cnn_fashion, as the
// peers take them): --epochs --batch --threads --seed --warmup-steps, and --mode
// eager|function where with_mode. Returns false (after printing why) on a bad flag.
struct TrainFlags {
  int epochs = 5, threads = 2, warmup = 100;
  int64_t batch = 32, seed = 42;
  bool eager = false;
  std::string device = "cpu";  // --device cpu|gpu (bench_device.h places the model)
  std::string policy;          // --policy mixed_float16|mixed_bfloat16|float32 (the global dtype policy)
  std::string data_format = "channels_last";  // --data-format channels_last|channels_first (the CNN's layout)
};

inline bool parse_train_flags(int argc, char** argv, bool with_mode, TrainFlags& f) {
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string_view k = argv[i], v = argv[i + 1];
    if (with_mode && k == "--mode") {
      if (v != "eager" && v != "function") {
        std::fprintf(stderr, "--mode takes eager or function, not %s\n", argv[i + 1]);
        return false;
      }
      f.eager = v == "eager";
      continue;
    }
    if (k == "--device") {
      if (v != "cpu" && v != "gpu") {
        std::fprintf(stderr, "--device takes cpu or gpu, not %s\n", argv[i + 1]);
        return false;
      }
      f.device = v;
      continue;
    }
    if (k == "--policy") {
      f.policy = v;
      continue;
    }
    if (k == "--data-format") {
      if (v != "channels_last" && v != "channels_first") {
        std::fprintf(stderr, "--data-format takes channels_last or channels_first, not %s\n", argv[i + 1]);
        return false;
      }
      f.data_format = v;
      continue;
    }
    const long long n = std::atoll(argv[i + 1]);
    if (k == "--epochs") f.epochs = int(n);
    else if (k == "--batch") f.batch = n;
    else if (k == "--threads") f.threads = int(n);
    else if (k == "--seed") f.seed = n;
    else if (k == "--warmup-steps") f.warmup = int(n);
    else {
      std::fprintf(stderr, "unknown flag %s (flags: --epochs --batch --threads --seed --warmup-steps --device --policy --data-format%s)\n", argv[i],
                   with_mode ? " --mode" : "");
      return false;
    }
  }
  return true;
}

}  // namespace bench
