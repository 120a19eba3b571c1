// test_ops_reduce.cpp - keras.ops's reductions, scans, quantiles, segment and scatter ops,
// search and sets and statistics (core/ops_reduce.h) against Keras 3 (the fixture of
// tests/data/ops/make_reduce_fixtures.py): values and dtypes, then edge cases, bad input,
// traced use and the keras.ops names they implement. Gradients: test_gradients.cpp.
#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <map>
#include <string>

#include "core/function.h"
#include "core/npy.h"
#include "../error_of.h"
#include "helpers.h"
#include "ops_names.h"
#include "ops_fixture.h"
#include "test_data_dir.h"

using namespace th;

namespace {

Tensor fx(const std::string& name) { return th::ops_fixture("reduce_keras.npz")(name); }

// got against the fixture array `name`: shape, dtype and values.
void check_fx(const std::string& name, const Tensor& got) {
  th::ops_fixture("reduce_keras.npz").same(got, name, fx(name).dtype() == DType::float32 ? 2e-6 : 1e-12);
}

bool has(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

using Case = std::pair<std::string, std::function<Tensor()>>;

}  // namespace

TEST_CASE("keras.ops reductions and nan-reductions match Keras (values and dtypes)") {
  Tensor a = fx("in_a"), an = fx("in_an"), ai = fx("in_ai"), b3 = fx("in_b3"), w4 = fx("in_w4");
  std::vector<Case> cases = {
      {"amax_a_ax1", [&] { return ops::amax(a, {1}); }},
      {"amin_a_ax0_keep", [&] { return ops::amin(a, {0}, true); }},
      {"ptp_a", [&] { return ops::ptp(a); }},
      {"ptp_ai_ax1", [&] { return ops::ptp(ai, {1}); }},
      {"var_a_ax1", [&] { return ops::var(a, {1}); }},
      {"var_ai", [&] { return ops::var(ai); }},
      {"var_b3_ax02_keep", [&] { return ops::var(b3, {0, 2}, true); }},
      {"average_a", [&] { return ops::average(a); }},
      {"average_ai_ax0", [&] { return ops::average(ai, {0}); }},
      {"average_a_w_ax1", [&] { return ops::average(a, {1}, w4); }},
      {"average_a_wfull_ax0", [&] { return ops::average(a, {0}, ops::abs(a)); }},
      {"count_nonzero_ai_ax0", [&] { return ops::count_nonzero(ai, {0}); }},
      {"count_nonzero_ai", [&] { return ops::count_nonzero(ai); }},
      {"nansum_empty_ax0", [&] { return ops::nansum(ops::zeros({0, 3}, DType::float64), {0}); }},
      {"nanargmax_an_ax1", [&] { return ops::nanargmax(an, 1); }},
      {"nanargmin_an_ax1", [&] { return ops::nanargmin(an, 1); }},
      {"nanargmax_an", [&] { return ops::nanargmax(an); }},
      {"nanargmin_an_ax0_keep", [&] { return ops::nanargmin(an, 0, true); }},
  };
  using R = Tensor (*)(const Tensor&, const std::vector<int64_t>&, bool);
  const std::vector<std::pair<std::string, R>> nan_fns = {
      {"nansum", ops::nansum}, {"nanprod", ops::nanprod}, {"nanmean", ops::nanmean}, {"nanvar", ops::nanvar},
      {"nanstd", ops::nanstd}, {"nanmax", ops::nanmax},   {"nanmin", ops::nanmin}};
  for (auto& [name, f] : nan_fns) {
    cases.push_back({name + "_an_ax1", [&, f] { return f(an, {1}, false); }});
    cases.push_back({name + "_an", [&, f] { return f(an, {}, false); }});
    cases.push_back({name + "_an_ax0_keep", [&, f] { return f(an, {0}, true); }});
    cases.push_back({name + "_ai_ax1", [&, f] { return f(ai, {1}, false); }});
  }
  for (auto& [name, f] : cases) check_fx(name, f());
}

TEST_CASE("keras.ops cumsum, cumprod and their nan forms match Keras") {
  Tensor b3 = fx("in_b3"), bp = fx("in_bp"), ai = fx("in_ai"), an = fx("in_an");
  check_fx("cumsum_b3_ax1", ops::cumsum(b3, 1));
  check_fx("cumsum_b3", ops::cumsum(b3));
  check_fx("cumsum_ai_axm1", ops::cumsum(ai, -1));
  check_fx("cumsum_bool_ax0", ops::cumsum(ops::greater(ai, ops::scalar_like(ai, 0)), 0));
  check_fx("cumsum_ai_f32", ops::cumsum(ai, 0, DType::float32));
  check_fx("cumprod_bp_ax2", ops::cumprod(bp, 2));
  check_fx("cumprod_bp_ax0", ops::cumprod(bp, 0));
  check_fx("cumprod_ai_ax0", ops::cumprod(ai, 0));
  check_fx("cumsum_empty_ax0", ops::cumsum(ops::zeros({0, 3}, DType::float64), 0));
  check_fx("nancumsum_an_ax1", ops::nancumsum(an, 1));
  check_fx("nancumprod_an_ax0", ops::nancumprod(an, 0));
}

TEST_CASE("cumsum: long rows and wide columns split over threads give the serial result") {
  const int64_t n = 3000, rows = 10;  // rows: a group of 8 lines scanned together, and 2 more
  Tensor x = make(uniform(rows * n, -1, 1, 7), Shape{rows, n}, DType::float64);
  std::vector<double> v = values(x);
  for (int64_t axis : {1, 0}) {
    std::vector<double> want(v.size());
    for (int64_t i = 0; i < rows; ++i)
      for (int64_t j = 0; j < n; ++j) {
        const size_t k = size_t(i * n + j);
        const size_t prev = axis == 1 ? k - 1 : k - size_t(n);
        const bool first = axis == 1 ? j == 0 : i == 0;
        want[k] = first ? v[k] : want[prev] + v[k];
      }
    check_values(ops::cumsum(x, axis), want, 1e-12);
  }
  // int32 overflow wraps around, as TensorFlow (no undefined behaviour)
  Tensor big = core::constant({2147483647, 1});
  CHECK(ops::cumsum(big).to_vector<int32_t>()[1] == std::numeric_limits<int32_t>::min());
}

TEST_CASE("keras.ops quantile, percentile, median and their nan forms match Keras") {
  Tensor a = fx("in_a"), an = fx("in_an"), ai = fx("in_ai"), b3 = fx("in_b3"), q3 = fx("in_q3");
  Tensor an2 = ops::slice(an, {0, 0}, {2, -1});
  for (std::string m : {"linear", "lower", "higher", "midpoint", "nearest"}) {
    check_fx("quantile_a_q3_ax1_" + m, ops::quantile(a, q3, {1}, m));
    check_fx("nanquantile_an2_q3_ax1_" + m, ops::nanquantile(an2, q3, {1}, m));
  }
  check_fx("quantile_b3_q3_ax02_keep", ops::quantile(b3, q3, {0, 2}, "linear", true));
  check_fx("quantile_ai_03", ops::quantile(ai, 0.3));
  check_fx("quantile_a_04_keep", ops::quantile(a, 0.4, {}, "linear", true));
  check_fx("median_a_ax0", ops::median(a, {0}));
  check_fx("median_an_ax1", ops::median(an, {1}));
  check_fx("median_b3_axm1_keep", ops::median(b3, {-1}, true));
  check_fx("nanmedian_an_ax1", ops::nanmedian(an, {1}));
  check_fx("nanmedian_an", ops::nanmedian(an));
  check_fx("percentile_a_ax1", ops::percentile(a, core::constant({10.0, 50.0, 90.0}), {1}));
  check_fx("percentile_ai_25", ops::percentile(ai, 25.0));
  check_fx("nanpercentile_an_ax1", ops::nanpercentile(an, 60.0, {1}));
  // an empty slice has no quantile: NaN (NumPy)
  CHECK(std::isnan(ops::median(ops::zeros({0}, DType::float64)).item<double>()));
}

TEST_CASE("keras.ops argpartition matches Keras on 1-d x and partitions every row") {
  Tensor xp = fx("in_xp");
  auto row = [&](int64_t r) { return ops::squeeze(ops::slice(xp, {r, 0}, {1, -1}), {0}); };
  check_fx("argpartition_xp0_2", ops::argpartition(row(0), 2));
  check_fx("argpartition_xp1_0", ops::argpartition(row(1), 0));
  check_fx("argpartition_xp_4_none", ops::argpartition(xp, 4, std::nullopt));
  // 2-d along either axis: a permutation with the kth value in place, smaller ones before.
  Tensor x = make(uniform(20, -1, 1, 3), Shape{4, 5}, DType::float32);
  for (int64_t axis : {0, 1}) {
    const int64_t kth = 2;
    Tensor idx = ops::argpartition(x, kth, axis);
    CHECK(idx.dtype() == DType::int32);
    Tensor taken = ops::take_along_axis(x, idx, axis);
    Tensor sorted = ops::sort(x, axis);
    Tensor kv = ops::slice(taken, axis == 0 ? std::vector<int64_t>{kth, 0} : std::vector<int64_t>{0, kth},
                           axis == 0 ? std::vector<int64_t>{1, -1} : std::vector<int64_t>{-1, 1});
    Tensor ks = ops::slice(sorted, axis == 0 ? std::vector<int64_t>{kth, 0} : std::vector<int64_t>{0, kth},
                           axis == 0 ? std::vector<int64_t>{1, -1} : std::vector<int64_t>{-1, 1});
    check_values(kv, values(ks), 0);
    check_values(ops::sort(taken, axis), values(sorted), 0);
  }
  CHECK(has(error_of([&] { ops::argpartition(row(0), 6); }), "argpartition: expected kth in [-6, 6)"));
}

TEST_CASE("keras.ops segment ops, scatter, scatter_update and slice_update match Keras") {
  Tensor data = fx("in_data"), ids = fx("in_ids"), a = fx("in_a"), ai = fx("in_ai");
  check_fx("segment_sum_5", ops::segment_sum(data, ids, 5));
  check_fx("segment_max_5", ops::segment_max(data, ids, 5));
  check_fx("segment_min_5", ops::segment_min(data, ids, 5));
  check_fx("segment_prod_5", ops::segment_prod(data, ids, 5));
  check_fx("segment_sum_sorted", ops::segment_sum(data, ids, std::nullopt, true));
  check_fx("segment_max_sorted", ops::segment_max(data, ids, std::nullopt, true));
  check_fx("segment_min_sorted", ops::segment_min(data, ids, std::nullopt, true));
  check_fx("segment_prod_sorted", ops::segment_prod(data, ids, std::nullopt, true));
  Tensor row0 = ops::squeeze(ops::slice(ai, {0, 0}, {1, -1}), {0});
  Tensor ids2 = core::constant({1, 1, 3, 3});
  check_fx("segment_max_int_5", ops::segment_max(row0, ids2, 5));
  check_fx("segment_min_int_5", ops::segment_min(row0, ids2, 5));
  // no num_segments: max(id) + 1 segments
  CHECK(ops::segment_max(data, ids).shape() == Shape{4, 3});
  check_fx("scatter_elems", ops::scatter(fx("in_sidx"), fx("in_svals"), {3, 4}));
  check_fx("scatter_rows", ops::scatter(fx("in_ridx"), fx("in_rvals"), {3, 4}));
  check_fx("scatter_update_a", ops::scatter_update(a, fx("in_uidx"), fx("in_uvals")));
  check_fx("scatter_update_rows",
           ops::scatter_update(a, core::constant({{1}}), ops::slice(fx("in_rvals"), {0, 0}, {1, -1})));
  for (std::string red : {"add", "max", "min", "mul"})
    check_fx("scatter_update_" + red, ops::scatter_update(a, fx("in_sidx"), fx("in_svals"), red));
  check_fx("slice_update_12", ops::slice_update(fx("in_big"), {1, 2}, fx("in_upd")));
  check_fx("slice_update_00", ops::slice_update(fx("in_big"), {0, 0}, fx("in_upd")));
  // duplicates: the last update wins
  Tensor dup = ops::scatter_update(ops::zeros({3}), core::constant({{1}, {1}}), core::constant({5.f, 7.f}));
  check_values(dup, std::vector<double>{0, 7, 0});
  // start indices are clamped so that the update fits (XLA's dynamic_update_slice)
  check_values(ops::slice_update(ops::zeros({4}), {3}, ops::ones({2})), std::vector<double>{0, 0, 1, 1});
}

TEST_CASE("keras.ops search and set ops match Keras") {
  Tensor a = fx("in_a"), ai = fx("in_ai");
  check_fx("searchsorted_left", ops::searchsorted(fx("in_seq"), fx("in_vals")));
  check_fx("searchsorted_right", ops::searchsorted(fx("in_seq"), fx("in_vals"), "right"));
  check_fx("digitize_a", ops::digitize(a, {-1.0, 0.0, 0.5, 1.5}));
  check_fx("digitize_ai", ops::digitize(ai, {-1, 0, 2}));
  check_fx("isin_ai", ops::isin(ai, core::constant({0, 2, -3})));
  check_fx("isin_ai_invert", ops::isin(ai, core::constant({0, 2, -3}), false, true));
  Tensor ux = fx("in_ux");
  auto u = ops::unique(ux, {.return_index = true, .return_inverse = true, .return_counts = true});
  check_fx("unique_values", u.values);
  check_fx("unique_index", u.indices);
  check_fx("unique_inverse", u.inverse);
  check_fx("unique_counts", u.counts);
  auto uu = ops::unique(ux, {.sorted = false, .return_inverse = true});
  check_fx("unique_unsorted_values", uu.values);
  check_fx("unique_unsorted_inverse", uu.inverse);
  CHECK(!uu.counts.defined());
  check_fx("unique_size", ops::unique(ux, {.size = 6, .fill_value = -1}).values);
  check_fx("unique_axis0", ops::unique(fx("in_u2"), {.axis = 0}).values);
  check_fx("bincount_bx", ops::bincount(fx("in_bx")));
  check_fx("bincount_bx_w", ops::bincount(fx("in_bx"), core::constant({0.5f, 1.f, 2.f, 3.f, 4.f}), 6));
  auto h = ops::histogram(fx("in_hx"), 5);
  check_fx("histogram_counts", h.counts);
  check_fx("histogram_edges", h.bin_edges);
  auto hr = ops::histogram(fx("in_hx"), 4, std::pair{0.0, 2.0});
  check_fx("histogram_range_counts", hr.counts);
  check_fx("histogram_range_edges", hr.bin_edges);
  auto nz = ops::nonzero(ai);
  REQUIRE(nz.size() == 2);
  check_fx("nonzero_0", nz[0]);
  check_fx("nonzero_1", nz[1]);
  // 2-d bincount counts per row
  check_values(ops::bincount(core::constant({{0, 2}, {1, 1}})), std::vector<double>{1, 0, 1, 0, 2, 0});
  CHECK(ops::isin(ops::zeros({2, 0}), ops::ones({3})).shape() == Shape{2, 0});
}

TEST_CASE("searchsorted: the binary search agrees with counting, on a long sequence and NaN") {
  Tensor seq = ops::sort(make(uniform(5000, -1, 1, 11), Shape{5000}, DType::float64));
  Tensor vals = make(uniform(300, -1.2, 1.2, 12), Shape{3, 100}, DType::float64);
  std::vector<double> s = values(seq), v = values(vals);
  for (std::string side : {"left", "right"}) {
    std::vector<double> want;
    for (double x : v)
      want.push_back(double(std::count_if(s.begin(), s.end(), [&](double b) { return side == "left" ? b < x : b <= x; })));
    Tensor got = ops::searchsorted(seq, vals, side);
    CHECK(got.shape() == Shape{3, 100});
    check_values(got, want, 0);
  }
  Tensor nan = ops::fill({1}, std::numeric_limits<double>::quiet_NaN(), DType::float64);
  check_values(ops::searchsorted(seq, nan), std::vector<double>{0});
  check_values(ops::searchsorted(seq, nan, "right"), std::vector<double>{5000});
  check_values(ops::searchsorted(core::constant({1, 3, 3, 7}), core::constant({3, 8, 0})), std::vector<double>{1, 4, 0});
}

TEST_CASE("keras.ops trapezoid, corrcoef, correlate, cdist, logdet match Keras") {
  Tensor a = fx("in_a"), ai = fx("in_ai");
  check_fx("trapezoid_a", ops::trapezoid(a));
  check_fx("trapezoid_ai", ops::trapezoid(ai));
  check_fx("trapezoid_a_x", ops::trapezoid(a, core::constant({0.0, 0.5, 2.0, 2.5})));
  check_fx("trapezoid_a_ax0_dx", ops::trapezoid(a, {}, 0.5, 0));
  check_fx("corrcoef_c5", ops::corrcoef(fx("in_c5")));
  check_fx("corrcoef_ai", ops::corrcoef(ai));
  for (std::string m : {"valid", "same", "full"}) check_fx("correlate_" + m, ops::correlate(fx("in_k1"), fx("in_k2"), m));
  check_fx("correlate_int_full", ops::correlate(core::constant({1, 2, 3}), core::constant({0, 1, 2, 5}), "full"));
  check_fx("correlate_int_same", ops::correlate(core::constant({1, 2, 3}), core::constant({0, 1, 2, 5}), "same"));
  check_fx("cdist_b", ops::cdist(fx("in_cx"), fx("in_cy")));
  check_fx("logdet_spd", ops::logdet(fx("in_spd")));
}

TEST_CASE("keras.ops reductions, segment, scatter and set ops on empty tensors") {
  Tensor e = ops::zeros({0, 3});
  CHECK(ops::cumprod(e, 1).shape() == Shape{0, 3});
  check_values(ops::nanmean(e, {0}), std::vector<double>{NAN, NAN, NAN});
  check_values(ops::count_nonzero(e), std::vector<double>{0});
  check_values(ops::segment_sum(e, ops::zeros({0}, DType::int32), 2), std::vector<double>(6, 0.0));
  check_values(ops::segment_prod(e, ops::zeros({0}, DType::int32), 1), std::vector<double>(3, 1.0));
  check_values(ops::scatter(ops::zeros({0, 2}, DType::int32), ops::zeros({0}), {2, 2}), std::vector<double>(4, 0.0));
  CHECK(ops::unique(ops::zeros({0}, DType::int32)).values.shape() == Shape{0});
  check_values(ops::bincount(ops::zeros({0}, DType::int32), {}, 3), std::vector<double>{0, 0, 0});
  CHECK(ops::nonzero(ops::zeros({0, 2})).size() == 2);
  check_values(ops::histogram(ops::zeros({0}), 2, std::pair{0.0, 1.0}).counts, std::vector<double>{0, 0});
  check_values(ops::searchsorted(ops::zeros({0}), ops::ones({2})), std::vector<double>{0, 0});
  check_values(ops::isin(ops::ones({2}), ops::zeros({0})), std::vector<double>{0, 0});
}

TEST_CASE("keras.ops reductions: bad input raises std::invalid_argument naming op, expected and received") {
  Tensor x = ops::ones({2, 3});
  CHECK(has(error_of([&] { ops::cumsum(x, 2); }), "cumsum"));
  CHECK(has(error_of([&] { ops::quantile(x, 0.5, {}, "cubic"); }), "quantile: expected method"));
  CHECK(has(error_of([&] { ops::quantile(x, 1.5); }), "quantile: expected q in [0, 1]"));
  CHECK(has(error_of([&] { ops::segment_max(x, core::constant({0, 1, 2})); }), "expected segment_ids of shape (2,)"));
  CHECK(has(error_of([&] { ops::segment_max(x, core::constant({0, 5}), 2); }),
            "segment_ids[1] = 5 is out of range (expected 0 <= id < num_segments = 2)"));
  CHECK(has(error_of([&] { ops::segment_sum(x, core::constant({1, 0}), std::nullopt, true); }),
            "segment_sum: sorted is true but segment_ids are not sorted"));
  CHECK(has(error_of([&] { ops::scatter(core::constant({{0, 3}}), ops::ones({1}), {2, 3}); }),
            "scatter: index 3 (indices row 0, coordinate 1) is out of range for axis 1 of size 3"));
  CHECK(has(error_of([&] { ops::scatter(core::constant({{0, 1}}), ops::ones({2}), {2, 3}); }),
            "scatter: expected values of shape (1,"));
  CHECK(has(error_of([&] { ops::scatter_update(x, core::constant({{0}}), ops::ones({1, 3}), "sub"); }),
            "scatter_update: expected reduction"));
  CHECK(has(error_of([&] { ops::slice_update(x, {0, 0}, ops::ones({3, 1})); }), "slice_update: updates of shape (3, 1) do not fit"));
  CHECK(has(error_of([&] { ops::searchsorted(x, x); }), "searchsorted: expected a 1-d sorted_sequence, but received shape (2, 3)"));
  CHECK(has(error_of([&] { ops::digitize(x, {1.0, 0.0}); }), "digitize: expected increasing bins"));
  CHECK(has(error_of([&] { ops::bincount(core::constant({1, -2})); }), "bincount: expected non-negative values"));
  CHECK(has(error_of([&] { ops::correlate(x, x); }), "correlate: expected 1-d x1 and x2"));
  CHECK(has(error_of([&] { ops::cdist(x, ops::ones({2, 4})); }), "cdist: expected x (..., M, D) and y (..., N, D)"));
  CHECK(has(error_of([&] { ops::logdet(x); }), "logdet: expected square matrices"));
  CHECK(has(error_of([&] { ops::average(x, {1}, ops::ones({2})); }), "average: expected weights of x's shape (2, 3)"));
  CHECK(has(error_of([&] { ops::var(ops::zeros({2}, DType::bool_)); }), "var: expected x to have a numeric dtype"));
  CHECK(has(error_of([&] { ops::trapezoid(x, ops::ones({2})); }), "trapezoid: expected x of y's shape (2, 3) or 1-d of length 3"));
}

TEST_CASE("keras.ops reductions in traced functions: value-shaped ops raise, the rest trace") {
  auto f = core::function([](const Tensor& x) {
    return ops::add(ops::add(ops::nanmean(x, {1}), ops::median(x, {1})), ops::sum(ops::cumsum(x, 1), {1}));
  });
  Tensor x = make(uniform(6, -1, 1, 5), Shape{2, 3}, DType::float64);
  Tensor want = ops::add(ops::add(ops::nanmean(x, {1}), ops::median(x, {1})), ops::sum(ops::cumsum(x, 1), {1}));
  check_values(f(x), values(want), 1e-12);
  auto g = core::function([](const Tensor& x) { return ops::unique(x).values; });
  CHECK(has(error_of([&] { g(ops::ones({3})); }), "unique"));
  auto h = core::function([](const Tensor& x) { return ops::nonzero(x)[0]; });
  CHECK(has(error_of([&] { h(ops::ones({3})); }), "nonzero"));
  auto s = core::function([](const Tensor& x) { return ops::segment_sum(x, core::constant({0, 1, 1})); });
  CHECK(has(error_of([&] { s(ops::ones({3})); }), "segment_sum without num_segments"));
}

// ---- the keras.ops names these implement (test_ops_names.cpp) -----------------------------
namespace {
Tensor m34() { return ops::reshape(ops::linspace(0.5, 6.0, 12), {3, 4}); }
Tensor i5() { return core::constant({3, 1, 3, 0, 2}); }
}  // namespace
KERAS_OPS_NAME("amax", (void)ops::amax(m34(), {1}));
KERAS_OPS_NAME("amin", (void)ops::amin(m34(), {0}, true));
KERAS_OPS_NAME("average", (void)ops::average(m34(), {1}, ops::ones({4})));
KERAS_OPS_NAME("var", (void)ops::var(m34()));
KERAS_OPS_NAME("count_nonzero", (void)ops::count_nonzero(i5()));
KERAS_OPS_NAME("ptp", (void)ops::ptp(m34(), {0}));
KERAS_OPS_NAME("cumsum", (void)ops::cumsum(m34(), 1));
KERAS_OPS_NAME("cumprod", (void)ops::cumprod(m34()));
KERAS_OPS_NAME("nancumsum", (void)ops::nancumsum(m34(), 0));
KERAS_OPS_NAME("nancumprod", (void)ops::nancumprod(m34(), 0));
KERAS_OPS_NAME("nansum", (void)ops::nansum(m34()));
KERAS_OPS_NAME("nanprod", (void)ops::nanprod(m34()));
KERAS_OPS_NAME("nanmean", (void)ops::nanmean(m34()));
KERAS_OPS_NAME("nanvar", (void)ops::nanvar(m34()));
KERAS_OPS_NAME("nanstd", (void)ops::nanstd(m34()));
KERAS_OPS_NAME("nanmax", (void)ops::nanmax(m34()));
KERAS_OPS_NAME("nanmin", (void)ops::nanmin(m34()));
KERAS_OPS_NAME("nanargmax", (void)ops::nanargmax(m34(), 1));
KERAS_OPS_NAME("nanargmin", (void)ops::nanargmin(m34()));
KERAS_OPS_NAME("median", (void)ops::median(m34(), {1}));
KERAS_OPS_NAME("nanmedian", (void)ops::nanmedian(m34()));
KERAS_OPS_NAME("quantile", (void)ops::quantile(m34(), 0.25, {0}, "nearest"));
KERAS_OPS_NAME("nanquantile", (void)ops::nanquantile(m34(), 0.25));
KERAS_OPS_NAME("percentile", (void)ops::percentile(m34(), 75.0));
KERAS_OPS_NAME("nanpercentile", (void)ops::nanpercentile(m34(), 75.0));
KERAS_OPS_NAME("argpartition", (void)ops::argpartition(i5(), 2));
KERAS_OPS_NAME("unique", (void)ops::unique(i5()));
KERAS_OPS_NAME("bincount", (void)ops::bincount(i5()));
KERAS_OPS_NAME("histogram", (void)ops::histogram(ops::linspace(0, 1, 7), 4));
KERAS_OPS_NAME("searchsorted", (void)ops::searchsorted(ops::range(5), i5()));
KERAS_OPS_NAME("digitize", (void)ops::digitize(i5(), {1.0, 2.0}));
KERAS_OPS_NAME("nonzero", (void)ops::nonzero(i5()));
KERAS_OPS_NAME("isin", (void)ops::isin(i5(), ops::range(2)));
KERAS_OPS_NAME("trapezoid", (void)ops::trapezoid(m34()));
KERAS_OPS_NAME("corrcoef", (void)ops::corrcoef(m34()));
KERAS_OPS_NAME("correlate", (void)ops::correlate(ops::linspace(0, 1, 5), ops::ones({2}), "full"));
KERAS_OPS_NAME("cdist", (void)ops::cdist(m34(), m34()));
KERAS_OPS_NAME("logdet", (void)ops::logdet(ops::add(ops::eye(3), ops::ones({3, 3}))));
KERAS_OPS_NAME("segment_sum", (void)ops::segment_sum(m34(), core::constant({0, 0, 1}), 2));
KERAS_OPS_NAME("segment_max", (void)ops::segment_max(m34(), core::constant({0, 0, 1}), 2));
KERAS_OPS_NAME("segment_min", (void)ops::segment_min(m34(), core::constant({0, 0, 1})));
KERAS_OPS_NAME("segment_prod", (void)ops::segment_prod(m34(), core::constant({0, 0, 1}), std::nullopt, true));
KERAS_OPS_NAME("scatter", (void)ops::scatter(core::constant({{0}, {2}}), ops::ones({2, 4}), {3, 4}));
KERAS_OPS_NAME("scatter_update", (void)ops::scatter_update(m34(), core::constant({{0, 1}}), ops::ones({1})));
KERAS_OPS_NAME("slice_update", (void)ops::slice_update(m34(), {1, 1}, ops::ones({2, 2})));
