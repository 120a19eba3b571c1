// test_metrics.cpp - keras::metrics: every metric against hand-computed values (most from
// Keras 3's docstrings) over several update_state calls with and without sample weights,
// reset_state, config round trips through JSON, the streaming property of Precision, AUC
// against a hand-computed ROC AUC, get()/MetricArg/resolve_accuracy, tapes and errors.
#include <cmath>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/autodiff.h"
#include "helpers.h"
#include "keras/metrics.h"

using namespace th;
namespace m = keras::metrics;

namespace {

// float32 tensors: f for rank 1, f2 for rank 2.
Tensor f(std::initializer_list<double> v) { return core::constant(v, DType::float32); }
Tensor f2(std::initializer_list<std::initializer_list<double>> v) {
  return core::constant(v, DType::float32);
}
double scalar(const Tensor& t) {
  REQUIRE(t.size() == 1);
  return values(t)[0];
}

// serialize -> JSON text -> parse -> deserialize; checks class name and config survive.
m::MetricPtr round_trip(const m::Metric& metric) {
  keras::Config c = m::serialize(metric);
  std::string json = c.to_json();
  m::MetricPtr back = m::deserialize(keras::Value::from_json(json));
  REQUIRE(back != nullptr);
  CHECK(back->class_name() == metric.class_name());
  CHECK(back->name() == metric.name());
  CHECK(back->get_config() == metric.get_config());
  CHECK(m::serialize(*back).to_json() == json);
  return back;
}

}  // namespace

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

// ---- confusion metrics --------------------------------------------------------------------

TEST_CASE("metrics: TruePositives, FalsePositives, TrueNegatives, FalseNegatives") {
  m::TruePositives tp;
  CHECK(tp.name() == "true_positives");
  tp.update_state(f({0, 1, 1, 1}), f({1, 0, 1, 1}));
  check_values(tp.result(), std::vector<double>{2});
  tp.update_state(f({0, 1, 1, 1}), f({1, 0, 1, 1}), f({0, 0, 1, 0}));
  check_values(tp.result(), std::vector<double>{3});
  tp.reset_state();
  tp.update_state(f({0, 1, 1, 1}), f({1, 0, 1, 1}), f({0, 0, 1, 0}));
  check_values(tp.result(), std::vector<double>{1});

  m::FalsePositives fp;
  fp.update_state(f({0, 1, 0, 0}), f({0, 0, 1, 1}));
  check_values(fp.result(), std::vector<double>{2});
  fp.reset_state();
  fp.update_state(f({0, 1, 0, 0}), f({0, 0, 1, 1}), f({0, 0, 1, 0}));
  check_values(fp.result(), std::vector<double>{1});

  m::TrueNegatives tn;
  tn.update_state(f({0, 1, 0, 0}), f({1, 1, 0, 0}));
  check_values(tn.result(), std::vector<double>{2});
  tn.reset_state();
  tn.update_state(f({0, 1, 0, 0}), f({1, 1, 0, 0}), f({0, 0, 1, 0}));
  check_values(tn.result(), std::vector<double>{1});

  m::FalseNegatives fn;
  fn.update_state(f({0, 1, 1, 1}), f({0, 1, 0, 0}));
  check_values(fn.result(), std::vector<double>{2});
  fn.reset_state();
  fn.update_state(f({0, 1, 1, 1}), f({0, 1, 0, 0}), f({0, 0, 1, 0}));
  check_values(fn.result(), std::vector<double>{1});

  // Several thresholds: one count per threshold (y_pred > t).
  m::TruePositives multi({.thresholds = {0.15, 0.5, 0.85}});
  Tensor t = f2({{0, 1, 1, 1}, {1, 1, 0, 1}}), p = f2({{0.9, 0.2, 0.6, 0.9}, {0.1, 0.5, 0.7, 0.95}});
  multi.update_state(t, p);
  check_values(multi.result(), std::vector<double>{5, 3, 2});
  multi.update_state(t, p, f({0.5, 0}));  // per-row weights: row 0 adds 0.5 * (3, 2, 1)
  check_values(multi.result(), std::vector<double>{6.5, 4, 2.5});
  m::MetricPtr back = round_trip(multi);
  CHECK(back->get_config().at("thresholds").as_list().size() == 3);
  round_trip(tp);
  CHECK(m::serialize(tp).at("config").at("thresholds").is_null());
  CHECK_THROWS_MSG(m::TruePositives({.thresholds = {1.5}}), std::invalid_argument, "[0, 1]");
  CHECK_THROWS_MSG(tp.update_state(f({0, 1, 1}), f({1, 0})), std::invalid_argument, "same shape");
}

