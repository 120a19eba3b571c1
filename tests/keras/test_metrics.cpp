// test_metrics.cpp - keras::metrics: the reduction, accuracy, regression and probabilistic
// metrics against hand-computed values (most from Keras 3's docstrings) over several
// update_state calls with and without sample weights, reset_state, config round trips
// through JSON, tapes and errors. (The confusion-matrix metrics, F-scores and MeanIoU:
// test_confusion_metrics.cpp; get()/MetricArg/resolve_accuracy: test_metric_registry.cpp.)
#include <cmath>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/autodiff.h"
#include "helpers.h"
#include "keras/metrics.h"
#include "metric_fixtures.h"

using namespace th;
namespace m = keras::metrics;


// ---- reduction metrics ---------------------------------------------------------------------

TEST_CASE("metrics: Mean and Sum, weighted, streaming and reset") {
  m::Mean mean;
  CHECK(mean.name() == "mean");
  CHECK(mean.variables().size() == 2);
  check_values(mean.result(), std::vector<double>{0.0});  // nothing seen: 0, not NaN
  mean.update_state(f({1, 3, 5, 7}));
  check_values(mean.result(), std::vector<double>{4.0});
  mean.update_state(f({1, 3, 5, 7}), f({1, 1, 0, 0}));  // total 16 + 4, count 4 + 2
  check_values(mean.result(), std::vector<double>{20.0 / 6.0});
  mean.reset_state();
  mean.update_state(f({1, 3, 5, 7}), f({1, 1, 0, 0}));
  check_values(mean.result(), std::vector<double>{2.0});
  // 2-D values with per-row weights: row means 1.5 and 3.5, weights 2 and 0.
  mean.reset_state();
  mean.update_state(f2({{1, 2}, {3, 4}}), f({2, 0}));
  check_values(mean.result(), std::vector<double>{1.5});
  // Through the Metric interface: (values, sample_weight).
  m::Metric& base = mean;
  base.update_state(f2({{5, 5}}), f({2}));  // total 3 + 10, count 2 + 2
  check_values(mean.result(), std::vector<double>{13.0 / 4.0});
  CHECK_THROWS_MSG(base.update_state(f({1}), f({1}), f({1})), std::invalid_argument, "third tensor");

  m::Sum sum;
  sum.update_state(f({1, 3, 5, 7}));
  check_values(sum.result(), std::vector<double>{16.0});
  sum.update_state(f({1, 3, 5, 7}), f({1, 1, 0, 0}));
  check_values(sum.result(), std::vector<double>{20.0});
  sum.reset_state();
  check_values(sum.result(), std::vector<double>{0.0});
  round_trip(mean);
  round_trip(sum);
  round_trip(m::Mean({.name = "loss", .dtype = DType::float64}));
  // A name alone, as options or as a string.
  CHECK(m::Mean({.name = "loss"}).name() == "loss");
  CHECK(m::Mean("loss").name() == "loss");
  CHECK(m::Mean(std::string("loss"), DType::float64).dtype() == DType::float64);
}

TEST_CASE("metrics: MeanMetricWrapper turns a C++ function into a streaming mean") {
  auto hits = [](const Tensor& t, const Tensor& p) { return ops::cast(ops::equal(t, p), DType::float32); };
  m::MeanMetricWrapper w(hits, "hits");
  CHECK(w.name() == "hits");
  w.update_state(f({1, 2, 3, 4}), f({1, 0, 3, 0}));
  check_values(w.result(), std::vector<double>{0.5});
  w.update_state(f({1, 2}), f({1, 2}), f({3, 1}));  // + 4 hits of weight, count + 4
  check_values(w.result(), std::vector<double>{6.0 / 8.0});
  w.reset_state();
  check_values(w.result(), std::vector<double>{0.0});
  // Serializable once its function is registered by name.
  m::register_metric_function("hits_fn", hits);
  m::MeanMetricWrapper named(hits, "hits", DType::float32, "hits_fn");
  m::MetricPtr back = round_trip(named);
  back->update_state(f({1, 2}), f({1, 0}));
  check_values(back->result(), std::vector<double>{0.5});
  // A built-in function name works too.
  m::MetricPtr mse = m::deserialize(keras::Value::from_json(
      R"({"class_name": "MeanMetricWrapper", "config": {"name": "m", "fn": "mean_squared_error"}})"));
  mse->update_state(f2({{0, 1}, {0, 0}}), f2({{1, 1}, {0, 0}}));
  check_values(mse->result(), std::vector<double>{0.25});
}

