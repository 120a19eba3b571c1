// dist_common.h - what the dist_check modes share: the failure count, the seeded data and
// model, and the comparisons.
#pragma once
#include <cstdio>
#include <memory>
#include <string>
#include <utility>

#include <keras/keras.h>
#include <keras/distribute/strategy.h>

namespace dist_check {
namespace ops = keras::ops;
namespace dist = keras::distribute;
using keras::Tensor;

inline int g_failures = 0;
inline void expect(bool ok, const std::string& what) {
  if (!ok) {
    std::fprintf(stderr, "FAIL: %s\n", what.c_str());
    ++g_failures;
  }
}

// Seeded data: n samples of 8 features, 3 classes.
inline std::pair<Tensor, Tensor> make_data(int64_t n, uint64_t seed) {
  ops::set_random_seed(seed);
  Tensor x = ops::random_normal({n, 8});
  Tensor y = ops::cast(ops::random_uniform({n}, {.minval = 0, .maxval = 3}), keras::DType::int32);
  return {x, y};
}

inline std::shared_ptr<keras::SequentialModel> make_model(uint64_t seed) {
  ops::set_random_seed(seed);
  auto m = keras::Sequential({keras::layers::Dense(16, {.activation = "relu", .input_shape = {8}}),
                              keras::layers::Dense(3, {.activation = "softmax"})});
  m->compile({.optimizer = keras::optimizers::Adam({.learning_rate = 0.01}),
              .loss = "sparse_categorical_crossentropy",
              .metrics = {"accuracy"}});
  return m;
}

inline double max_abs_diff(const Tensor& a, const Tensor& b) {
  return ops::max(ops::abs(ops::subtract(ops::cast(a, keras::DType::float64), ops::cast(b, keras::DType::float64))))
      .item<double>();
}

// Every replica holds the same weights: their mean over the replicas equals each one.
inline void expect_replicas_equal(const dist::MultiWorkerMirroredStrategy& s, keras::Model& m,
                                  const std::string& what) {
  for (const Tensor& w : m.get_weights()) {
    Tensor mean = s.reduce(dist::ReduceOp::MEAN, w);
    expect(max_abs_diff(mean, w) == 0.0, what + ": replicas hold different weights");
  }
}

// dist_check fileshard DIR (dist_fileshard.cpp).
int fileshard(const std::string& dir);
// dist_check distribution (dist_distribution.cpp).
int distribution_api();

}  // namespace dist_check