TEST_CASE("metrics: Precision and Recall with thresholds, top_k, class_id") {
  m::Precision prec;
  prec.update_state(f({0, 1, 1, 1}), f({1, 0, 1, 1}));
  check_values(prec.result(), std::vector<double>{2.0 / 3.0});
  prec.reset_state();
  prec.update_state(f({0, 1, 1, 1}), f({1, 0, 1, 1}), f({0, 0, 1, 0}));
  check_values(prec.result(), std::vector<double>{1.0});
  m::Precision top2({.top_k = 2});
  top2.update_state(f({0, 0, 1, 1}), f({1, 1, 1, 1}));
  check_values(top2.result(), std::vector<double>{0.0});
  m::Precision top4({.top_k = 4});
  top4.update_state(f({0, 0, 1, 1}), f({1, 1, 1, 1}));
  check_values(top4.result(), std::vector<double>{0.5});

  m::Recall rec;
  rec.update_state(f({0, 1, 1, 1}), f({1, 0, 1, 1}));
  check_values(rec.result(), std::vector<double>{2.0 / 3.0});
  rec.reset_state();
  rec.update_state(f({0, 1, 1, 1}), f({1, 0, 1, 1}), f({0, 0, 1, 0}));
  check_values(rec.result(), std::vector<double>{1.0});

  // class_id on (batch, classes) inputs: only column 1.
  Tensor t = f2({{0, 1, 0}, {0, 0, 1}, {0, 1, 0}}), p = f2({{0.2, 0.7, 0.1}, {0.1, 0.6, 0.3}, {0.5, 0.4, 0.1}});
  m::Precision p1({.class_id = 1});
  p1.update_state(t, p);  // column 1: labels 1,0,1 preds .7,.6,.4 -> tp 1, fp 1
  check_values(p1.result(), std::vector<double>{0.5});
  m::Recall r1({.class_id = 1});
  r1.update_state(t, p);  // tp 1, fn 1
  check_values(r1.result(), std::vector<double>{0.5});
  // top_k = 1 with class_id: row tops are 1, 1, 0 -> column 1 positive in rows 0 and 1.
  m::Precision pk({.top_k = 1, .class_id = 1});
  pk.update_state(t, p);
  check_values(pk.result(), std::vector<double>{0.5});
  // Several thresholds.
  m::Recall rt({.thresholds = {0.3, 0.65}});
  rt.update_state(f({1, 1, 1, 0}), f({0.7, 0.5, 0.2, 0.9}));
  check_values(rt.result(), std::vector<double>{2.0 / 3.0, 1.0 / 3.0});
  for (const m::Metric* metric : std::vector<const m::Metric*>{&prec, &pk, &rec, &rt}) round_trip(*metric);
  CHECK(m::serialize(pk).at("config").at("top_k").as_int() == 1);
  CHECK_THROWS_MSG(m::Precision({.class_id = 3}).update_state(t, p), std::invalid_argument, "class_id=3");
  CHECK_THROWS_MSG(m::Precision({.class_id = 0}).update_state(f({1, 0}), f({1, 0})),
                   std::invalid_argument, "class_id is provided");
}

