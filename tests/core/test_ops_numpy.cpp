// test_ops_numpy.cpp - keras.ops's creation, shape-manipulation, indexing and product
// functions (core/ops_numpy.h) against Keras 3 on the TensorFlow backend: values and
// result dtypes from the fixture of tests/data/ops/make_shape_fixtures.py.
#include <map>
#include <string>

#include "core/npy.h"
#include "helpers.h"
#include "ops_fixture.h"
#include "test_data_dir.h"

using namespace th;
using core::Ellipsis;
using core::NewAxis;
using core::None;
using core::Slice;

namespace {

Tensor fx(const std::string& name) { return th::ops_fixture("shape_keras.npz")(name); }

// got equals Keras's output `name`: dtype, shape and values.
void same(const Tensor& got, const std::string& name, double tol = 1e-12) {
  th::ops_fixture("shape_keras.npz").same(got, name, tol);
}

void same_parts(const std::vector<Tensor>& parts, const std::string& name) {
  CAPTURE(name);
  REQUIRE(static_cast<int64_t>(parts.size()) == fx(name + "_n").item<int64_t>());
  for (size_t i = 0; i < parts.size(); ++i) same(parts[i], name + "_" + std::to_string(i));
}

}  // namespace

TEST_CASE("ops numpy: creation functions match Keras") {
  same(ops::arange(2, 11, 3), "arange_int");
  same(ops::arange(0, 1, 0.25), "arange_float");
  same(ops::arange(5.0, 1.0, -1.5), "arange_neg");
  CHECK(ops::arange(4).dtype() == DType::int32);
  check_values(ops::arange(4), std::vector<double>{0, 1, 2, 3}, 0);
  CHECK(ops::arange(1, 4, 1, DType::float64).dtype() == DType::float64);
  same(ops::full({2, 3}, 7), "full");
  same(ops::identity(3), "identity");
  same(ops::logspace(0.0, 2.0, 5), "logspace", 1e-6);
  same(ops::logspace(1.0, 4.0, 3, 2.0, {.endpoint = false}), "logspace_base2_open", 1e-6);
  same(ops::geomspace(1.0, 1000.0, 4), "geomspace", 1e-6);
  same(ops::geomspace(-1.0, -16.0, 5), "geomspace_neg", 1e-6);
  same(ops::tri(3, 4, 1), "tri");
  Tensor x234 = fx("in_x234");
  same(ops::tril(x234, -1), "tril");
  same(ops::triu(x234, 1), "triu");
  same(ops::tril(ops::ones({3, 3}, DType::int32)), "tril_int");
  same(ops::diagflat(core::constant({{1, 2}, {3, 4}}), -1), "diagflat");
  same(ops::vander(fx("in_v5")), "vander", 1e-12);
  same(ops::vander(fx("in_v5"), 3, true), "vander_inc", 1e-12);
  const std::vector<std::pair<std::string, Tensor (*)(int64_t)>> windows = {
      {"bartlett", ops::bartlett}, {"blackman", ops::blackman}, {"hamming", ops::hamming}, {"hanning", ops::hanning}};
  for (const auto& [name, w] : windows)
    for (int64_t m : {1, 6, 7}) same(w(m), name + "_" + std::to_string(m), 1e-6);
  same(ops::kaiser(7, 5.0), "kaiser_7", 1e-6);
  same(ops::kaiser(6, 0.5), "kaiser_6", 1e-6);
  CHECK(ops::hanning(0).shape() == Shape{0});
  // empty, empty_like, copy, array, convert_to_tensor
  CHECK(ops::empty({2, 0}).shape() == Shape{2, 0});
  CHECK(ops::empty({2}, DType::int64).dtype() == DType::int64);
  Tensor e = ops::empty_like(x234, DType::int32);
  CHECK(e.shape() == x234.shape());
  CHECK(e.dtype() == DType::int32);
  Tensor c = ops::copy(x234);
  CHECK(c.raw_data() != x234.raw_data());
  check_values(c, values(x234), 0);
  CHECK(ops::array(x234, DType::float32).dtype() == DType::float32);
  CHECK(ops::convert_to_tensor(x234).raw_data() == x234.raw_data());
}

