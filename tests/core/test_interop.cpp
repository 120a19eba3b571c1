#include "core/xtensor_interop.h"

#include <xtensor/xview.hpp>

#include "helpers.h"
#include "skips.h"

using namespace th;

namespace {
template <class T>
void check_round_trip(const xt::xarray<T>& a) {
  CAPTURE(core::dtype_name(core::dtype_of_v<T>));
  Tensor t = core::from_xarray(a);
  CHECK(t.dtype() == core::dtype_of_v<T>);
  std::vector<int64_t> dims(a.shape().begin(), a.shape().end());
  CHECK(t.shape() == Shape(dims));
  std::vector<T> flat(a.begin(), a.end());
  CHECK(t.to_vector<T>() == flat);
  xt::xarray<T> b = core::to_xarray<T>(t);
  CHECK(b.shape() == a.shape());
  CHECK(b == a);
}
}  // namespace

TEST_CASE("interop: xt::xarray round trips every dtype and several shapes") {
  check_round_trip<float>(xt::xarray<float>{{1.5f, -2.0f, 3.25f}, {4.0f, 5.0f, 6.0f}});
  check_round_trip<double>(xt::xarray<double>{1e-300, 2.0, -3.0});
  check_round_trip<int32_t>(xt::xarray<int32_t>{{{1, 2}, {3, 4}}, {{5, 6}, {7, -8}}});
  check_round_trip<int64_t>(xt::xarray<int64_t>{int64_t{1} << 40, -5});
  check_round_trip<uint8_t>(xt::xarray<uint8_t>{{0, 255}, {7, 128}});
  check_round_trip<bool>(xt::xarray<bool>{{true, false, true}});
  // A scalar (rank 0) and empty arrays.
  check_round_trip<float>(xt::xarray<float>(2.5f));
  check_round_trip<float>(xt::xarray<float>::from_shape({0}));
  check_round_trip<int64_t>(xt::xarray<int64_t>::from_shape({3, 0, 2}));
  // Something bigger, with a recognizable layout.
  xt::xarray<double> big = xt::arange<double>(0, 6000).reshape({10, 20, 30});
  check_round_trip<double>(big);
  Tensor t = core::from_xarray(big);
  CHECK(ops::slice(t, {1, 2, 3}, {1, 1, 1}).item<double>() == 1 * 600 + 2 * 30 + 3);
}

TEST_CASE("interop: xt::xtensor round trips with a fixed rank") {
  xt::xtensor<float, 2> a = {{1, 2, 3}, {4, 5, 6}};
  Tensor t = core::from_xtensor(a);
  CHECK(t.dtype() == DType::float32);
  CHECK(t.shape() == Shape{2, 3});
  check_values(t, std::vector<float>{1, 2, 3, 4, 5, 6});
  xt::xtensor<float, 2> b = core::to_xtensor<float, 2>(t);
  CHECK(b == a);
  xt::xtensor<int32_t, 0> s = core::to_xtensor<int32_t, 0>(core::constant(7));
  CHECK(s() == 7);
  xt::xtensor<uint8_t, 3> e = core::to_xtensor<uint8_t, 3>(ops::zeros({2, 0, 4}, DType::uint8));
  CHECK(e.shape()[0] == 2);
  CHECK(e.size() == 0);
  xt::xtensor<bool, 1> bo = core::to_xtensor<bool, 1>(make({1, 0}, Shape{2}, DType::bool_));
  CHECK(bo(0));
  CHECK(!bo(1));
}

TEST_CASE("interop: column-major containers and expressions are copied in row-major order") {
  xt::xarray<int32_t, xt::layout_type::column_major> c = {{1, 2, 3}, {4, 5, 6}};
  check_values(core::from_xarray(c), std::vector<int>{1, 2, 3, 4, 5, 6});
  xt::xtensor<double, 2, xt::layout_type::column_major> d = {{1, 2}, {3, 4}};
  check_values(core::from_xtensor(d), std::vector<double>{1, 2, 3, 4});
  xt::xarray<double> m = {{1, 2, 3}, {4, 5, 6}};
  Tensor col = core::from_xexpression(xt::view(m, xt::all(), 1));
  CHECK(col.shape() == Shape{2});
  check_values(col, std::vector<double>{2, 5});
  check_values(core::from_xexpression(m * 2.0 + 1.0), std::vector<double>{3, 5, 7, 9, 11, 13});
}

TEST_CASE("interop: copies are independent of the source") {
  xt::xarray<float> a = {1, 2, 3};
  Tensor t = core::from_xarray(a);
  a(0) = 100;
  check_values(t, std::vector<float>{1, 2, 3});
  xt::xarray<float> b = core::to_xarray<float>(t);
  b(1) = -1;
  check_values(t, std::vector<float>{1, 2, 3});
}

TEST_CASE("interop: dtype and rank mismatches raise invalid_argument") {
  Tensor t = core::constant({{1.0f, 2.0f}});
  CHECK_THROWS_MSG(core::to_xarray<double>(t), std::invalid_argument,
                   "to_xarray: expected a tensor of dtype float64 (the element type of "
                   "xt::xarray<T>) but received dtype float32 with shape (1, 2)");
  CHECK_THROWS_MSG((core::to_xtensor<int32_t, 2>(t)), std::invalid_argument,
                   "to_xtensor: expected a tensor of dtype int32");
  CHECK_THROWS_MSG((core::to_xtensor<float, 3>(t)), std::invalid_argument,
                   "to_xtensor: expected a tensor of rank 3 (xt::xtensor<T, 3>) but received "
                   "shape (1, 2) (rank 2)");
  CHECK_THROWS_MSG((core::to_xtensor<float, 0>(t)), std::invalid_argument, "rank 0");
  CHECK_THROWS_MSG(core::to_xarray<float>(Tensor()), std::invalid_argument, "undefined");
}

TEST_CASE("interop: tensors on a GPU are copied through the host" *
          doctest::skip(th::skip_without("gpu", core::cuda_device_count() > 0))) {
  xt::xarray<double> a = {{1, 2}, {3, 4}};
  Tensor g = core::from_xarray(a, core::Device::cuda(0));
  CHECK(g.device() == core::Device::cuda(0));
  CHECK(core::to_xarray<double>(g) == a);
  CHECK((core::to_xtensor<double, 2>(g) == xt::xtensor<double, 2>{{1, 2}, {3, 4}}));
}