// The issue's streaming test: precision accumulated over batches is the precision of all
// samples together, which differs from the mean of the per-batch precisions.
TEST_CASE("metrics: streaming Precision differs from the mean of per-batch precisions") {
  Tensor t1 = f({1, 1, 0, 0}), p1 = f({0.9, 0.2, 0.1, 0.3});  // tp 1, fp 0 -> 1.0
  Tensor t2 = f({0, 0, 0, 1}), p2 = f({0.8, 0.7, 0.6, 0.9});  // tp 1, fp 3 -> 0.25
  m::Precision batch;
  batch.update_state(t1, p1);
  double b1 = scalar(batch.result());
  batch.reset_state();
  batch.update_state(t2, p2);
  double b2 = scalar(batch.result());
  CHECK(b1 == doctest::Approx(1.0));
  CHECK(b2 == doctest::Approx(0.25));
  double mean_of_batches = (b1 + b2) / 2.0;  // 0.625

  m::Precision streaming;
  streaming.update_state(t1, p1);
  streaming.update_state(t2, p2);
  double s = scalar(streaming.result());
  CHECK(s == doctest::Approx(2.0 / 5.0));
  CHECK(std::fabs(s - mean_of_batches) > 0.1);

  m::Precision all_at_once;
  all_at_once.update_state(ops::concat({t1, t2}), ops::concat({p1, p2}));
  CHECK(s == doctest::Approx(scalar(all_at_once.result())));

  // The same holds for Recall and AUC: streaming equals all samples at once.
  m::Recall rs, ra;
  rs.update_state(t1, p1);
  rs.update_state(t2, p2);
  ra.update_state(ops::concat({t1, t2}), ops::concat({p1, p2}));
  CHECK(scalar(rs.result()) == doctest::Approx(scalar(ra.result())));
  m::AUC as, aa;
  as.update_state(t1, p1);
  as.update_state(t2, p2);
  aa.update_state(ops::concat({t1, t2}), ops::concat({p1, p2}));
  CHECK(scalar(as.result()) == doctest::Approx(scalar(aa.result())));
}

TEST_CASE("metrics: AUC (ROC and PR) against hand-computed values") {
  // Keras's docstring: thresholds [-1e-7, 0.5, 1 + 1e-7]; tp [2, 1, 0], fp [2, 0, 0].
  m::AUC small({.num_thresholds = 3});
  CHECK(small.thresholds().size() == 3);
  CHECK(small.thresholds()[0] == doctest::Approx(-1e-7));
  CHECK(small.thresholds()[2] == doctest::Approx(1 + 1e-7));
  Tensor t = f({0, 0, 1, 1}), p = f({0, 0.5, 0.3, 0.9});
  small.update_state(t, p);
  check_values(small.result(), std::vector<double>{0.75});
  small.reset_state();
  small.update_state(t, p, f({1, 0, 0, 1}));
  check_values(small.result(), std::vector<double>{1.0});

  // A hand-computed ROC AUC: positives score 0.35, 0.8, 0.9; negatives 0.1, 0.4, 0.7.
  // 7 of the 9 (positive, negative) pairs are ordered correctly: AUC = 7/9. With 200
  // thresholds every score has its own bucket, so the trapezoids are exact.
  m::AUC roc;
  CHECK(roc.name() == "auc");
  CHECK(roc.num_thresholds() == 200);
  Tensor rt = f({0, 0, 1, 1, 0, 1}), rp = f({0.1, 0.4, 0.35, 0.8, 0.7, 0.9});
  roc.update_state(rt, rp);
  check_values(roc.result(), std::vector<double>{7.0 / 9.0}, 1e-3);
  // In two batches: the same.
  m::AUC roc2;
  roc2.update_state(f({0, 0, 1}), f({0.1, 0.4, 0.35}));
  roc2.update_state(f({1, 0, 1}), f({0.8, 0.7, 0.9}));
  check_values(roc2.result(), std::vector<double>{7.0 / 9.0}, 1e-3);
  // Logits: sigmoid keeps the order.
  m::AUC from_logits({.from_logits = true});
  from_logits.update_state(rt, ops::log(rp / (1.0 - rp)));
  check_values(from_logits.result(), std::vector<double>{7.0 / 9.0}, 1e-3);

  // Minoring / majoring on the docstring example: recall [1, .5, 0], fpr [1, 0, 0].
  m::AUC minoring({.num_thresholds = 3, .summation_method = "minoring"});
  minoring.update_state(t, p);
  check_values(minoring.result(), std::vector<double>{0.5});
  m::AUC majoring({.num_thresholds = 3, .summation_method = "majoring"});
  majoring.update_state(t, p);
  check_values(majoring.result(), std::vector<double>{1.0});

  // PR with Keras's interpolation (Davis & Goadrich): tp [2,1,0], fp [2,0,0], fn [0,1,2]
  // -> slope [1/3, 1], intercept [2/3, 0], p ratio [4, 1]:
  // (1/3 (1 + 2/3 ln 4)) / 2 + (1 (1 + 0)) / 2.
  m::AUC pr({.num_thresholds = 3, .curve = "PR"});
  pr.update_state(t, p);
  check_values(pr.result(), std::vector<double>{(1.0 + 2.0 / 3.0 * std::log(4.0)) / 6.0 + 0.5}, 1e-5);
  // PR by plain trapezoids (majoring): recall [1, .5, 0], precision [.5, 1, 0].
  m::AUC pr_major({.num_thresholds = 3, .curve = "PR", .summation_method = "majoring"});
  pr_major.update_state(t, p);
  check_values(pr_major.result(), std::vector<double>{0.5 * 1.0 + 0.5 * 1.0});

  // Explicit thresholds (sorted; endpoints added).
  m::AUC explicit_t({.thresholds = {0.5}});
  CHECK(explicit_t.num_thresholds() == 3);
  explicit_t.update_state(t, p);
  check_values(explicit_t.result(), std::vector<double>{0.75});

  // multi_label: one AUC per column, averaged (or weighted by label_weights).
  Tensor mt = f2({{0, 1}, {0, 0}, {1, 1}, {1, 0}});
  Tensor mp = f2({{0, 0.9}, {0.5, 0.2}, {0.3, 0.8}, {0.9, 0.1}});
  m::AUC ml({.num_thresholds = 3, .multi_label = true});
  ml.update_state(mt, mp);
  // column 0 is the docstring example (0.75); column 1 is perfectly separated (1.0).
  check_values(ml.result(), std::vector<double>{0.875});
  m::AUC mlw({.num_thresholds = 3, .multi_label = true, .label_weights = {3, 1}});
  mlw.update_state(mt, mp);
  check_values(mlw.result(), std::vector<double>{(3 * 0.75 + 1.0) / 4.0});
  m::AUC flat({.num_thresholds = 3});
  flat.update_state(ops::reshape(ops::transpose(mt), {-1}), ops::reshape(ops::transpose(mp), {-1}));
  m::AUC not_multi({.num_thresholds = 3});
  not_multi.update_state(mt, mp);
  check_values(not_multi.result(), std::vector<double>{scalar(flat.result())});

  for (const m::Metric* metric : std::vector<const m::Metric*>{&roc, &pr, &explicit_t, &mlw, &minoring})
    round_trip(*metric);
  CHECK(m::serialize(explicit_t).at("config").at("thresholds").as_list().size() == 1);
  CHECK(!m::serialize(roc).at("config").contains("thresholds"));
  CHECK_THROWS_MSG(m::AUC({.curve = "XY"}), std::invalid_argument, "XY");
  CHECK_THROWS_MSG(m::AUC({.summation_method = "simpson"}), std::invalid_argument, "simpson");
  CHECK_THROWS_MSG(m::AUC({.num_thresholds = 1}), std::invalid_argument, "num_thresholds=1");
  CHECK_THROWS_MSG(ml.update_state(f({1, 0}), f({1, 0})), std::invalid_argument, "rank 2");
}

