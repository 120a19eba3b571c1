// The CUDA kernels of the fused recurrent ops (cuDNN's RNN API, gpu/cudnn_rnn.cu) against a
// reference composed of core ops on the CPU (matmul, sigmoid, tanh: core/rnn.h's
// formulas, a timestep at a time), with gradients through that reference taken by a tape:
// outputs and states of lstm_sequence / gru_sequence, every gradient of
// lstm_sequence_grad / gru_sequence_grad (dy, dh, dc random), training = false (no
// reserve; the backward op then makes one), the reserve's size (the registered rule),
// the argument errors equal to the CPU's, and float32 (also with TensorFloat-32), float64
// and float16 (against the float32 reference), for random sizes including a batch of 1, one timestep, an input of width 0
// and an empty batch. Without a GPU the cases are skipped; the reference runs everywhere.
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "core/autodiff.h"
#include "core/debugging.h"
#include "core/kernel_support.h"
#include "core/rnn.h"
#include "core/rnn_reserve.h"
#include "cuda_cases.h"
#include "keras/keras.h"

using namespace cuda_cases;

namespace {

struct Sizes {
  int64_t batch, time, input, units;
};

// The reference: y, h, c (LSTM) or y, h (GRU) from x, h0, [c0,] kernel, recurrent, bias.
std::vector<Tensor> reference(bool lstm, const std::vector<Tensor>& a) {
  const Tensor& x = a[0];
  const int64_t batch = x.shape()[0], time = x.shape()[1], input = x.shape()[2];
  Tensor h = a[1], c = lstm ? a[2] : Tensor();
  const Tensor &k = a[lstm ? 3 : 2], &rk = a[lstm ? 4 : 3], &b = a[lstm ? 5 : 4];
  const int64_t units = rk.shape()[0];
  std::vector<Tensor> ys;
  for (int64_t t = 0; t < time; ++t) {
    const Tensor xt = ops::reshape(ops::slice(x, {0, t, 0}, {batch, 1, input}), {batch, input});
    if (lstm) {
      const auto g = ops::split(ops::add(ops::add(ops::matmul(xt, k), ops::matmul(h, rk)), b), 4, 1);
      c = ops::add(ops::multiply(ops::sigmoid(g[1]), c), ops::multiply(ops::sigmoid(g[0]), ops::tanh(g[2])));
      h = ops::multiply(ops::sigmoid(g[3]), ops::tanh(c));
    } else {
      const Tensor b0 = ops::reshape(ops::slice(b, {0, 0}, {1, 3 * units}), {3 * units});
      const Tensor b1 = ops::reshape(ops::slice(b, {1, 0}, {1, 3 * units}), {3 * units});
      const auto xp = ops::split(ops::add(ops::matmul(xt, k), b0), 3, 1);
      const auto hp = ops::split(ops::add(ops::matmul(h, rk), b1), 3, 1);
      const Tensor z = ops::sigmoid(ops::add(xp[0], hp[0])), r = ops::sigmoid(ops::add(xp[1], hp[1]));
      const Tensor n = ops::tanh(ops::add(xp[2], ops::multiply(r, hp[2])));
      h = ops::add(ops::multiply(z, h), ops::multiply(ops::subtract(ops::ones_like(z), z), n));
    }
    ys.push_back(h);
  }
  std::vector<Tensor> out = {ops::stack(ys, 1), h};
  if (lstm) out.push_back(c);
  return out;
}

// The inputs of a forward op (values in [-1, 1): the gates neither saturate nor vanish).
std::vector<Tensor> forward_inputs(bool lstm, const Sizes& s, DType dt, uint64_t seed) {
  const int64_t g = (lstm ? 4 : 3) * s.units;
  auto t = [&](const Shape& shape) { return make(uniform(shape.num_elements(), -1.0, 1.0, seed++), shape, dt); };
  std::vector<Tensor> in = {t({s.batch, s.time, s.input}), t({s.batch, s.units})};
  if (lstm) in.push_back(t({s.batch, s.units}));
  in.push_back(t({s.input, g}));
  in.push_back(t({s.units, g}));
  in.push_back(lstm ? t({g}) : t({2, g}));
  return in;
}

// The upstream gradients dy, dh [, dc] of a case.
std::vector<Tensor> upstream(bool lstm, const Sizes& s, DType dt, uint64_t seed) {
  std::vector<Tensor> d = {make(uniform(s.batch * s.time * s.units, -1, 1, seed), {s.batch, s.time, s.units}, dt),
                           make(uniform(s.batch * s.units, -1, 1, seed + 1), {s.batch, s.units}, dt)};
  if (lstm) d.push_back(make(uniform(s.batch * s.units, -1, 1, seed + 2), {s.batch, s.units}, dt));
  return d;
}

// The reference's gradients of sum(y * dy) + sum(h * dh) [+ sum(c * dc)] for every input.
std::vector<Tensor> reference_grads(bool lstm, const std::vector<Tensor>& in, const std::vector<Tensor>& d) {
  core::GradientTape tape;
  for (const Tensor& t : in) tape.watch(t);
  const std::vector<Tensor> out = reference(lstm, in);
  Tensor loss = ops::sum(ops::multiply(out[0], d[0]));
  for (size_t i = 1; i < out.size(); ++i) loss = ops::add(loss, ops::sum(ops::multiply(out[i], d[i])));
  std::vector<Tensor> g = tape.gradient(loss, in, Tensor(), core::UnconnectedGradients::zero);
  return g;
}

// gpu (of dtype dt, on GPU:0) against the reference's cpu within tol relative to
// max(1, |cpu|); float16 results are read as float32.
void compare_tol(const Tensor& cpu, const Tensor& gpu, DType dt, double tol) {
  CHECK(gpu.device() == Device::cuda(0));
  CHECK(gpu.dtype() == dt);
  REQUIRE(gpu.shape() == cpu.shape());
  const auto a = values(cpu), b = values(ops::cast(gpu.cpu(), cpu.dtype()));
  for (size_t i = 0; i < a.size(); ++i) {
    CAPTURE(i);
    CHECK(std::fabs(a[i] - b[i]) <= tol * std::max(1.0, std::fabs(a[i])));
  }
}

double tolerance(DType dt) { return dt == DType::float64 ? 1e-10 : dt == DType::float16 ? 1e-2 : 1e-4; }

// The forward on GPU:0 (training or not) and the backward from its reserve against the
// reference: y, h [, c], and dx, dh0 [, dc0], dkernel, drecurrent, dbias.
void check_case(bool lstm, const Sizes& s, DType dt, bool training, uint64_t seed, double tol) {
  CAPTURE(lstm);
  CAPTURE(s.batch);
  CAPTURE(s.time);
  CAPTURE(s.input);
  CAPTURE(s.units);
  CAPTURE(training);
  CAPTURE(dtype_name(dt));
  // float16 runs on the GPU; the reference takes the same (rounded) values in float32.
  const std::vector<Tensor> in = forward_inputs(lstm, s, dt, seed);
  const std::vector<Tensor> d = upstream(lstm, s, dt, seed + 100);
  std::vector<Tensor> ref_in, ref_d;
  const DType ref_dt = dt == DType::float16 ? DType::float32 : dt;
  for (const Tensor& t : in) ref_in.push_back(ops::cast(t, ref_dt));
  for (const Tensor& t : d) ref_d.push_back(ops::cast(t, ref_dt));
  const std::vector<Tensor> want = reference(lstm, ref_in), want_grads = reference_grads(lstm, ref_in, ref_d);
  const std::vector<Tensor> g = on(Device::cuda(0), in), gd = on(Device::cuda(0), d);
  const core::RnnDims dims{lstm ? core::RnnCell::kLstm : core::RnnCell::kGru, s.batch, s.time, s.input, s.units, dt};
  std::vector<Tensor> got, grads;
  Tensor reserve;
  if (lstm) {
    const auto r = ops::lstm_sequence(g[0], g[1], g[2], g[3], g[4], g[5], training);
    got = {r.y, r.h, r.c};
    reserve = r.reserve;
    const auto b = ops::lstm_sequence_grad(g[0], g[1], g[2], g[3], g[4], g[5], r.y, r.reserve, gd[0], gd[1], gd[2]);
    grads = {b.dx, b.dh0, b.dc0, b.dkernel, b.drecurrent_kernel, b.dbias};
  } else {
    const auto r = ops::gru_sequence(g[0], g[1], g[2], g[3], g[4], training);
    got = {r.y, r.h};
    reserve = r.reserve;
    const auto b = ops::gru_sequence_grad(g[0], g[1], g[2], g[3], g[4], r.y, r.reserve, gd[0], gd[1]);
    grads = {b.dx, b.dh0, b.dkernel, b.drecurrent_kernel, b.dbias};
  }
  CHECK(reserve.dtype() == DType::uint8);
  CHECK(reserve.device() == Device::cuda(0));
  const int64_t rule = core::rnn_reserve_bytes("test", dims, Device::cuda(0));
  CHECK(reserve.shape() == Shape{training ? rule : 0});
  if (training && s.batch > 0) CHECK(rule > 0);
  for (size_t i = 0; i < want.size(); ++i) {
    CAPTURE(i);
    compare_tol(want[i], got[i], dt, tol);
  }
  REQUIRE(grads.size() == want_grads.size());
  for (size_t i = 0; i < grads.size(); ++i) {
    CAPTURE(i);
    compare_tol(want_grads[i], grads[i], dt, (dt == DType::float16 ? 3 : 10) * tol);
  }
}

std::vector<Sizes> random_sizes(uint64_t seed) {
  std::mt19937_64 rng(seed);
  auto pick = [&](int lo, int hi) { return int64_t(std::uniform_int_distribution<int>(lo, hi)(rng)); };
  std::vector<Sizes> ss = {{1, 1, 1, 1}, {1, 5, 3, 4}, {3, 1, 2, 5}, {2, 3, 0, 2}};
  for (int i = 0; i < 3; ++i) ss.push_back({pick(1, 6), pick(1, 7), pick(1, 9), pick(1, 8)});
  return ss;
}

}  // namespace

