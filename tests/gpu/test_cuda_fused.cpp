// The fused ops on CUDA against the CPU (fused_matmul, fused_elementwise, check_elements'
// range form), the graph passes on CUDA values, and the passes' rule that a device without
// the fused op's kernel keeps the nodes unfused (checked everywhere, GPU or not: the
// passes look at values' devices, not at tensors).
#include <cmath>
#include <cstdlib>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "core/element_check.h"
#include "core/function.h"
#include "core/fusion.h"
#include "core/graph.h"
#include "core/kernel_support.h"
#include "cuda_cases.h"
#include "helpers.h"
#include "skips.h"

using namespace th;
using core::Device;
using namespace cuda_cases;

namespace {

const double kNaN = std::numeric_limits<double>::quiet_NaN();

// Finite values in [-0.75, 0.75]: sums of many products stay near 1, where the float32
// tolerance (2e-5, relative above 1) covers a different summation order.
Tensor small(const Shape& s, DType dt, uint64_t seed) {
  const Tensor t = finite(s, dt, seed);
  return ops::multiply(t, ops::scalar_like(t, 0.25));
}

core::ops::ElementRange range(double lo, double hi, bool whole = false, std::optional<double> ignore = {}) {
  return {.lo = lo, .hi = hi, .whole = whole, .ignore = ignore};
}

std::vector<Case> fused_matmul_cases() {
  std::vector<Case> cs;
  struct Dims {
    int64_t m, k, n;
  };
  for (DType dt : {DType::float32, DType::float64})
    for (Dims d : {Dims{1, 1, 1}, Dims{5, 7, 3}, Dims{33, 65, 17}, Dims{4, 0, 3}})
      for (bool ta : {false, true})
        for (bool tb : {false, true})
          for (bool bias : {false, true})
            for (bool relu : {false, true}) {
              const Shape sa = ta ? Shape{d.k, d.m} : Shape{d.m, d.k}, sb = tb ? Shape{d.n, d.k} : Shape{d.k, d.n};
              std::vector<Tensor> in{small(sa, dt, 70), small(sb, dt, 71)};
              if (bias) in.push_back(awkward({d.n}, dt, 72));  // NaN / inf in a bias pass through relu
              cs.push_back({std::string("fused_matmul ") + core::dtype_name(dt) + " " + sa.str() + " x " + sb.str() +
                                (bias ? " + bias" : "") + (relu ? " relu" : ""),
                            [=](auto& x) {
                              return std::vector{ops::fused_matmul(x[0], x[1], bias ? x[2] : Tensor(), relu, ta, tb)};
                            },
                            in});
            }
  cs.push_back({"fused_matmul with a bias of the wrong shape (same error)",
                [](auto& x) { return std::vector{ops::fused_matmul(x[0], x[1], x[2])}; },
                {finite({2, 3}, DType::float32, 73), finite({3, 4}, DType::float32, 74),
                 finite({3}, DType::float32, 75)}});
  return cs;
}

// Traced programs the elementwise pass fuses (on either device): broadcast rows and
// scalars, NaN and infinities, a comparison cast into the chain, every fusible formula.
std::vector<Case> fused_elementwise_cases() {
  std::vector<Case> cs;
  using F2 = std::function<Tensor(const Tensor&, const Tensor&)>;
  const std::vector<std::pair<const char*, F2>> programs = {
      {"relu(a + row) * sign(a) + 0.5", [](const Tensor& a, const Tensor& b) {
         return ops::add(ops::multiply(ops::relu(ops::add(a, b)), ops::sign(a)), ops::scalar_like(a, 0.5));
       }},
      {"exp / log / sqrt / tanh of abs", [](const Tensor& a, const Tensor& b) {
         return ops::add(ops::tanh(ops::subtract(ops::log(ops::abs(a)), ops::sqrt(ops::abs(b)))),
                         ops::exp(ops::multiply(a, ops::scalar_like(a, 0.1))));
       }},
      {"sin, cos, square, reciprocal, negative, divide", [](const Tensor& a, const Tensor& b) {
         return ops::divide(ops::negative(ops::square(ops::sin(a))), ops::reciprocal(ops::cos(b)));
       }},
      {"squared_difference, then a comparison cast", [](const Tensor& a, const Tensor& b) {
         const Tensor d = ops::squared_difference(a, b);
         return ops::multiply(d, ops::cast(ops::greater(ops::subtract(a, b), ops::scalar_like(a, 0.25)), a.dtype()));
       }},
      {"every comparison, cast and summed", [](const Tensor& a, const Tensor& b) {
         const DType dt = a.dtype();
         Tensor s = ops::cast(ops::less(a, b), dt);
         s = ops::add(s, ops::cast(ops::less_equal(a, b), dt));
         s = ops::add(s, ops::cast(ops::greater_equal(a, b), dt));
         s = ops::add(s, ops::cast(ops::equal(a, a), dt));  // false where NaN
         return ops::add(s, ops::cast(ops::not_equal(a, b), dt));
       }}};
  for (DType dt : {DType::float32, DType::float64})
    for (const auto& [name, f] : programs)
      for (const Shape& b : {Shape{7}, Shape{3, 7}, Shape{}})
        cs.push_back({std::string("fused_elementwise ") + name + " " + core::dtype_name(dt) + " (3, 7) with " + b.str(),
                      [f = f](auto& x) {
                        auto fn = core::function([f](const Tensor& a, const Tensor& c) { return f(a, c); });
                        return std::vector{fn(x[0], x[1])};
                      },
                      {awkward({3, 7}, dt, 80), awkward(b, dt, 81)}});
  return cs;
}

// check_range: labels in range pass; the first one out of range raises the check's
// message on either device (non-whole floats, NaN, ignore, int64 beyond the range).
std::vector<Case> check_cases() {
  std::vector<Case> cs;
  auto message = [](double v, int64_t i, const core::Shape& s) {
    return "label " + std::to_string(v) + " at flat index " + std::to_string(i) + " of shape " + s.str();
  };
  auto checked = [message](core::ops::ElementRange r) {
    return [r, message](auto& x) {
      core::ops::check_range(x[0], r, message);
      return std::vector{ops::add(x[0], x[0])};  // the step goes on after a passing check
    };
  };
  const core::ops::ElementRange classes = range(0, 5, true);
  for (DType dt : {DType::int32, DType::int64, DType::uint8, DType::float32, DType::float64})
    cs.push_back({std::string("check_range in range ") + core::dtype_name(dt), checked(classes),
                  {make({0, 4, 1, 3, 2, 0, 4}, Shape{7}, dt)}});
  for (DType dt : {DType::int32, DType::int64, DType::float64})
    cs.push_back({std::string("check_range out of range (same error) ") + core::dtype_name(dt), checked(classes),
                  {make({0, 4, 1, 5, 2, 7, -1}, Shape{7}, dt)}});
  cs.push_back({"check_range of a non-whole float label (same error)", checked(classes),
                {make({0, 1.5, 2, 9}, Shape{2, 2}, DType::float32)}});
  cs.push_back({"check_range of NaN (same error)", checked(classes), {make({0, 1, kNaN, 2}, Shape{4}, DType::float32)}});
  const core::ops::ElementRange with_ignore = range(0, 5, true, -1);
  cs.push_back({"check_range with ignore", checked(with_ignore), {make({-1, 0, 4, -1}, Shape{4}, DType::int64)}});
  cs.push_back({"check_range with ignore, out of range (same error)", checked(with_ignore),
                {make({-1, 0, -2, 5}, Shape{4}, DType::int64)}});
  cs.push_back({"check_range of many elements, the first failure wins (same error)", checked(range(0, 1000)),
                {ops::concatenate({ops::zeros({100000}, DType::int64), make({3000, 1000, -5}, Shape{3}, DType::int64)},
                                  0)}});
  cs.push_back({"check_range in a traced step (same error)", [message](auto& x) {
                  auto f = core::function([message](const Tensor& y) {
                    core::ops::check_range(y, range(0, 3), message, "test|3");
                    return ops::multiply(y, y);
                  });
                  f(x[0]);
                  return std::vector{f(x[1])};
                }, {make({0, 1, 2}, Shape{3}, DType::int64), make({2, 3}, Shape{2}, DType::int64)}});
  return cs;
}

std::vector<Case> all_cases() {
  std::vector<Case> all = fused_matmul_cases();
  for (auto* more : {fused_elementwise_cases, check_cases})
    for (Case& c : more()) all.push_back(std::move(c));
  return all;
}

// A graph of `x (4, 3) @ w (3, 5) + b (5,) -> relu`, then `exp(y - b) * y`, its values on `d`.
core::graph::Graph dense_graph(Device d, DType dt) {
  using core::graph::Node;
  using core::graph::NodeKind;
  using core::OpId;
  core::graph::Graph g;
  for (const Shape& s : {Shape{4, 3}, Shape{3, 5}, Shape{5}, Shape{4, 5}, Shape{4, 5}, Shape{4, 5}, Shape{4, 5},
                         Shape{4, 5}, Shape{4, 5}})
    g.values.push_back(core::graph::ValueInfo{s, dt, d});
  for (int i = 0; i < 3; ++i) {
    Node n;
    n.kind = NodeKind::Input;
    n.input_index = i;
    n.outputs = {i};
    g.nodes.push_back(n);
  }
  auto op = [&](OpId id, std::vector<int> in, int out) {
    Node n;
    n.op = id;
    n.inputs = std::move(in);
    n.outputs = {out};
    g.nodes.push_back(n);
  };
  op(OpId::MatMul, {0, 1}, 3);
  op(OpId::Add, {3, 2}, 4);
  op(OpId::Relu, {4}, 5);
  op(OpId::Sub, {5, 2}, 6);
  op(OpId::Exp, {6}, 7);
  op(OpId::Mul, {7, 5}, 8);
  g.outputs = {8};
  g.num_inputs = 3;
  return g;
}

}  // namespace