// ---- F-scores ------------------------------------------------------------------------------

TEST_CASE("metrics: F1Score and FBetaScore, every average") {
  Tensor t = core::constant({{1, 1, 1}, {1, 0, 0}, {1, 1, 0}});
  Tensor p = f2({{0.2, 0.6, 0.7}, {0.2, 0.6, 0.6}, {0.6, 0.8, 0.0}});
  m::F1Score f1({.threshold = 0.5});
  f1.update_state(t, p);
  check_values(f1.result(), std::vector<double>{0.5, 0.8, 0.6666667}, 1e-5);
  m::FBetaScore fb({.beta = 2.0, .threshold = 0.5});
  fb.update_state(t, p);
  check_values(fb.result(), std::vector<double>{0.3846154, 0.90909094, 0.8333334}, 1e-5);

  m::F1Score macro({.average = "macro", .threshold = 0.5});
  macro.update_state(t, p);
  check_values(macro.result(), std::vector<double>{(0.5 + 0.8 + 2.0 / 3.0) / 3.0}, 1e-5);
  m::F1Score micro({.average = "micro", .threshold = 0.5});
  micro.update_state(t, p);  // tp 4, fp 2, fn 2
  check_values(micro.result(), std::vector<double>{2.0 / 3.0}, 1e-5);
  m::F1Score weighted({.average = "weighted", .threshold = 0.5});
  weighted.update_state(t, p);  // supports 3, 2, 1
  check_values(weighted.result(), std::vector<double>{(0.5 * 3 + 0.8 * 2 + 2.0 / 3.0) / 6.0}, 1e-5);

  // Streaming in two batches (rows 0-1, then row 2) with weights equals one batch.
  m::F1Score two({.threshold = 0.5});
  two.update_state(ops::slice(t, {0, 0}, {2, -1}), ops::slice(p, {0, 0}, {2, -1}));
  two.update_state(ops::slice(t, {2, 0}, {1, -1}), ops::slice(p, {2, 0}, {1, -1}));
  check_values(two.result(), std::vector<double>{0.5, 0.8, 0.6666667}, 1e-5);
  // Weight 0 on row 1 drops it: column 0 tp 1 (row 2), fn 1 (row 0) -> 2/3; column 1
  // tp 2 -> 1; column 2 tp 1 -> 1.
  m::F1Score masked({.threshold = 0.5});
  masked.update_state(t, p, f({1, 0, 1}));
  check_values(masked.result(), std::vector<double>{2.0 / 3.0, 1.0, 1.0}, 1e-5);
  // threshold None: the row maximum is the positive prediction.
  m::F1Score argmax_f1;
  argmax_f1.update_state(t, p);  // positives (0,2), (0,1) [tie .6 .6 both], (2,1)
  // column 0: tp 0, fn 3 -> 0; column 1: tp 2 (rows 1? no: row 1 label 0 -> fp), see below
  // row 0 max .7 col 2 (label 1: tp); row 1 max .6 cols 1, 2 (labels 0: fp, fp);
  // row 2 max .8 col 1 (label 1: tp). col0: tp0 fn3 -> 0; col1: tp1 fp1 fn1 -> .5;
  // col2: tp1 fp1 -> 2/3.
  check_values(argmax_f1.result(), std::vector<double>{0.0, 0.5, 2.0 / 3.0}, 1e-5);
  argmax_f1.reset_state();
  check_values(argmax_f1.result(), std::vector<double>{0, 0, 0});

  m::MetricPtr back = round_trip(fb);
  CHECK(back->get_config().at("beta").as_double() == 2.0);
  m::MetricPtr f1back = round_trip(macro);
  CHECK(!f1back->get_config().contains("beta"));
  round_trip(argmax_f1);
  CHECK_THROWS_MSG(m::F1Score({.average = "median"}), std::invalid_argument, "median");
  CHECK_THROWS_MSG(m::FBetaScore({.beta = 0}), std::invalid_argument, "beta");
  CHECK_THROWS_MSG(f1.update_state(f({1, 0}), f({1, 0})), std::invalid_argument, "2D inputs");
}