// ---- accuracy metrics -------------------------------------------------------------------

TEST_CASE("metrics: Accuracy and BinaryAccuracy") {
  m::Accuracy acc;
  Tensor t = f2({{1}, {2}, {3}, {4}}), p = f2({{0}, {2}, {3}, {4}});
  acc.update_state(t, p);
  check_values(acc.result(), std::vector<double>{0.75});
  acc.update_state(t, p, f({1, 1, 0, 0}));  // matches 0,1 with weights 1,1 -> +1 of +2
  check_values(acc.result(), std::vector<double>{4.0 / 6.0});
  acc.reset_state();
  acc.update_state(t, p, f({1, 1, 0, 0}));
  check_values(acc.result(), std::vector<double>{0.5});
  round_trip(acc);

  m::BinaryAccuracy bin;
  Tensor bt = f2({{1}, {1}, {0}, {0}}), bp = f2({{0.98}, {1}, {0}, {0.6}});
  bin.update_state(bt, bp);
  check_values(bin.result(), std::vector<double>{0.75});
  bin.reset_state();
  bin.update_state(bt, bp, f({1, 0, 0, 1}));
  check_values(bin.result(), std::vector<double>{0.5});
  bin.update_state(bt, bp);  // + 3 of 4
  check_values(bin.result(), std::vector<double>{4.0 / 6.0});
  // Integer labels, another threshold.
  m::BinaryAccuracy strict({.threshold = 0.99});
  strict.update_state(core::constant({1, 1, 0}), f({0.98, 1.0, 0.2}));
  check_values(strict.result(), std::vector<double>{2.0 / 3.0});
  m::MetricPtr back = round_trip(strict);
  CHECK(back->get_config().at("threshold").as_double() == doctest::Approx(0.99));
  CHECK_THROWS_MSG(m::BinaryAccuracy({.threshold = 1.5}), std::invalid_argument, "threshold=1.5");
  // Rank-1 labels count each element as a sample, as Keras 3.15's (whose accuracy
  // functions are elementwise): batches of different sizes weigh by their samples.
  m::BinaryAccuracy by_sample;
  by_sample.update_state(f({1, 0, 1}), f({0.9, 0.8, 0.2}));
  by_sample.update_state(f({1}), f({0.7}));
  check_values(by_sample.result(), std::vector<double>{0.5});  // Keras 3.15: 0.5
  m::BinaryAccuracy weighted;
  weighted.update_state(f({1, 0, 1}), f({0.9, 0.8, 0.2}), f({1, 2, 3}));
  check_values(weighted.result(), std::vector<double>{1.0 / 6.0});  // Keras 3.15: 0.16666667
  m::Accuracy matrix;  // (2, 2) then (1, 2): each row's mean is a sample
  matrix.update_state(f2({{1, 2}, {3, 4}}), f2({{1, 2}, {0, 4}}));
  matrix.update_state(f2({{5, 5}}), f2({{5, 0}}));
  check_values(matrix.result(), std::vector<double>{2.0 / 3.0});  // Keras 3.15: 0.6666667
  check_values(m::accuracy(f2({{1, 2}}), f2({{1, 0}})), std::vector<double>{1, 0});  // elementwise
}

