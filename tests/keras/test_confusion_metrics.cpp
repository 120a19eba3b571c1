// test_confusion_metrics.cpp - keras::metrics: TruePositives & co., Precision and Recall
// (thresholds, top_k, class_id, and the streaming property), AUC against hand-computed
// ROC and PR values, the F-scores and MeanIoU.
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

// The streaming test: precision accumulated over batches is the precision of all
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
  m::MeanIoU iou(2, {.dtype = DType::float32});  // (fractional weights: the default int64 truncates them)
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
