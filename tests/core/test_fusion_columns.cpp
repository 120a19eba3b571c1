// test_fusion_columns.cpp - elementwise fusion of per-row (column) inputs and of round,
// floor, ceil, maximum and minimum (clip): the chain of an abs-max quantization runs as
// one node, with the unfused graph's bits, at the traced size and at others.
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "core/fusion.h"
#include "helpers.h"

using namespace th;

TEST_SUITE_BEGIN("fusion");

TEST_CASE("fused_input: full, scalar, row, column and what does not fit") {
  using K = core::FusedInput;
  auto kind = [](const Shape& in, const Shape& out) { return core::fused_input(in, out).kind; };
  CHECK(kind(Shape{4, 5}, Shape{4, 5}) == K::full);
  CHECK(kind(Shape{}, Shape{4, 5}) == K::scalar);
  CHECK(kind(Shape{1, 1}, Shape{4, 5}) == K::scalar);
  CHECK(kind(Shape{5}, Shape{4, 5}) == K::row);
  CHECK(kind(Shape{1, 5}, Shape{4, 5}) == K::row);
  CHECK(kind(Shape{4, 1}, Shape{4, 5}) == K::column);
  CHECK(core::fused_input(Shape{4, 1}, Shape{4, 5}).inner == 5);
  CHECK(core::fused_input(Shape{2, 3, 1, 1}, Shape{2, 3, 4, 5}).inner == 20);
  CHECK(kind(Shape{3, 1}, Shape{2, 3, 5}) == K::column);  // (a prefix of ones repeats it)
  CHECK(kind(Shape{2, 1, 5}, Shape{2, 3, 5}) == K::none);  // ones in the middle
  CHECK(kind(Shape{3, 1}, Shape{4, 5}) == K::none);
  CHECK(kind(Shape{4, 5, 1}, Shape{4, 5}) == K::none);
}

TEST_CASE("fusion: an abs-max quantization chain (column scale, round, clip) is one node with the same bits") {
  // Keras's AbsMaxQuantizer: scale = 127 / (max|x| + eps) per row; clip(round(x * scale)).
  auto quantize = [](const Tensor& x) {
    const Tensor scale = ops::divide(ops::scalar_like(x, 127.0),
                                     ops::add(ops::max(ops::abs(x), {-1}, true), ops::scalar_like(x, 1e-7)));
    return ops::clip(ops::round(ops::multiply(x, scale)), -127, 127);
  };
  auto fused = core::function(quantize);
  auto plain = core::function(quantize, {.optimize = false});
  std::vector<double> v = uniform(64 * 300, -3, 3, 21);
  v[7] = std::nan("");
  v[301] = std::numeric_limits<double>::infinity();
  v[900] = -0.0;
  for (DType d : {DType::float32, DType::float64}) {
    const Tensor x = make(v, Shape{64, 300}, d);
    const auto want = values(plain(x));
    const auto got = values(fused(x));
    REQUIRE(got.size() == want.size());
    for (size_t i = 0; i < got.size(); ++i) {
      if (std::isnan(want[i])) CHECK(std::isnan(got[i]));
      else CHECK((got[i] == want[i] && std::signbit(got[i]) == std::signbit(want[i])));
    }
    const std::string g = fused.graph_str();
    CHECK(g.find("fused_elementwise(") != std::string::npos);
    CHECK(g.find("round(") == std::string::npos);
    CHECK(g.find("maximum(") == std::string::npos);
    CHECK(g.find("minimum(") == std::string::npos);
    CHECK(fused.num_nodes() < plain.num_nodes());
  }
  // Another batch size (its own trace, or the relaxed graph) gives the same values.
  const Tensor x2 = make(uniform(7 * 300, -3, 3, 22), Shape{7, 300});
  CHECK(values(fused(x2)) == values(plain(x2)));
}

TEST_CASE("fusion: floor and ceil, and a column of a rank-3 result, keep the unfused bits") {
  auto body = [](const Tensor& x, const Tensor& col) {
    const Tensor a = ops::floor(ops::multiply(x, col));
    const Tensor b = ops::ceil(ops::subtract(x, col));
    return ops::maximum(ops::minimum(ops::add(a, b), ops::scalar_like(x, 5.0)), ops::scalar_like(x, -5.0));
  };
  auto fused = core::function(body);
  auto plain = core::function(body, {.optimize = false});
  const Tensor x = make(uniform(3 * 4 * 50, -4, 4, 31), Shape{3, 4, 50});
  const Tensor col = make(uniform(3 * 4, -2, 2, 32), Shape{3, 4, 1});
  CHECK(values(fused(x, col)) == values(plain(x, col)));
  CHECK(fused.graph_str().find("floor(") == std::string::npos);
  // A column under a prefix of ones (shape (4, 1) against (3, 4, 50)) repeats for each of
  // the 3 leading rows; short runs (10 elements) cross many rows in one block.
  const Tensor col2 = make(uniform(4, -2, 2, 33), Shape{4, 1});
  CHECK(values(fused(x, col2)) == values(plain(x, col2)));
  const Tensor narrow = make(uniform(3 * 40 * 10, -4, 4, 34), Shape{3, 40, 10});
  const Tensor col3 = make(uniform(3 * 40, -2, 2, 35), Shape{3, 40, 1});
  CHECK(values(fused(narrow, col3)) == values(plain(narrow, col3)));
  CHECK(fused.graph_str().find("floor(") == std::string::npos);
  // The fused node's gradient replays the original ops.
  auto grads = [&](auto& f) {
    core::GradientTape tape;
    tape.watch(col);
    return tape.gradient(ops::sum(ops::multiply(f(x, col), x)), std::vector<Tensor>{col});
  };
  check_values(grads(fused)[0], values(grads(plain)[0]), 1e-6);
}

TEST_CASE("fusion: two chains meeting in a binary op merge into one node; under a comparison they do not") {
  auto two = [](const Tensor& x, const Tensor& y) { return ops::multiply(ops::exp(x), ops::tanh(ops::negative(y))); };
  auto fused = core::function(two);
  auto plain = core::function(two, {.optimize = false});
  const Tensor x = make(uniform(8 * 40, -2, 2, 61), Shape{8, 40}), y = make(uniform(8 * 40, -2, 2, 62), Shape{8, 40});
  CHECK(values(fused(x, y)) == values(plain(x, y)));
  const std::string g = fused.graph_str();
  CHECK(g.find("exp(") == std::string::npos);  // both chains inside the one fused node
  CHECK(g.find("tanh(") == std::string::npos);
  CHECK(fused.num_nodes() == 1);  // the fused node (4 ops as traced)
  CHECK(fused.num_nodes(false) == 4);
  // A comparison of two chains whose cast cannot join (to int32) keeps both chains' values.
  auto cmp = [](const Tensor& x, const Tensor& y) {
    return ops::cast(ops::less(ops::exp(x), ops::tanh(y)), DType::int32);
  };
  auto fused_cmp = core::function(cmp);
  auto plain_cmp = core::function(cmp, {.optimize = false});
  CHECK(values(fused_cmp(x, y)) == values(plain_cmp(x, y)));
}