TEST_CASE("metrics: CategoricalAccuracy and SparseCategoricalAccuracy") {
  Tensor onehot = f2({{0, 0, 1}, {0, 1, 0}});
  Tensor probs = f2({{0.1, 0.9, 0.8}, {0.05, 0.95, 0}});
  m::CategoricalAccuracy cat;
  cat.update_state(onehot, probs);
  check_values(cat.result(), std::vector<double>{0.5});
  cat.reset_state();
  cat.update_state(onehot, probs, f({0.7, 0.3}));
  check_values(cat.result(), std::vector<double>{0.3});
  cat.update_state(onehot, probs);  // + 1 of 2
  check_values(cat.result(), std::vector<double>{1.3 / 3.0});
  round_trip(cat);

  m::SparseCategoricalAccuracy sparse;
  Tensor sprobs = f2({{0.1, 0.6, 0.3}, {0.05, 0.95, 0}});
  sparse.update_state(f2({{2}, {1}}), sprobs);
  check_values(sparse.result(), std::vector<double>{0.5});
  sparse.reset_state();
  sparse.update_state(f2({{2}, {1}}), sprobs, f({0.7, 0.3}));
  check_values(sparse.result(), std::vector<double>{0.3});
  sparse.update_state(core::constant({1, 1}), sprobs);  // int32 labels (N,): 2 of 2
  check_values(sparse.result(), std::vector<double>{2.3 / 3.0});
  round_trip(sparse);
  CHECK_THROWS_MSG(sparse.update_state(core::constant({3, 1}), sprobs), std::invalid_argument,
                   "label 3");
  CHECK_THROWS_MSG(sparse.update_state(core::constant({-1, 1}), sprobs), std::invalid_argument,
                   "[0, 3)");
}

TEST_CASE("metrics: TopKCategoricalAccuracy and SparseTopKCategoricalAccuracy") {
  Tensor onehot = f2({{0, 0, 1}, {0, 1, 0}});
  Tensor probs = f2({{0.1, 0.9, 0.8}, {0.05, 0.95, 0}});
  m::TopKCategoricalAccuracy top1({.k = 1});
  top1.update_state(onehot, probs);
  check_values(top1.result(), std::vector<double>{0.5});
  top1.reset_state();
  top1.update_state(onehot, probs, f({0.7, 0.3}));
  check_values(top1.result(), std::vector<double>{0.3});
  m::TopKCategoricalAccuracy top2({.k = 2});
  top2.update_state(onehot, probs);
  check_values(top2.result(), std::vector<double>{1.0});
  m::TopKCategoricalAccuracy top5;  // default k = 5 > classes: always in
  CHECK(top5.k() == 5);
  top5.update_state(onehot, probs);
  check_values(top5.result(), std::vector<double>{1.0});
  round_trip(top2);

  m::SparseTopKCategoricalAccuracy stop1({.k = 1});
  stop1.update_state(core::constant({2, 1}), probs);
  check_values(stop1.result(), std::vector<double>{0.5});
  stop1.reset_state();
  stop1.update_state(core::constant({2, 1}), probs, f({0.7, 0.3}));
  check_values(stop1.result(), std::vector<double>{0.3});
  stop1.update_state(f2({{1}, {0}}), probs);  // (N, 1) float labels: row 0 in, row 1 not
  check_values(stop1.result(), std::vector<double>{1.3 / 3.0});
  // Ties at the boundary count as in the top k (tf.math.in_top_k).
  m::SparseTopKCategoricalAccuracy tie({.k = 1});
  tie.update_state(core::constant({1}), f2({{0.5, 0.5, 0.0}}));
  check_values(tie.result(), std::vector<double>{1.0});
  round_trip(stop1);
  CHECK_THROWS_MSG(stop1.update_state(core::constant({5, 1}), probs), std::invalid_argument,
                   "label 5");
  CHECK_THROWS_MSG(m::TopKCategoricalAccuracy({.k = 0}), std::invalid_argument, "k >= 1");
}

// ---- regression metrics -----------------------------------------------------------------