TEST_CASE("supports: the fused recurrent ops' CUDA kernels take float32, float64 and float16") {
  const bool cuda = core::cuda::built_with_cuda();
  for (const char* op : {"lstm_sequence", "lstm_sequence_grad", "gru_sequence", "gru_sequence_grad"}) {
    CAPTURE(op);
    CHECK(core::supports(op, Device::cuda(0), DType::float32) == cuda);
    CHECK(core::supports(op, Device::cuda(0), DType::float64) == cuda);
    CHECK(core::supports(op, Device::cuda(0), DType::float16) == cuda);
    CHECK_FALSE(core::supports(op, Device::cuda(0), DType::int32));
  }
}

TEST_CASE("cuda rnn: the composed reference itself: shapes, and Keras's LSTM step by hand") {
  // One step, one unit, one input: z = x k + h r + b per gate.
  const Tensor x = make({0.5}, {1, 1, 1}), h0 = make({0.2}, {1, 1}), c0 = make({-0.3}, {1, 1});
  const Tensor k = make({0.1, 0.2, 0.3, 0.4}, {1, 4}), r = make({-0.1, 0.5, 0.2, -0.3}, {1, 4});
  const Tensor b = make({0.0, 1.0, -0.5, 0.25}, {4});
  const auto out = reference(true, {x, h0, c0, k, r, b});
  auto sig = [](double v) { return 1 / (1 + std::exp(-v)); };
  const double zi = 0.05 - 0.02, zf = 0.1 + 0.1 + 1.0, zc = 0.15 + 0.04 - 0.5, zo = 0.2 - 0.06 + 0.25;
  const double c = sig(zf) * -0.3 + sig(zi) * std::tanh(zc), h = sig(zo) * std::tanh(c);
  CHECK(out[0].shape() == Shape{1, 1, 1});
  CHECK(values(out[1])[0] == doctest::Approx(h).epsilon(1e-6));
  CHECK(values(out[2])[0] == doctest::Approx(c).epsilon(1e-6));
  const auto gru = reference(false, forward_inputs(false, {2, 3, 4, 5}, DType::float32, 7));
  CHECK(gru.size() == 2);
  CHECK(gru[0].shape() == Shape{2, 3, 5});
  // The tape's gradients through the reference: one per input, of its shape (an input
  // width of 0 included), and float16 inputs read back as float32 for the reference.
  for (bool lstm : {true, false})
    for (const Sizes& s : std::vector<Sizes>{{2, 3, 4, 5}, {2, 3, 0, 2}}) {
      auto in = forward_inputs(lstm, s, DType::float16, 9);
      CHECK(in[0].dtype() == DType::float16);
      for (Tensor& t : in) t = ops::cast(t, DType::float32);
      const auto g = reference_grads(lstm, in, upstream(lstm, s, DType::float32, 19));
      REQUIRE(g.size() == in.size());
      for (size_t i = 0; i < g.size(); ++i) CHECK(g[i].shape() == in[i].shape());
    }
}