TEST_CASE("fusion passes: a device and dtype fuse exactly when supports() has the fused op's kernel") {
  for (Device d : {Device::cpu(), Device::cuda(0)})
    for (DType dt : {DType::float32, DType::float64}) {
      CAPTURE(d.str());
      core::graph::Graph g = dense_graph(d, dt);
      const bool mm = core::supports("fused_matmul", d, dt), ew = core::supports("fused_elementwise", d, dt);
      CHECK(core::graph::fuse_matmul_epilogue(g) == (mm ? 2 : 0));
      CHECK(core::graph::fuse_elementwise(g) == (ew ? 2 : 0));
      const std::string s = g.str();
      CHECK((s.find("fused_matmul(") != std::string::npos) == mm);
      CHECK((s.find("fused_elementwise(") != std::string::npos) == ew);
      if (ew) {  // and back, on the same device
        core::graph::unfuse_elementwise(g);
        for (const auto& v : g.values) CHECK(v.device == d);
      }
    }
  CHECK(core::supports("fused_matmul", Device::cpu(), DType::float32));
  const bool cuda = core::cuda::built_with_cuda();
  for (const char* op : {"fused_matmul", "fused_elementwise", "fused_conv"}) {
    CAPTURE(op);
    CHECK(core::supports(op, Device::cuda(0), DType::float64) == cuda);
    CHECK_FALSE(core::supports(op, Device::cuda(0), DType::int32));
  }
  CHECK(core::supports("check_elements", Device::cuda(0), DType::int64));  // every device has one
}

