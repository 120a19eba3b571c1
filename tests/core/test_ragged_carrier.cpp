// test_ragged_carrier.cpp - RaggedTensor::as_tensor(): the Tensor handle that carries a
// RaggedTensor through Tensor-typed APIs, ragged::is_ragged / ragged_of, printing, and the
// errors of dense ops, element reads and traced functions on it.
#include <string>

#include "core/function.h"
#include "core/ops.h"
#include "core/ragged.h"
#include "error_of.h"
#include "helpers.h"

using namespace th;
using core::RaggedTensor;
namespace ragged = core::ragged;

TEST_CASE("ragged carrier: round trip, shape and printing") {
  const RaggedTensor rt = ragged::constant<int>({{1, 2, 3}, {}, {4}});
  const Tensor t = rt.as_tensor();
  CHECK(ragged::is_ragged(t));
  CHECK(t.shape() == Shape{3, 3});  // the bounding shape
  CHECK(t.dtype() == DType::int32);
  const RaggedTensor back = ragged::ragged_of(t);
  REQUIRE(back.defined());
  CHECK(back.str() == rt.str());
  CHECK(t.str() == "<tf.RaggedTensor [[1, 2, 3], [], [4]]>");
  // A dense tensor is not ragged; ragged_of gives an undefined RaggedTensor.
  const Tensor d = core::constant(std::vector<float>{1, 2});
  CHECK_FALSE(ragged::is_ragged(d));
  CHECK_FALSE(ragged::is_ragged(Tensor()));
  CHECK_FALSE(ragged::ragged_of(d).defined());
  // A ragged_rank-0 tensor is its dense values.
  const Tensor dense = RaggedTensor::from_dense(d).as_tensor();
  CHECK_FALSE(ragged::is_ragged(dense));
  CHECK(dense.shape() == Shape{2});
  CHECK_THROWS_AS(RaggedTensor().as_tensor(), std::invalid_argument);
  // Two ragged levels: bounding shape (2, 2, 2).
  const RaggedTensor r2 = ragged::constant<int>({{{1, 2}, {3}}, {{}}});
  CHECK(r2.as_tensor().shape() == Shape{2, 2, 2});
  CHECK(ragged::ragged_of(r2.as_tensor()).ragged_rank() == 2);
}

TEST_CASE("ragged carrier: dense ops and element reads raise naming the cause, in a trace too") {
  const Tensor t = ragged::constant<double>({{1.0, 2.0}, {3.0}}).as_tensor();
  const std::string add = error_of([&] { core::ops::add(t, t); });
  CHECK(add.find("add: input 0 is a RaggedTensor (bounding shape (2, 2), float32)") != std::string::npos);
  CHECK(add.find("to_tensor") != std::string::npos);
  CHECK(error_of([&] { t.raw_data(); }).find("raw_data: the tensor stands for a RaggedTensor") != std::string::npos);
  auto f = core::function([](const Tensor& x) { return core::ops::multiply(x, x); }, {.name = "square"});
  // A traced function takes it (tests/core/test_ragged_function.cpp); a dense op on it raises there too.
  CHECK(error_of([&] { f(t); }).find("multiply: input 0 is a RaggedTensor") == 0);
}