TEST_CASE("metrics: MeanSquaredError, MeanAbsoluteError, MAPE, RMSE, LogCoshError") {
  Tensor t = f2({{0, 1}, {0, 0}}), p = f2({{1, 1}, {0, 0}}), w = f({1, 0});
  m::MeanSquaredError mse;
  mse.update_state(t, p);
  check_values(mse.result(), std::vector<double>{0.25});
  mse.update_state(t, p, w);  // per-sample [0.5, 0]: total 0.5 + 0.5, count 2 + 1
  check_values(mse.result(), std::vector<double>{1.0 / 3.0});
  mse.reset_state();
  mse.update_state(t, p, w);
  check_values(mse.result(), std::vector<double>{0.5});

  m::MeanAbsoluteError mae;
  mae.update_state(t, p);
  check_values(mae.result(), std::vector<double>{0.25});
  mae.reset_state();
  mae.update_state(t, p, w);
  check_values(mae.result(), std::vector<double>{0.5});

  m::MeanAbsolutePercentageError mape;
  mape.update_state(t, p);
  check_values(mape.result(), std::vector<double>{2.5e8}, 1e-5);
  mape.reset_state();
  mape.update_state(t, p, w);
  check_values(mape.result(), std::vector<double>{5e8}, 1e-5);
  mape.reset_state();
  mape.update_state(f2({{2, 4}}), f2({{1, 5}}));  // 100 * mean(0.5, 0.25)
  check_values(mape.result(), std::vector<double>{37.5}, 1e-5);

  m::RootMeanSquaredError rmse;
  rmse.update_state(t, p);
  check_values(rmse.result(), std::vector<double>{0.5});
  rmse.reset_state();
  rmse.update_state(t, p, w);
  check_values(rmse.result(), std::vector<double>{std::sqrt(0.5)});
  rmse.update_state(f({3}), f({1}));  // total 0.5 + 4, count 1 + 1
  check_values(rmse.result(), std::vector<double>{1.5});

  m::LogCoshError lc;
  CHECK(lc.name() == "logcosh");
  lc.update_state(t, p);
  check_values(lc.result(), std::vector<double>{0.10844523}, 1e-5);
  lc.reset_state();
  lc.update_state(t, p, w);
  check_values(lc.result(), std::vector<double>{0.21689045}, 1e-5);

  for (const m::Metric* metric : std::vector<const m::Metric*>{&mse, &mae, &mape, &rmse, &lc})
    round_trip(*metric);
}

TEST_CASE("metrics: CosineSimilarity") {
  m::CosineSimilarity cs({.axis = 1});
  Tensor t = f2({{0, 1}, {1, 1}}), p = f2({{1, 0}, {1, 1}});
  cs.update_state(t, p);
  check_values(cs.result(), std::vector<double>{0.5}, 1e-5);
  cs.reset_state();
  cs.update_state(t, p, f({0.3, 0.7}));
  check_values(cs.result(), std::vector<double>{0.7}, 1e-5);
  cs.update_state(f2({{1, 1}}), f2({{-1, -1}}));  // similarity -1, weight 1
  check_values(cs.result(), std::vector<double>{-0.3 / 2.0}, 1e-5);
  m::MetricPtr back = round_trip(cs);
  CHECK(back->get_config().at("axis").as_int() == 1);
}