TEST_CASE("cuda fused ops: the table itself: every case runs on the CPU, and the error cases raise there") {
  const std::vector<Case> all = all_cases();
  CHECK(run_table_on_cpu(all) == 9);
  MESSAGE(all.size() << " CPU/CUDA fused-op cases");
}

TEST_CASE("cuda fused ops: fused_matmul equals the CPU" * doctest::skip(no_gpu())) {
  for (const Case& c : fused_matmul_cases()) run_case(c);
}

TEST_CASE("cuda fused ops: fused_elementwise programs equal the CPU" * doctest::skip(no_gpu())) {
  for (const Case& c : fused_elementwise_cases()) run_case(c);
}

TEST_CASE("cuda fused ops: check_range checks on the device and raises the CPU's message" * doctest::skip(no_gpu())) {
  for (const Case& c : check_cases()) run_case(c);
}

TEST_CASE("cuda fused ops: a traced Dense block on GPU:0 is fused, and equals its unfused graph" *
          doctest::skip(no_gpu())) {
  auto body = [](const Tensor& x, const Tensor& w, const Tensor& b) {
    const Tensor h = ops::relu(ops::add(ops::matmul(x, w), b));
    return ops::multiply(ops::exp(ops::subtract(h, b)), ops::add(h, ops::scalar_like(h, 0.5)));
  };
  const Device gpu = Device::cuda(0);
  for (DType dt : {DType::float32, DType::float64}) {
    CAPTURE(core::dtype_name(dt));
    const Tensor x = small({16, 12}, dt, 90).to(gpu), w = small({12, 8}, dt, 91).to(gpu);
    const Tensor b = awkward({8}, dt, 92).to(gpu);
    auto fused = core::function(body);
    auto plain = core::function(body, {.optimize = false});
    const Tensor yf = fused(x, w, b), yp = plain(x, w, b);
    CHECK(yf.device() == gpu);
    const std::string g = fused.graph_str();
    CHECK(g.find("fused_matmul(") != std::string::npos);
    CHECK(g.find("fused_elementwise(") != std::string::npos);
    CHECK(g.find("matmul(") == g.find("fused_matmul(") + 6);  // no unfused matmul left
    // With cuBLASLt off (KERAS_CPP_CUBLASLT=0), fused_matmul is the matmul kernel's cuBLAS
    // product and the kernels' formulas without contraction: the same bits. cuBLASLt's
    // epilogue GEMM may sum in another order than cuBLAS's plain one: float tolerance.
    const char* lt = std::getenv("KERAS_CPP_CUBLASLT");
    if (lt != nullptr && std::string(lt) == "0") {
      const auto vf = values(yf.cpu()), vp = values(yp.cpu());
      REQUIRE(vf.size() == vp.size());
      for (size_t i = 0; i < vf.size(); ++i)
        if (!(std::isnan(vf[i]) && std::isnan(vp[i]))) CHECK(vf[i] == vp[i]);
    }
    compare(yp.cpu(), yf);
    compare(body(x.cpu(), w.cpu(), b.cpu()), yf);
  }
}

TEST_CASE("cuda fused ops: a traced conv block on GPU:0 runs as a fused_conv node and equals the CPU" *
          doctest::skip(no_gpu())) {
  auto body = [](const Tensor& x, const Tensor& k, const Tensor& b) {
    return ops::relu(ops::add(ops::conv(x, k, 1, "same"), b));
  };
  const Device gpu = Device::cuda(0);
  for (DType dt : {DType::float32, DType::float64}) {
    CAPTURE(core::dtype_name(dt));
    const Tensor x = small({2, 6, 5, 3}, dt, 93), k = small({3, 3, 3, 4}, dt, 94), b = small({4}, dt, 95);
    auto f = core::function(body);
    const Tensor y = f(x.to(gpu), k.to(gpu), b.to(gpu));
    CHECK(f.graph_str().find("fused_conv(") != std::string::npos);
    compare(body(x, k, b), y);
  }
}