TEST_CASE("cuda rnn: lstm_sequence and its gradient on cuDNN equal the composed reference" * doctest::skip(no_gpu())) {
  uint64_t seed = 1000;
  for (DType dt : {DType::float32, DType::float64})
    for (const Sizes& s : random_sizes(11))
      for (bool training : {true, false}) check_case(true, s, dt, training, seed += 10, tolerance(dt));
}

TEST_CASE("cuda rnn: gru_sequence and its gradient on cuDNN equal the composed reference" * doctest::skip(no_gpu())) {
  uint64_t seed = 2000;
  for (DType dt : {DType::float32, DType::float64})
    for (const Sizes& s : random_sizes(12))
      for (bool training : {true, false}) check_case(false, s, dt, training, seed += 10, tolerance(dt));
}

TEST_CASE("cuda rnn: float16 on cuDNN (float32 arithmetic) stays near the float32 reference" *
          doctest::skip(no_gpu())) {
  uint64_t seed = 2500;
  for (bool lstm : {true, false})
    for (const Sizes& s : std::vector<Sizes>{{1, 1, 1, 1}, {3, 4, 5, 6}, {2, 7, 8, 8}})
      check_case(lstm, s, DType::float16, true, seed += 10, tolerance(DType::float16));
}

TEST_CASE("cuda rnn: float32 with TensorFloat-32 enabled stays near the reference" * doctest::skip(no_gpu())) {
  core::enable_tensor_float_32_execution(true);
  try {
    check_case(true, {4, 6, 8, 16}, DType::float32, true, 3000, 2e-2);
    check_case(false, {4, 6, 8, 16}, DType::float32, true, 3100, 2e-2);
  } catch (...) {
    core::enable_tensor_float_32_execution(false);
    throw;
  }
  core::enable_tensor_float_32_execution(false);
}