TEST_CASE("metrics: R2Score, plain, per output, adjusted, weighted") {
  m::R2Score r2;
  check_values(r2.result(), std::vector<double>{0.0});
  r2.update_state(f2({{1}, {4}, {3}}), f2({{2}, {4}, {4}}));
  check_values(r2.result(), std::vector<double>{0.57142854}, 1e-5);
  // Streaming: the second batch adds to the same sums (all 5 samples together).
  r2.update_state(f2({{2}, {5}}), f2({{2}, {4}}));
  // y = 1,4,3,2,5: mean 3, SS_tot 10; residuals 1,0,1,0,1 -> 1 - 3/10.
  check_values(r2.result(), std::vector<double>{0.7}, 1e-5);
  r2.reset_state();
  r2.update_state(f2({{1}, {4}, {3}}), f2({{2}, {4}, {4}}), f({1, 1, 0}));
  // weighted y 1, 4: mean 2.5, SS_tot 4.5; residual 1 -> 1 - 1/4.5
  check_values(r2.result(), std::vector<double>{1.0 - 1.0 / 4.5}, 1e-5);

  m::R2Score per_output({.class_aggregation = std::nullopt});
  per_output.update_state(f2({{1, 0}, {4, 2}, {3, 4}}), f2({{2, 0}, {4, 2}, {4, 1}}));
  // output 1: y 0,2,4 mean 2 SS_tot 8, residual 9 -> 1 - 9/8
  check_values(per_output.result(), std::vector<double>{1.0 - 2.0 / 4.6666667, 1.0 - 9.0 / 8.0}, 1e-5);
  m::R2Score weighted({.class_aggregation = "variance_weighted_average"});
  weighted.update_state(f2({{1, 0}, {4, 2}, {3, 4}}), f2({{2, 0}, {4, 2}, {4, 1}}));
  double ss0 = 14.0 / 3.0, ss1 = 8.0, r0 = 1.0 - 2.0 / ss0, r1 = 1.0 - 9.0 / ss1;
  check_values(weighted.result(), std::vector<double>{(ss0 * r0 + ss1 * r1) / (ss0 + ss1)}, 1e-5);

  m::R2Score adjusted({.num_regressors = 1});
  adjusted.update_state(f2({{1}, {4}, {3}, {2}, {5}}), f2({{2}, {4}, {4}, {2}, {4}}));
  // n = 5, p = 1: 1 - (1 - 0.7) * 4 / 3
  check_values(adjusted.result(), std::vector<double>{1.0 - 0.3 * 4.0 / 3.0}, 1e-5);
  m::MetricPtr back = round_trip(per_output);
  CHECK(back->get_config().at("class_aggregation").is_null());
  round_trip(adjusted);
  CHECK_THROWS_MSG(r2.update_state(f({1, 2}), f({1, 2})), std::invalid_argument, "2D inputs");
  CHECK_THROWS_MSG(m::R2Score({.class_aggregation = "median"}), std::invalid_argument, "median");
}

// ---- probabilistic metrics ----------------------------------------------------------------