TEST_CASE("ops numpy: shape manipulation matches Keras") {
  Tensor x34 = fx("in_x34"), x234 = fx("in_x234"), i6 = fx("in_i6"), b = fx("in_b");
  same(ops::diff(x34), "diff");
  same(ops::diff(x234, 2, 0), "diff2_axis0");
  same(ops::diff(i6), "diff_int");
  same(ops::diff(core::constant({true, false, false, true})), "diff_bool");
  same(ops::roll(x34, 5), "roll_flat");
  same(ops::roll(x34, -1, 1), "roll_axis");
  same(ops::flip(x234), "flip");
  same(ops::flip(x234, -1), "flip_axis");
  same(ops::fliplr(x34), "fliplr");
  same(ops::flipud(x34), "flipud");
  same(ops::rot90(x34), "rot90");
  same(ops::rot90(x234, 3, {1, 2}), "rot90_k3_axes12");
  same(ops::rot90(x34, 2), "rot90_k2");  // NumPy's (Keras's TensorFlow backend differs)
  same(ops::rot90(ops::slice(x234, {0, 0, 0}, {-1, -1, 3}), 2, {1, 2}), "rot90_k2_square");
  same(ops::repeat(x34, 2), "repeat_flat");
  same(ops::repeat(x34, 3, 1), "repeat_axis");
  same(ops::repeat(x34, std::vector<int64_t>{1, 0, 2}, 0), "repeat_list");
  same(ops::kron(x34, b), "kron");
  same(ops::kron(core::constant({1, 2}), core::constant({{1, 10}, {100, 1000}})), "kron_int");
  auto r = [](int64_t n) { return ops::arange(n, std::nullopt, 1, DType::float32); };
  auto xy = ops::meshgrid({r(3), r(4), r(2)});
  REQUIRE(xy.size() == 3);
  for (size_t i = 0; i < 3; ++i) same(xy[i], "meshgrid_xy_" + std::to_string(i));
  auto ij = ops::meshgrid({r(3), r(4)}, "ij");
  for (size_t i = 0; i < 2; ++i) same(ij[i], "meshgrid_ij_" + std::to_string(i));
  same(ops::moveaxis(x234, {0, 1}, {-1, 0}), "moveaxis");
  same(ops::swapaxes(x234, 0, -1), "swapaxes");
  same(ops::ravel(x234), "ravel");
  same_parts(ops::split(x34, 2, 1), "split_int");
  same_parts(ops::split(i6, std::vector<int64_t>{2, 2, 5}), "split_idx");
  same_parts(ops::array_split(i6, 4), "array_split");
  same_parts(ops::hsplit(x34, 2), "hsplit");
  same_parts(ops::vsplit(x34, std::vector<int64_t>{1}), "vsplit");
  same_parts(ops::dsplit(x234, 2), "dsplit");
  same(ops::hstack({x34, ops::slice(b, {0, 0}, {3, -1})}), "hstack");
  same(ops::vstack({x34, ops::transpose(b)}), "vstack");
  same(ops::dstack({x34, x34}), "dstack");
  same(ops::concatenate({core::constant({1, 2}), core::constant({0.5})}), "concatenate_mixed");
  same(ops::append(core::constant({{1, 2}}), core::constant({3.5})), "append");
  same(ops::append(x34, ops::slice(x34, {0, 0}, {1, -1}), 0), "append_axis");
  same(ops::pad(x34, {{2, 1}, {1, 3}}, "reflect"), "pad_reflect");
  same(ops::pad(x34, {{3, 0}, {2, 4}}, "symmetric"), "pad_symmetric");
  same(ops::pad(x34, {{1, 0}, {0, 2}}, "constant", 1.5), "pad_constant");
}

TEST_CASE("ops numpy: indexing and rearrange match Keras") {
  Tensor x34 = fx("in_x34"), x234 = fx("in_x234");
  same(ops::take(x34, core::constant({{0, -1}, {5, 2}})), "take_flat");
  same(ops::take(x234, core::constant(std::vector<int64_t>{2, -3}), -1), "take_axis");
  same(ops::select({x34 > 1.0, x34 < -1.0}, {x34 * 10.0, -x34}, 0.5), "select");
  auto u = ops::unravel_index(core::constant({0, 7, 23}), {2, 3, 4});
  REQUIRE(u.size() == 3);
  for (size_t i = 0; i < 3; ++i) same(u[i], "unravel_" + std::to_string(i));
  same(x234[{Slice(1, None), 0, None, Slice(None, None, -2)}], "getitem_basic");
  same(x234[{Ellipsis, Slice(1, 3)}], "getitem_ellipsis");
  same(x234[{-1, Ellipsis, NewAxis}], "getitem_ellipsis_mid");
  same(ops::get_item(x234, {1, -1}), "getitem_ints");
  same(x234[{Slice(), core::constant(std::vector<int64_t>{2, 0})}], "getitem_indices");
  same(x34[x34 > 0.5], "getitem_mask");
  CHECK(x234[1].shape() == Shape{3, 4});
  CHECK(x234[{Slice(1)}].shape() == Shape{1, 3, 4});  // Slice(stop), as Python's slice(1)
  CHECK(x234[{None, Slice(), Slice(5, 9)}].shape() == Shape{1, 2, 0, 4});
  same(ops::rearrange(x234, "b h w -> b (h w)"), "rearrange_merge");
  same(ops::rearrange(x234, "b h (w c) -> c b w h", {{"c", 2}}), "rearrange_split");
  same(ops::rearrange(x234, "(b1 b2) h w -> h (w b2) b1", {{"b1", 1}}), "rearrange_both");
}