// ---- MeanIoU --------------------------------------------------------------------------------

TEST_CASE("metrics: MeanIoU") {
  m::MeanIoU iou(2);
  CHECK(iou.name() == "mean_io_u");
  iou.update_state(core::constant({0, 0, 1, 1}), core::constant({0, 1, 0, 1}));
  check_values(iou.result(), std::vector<double>{1.0 / 3.0}, 1e-5);
  iou.reset_state();
  iou.update_state(core::constant({0, 0, 1, 1}), core::constant({0, 1, 0, 1}), f({0.3, 0.3, 0.3, 0.1}));
  check_values(iou.result(), std::vector<double>{0.23809525}, 1e-5);
  // Streaming: cm [[0.3, 0.3], [0.3, 0.1]] + [[2, 0], [0, 0]] (two more correct 0s).
  iou.update_state(core::constant({0, 0}), core::constant({0, 0}));
  check_values(iou.confusion_matrix(), std::vector<double>{2.3, 0.3, 0.3, 0.1}, 1e-5);
  double iou0 = 2.3 / (2.6 + 2.6 - 2.3), iou1 = 0.1 / (0.4 + 0.4 - 0.1);
  check_values(iou.result(), std::vector<double>{(iou0 + iou1) / 2.0}, 1e-5);

  // A class that never appears does not count in the mean; 2-D inputs are flattened.
  m::MeanIoU three(3);
  three.update_state(core::constant({{0, 1}, {1, 1}}), core::constant({{0, 1}, {0, 1}}));
  // cm rows (labels): 0 -> [1, 0], 1 -> [1, 2]; iou0 = 1/2, iou1 = 2/3; class 2 absent.
  check_values(three.result(), std::vector<double>{(0.5 + 2.0 / 3.0) / 2.0}, 1e-5);
  // Dense predictions, an ignored class.
  m::MeanIoU dense(2, {.ignore_class = 255, .sparse_y_pred = false});
  dense.update_state(core::constant({0, 1, 255}), f2({{0.9, 0.1}, {0.2, 0.8}, {0.5, 0.6}}));
  check_values(dense.result(), std::vector<double>{1.0}, 1e-5);
  m::MetricPtr back = round_trip(dense);
  CHECK(back->get_config().at("ignore_class").as_int() == 255);
  round_trip(iou);
  CHECK_THROWS_MSG(iou.update_state(core::constant({0, 2}), core::constant({0, 1})),
                   std::invalid_argument, "label 2");
  CHECK_THROWS_MSG(iou.update_state(core::constant({0, 1}), core::constant({0, 7})),
                   std::invalid_argument, "[0, 2)");
}

