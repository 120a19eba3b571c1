// test_tensor_array.cpp - TensorArray (core/tensor_array.h) against TensorFlow on the
// fixture of tests/data/ragged/make_fixtures.py: the eager list form (values, gradients
// through the tape as tf.GradientTape's), the flow form in a while_loop, eager and traced,
// and TensorFlow's errors.
#include <string>

#include "core/control_flow.h"
#include "core/function.h"
#include "core/tensor_array.h"
#include "error_of.h"
#include "helpers.h"
#include "tf_fixture.h"

using namespace th;
using core::OutOfRangeError;
using core::TensorArray;

namespace {

Tensor fx(const std::string& name) { return th::tf_fixture(name); }

void same(const Tensor& got, const std::string& name, double tol = 1e-6) {
  CAPTURE(name);
  Tensor want = fx(name);
  REQUIRE(got.shape() == want.shape());
  REQUIRE(got.dtype() == want.dtype());
  check_values(got, values(want), tol);
}

// Running products of x's rows, acc = acc * x[i] + 1, written into a TensorArray inside
// a while_loop (the TensorArray travels as its flow tensor).
Tensor running_products(const Tensor& x) {
  const int64_t n = x.shape()[0];
  TensorArray ta(DType::float32, {.size = n, .element_shape = std::vector<int64_t>{x.shape()[1]}});
  auto out = ops::while_loop(
      [n](const std::vector<Tensor>& v) { return ops::less(v[0], ops::scalar_like(v[0], double(n))); },
      [&x](const std::vector<Tensor>& v) {
        Tensor acc = v[1] * ops::gather(x, v[0], 0) + 1.0;
        TensorArray t = TensorArray::from_flow(v[2]).write(v[0], acc);
        return std::vector<Tensor>{v[0] + ops::scalar_like(v[0], 1.0), acc, t.flow()};
      },
      {core::constant(0), ops::ones({x.shape()[1]}), ta.flow()});
  return TensorArray::from_flow(out[2]).stack();
}

}  // namespace

TEST_CASE("TensorArray: list form as TensorFlow's eager TensorArray") {
  TensorArray dyn(DType::float32, {.size = 0, .dynamic_size = true});
  dyn = dyn.write(3, core::constant({1.0, 2.0}));
  CHECK(dyn.size() == 4);
  same(dyn.stack(), "ta_dynamic_stack");
  CHECK(dyn.element_shape() == std::vector<int64_t>{2});

  TensorArray sc(DType::float32, {.size = 3});
  sc.scatter({2, 0}, core::constant({{1.0, 2.0}, {3.0, 4.0}}));
  same(sc.stack(), "ta_scatter_stack");
  check_values(sc.gather({2, 0}), std::vector<double>{1, 2, 3, 4});

  TensorArray sp(DType::float32, {.size = 2, .infer_shape = false});
  sp.split(core::constant({1.0, 2.0, 3.0, 4.0, 5.0}), {2, 3});
  same(sp.read(0), "ta_split_read0");
  same(sp.read(1), "ta_split_read1");
  TensorArray sp2(DType::float32, {.size = 2});
  sp2.split(core::constant({1.0, 2.0, 3.0, 4.0, 5.0}), {2, 3});
  check_values(sp2.concat(), std::vector<double>{1, 2, 3, 4, 5});
  CHECK(sp2.element_shape() == std::vector<int64_t>{-1});

  // Unwritten elements read as zeros of the element shape; an empty array stacks to (0, ...).
  TensorArray shaped(DType::float32, {.size = 2, .element_shape = std::vector<int64_t>{2}});
  check_values(shaped.read(1), std::vector<double>{0, 0});
  CHECK(TensorArray(DType::float32, {.element_shape = std::vector<int64_t>{2}}).stack().shape() == Shape{0, 2});
  CHECK(TensorArray(DType::float32).stack().shape() == Shape{0});
  // clear_after_read: a second read raises; without it, reads repeat.
  TensorArray once(DType::float32, {.size = 1});
  once.write(0, core::constant(1.0));
  CHECK(once.read(0).item<float>() == 1.0f);
  throws_with<std::invalid_argument>([&] { once.read(0); }, "Could not read index 0 twice because it was cleared");
  TensorArray keep(DType::float32, {.size = 1, .clear_after_read = false});
  keep.write(0, core::constant(2.0));
  CHECK(keep.read(0).item<float>() == keep.read(0).item<float>());
  // Eager writes may overwrite an index (TensorFlow's eager TensorArray allows it).
  keep.write(0, core::constant(3.0));
  CHECK(keep.read(0).item<float>() == 3.0f);
}