TEST_CASE("ops numpy: products match Keras") {
  Tensor x34 = fx("in_x34"), x234 = fx("in_x234"), b = fx("in_b"), v5 = fx("in_v5");
  Tensor a = fx("in_c3a"), c = fx("in_c3b");
  same(ops::inner(x34, x234), "inner");
  same(ops::dot(x234, ops::slice(v5, {0}, {4})), "dot_mv");
  same(ops::dot(x234, b), "dot_nd");
  same(ops::dot(core::constant({{1, 2}, {3, 4}}), core::constant({5, 6})), "dot_int");
  same(ops::vdot(x34, x34 * 2.0), "vdot");
  same(ops::cross(a, c), "cross");
  same(ops::cross(ops::transpose(a), c, {.axisa = 0, .axisc = 0}), "cross_axes");
  same(ops::cross(ops::slice(a, {0, 0}, {2, 2}), ops::slice(c, {0, 0}, {2, 2})), "cross_2d");
  same(ops::cross(ops::slice(a, {0, 0}, {2, 2}), c), "cross_23");
}

TEST_CASE("ops numpy: NaN and infinities as Keras") {
  Tensor x = fx("in_xnan");
  same(ops::diff(x), "diff_nan");
  same(ops::kron(x, core::constant({2.0, -1.0})), "kron_nan");
  same(ops::select({x > 2.0, x < 2.0}, {x, -x}, 7.0), "select_nan");
  same(ops::pad(x, {{2, 2}}, "reflect"), "pad_reflect_nan");
}

TEST_CASE("ops numpy: dtypes, saturate_cast and view match Keras") {
  same(ops::saturate_cast(core::constant({300.0, -5.0, 2.7, 255.4}), DType::uint8), "saturate_u8");
  same(ops::saturate_cast(core::constant(std::vector<double>{3e9, -3e9, 7.9}), DType::int32), "saturate_i32");
  same(ops::saturate_cast(core::constant(std::vector<int64_t>{int64_t(1) << 40, -(int64_t(1) << 40), 5}), DType::int32),
       "saturate_i64_to_i32");
  // float32 values beyond int32's range clip to the largest float32 below 2^31.
  CHECK(ops::saturate_cast(core::constant({3e9}), DType::int32).item<int64_t>() == 2147483520);
  same(ops::view(core::constant({1.0, -2.5}), DType::int32), "view_f32_i32");
  same(ops::view(core::constant({{1, 258}}), DType::uint8), "view_i32_u8");
  CHECK(ops::view(ops::view(core::constant({1.5, 2.0}), DType::uint8), DType::float32).to_vector<float>() ==
        std::vector<float>{1.5f, 2.0f});
  Tensor x = ops::zeros({2, 3}, DType::int64);
  CHECK(ops::ndim(x) == 2);
  CHECK(ops::shape(x) == std::vector<int64_t>{2, 3});
  CHECK(ops::dtype(x) == "int64");
  CHECK(ops::is_tensor(x));
  CHECK_FALSE(ops::is_tensor(Tensor()));
  CHECK(ops::convert_to_numpy<int64_t>(x) == std::vector<int64_t>(6, 0));
  // keras.backend.result_type over the six dtypes.
  CHECK(ops::keras_result_type(DType::int64, DType::float32) == DType::float32);
  CHECK(ops::keras_result_type(DType::uint8, DType::int32) == DType::int32);
  CHECK(ops::keras_result_type(DType::bool_, DType::uint8) == DType::uint8);
  CHECK(ops::keras_result_type(DType::float32, DType::float64) == DType::float64);
}
