// FusedMatMul: the kernel against the unfused ops on both GEMM libraries, its checks,
// and the graph pass that makes it from traced matmul -> add -> relu chains.
#include <string>

#include "core/cpu/onednn.h"
#include "core/function.h"
#include "helpers.h"

using namespace th;

namespace {

Tensor unfused(const Tensor& a, const Tensor& b, const Tensor& bias, bool relu, bool ta, bool tb) {
  Tensor y = ops::matmul(a, b, ta, tb);
  if (bias.defined()) y = ops::add(y, bias);
  return relu ? ops::relu(y) : y;
}

size_t count(const std::string& s, const std::string& what) {
  size_t n = 0;
  for (size_t p = s.find(what); p != std::string::npos; p = s.find(what, p + 1)) ++n;
  return n;
}

}  // namespace

TEST_CASE("fused_matmul equals matmul + bias + relu, on OpenBLAS and oneDNN, at 1 and 2 threads") {
  const int saved = core::get_num_threads();
  struct Dims {
    int64_t m, k, n;
  };
  for (int lib : {0, 1})
    for (int threads : {1, 2})
      for (DType dt : {DType::float32, DType::float64})
        for (Dims d : {Dims{1, 1, 1}, Dims{5, 7, 3}, Dims{32, 300, 100}, Dims{70, 33, 129}, Dims{4, 0, 3}})
          for (bool ta : {false, true})
            for (bool tb : {false, true})
              for (bool has_bias : {false, true})
                for (bool relu : {false, true}) {
                  CAPTURE(lib);
                  CAPTURE(threads);
                  CAPTURE(d.m);
                  CAPTURE(d.k);
                  CAPTURE(d.n);
                  core::set_num_threads(threads);
                  core::cpu::onednn::force_gemm_library(lib);
                  Tensor a = make(uniform(d.m * d.k, -1, 1, 3), ta ? Shape{d.k, d.m} : Shape{d.m, d.k}, dt);
                  Tensor b = make(uniform(d.k * d.n, -1, 1, 4), tb ? Shape{d.n, d.k} : Shape{d.k, d.n}, dt);
                  Tensor bias = has_bias ? make(uniform(d.n, -1, 1, 5), Shape{d.n}, dt) : Tensor();
                  Tensor y = ops::fused_matmul(a, b, bias, relu, ta, tb);
                  CHECK(y.shape() == Shape{d.m, d.n});
                  check_values(y, values(unfused(a, b, bias, relu, ta, tb)), dt == DType::float32 ? 1e-5 : 1e-12);
                }
  core::cpu::onednn::force_gemm_library(-1);
  core::set_num_threads(saved);
}

TEST_CASE("fused_matmul: NaN passes through relu; bad shapes and dtypes raise") {
  for (int lib : {0, 1}) {
    core::cpu::onednn::force_gemm_library(lib);
    Tensor a = core::constant({{1.0f, 2.0f}}), b = core::constant({{1.0f, -1.0f}, {1.0f, -1.0f}});
    Tensor bias = core::constant({std::nanf(""), 0.0f});
    check_values(ops::fused_matmul(a, b, bias, true), std::vector<double>{std::nan(""), 0.0});
  }
  core::cpu::onednn::force_gemm_library(-1);
  Tensor a = ops::zeros({2, 3}), b = ops::zeros({3, 4});
  CHECK_THROWS_WITH_AS(ops::fused_matmul(a, b, ops::zeros({3})), doctest::Contains("bias of shape (4,)"),
                       std::invalid_argument);
  CHECK_THROWS_AS(ops::fused_matmul(ops::zeros({2, 2, 3}), b), std::invalid_argument);
  CHECK_THROWS_AS(ops::fused_matmul(a, ops::zeros({4, 4})), std::invalid_argument);
  CHECK_THROWS_AS(ops::fused_matmul(ops::zeros({2, 3}, DType::int32), ops::zeros({3, 4}, DType::int32)),
                  std::invalid_argument);
}

TEST_CASE("function: matmul -> add(bias) -> relu chains become one fused_matmul node") {
  Tensor w = make(uniform(12, -1, 1, 7), Shape{3, 4}, DType::float32);
  Tensor bias = make(uniform(4, -1, 1, 8), Shape{4}, DType::float32);
  auto dense = [&](const Tensor& x) { return ops::relu(ops::add(ops::matmul(x, w), bias)); };
  auto f = core::function(dense);
  Tensor x = make(uniform(6, -1, 1, 9), Shape{2, 3}, DType::float32);
  check_values(f(x), values(dense(x)), 1e-6);
  CHECK(count(f.graph_str(), "fused_matmul(") == 1);
  CHECK(count(f.graph_str(), "relu(") == 0);
  CHECK(f.num_nodes() == 1);

  // An intermediate the function returns stays a node of its own.
  auto g = core::function([&](const Tensor& x) {
    Tensor z = ops::add(ops::matmul(x, w), bias);
    return std::vector<Tensor>{ops::relu(z), z};
  });
  auto outs = g(x);
  CHECK(count(g.graph_str(), "fused_matmul(") == 1);  // matmul + bias; the relu alone
  CHECK(count(g.graph_str(), "relu(") == 1);
  check_values(outs[0], values(dense(x)), 1e-6);

  // A bias that is not a row of N (here a full matrix) is no epilogue.
  Tensor full = ops::ones({2, 4});
  auto h = core::function([&](const Tensor& x) { return ops::add(ops::matmul(x, w), full); });
  check_values(h(x), values(ops::add(ops::matmul(x, w), full)), 1e-6);
  CHECK(count(h.graph_str(), "fused_matmul(") == 0);
}

TEST_CASE("function: gradients through a fused dense layer equal the eager ones") {
  Tensor w = make(uniform(12, -1, 1, 7), Shape{3, 4}, DType::float64);
  Tensor bias = make(uniform(4, -1, 1, 8), Shape{4}, DType::float64);
  Tensor x = make(uniform(6, -1, 1, 9), Shape{2, 3}, DType::float64);
  auto grads = [&](const Tensor& xx) {
    core::GradientTape tape;
    tape.watch(w);
    tape.watch(bias);
    Tensor loss = ops::sum(ops::square(ops::relu(ops::add(ops::matmul(xx, w), bias))));
    return tape.gradient(loss, {w, bias});
  };
  auto traced = core::function([&](const Tensor& xx) { return grads(xx); });
  auto t = traced(x);
  auto e = grads(x);
  check_values(t[0], values(e[0]), 1e-12);
  check_values(t[1], values(e[1]), 1e-12);
  CHECK(count(traced.graph_str(), "fused_matmul(") == 1);
}