TEST_CASE("cuda rnn: an empty batch gives empty outputs and zero weight gradients" * doctest::skip(no_gpu())) {
  for (bool lstm : {true, false}) {
    CAPTURE(lstm);
    const Sizes s{0, 3, 2, 4};
    const auto g = on(Device::cuda(0), forward_inputs(lstm, s, DType::float32, 40));
    const auto d = on(Device::cuda(0), upstream(lstm, s, DType::float32, 50));
    std::vector<Tensor> w;
    if (lstm) {
      const auto r = ops::lstm_sequence(g[0], g[1], g[2], g[3], g[4], g[5], true);
      CHECK(r.reserve.shape() == Shape{0});
      const auto b = ops::lstm_sequence_grad(g[0], g[1], g[2], g[3], g[4], g[5], r.y, r.reserve, d[0], d[1], d[2]);
      w = {b.dkernel, b.drecurrent_kernel, b.dbias};
    } else {
      const auto r = ops::gru_sequence(g[0], g[1], g[2], g[3], g[4], true);
      const auto b = ops::gru_sequence_grad(g[0], g[1], g[2], g[3], g[4], r.y, r.reserve, d[0], d[1]);
      w = {b.dkernel, b.drecurrent_kernel, b.dbias};
    }
    for (const Tensor& t : w)
      for (double v : values(t.cpu())) CHECK(v == 0.0);
  }
}

