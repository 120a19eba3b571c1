// test_layer_call_result.cpp - a layer or model called on a list of tensors returns
// keras::layers::Tensors: a Tensor when there is a single output (as Keras returns the
// tensor itself), the list otherwise.
#include "layer_harness.h"

using namespace th;
namespace layers = keras::layers;

TEST_CASE("a merge layer or a single-output model called on tensors gives a Tensor") {
  Tensor a = ops::ones({2, 3}), b = ops::fill({2, 3}, 2.0);
  Tensor sum = (*layers::Add())(std::vector<Tensor>{a, b});
  check_values(sum, std::vector<double>(6, 3.0), 0);
  auto in1 = keras::Input({3}), in2 = keras::Input({3});
  auto model = keras::Functional({in1, in2}, {layers::Concatenate()({in1, in2})});
  Tensor y = (*model)(std::vector<Tensor>{a, b});
  CHECK(y.shape() == Shape{2, 6});
  auto r = (*model)(std::vector<Tensor>{a, b}, false);
  CHECK(r.size() == 1);  // still the list of outputs as well
  CHECK(r.shape() == Shape{2, 6});
  check_values(ops::sum(r), std::vector<double>{18.0}, 0);  // read as its Tensor
  // Several outputs: a list to index; reading it as one Tensor raises.
  auto in = keras::Input({3});
  auto two = keras::Functional({in}, {layers::Dense(2)(in), layers::Dense(4)(in)});
  auto outs = (*two)(std::vector<Tensor>{a});
  REQUIRE(outs.size() == 2);
  CHECK(outs[1].shape() == Shape{2, 4});
  CHECK_THROWS_MSG((void)outs.single(), std::invalid_argument,
                   "Tensors: expected the single output of a layer, but the call has 2 outputs (index them)");
}
