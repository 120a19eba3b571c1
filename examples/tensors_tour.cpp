// tensors_tour.cpp - tensors and operations as in TensorFlow ("using TensorFlow like
// NumPy"): constants, indexing, operations, dtypes (range(10) is int32 while a tensor
// from int64 data is int64, and mixing them raises until you cast), Variables and
// assign, and xtensor interop (the C++ counterpart of NumPy interop).
//   tensors_tour [--short] [--threads N]
// The last line is machine-readable ("result: ..."), for tests/examples/test_examples.cpp.
#include <cstdint>
#include <iostream>
#include <stdexcept>
#include <vector>

#include <core/xtensor_interop.h>  // opt-in: pulls in xtensor, which keras.h never does
#include <keras/keras.h>
#include <xtensor/xio.hpp>
#include <xtensor/xmath.hpp>

#include "example_util.h"

namespace ops = keras::ops;
using keras::Tensor;

namespace {

double sum_of(const Tensor& t) { return ops::sum(ops::cast(t, keras::DType::float64)).item<double>(); }

// Tries `f` and reports whether it raised std::invalid_argument (printing the message).
template <class F>
bool raises(const char* what, F f) {
  try {
    f();
  } catch (const std::invalid_argument& e) {
    std::cout << what << " raises: " << e.what() << "\n";
    return true;
  }
  std::cout << what << " did not raise\n";
  return false;
}

int tour(const example::Flags&) {
  example::Result result;

  // ---- constants ------------------------------------------------------------------------
  Tensor t = keras::constant({{1.0, 2.0, 3.0}, {4.0, 5.0, 6.0}});  // a matrix: float32, like TF
  std::cout << "t = " << t << "\n";
  std::cout << "t.shape = " << t.shape().str() << ", t.dtype = " << keras::dtype_name(t.dtype()) << "\n";
  std::cout << "a scalar: " << keras::constant(42) << "\n\n";
  result.add("t_shape", t.shape().str()).add("t_dtype", keras::dtype_name(t.dtype()));

  // ---- indexing: t[:, 1:] and t[..., 1, tf.newaxis] ------------------------------------------
  Tensor cols = ops::strided_slice(t, {0, 1}, {2, 3});
  Tensor col1 = ops::expand_dims(ops::gather(t, keras::constant(1), /*axis=*/1), -1);
  std::cout << "t[:, 1:] = " << cols << "\n";
  std::cout << "t[..., 1, tf.newaxis] = " << col1 << "\n\n";
  result.add("slice_sum", sum_of(cols)).add("newaxis_shape", col1.shape().str());

  // ---- operations ---------------------------------------------------------------------------
  std::cout << "t + 10 = " << t + 10.0 << "\n";
  std::cout << "square(t) = " << ops::square(t) << "\n";
  Tensor gram = ops::matmul(t, t, /*transpose_a=*/false, /*transpose_b=*/true);  // t @ t.T
  std::cout << "t @ transpose(t) = " << gram << "\n";
  std::cout << "mean(t) = " << ops::mean(t) << ", sum over axis 0 = " << ops::sum(t, {0}) << "\n\n";
  result.add("square_sum", sum_of(ops::square(t)));
  std::vector<float> g = gram.to_vector<float>();
  result.add("gram", std::to_string(int(g[0])) + "," + std::to_string(int(g[1])) + "," +
                         std::to_string(int(g[2])) + "," + std::to_string(int(g[3])));

  // ---- dtypes: no silent conversions ------------------------------------------------------------
  Tensor r = ops::range(10);                                             // int32, as tf.range(10)
  Tensor big = keras::constant(std::vector<int64_t>{10, 20, 30, 40, 50, 60, 70, 80, 90, 100});  // int64
  std::cout << "range(10): " << r << "\n";
  std::cout << "from int64 data: " << big << "\n";
  bool mix_raised = raises("range(10) + int64 tensor", [&] { ops::add(r, big); });
  bool float_mix_raised =
      raises("float32 + float64", [&] { ops::add(keras::constant(2.0), keras::constant(std::vector<double>{40.0}, {1})); });
  Tensor fixed = ops::add(ops::cast(r, keras::DType::int64), big);  // explicit cast: fine
  std::cout << "cast(range(10), int64) + int64 tensor = " << fixed << "\n\n";
  result.add("range_dtype", keras::dtype_name(r.dtype()))
      .add("int64_dtype", keras::dtype_name(big.dtype()))
      .add("mix_raised", mix_raised ? 1.0 : 0.0)
      .add("float_mix_raised", float_mix_raised ? 1.0 : 0.0)
      .add("cast_dtype", keras::dtype_name(fixed.dtype()))
      .add("cast_sum", sum_of(fixed));

  // ---- variables ---------------------------------------------------------------------------
  keras::Variable v(keras::constant({{1.0, 2.0, 3.0}, {4.0, 5.0, 6.0}}), "v");
  v.assign(v.value() * 2.0);  // v.assign(2 * v)
  // v[0, 1].assign(42): tensors are immutable, so write the new value through a mask.
  Tensor mask = ops::reshape(ops::equal(ops::range(6), keras::constant(0 * 3 + 1)), {2, 3});
  v.assign(ops::where(mask, ops::full_like(v, 42.0), v));
  v.assign_add(ops::ones({2, 3}));
  v.assign_sub(ops::fill({2, 3}, 0.5));
  std::cout << "v after assign(2 v), v[0, 1] = 42, += 1, -= 0.5: " << v << "\n";
  bool shape_raised = raises("v.assign(a (3,) tensor)", [&] { v.assign(keras::constant({1.0, 2.0, 3.0})); });
  std::cout << "\n";
  result.add("variable_sum", sum_of(v)).add("variable_01", ops::reshape(v, {-1}).to_vector<float>()[1]);
  result.add("assign_shape_raised", shape_raised ? 1.0 : 0.0);

  // ---- xtensor interop (NumPy's role in C++) ---------------------------------------------------
  xt::xarray<double> a = {2.0, 4.0, 5.0};
  Tensor from_a = keras::core::from_xarray(a);  // float64, as tf.constant(np.array(...)) is
  std::cout << "from an xt::xarray<double>: " << from_a << "\n";
  xt::xarray<double> back = keras::core::to_xarray<double>(ops::square(from_a));  // like t.numpy()
  xt::xarray<float> xt_sq = xt::square(keras::core::to_xarray<float>(t));          // NumPy ops on a tensor's values
  std::cout << "square as an xarray: " << back << "\n";
  bool roundtrip = xt::all(xt::equal(keras::core::to_xarray<double>(keras::core::from_xarray(back)), back));
  bool same_square = xt::all(xt::equal(xt_sq, keras::core::to_xarray<float>(ops::square(t))));
  result.add("xtensor_dtype", keras::dtype_name(from_a.dtype()))
      .add("xtensor_square_sum", xt::sum(back)())
      .add("xtensor_roundtrip", roundtrip ? 1.0 : 0.0)
      .add("xtensor_square_matches", same_square ? 1.0 : 0.0);

  result.print();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  return example::run(argc, argv, {}, "tensors_tour [--short] [--threads N]", tour);
}