// ---- lookup, serialization, MetricArg ---------------------------------------------------

TEST_CASE("metrics: get() knows Keras's names and aliases") {
  CHECK(m::get("mse")->class_name() == "MeanSquaredError");
  CHECK(m::get("MAE")->class_name() == "MeanAbsoluteError");
  CHECK(m::get("mape")->class_name() == "MeanAbsolutePercentageError");
  CHECK(m::get("acc")->class_name() == "Accuracy");
  CHECK(m::get("accuracy")->class_name() == "Accuracy");
  CHECK(m::get("binary_accuracy")->class_name() == "BinaryAccuracy");
  CHECK(m::get("categorical_accuracy")->class_name() == "CategoricalAccuracy");
  CHECK(m::get("sparse_categorical_accuracy")->class_name() == "SparseCategoricalAccuracy");
  CHECK(m::get("top_k_categorical_accuracy")->class_name() == "TopKCategoricalAccuracy");
  CHECK(m::get("precision")->class_name() == "Precision");
  CHECK(m::get("recall")->class_name() == "Recall");
  CHECK(m::get("auc")->class_name() == "AUC");
  CHECK(m::get("AUC")->class_name() == "AUC");
  CHECK(m::get("bce")->class_name() == "BinaryCrossentropy");
  CHECK(m::get("r2_score")->class_name() == "R2Score");
  CHECK(m::get("f1_score")->class_name() == "F1Score");
  CHECK(m::get("root_mean_squared_error")->name() == "root_mean_squared_error");
  CHECK_THROWS_MSG(m::get("accuracyy"), std::invalid_argument, "known names");
  CHECK_THROWS_MSG(m::get("accuracyy"), std::invalid_argument, "sparse_categorical_accuracy");
  CHECK_THROWS_MSG(m::get("mean_io_u"), std::invalid_argument, "num_classes");
  CHECK_THROWS_MSG(m::deserialize(keras::Value::from_json(
                       R"({"class_name": "Precision", "config": {"top_kk": 1}})")),
                   std::invalid_argument, "top_kk");
  // The keys the class takes are listed (the families share one config reader).
  CHECK_THROWS_MSG(m::deserialize(keras::Value::from_json(R"({"class_name": "Mean", "config": {"nme": "m"}})")),
                   std::invalid_argument,
                   "metrics.deserialize: unexpected key 'nme' in the config of Mean (expected dtype, name)");
  CHECK_THROWS_MSG(m::deserialize(keras::Value::from_json(R"({"class_name": "Mean", "config": [1]})")),
                   std::invalid_argument, "metrics.deserialize: expected the config of Mean to be an object");
  CHECK_THROWS_MSG(m::deserialize(keras::Value::from_json(R"({"class_name": "Nope"})")),
                   std::invalid_argument, "Nope");
  // A name deserializes like get().
  CHECK(m::deserialize(keras::Value("mae"))->class_name() == "MeanAbsoluteError");
  // Every name get() accepts builds (except MeanIoU, which needs num_classes, and
  // MeanMetricWrapper, which needs a function).
  for (const std::string& n : m::names()) {
    if (n == "MeanIoU" || n == "mean_io_u" || n == "MeanMetricWrapper" || n == "mean_metric_wrapper")
      continue;
    CAPTURE(n);
    m::MetricPtr metric = m::get(n);
    round_trip(*metric);
  }
}