TEST_CASE("TensorArray: TensorFlow's errors") {
  TensorArray ta(DType::float32, {.size = 2});
  ta.write(0, core::constant({1.0, 2.0}));
  throws_with<std::invalid_argument>([&] { ta.write(1, core::constant({1.0, 2.0, 3.0})); },
                                     "Incompatible shape for value ((3,)), expected ((2,))");
  throws_with<OutOfRangeError>([&] { ta.write(2, core::constant({1.0, 2.0})); },
                               "Tried to write to index 2 but array is not resizeable and size is: 2");
  throws_with<std::invalid_argument>([&] { ta.write(1, core::constant({1, 2})); },
                                     "TensorArray dtype is float32 but Op is trying to write dtype int32");
  throws_with<OutOfRangeError>([&] { ta.read(5); }, "Tried to read from index 5 but array size is: 2");
  throws_with<OutOfRangeError>([&] { ta.write(-1, core::constant({1.0, 2.0})); },
                               "Writing to negative indices (index -1) is not allowed.");
  throws_with<OutOfRangeError>([&] { ta.gather({3}); }, "Tried to read from index 3");
  throws_with<std::invalid_argument>([&] { TensorArray(DType::float32, {.size = 2}).unstack(ops::ones({3, 1})); },
                                     "Cannot unstack 3 tensors into a TensorArray of static size 2");
  throws_with<std::invalid_argument>(
      [&] { TensorArray(DType::float32, {.size = 2}).split(core::constant({1.0, 2.0, 3.0, 4.0, 5.0}), {2, 2}); },
      "sum of lengths is 4 and value's shape is: (5,)");
  TensorArray loose(DType::float32, {.size = 2, .infer_shape = false});
  loose.write(0, core::constant({1.0})).write(1, core::constant({1.0, 2.0}));
  check_values(loose.concat(), std::vector<double>{1, 1, 2});
  throws_with<std::invalid_argument>([&] { loose.stack(); }, "Shapes of all inputs must match");
  throws_with<std::invalid_argument>([] { TensorArray(DType::float32, {.size = -1}); }, "size >= 0");
  throws_with<std::invalid_argument>([] { TensorArray().size(); }, "undefined");
}

TEST_CASE("TensorArray: gradients through the tape match tf.GradientTape") {
  Tensor x = fx("ta_x"), c = fx("ta_c");
  core::GradientTape tape({.persistent = true});
  tape.watch(x);
  TensorArray ta(DType::float32, {.size = 4});
  for (int i = 0; i < 4; ++i) ta = ta.write(i, ops::sin(ops::gather(x, core::constant(i), 0)) * double(i + 1));
  Tensor stacked = ta.stack();
  Tensor loss_stack = ops::sum(stacked * c) + ops::sum(ops::square(ta.gather({3, 1})));
  TensorArray tb(DType::float32, {.size = 4, .clear_after_read = false});
  tb.unstack(x * x);
  Tensor loss_unstack = ops::sum(tb.read(0) * tb.read(2)) + ops::sum(tb.concat());
  same(stacked, "ta_stacked");
  same(tape.gradient(loss_stack, x), "ta_grad_stack", 1e-5);
  same(tape.gradient(loss_unstack, x), "ta_grad_unstack", 1e-5);
}

TEST_CASE("TensorArray: the flow form in a while_loop, eager and traced") {
  Tensor x = fx("ta_x"), c = fx("ta_c");
  same(running_products(x), "ta_loop", 1e-5);
  auto traced = core::function([](const Tensor& t) { return running_products(t); });
  same(traced(x), "ta_loop", 1e-5);
  same(traced(x), "ta_loop", 1e-5);  // the graph's second run
  // Eagerly the tape records every iteration: the gradient is TensorFlow's.
  core::GradientTape tape;
  tape.watch(x);
  Tensor loss = ops::sum(running_products(x) * c);
  same(tape.gradient(loss, x), "ta_grad_loop", 1e-5);
  // Flow-form reads and writes check their index.
  TensorArray flow = TensorArray::from_flow(ops::zeros({3, 2}));
  CHECK_THROWS_AS(flow.read(core::constant(3)), std::invalid_argument);
  CHECK_THROWS_AS(flow.write(core::constant(-1), ops::ones({2})), std::invalid_argument);
  throws_with<std::invalid_argument>([&] { flow.write(core::constant(0), ops::ones({3})); },
                                     "Incompatible shape for value ((3,)), expected ((2,))");
  check_values(flow.write(core::constant(1), ops::ones({2})).read(core::constant(1)), std::vector<double>{1, 1});
  CHECK(flow.size() == 3);
}