TEST_CASE("metrics: BinaryCrossentropy, CategoricalCrossentropy, SparseCategoricalCrossentropy") {
  m::BinaryCrossentropy bce;
  Tensor t = f2({{0, 1}, {0, 0}}), p = f2({{0.6, 0.4}, {0.4, 0.6}});
  bce.update_state(t, p);
  check_values(bce.result(), std::vector<double>{0.81492424}, 1e-5);
  bce.reset_state();
  bce.update_state(t, p, f({1, 0}));
  check_values(bce.result(), std::vector<double>{0.9162905}, 1e-5);
  // From logits: logit 0 gives log 2 for either label; with smoothing 0.2 labels become
  // 0.1 / 0.9.
  m::BinaryCrossentropy logits({.from_logits = true, .label_smoothing = 0.2});
  logits.update_state(f2({{1, 0}}), f2({{0, 2}}));
  double x = 2.0, z = 0.1;
  double second = std::max(x, 0.0) - x * z + std::log1p(std::exp(-std::fabs(x)));
  check_values(logits.result(), std::vector<double>{(std::log(2.0) + second) / 2.0}, 1e-5);
  round_trip(logits);

  Tensor onehot = f2({{0, 1, 0}, {0, 0, 1}}), probs = f2({{0.05, 0.95, 0}, {0.1, 0.8, 0.1}});
  m::CategoricalCrossentropy cce;
  cce.update_state(onehot, probs);
  check_values(cce.result(), std::vector<double>{1.1769392}, 1e-5);
  cce.reset_state();
  cce.update_state(onehot, probs, f({0.3, 0.7}));
  check_values(cce.result(), std::vector<double>{1.6271976}, 1e-5);
  cce.update_state(onehot, probs);  // total 1.6271976 + 2 * 1.1769392, count 1 + 2
  check_values(cce.result(), std::vector<double>{(1.6271976 + 2 * 1.1769392) / 3.0}, 1e-5);
  // Label smoothing 0.3 over 3 classes, from logits.
  m::CategoricalCrossentropy smooth({.from_logits = true, .label_smoothing = 0.3});
  smooth.update_state(f2({{0, 1, 0}}), f2({{1, 2, 3}}));
  double lse = std::log(std::exp(1.0) + std::exp(2.0) + std::exp(3.0));
  double expected = -(0.1 * (1 - lse) + 0.8 * (2 - lse) + 0.1 * (3 - lse));
  check_values(smooth.result(), std::vector<double>{expected}, 1e-5);
  round_trip(smooth);

  m::SparseCategoricalCrossentropy scce;
  scce.update_state(core::constant({1, 2}), probs);
  check_values(scce.result(), std::vector<double>{1.1769392}, 1e-5);
  scce.reset_state();
  scce.update_state(f2({{1}, {2}}), probs, f({0.3, 0.7}));
  check_values(scce.result(), std::vector<double>{1.6271976}, 1e-5);
  m::SparseCategoricalCrossentropy slog({.from_logits = true});
  slog.update_state(core::constant({2}), f2({{1, 2, 3}}));
  check_values(slog.result(), std::vector<double>{lse - 3.0}, 1e-5);
  round_trip(slog);
  CHECK_THROWS_MSG(scce.update_state(core::constant({1, 3}), probs), std::invalid_argument,
                   "label 3");
  CHECK_THROWS_MSG(scce.update_state(core::constant({1, 3}), probs), std::invalid_argument,
                   "[0, 3)");
}

// ---- tapes, dtypes, errors --------------------------------------------------------------

TEST_CASE("metrics: updates are not recorded on gradient tapes") {
  core::Variable w(f({0.2, 0.7, 0.4}), "w");
  Tensor y_true = f({0, 1, 1});
  core::GradientTape tape(core::GradientTape::Options{.persistent = true});
  Tensor y_pred = ops::sigmoid(w.value() * 2.0);
  m::Precision precision;
  m::Mean mean;
  m::BinaryCrossentropy bce;
  m::AUC auc;
  precision.update_state(y_true, y_pred);
  mean.update_state(y_pred);
  bce.update_state(y_true, y_pred);
  auc.update_state(y_true, y_pred);
  for (m::Metric* metric : std::vector<m::Metric*>{&precision, &mean, &bce, &auc}) {
    CAPTURE(metric->name());
    Tensor g = tape.gradient(metric->result(), w);
    CHECK(!g.defined());
    for (const auto& v : metric->variables()) CHECK(!v.trainable());
  }
}

TEST_CASE("metrics: float64 state, and errors name what was expected and received") {
  m::MeanSquaredError mse64({.dtype = DType::float64});
  mse64.update_state(f2({{0, 1}}), f2({{1, 1}}));
  CHECK(mse64.result().dtype() == DType::float64);
  check_values(mse64.result(), std::vector<double>{0.5});
  CHECK(m::serialize(mse64).at("config").at("dtype").as_string() == "float64");
  round_trip(mse64);
  CHECK_THROWS_MSG(m::Mean({.dtype = DType::int32}), std::invalid_argument, "floating-point dtype");
  m::Precision p;
  CHECK_THROWS_MSG(p.update_state(f({1, 0, 1}), f({0.5, 0.2})), std::invalid_argument, "(3,)");
  CHECK_THROWS_MSG(m::CategoricalCrossentropy().update_state(f2({{0, 1}}), f2({{0.5, 0.2, 0.3}})),
                   std::invalid_argument, "same shape");
  CHECK_THROWS_MSG(m::Precision({.thresholds = {-0.1, 0.5}}), std::invalid_argument, "-0.1");
}