namespace {
// A user metric: counts exact hits.
class Hits : public m::Metric {
 public:
  explicit Hits(std::string name = "hits") : Metric(std::move(name)) { hits_ = add_variable("hits", {}); }
  void update_state(const Tensor& y_true, const Tensor& y_pred, const Tensor& = Tensor()) override {
    hits_.assign_add(ops::sum(ops::cast(ops::equal(detach(y_true), detach(y_pred)), dtype())));
  }
  Tensor result() const override { return hits_.value(); }
  std::string class_name() const override { return "Hits"; }

 private:
  core::Variable hits_;
};
}  // namespace

TEST_CASE("metrics: register_metric for user classes") {
  m::register_metric("Hits", [](const keras::Config& c) {
    return std::make_shared<Hits>(c.get("name", "hits").as_string());
  });
  Hits h("my_hits");
  h.update_state(f({1, 2, 3}), f({1, 0, 3}));
  check_values(h.result(), std::vector<double>{2});
  m::MetricPtr back = round_trip(h);
  CHECK(back->name() == "my_hits");
  check_values(back->result(), std::vector<double>{0});  // state is not serialized
  CHECK(m::get("Hits")->class_name() == "Hits");
  CHECK_THROWS_MSG(m::register_metric("Precision", [](const keras::Config&) { return m::MetricPtr(); }),
                   std::invalid_argument, "built-in");
}

TEST_CASE("metrics: MetricArg and resolve_accuracy") {
  m::MetricArg by_name = "auc";
  CHECK(by_name.resolve()->class_name() == "AUC");
  CHECK(by_name.resolve() == by_name.resolve());  // the same object each time
  m::MetricArg object = m::Precision({.top_k = 1});
  CHECK(object.resolve()->get_config().at("top_k").as_int() == 1);
  auto shared = std::make_shared<m::Recall>();
  m::MetricArg ptr = shared;
  CHECK(ptr.resolve().get() == shared.get());
  m::MetricArg fn = [](const Tensor& t, const Tensor& p) { return ops::abs(t - p); };
  CHECK(fn.resolve()->class_name() == "MeanMetricWrapper");
  fn.resolve()->update_state(f({1, 2}), f({2, 2}));
  check_values(fn.resolve()->result(), std::vector<double>{0.5});
  m::MetricArg cfg = keras::Value::from_json(R"({"class_name": "BinaryAccuracy", "config": {"threshold": 0.3}})");
  CHECK(cfg.resolve()->get_config().at("threshold").as_double() == doctest::Approx(0.3));
  CHECK_THROWS_MSG(m::MetricArg("nope"), std::invalid_argument, "nope");

  // "accuracy" / "acc" are resolved like Keras's compile(): by the loss, else by shapes.
  m::MetricArg acc = "accuracy";
  CHECK(acc.is_accuracy_alias());
  CHECK(acc.ptr() == nullptr);
  CHECK(acc.resolve("binary_crossentropy")->class_name() == "BinaryAccuracy");
  CHECK(acc.resolve("sparse_categorical_crossentropy")->class_name() == "SparseCategoricalAccuracy");
  CHECK(acc.resolve("categorical_crossentropy")->class_name() == "CategoricalAccuracy");
  CHECK(acc.resolve("SparseCategoricalCrossentropy")->name() == "accuracy");
  CHECK(m::MetricArg("acc").resolve("bce")->name() == "acc");
  CHECK(m::resolve_accuracy("mse", Shape{32, 1}, Shape{32, 1})->class_name() == "BinaryAccuracy");
  CHECK(m::resolve_accuracy("", Shape{32}, Shape{32, 10})->class_name() == "SparseCategoricalAccuracy");
  CHECK(m::resolve_accuracy("", Shape{32, 1}, Shape{32, 10})->class_name() == "SparseCategoricalAccuracy");
  CHECK(m::resolve_accuracy("", Shape{32, 10}, Shape{32, 10})->class_name() == "CategoricalAccuracy");
  CHECK(m::resolve_accuracy("")->class_name() == "CategoricalAccuracy");
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
