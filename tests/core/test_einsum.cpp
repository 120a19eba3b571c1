// test_einsum.cpp - ops::einsum against numpy.einsum (tests/data/attention/einsum_*.npz,
// written by tests/data/npz/make_attention_fixtures.py), float32 against float64, its
// traced form, and the errors of bad equations. (Its gradients: test_gradients.cpp.)
#include <functional>
#include <map>
#include <stdexcept>

#include "core/einsum_matmul.h"
#include "core/function.h"
#include "core/npy.h"
#include "helpers.h"
#include "test_data_dir.h"

using namespace th;

namespace {
// The EINSUM cases of make_attention_fixtures.py.
const std::vector<std::pair<std::string, std::string>> kCases = {
    {"matmul", "ij,jk->ik"},
    {"implicit", "ij,jk"},
    {"batched", "bij,bjk->bik"},
    {"transpose", "ijk->kij"},
    {"sum_axes", "ijk->j"},
    {"total", "ij->"},
    {"outer", "i,j->ij"},
    {"dot", "i,i"},
    {"ellipsis", "...ij,...jk->...ik"},
    {"ellipsis_implicit", "...j,jk"},
    {"mha_scores", "aecd,abcd->acbe"},
    {"three", "ab,bc,cd->ad"},
    {"free_sum", "abc,cd->d"},
    {"broadcast_one", "ab,ab->ab"},
    {"upper", "Ab,bC->CA"},
};

std::map<std::string, Tensor> fixture(const std::string& name) {
  std::map<std::string, Tensor> a;
  for (auto& [k, v] : core::load_npz(std::string(KERAS_TEST_DATA_DIR) + "/attention/einsum_" + name + ".npz")) a[k] = v;
  return a;
}

std::vector<Tensor> operands(const std::map<std::string, Tensor>& a) {
  std::vector<Tensor> xs;
  for (int i = 0; a.count("x" + std::to_string(i)); ++i) xs.push_back(a.at("x" + std::to_string(i)));
  return xs;
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "no error";
}
}  // namespace

TEST_SUITE("einsum") {
TEST_CASE("einsum: numpy.einsum's results, float64 and float32") {
  for (const auto& [name, eq] : kCases) {
    CAPTURE(name);
    auto a = fixture(name);
    std::vector<Tensor> xs = operands(a);
    Tensor y = ops::einsum(eq, xs);
    REQUIRE(y.shape() == a.at("y").shape());
    CHECK(y.dtype() == DType::float64);
    check_values(y, values(a.at("y")), 1e-12);
    std::vector<Tensor> xs32;
    for (const Tensor& x : xs) xs32.push_back(ops::cast(x, DType::float32));
    Tensor y32 = ops::einsum(eq, xs32);
    CHECK(y32.dtype() == DType::float32);
    check_values(y32, values(a.at("y")), 1e-5);
  }
}

TEST_CASE("einsum: the two-operand overload, spaces, and a traced function") {
  auto a = fixture("mha_scores");
  std::vector<Tensor> xs = operands(a);
  check_values(ops::einsum(" aecd , abcd -> acbe ", xs[0], xs[1]), values(a.at("y")), 1e-12);
  auto f = core::function([](const std::vector<Tensor>& in) { return ops::einsum("aecd,abcd->acbe", in[0], in[1]); });
  check_values(f(xs), values(a.at("y")), 1e-12);
}

TEST_CASE("einsum: bad equations and operands raise, naming what was expected") {
  Tensor a = ops::zeros({2, 3}), b = ops::zeros({3, 4});
  CHECK(error_of([&] { ops::einsum("ij,jk,kl->il", {a, b}); }).find("names 3 operands, but received 2") !=
        std::string::npos);
  CHECK(error_of([&] { ops::einsum("ijk,jk->ik", a, b); }).find("need 3 axes, but the operand has shape (2, 3)") !=
        std::string::npos);
  CHECK(error_of([&] { ops::einsum("ij,kj->ik", a, b); }).find("'j'") != std::string::npos);
  CHECK(error_of([&] { ops::einsum("ii->i", {ops::zeros({3, 3})}); }).find("not supported") != std::string::npos);
  CHECK(error_of([&] { ops::einsum("i1,jk->ik", a, b); }).find("'1'") != std::string::npos);
  CHECK(error_of([&] { ops::einsum("ij,jk->iz", a, b); }).find("'z', which no operand has") != std::string::npos);
  CHECK(error_of([&] { ops::einsum("ij,jk->ii", a, b); }).find("repeats") != std::string::npos);
  CHECK(error_of([&] { ops::einsum("i..j,jk->ik", a, b); }).find("'...'") != std::string::npos);
  CHECK(error_of([&] { ops::einsum("ij,jk->ik", a, ops::zeros({3, 4}, DType::float64)); }).find("float64") !=
        std::string::npos);
  CHECK(error_of([&] { ops::einsum("ij,jk->ik", a, Tensor()); }).find("undefined") != std::string::npos);
}
}

TEST_CASE("einsum: attention's contractions are one einsum_matmul node over the operands' own layouts") {
  // q, k, v as (batch, time, heads, dim): the scores and the combination read them with
  // strides instead of transposing; the results are the transposed products'.
  Tensor q = make(uniform(2 * 5 * 3 * 4, -1, 1, 7), Shape{2, 5, 3, 4});
  Tensor k = make(uniform(2 * 6 * 3 * 4, -1, 1, 8), Shape{2, 6, 3, 4});
  Tensor w = make(uniform(2 * 3 * 5 * 6, -1, 1, 9), Shape{2, 3, 5, 6});
  auto scores = core::function([](const Tensor& a, const Tensor& b) { return ops::einsum("aecd,abcd->acbe", a, b); });
  auto combine = core::function([](const Tensor& a, const Tensor& b) { return ops::einsum("acbe,aecd->abcd", a, b); });
  Tensor s = scores(k, q), o = combine(w, k);
  for (const std::string g : {scores.graph_str(), combine.graph_str()}) {
    CHECK(g.find("einsum_matmul") != std::string::npos);
    CHECK(g.find("transpose") == std::string::npos);
  }
  const Tensor qt = ops::transpose(q, {0, 2, 1, 3}), kt = ops::transpose(k, {0, 2, 1, 3});
  check_values(s, values(ops::matmul(qt, kt, false, true)), 1e-6);
  check_values(o, values(ops::transpose(ops::matmul(w, kt), {0, 2, 1, 3})), 1e-6);
  // A layout that does not describe the operands raises, naming the op.
  core::EinsumMatMulLayout bad;
  bad.batch_a = {0};
  bad.batch_b = {0};
  bad.batch_out = {0};
  bad.m_a = 1, bad.m_out = 1, bad.n_b = 1, bad.n_out = 2, bad.k_a = 2, bad.k_b = 2;  // b's k axis is not b's
  CHECK_THROWS_WITH_AS(core::ops::einsum_matmul(q, k, bad), doctest::Contains("einsum_matmul"), std::invalid_argument);
  bad.batch_a = {0, 1, 2, 3, 4};
  CHECK_THROWS_WITH_AS(core::ops::einsum_matmul(q, k, bad), doctest::Contains("einsum_matmul"), std::invalid_argument);
}