TEST_CASE("cuda rnn: argument errors equal the CPU's; a reserve of the wrong size raises" * doctest::skip(no_gpu())) {
  const Sizes s{2, 3, 4, 5};
  const auto in = forward_inputs(true, s, DType::float32, 60);
  auto bad = in;
  bad[1] = ops::zeros({2, 6});  // h0 of the wrong width
  auto lstm = [](const std::vector<Tensor>& a) {
    const auto r = ops::lstm_sequence(a[0], a[1], a[2], a[3], a[4], a[5], true);
    return std::vector{r.y, r.h, r.c, r.reserve};
  };
  run_on_both("lstm_sequence with a bad h0 (same error)", lstm, bad, compare);
  auto bad_dtype = in;
  bad_dtype[3] = ops::cast(in[3], DType::float64);
  run_on_both("lstm_sequence with a float64 kernel (same error)", lstm, bad_dtype, compare);
  const auto gin = forward_inputs(false, s, DType::float32, 70);
  auto gbad = gin;
  gbad[4] = ops::zeros({15});  // GRU's bias is (2, 3 * units)
  run_on_both("gru_sequence with a 1-d bias (same error)", [](const std::vector<Tensor>& a) {
    const auto r = ops::gru_sequence(a[0], a[1], a[2], a[3], a[4], false);
    return std::vector{r.y, r.h, r.reserve};
  }, gbad, compare);
  // A reserve that is not this device's training reserve.
  const auto g = on(Device::cuda(0), gin);
  const auto r = ops::gru_sequence(g[0], g[1], g[2], g[3], g[4], true);
  const Tensor wrong = ops::zeros({r.reserve.size() + 1}, DType::uint8).to(Device::cuda(0));
  CHECK_THROWS_WITH_AS(ops::gru_sequence_grad(g[0], g[1], g[2], g[3], g[4], r.y, wrong, r.y, r.h),
                       doctest::Contains("gru_sequence_grad: expected reserve of"), std::invalid_argument);
}

TEST_CASE("cuda rnn: cuDNN's kernel takes no mask; a masked LSTM keeps the step loop there" * doctest::skip(no_gpu())) {
  CHECK_FALSE(core::rnn_kernel_takes_masks(Device::cuda(0)));
  const auto g = on(Device::cuda(0), forward_inputs(true, {2, 3, 4, 5}, DType::float32, 90));
  const Tensor mask = ops::ones({2, 3}, DType::bool_).to(Device::cuda(0));
  CHECK_THROWS_WITH_AS(ops::lstm_sequence(g[0], g[1], g[2], g[3], g[4], g[5], true, mask),
                       doctest::Contains("takes no mask"), std::invalid_argument);
  core::DeviceScope scope(Device::cuda(0));  // the layer's weights on the GPU too
  auto layer = keras::layers::LSTM(5);
  const Tensor y = (*layer)(std::vector<Tensor>{g[0]}, keras::layers::CallArgs{.masks = {mask}})[0];
  CHECK(y.device() == Device::cuda(0));
  CHECK(y.shape() == Shape{2, 5});
}

TEST_CASE("cuda rnn off: with KERAS_CPP_CUDNN=0 the ops raise naming cuDNN, else they run" * doctest::skip(no_gpu())) {
  // The device script runs this case with KERAS_CPP_CUDNN=0 too (tests/gpu/device_bundle.sh).
  const char* env = std::getenv("KERAS_CPP_CUDNN");
  const bool off = env != nullptr && std::string(env) == "0";
  const auto g = on(Device::cuda(0), forward_inputs(true, {2, 3, 4, 5}, DType::float32, 80));
  for (bool training : {true, false}) {  // the reserve size rule, then the kernel itself
    CAPTURE(training);
    auto run = [&] { (void)ops::lstm_sequence(g[0], g[1], g[2], g[3], g[4], g[5], training); };
    if (off)
      CHECK_THROWS_WITH_AS(run(), doctest::Contains("lstm_sequence: the CUDA kernel runs on cuDNN's RNN API"),
                           std::invalid_argument);
    else
      CHECK_NOTHROW(run());
  }
}
