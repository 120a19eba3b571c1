// test_int_dtypes.cpp - TensorFlow's narrow integer dtypes int8, int16, uint16 and uint32
// (beside int32, int64 and uint8): names, sizes, literals, exact conversions, the
// same-dtype ops against NumPy (tests/data/int_dtypes/int_ops.npz, written by
// tests/data/npz/make_int_dtype_fixtures.py: two's-complement wrapping, floor division),
// Keras's promotion table, and the files that hold them (.npy, HDF5, .kcpp).
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "core/npy.h"
#include "core/ops.h"
#include "core/ops_numpy.h"
#include "core/ops_reduce.h"
#include "files.h"
#include "keras/keras.h"
#include "keras/saving/onnx_proto.h"
#include "helpers.h"
#include "npz_fixtures.h"

using namespace th;
namespace ops = keras::core::ops;
using keras::core::DType;

namespace {

const char* const kNames[] = {"int8", "int16", "uint16", "uint32"};

// Same dtype, shape and values.
void check_same(const Tensor& got, const Tensor& want) {
  REQUIRE(got.dtype() == want.dtype());
  REQUIRE(got.shape() == want.shape());
  CHECK(ops::cast(got, DType::int64).to_vector<int64_t>() == ops::cast(want, DType::int64).to_vector<int64_t>());
}

const Tensor& fixture(const std::string& name) { return npz_array("int_dtypes/int_ops.npz", name); }

}  // namespace

TEST_CASE("int dtypes: names, sizes, ranges and literals") {
  const struct {
    DType d;
    const char* name;
    size_t size;
    double lo, hi;
  } rows[] = {{DType::int8, "int8", 1, -128, 127},
              {DType::int16, "int16", 2, -32768, 32767},
              {DType::uint16, "uint16", 2, 0, 65535},
              {DType::uint32, "uint32", 4, 0, 4294967295.0}};
  for (const auto& r : rows) {
    CAPTURE(r.name);
    CHECK(std::string(keras::core::dtype_name(r.d)) == r.name);
    CHECK(keras::core::dtype_from_name(r.name) == r.d);
    CHECK(keras::core::dtype_size(r.d) == r.size);
    CHECK(keras::core::is_integer(r.d));
    CHECK_FALSE(keras::core::is_floating(r.d));
    CHECK(keras::core::is_unsigned(r.d) == (r.lo == 0));
    // Exact conversions take the range and refuse what is outside it.
    CHECK(ops::cast(core::constant(r.hi, r.d), DType::float64).item<double>() == r.hi);
    CHECK_THROWS_AS(core::constant(r.hi + 1, r.d), keras::core::ConversionError);
    CHECK_THROWS_AS(core::constant(r.lo - 1, r.d), keras::core::ConversionError);
    CHECK_THROWS_AS(core::constant(0.5, r.d), keras::core::ConversionError);
    CHECK(ops::zeros({2, 3}, r.d).dtype() == r.d);
    CHECK(ops::cast(ops::ones({2}, r.d), DType::int32).to_vector<int32_t>() == std::vector<int32_t>{1, 1});
  }
  // Typed C++ values keep their dtype, as uint8_t does.
  CHECK(core::constant({int8_t(-3), int8_t(4)}).dtype() == DType::int8);
  CHECK(core::constant({int16_t(-3)}).dtype() == DType::int16);
  CHECK(core::constant({uint16_t(3)}).dtype() == DType::uint16);
  CHECK(core::constant({uint32_t(3)}).dtype() == DType::uint32);
  CHECK(core::constant(std::vector<int8_t>{1, -2}).to_vector<int8_t>() == std::vector<int8_t>{1, -2});
  CHECK(core::constant(uint32_t{4000000000u}).item<uint32_t>() == 4000000000u);
  CHECK_THROWS_AS(core::constant(int8_t{-1}).item<uint16_t>(), keras::core::ConversionError);
  CHECK(core::constant(int16_t{-300}).item<int64_t>() == -300);
  // Casts between them wrap (TensorFlow's cast of integers), floats saturate.
  check_values(ops::cast(core::constant({300, -129, 255}), DType::int8), std::vector<double>{44, 127, -1});
  check_values(ops::cast(core::constant({70000, -1}), DType::uint16), std::vector<double>{4464, 65535});
  check_values(ops::cast(core::constant({1e10, -5.0}), DType::uint32), std::vector<double>{4294967295.0, 0});
  CHECK_THROWS_AS(keras::core::dtype_from_name("int4"), std::invalid_argument);
}

TEST_CASE("int dtypes: same-dtype ops give NumPy's results (wrapping, floor division)") {
  for (const std::string name : kNames) {
    CAPTURE(name);
    const Tensor& a = fixture(name + "_a");
    const Tensor& b = fixture(name + "_b");
    REQUIRE(a.dtype() == keras::core::dtype_from_name(name));
    check_same(ops::add(a, b), fixture(name + "_add"));
    check_same(ops::subtract(a, b), fixture(name + "_subtract"));
    check_same(ops::multiply(a, b), fixture(name + "_multiply"));
    check_same(ops::floor_divide(a, b), fixture(name + "_floor_divide"));
    check_same(ops::mod(a, b), fixture(name + "_mod"));
    check_same(ops::maximum(a, b), fixture(name + "_maximum"));
    check_same(ops::minimum(a, b), fixture(name + "_minimum"));
    check_same(ops::sum(a, {0}), fixture(name + "_sum0"));
    check_same(ops::max(a, {1}), fixture(name + "_max1"));
    check_same(ops::min(a, {1}), fixture(name + "_min1"));
    check_same(ops::argmax(a, 1), fixture(name + "_argmax1"));
    check_same(ops::cumsum(a, 1), fixture(name + "_cumsum1"));
    check_same(ops::sort(a, 1), fixture(name + "_sort1"));
    if (name == "int8") {  // Keras's matmul of int8: int32 sums, which wrap to NumPy's int8 ones
      const Tensor p = ops::matmul(a, b, false, true);
      CHECK(p.dtype() == DType::int32);
      check_same(ops::cast(p, DType::int8), fixture(name + "_matmul"));
    } else {
      check_same(ops::matmul(a, b, false, true), fixture(name + "_matmul"));
    }
    check_same(ops::less(a, b), fixture(name + "_less"));
    const Tensor f = ops::cast(a, DType::float32);
    CHECK(f.to_vector<float>() == fixture(name + "_to_float32").to_vector<float>());
    // Moving elements keeps the bytes.
    check_same(ops::transpose(ops::transpose(a)), a);
    check_same(ops::reshape(ops::concatenate({a, b}, 0), {2, 4, 7}), ops::stack({a, b}));
  }
  check_values(ops::abs(core::constant({int8_t(-5), int8_t(7)})), std::vector<double>{5, 7});
  check_values(ops::negative(core::constant({int16_t(-5), int16_t(7)})), std::vector<double>{5, -7});
  CHECK_THROWS_AS(ops::floor_divide(core::constant({int8_t(1)}), core::constant({int8_t(0)})), std::invalid_argument);
  CHECK_THROWS_AS(ops::add(core::constant({int8_t(1)}), core::constant({int16_t(1)})), std::invalid_argument);
}

// keras.backend.result_type in Keras 3.15 (its JAX-style lattice), by hand in its venv.
TEST_CASE("int dtypes: keras_result_type follows Keras's promotion lattice") {
  const DType order[] = {DType::bool_, DType::uint8, DType::uint16, DType::uint32, DType::int8,   DType::int16,
                         DType::int32, DType::int64, DType::float16, DType::bfloat16, DType::float32, DType::float64};
  const char* const table[12][12] = {
      {"bool", "uint8", "uint16", "uint32", "int8", "int16", "int32", "int64", "float16", "bfloat16", "float32", "float64"},
      {"uint8", "uint8", "uint16", "uint32", "int16", "int16", "int32", "int64", "float16", "bfloat16", "float32", "float64"},
      {"uint16", "uint16", "uint16", "uint32", "int32", "int32", "int32", "int64", "float16", "bfloat16", "float32", "float64"},
      {"uint32", "uint32", "uint32", "uint32", "int64", "int64", "int64", "int64", "float16", "bfloat16", "float32", "float64"},
      {"int8", "int16", "int32", "int64", "int8", "int16", "int32", "int64", "float16", "bfloat16", "float32", "float64"},
      {"int16", "int16", "int32", "int64", "int16", "int16", "int32", "int64", "float16", "bfloat16", "float32", "float64"},
      {"int32", "int32", "int32", "int64", "int32", "int32", "int32", "int64", "float16", "bfloat16", "float32", "float64"},
      {"int64", "int64", "int64", "int64", "int64", "int64", "int64", "int64", "float16", "bfloat16", "float32", "float64"},
      {"float16", "float16", "float16", "float16", "float16", "float16", "float16", "float16", "float16", "float32", "float32", "float64"},
      {"bfloat16", "bfloat16", "bfloat16", "bfloat16", "bfloat16", "bfloat16", "bfloat16", "bfloat16", "float32", "bfloat16", "float32", "float64"},
      {"float32", "float32", "float32", "float32", "float32", "float32", "float32", "float32", "float32", "float32", "float32", "float64"},
      {"float64", "float64", "float64", "float64", "float64", "float64", "float64", "float64", "float64", "float64", "float64", "float64"},
  };
  for (int i = 0; i < 12; ++i)
    for (int j = 0; j < 12; ++j) {
      CAPTURE(keras::core::dtype_name(order[i]));
      CAPTURE(keras::core::dtype_name(order[j]));
      CHECK(std::string(keras::core::dtype_name(ops::keras_result_type(order[i], order[j]))) == table[i][j]);
    }
}

TEST_CASE("int dtypes: .npy files hold them as NumPy does") {
  TempDir dir;
  for (const std::string name : kNames) {
    CAPTURE(name);
    const Tensor& a = fixture(name + "_a");
    const std::string path = dir.file(name + ".npy");
    keras::core::save_npy(path, a);
    check_same(keras::core::load_npy(path), a);
  }
}

namespace {
// A layer holding one non-trainable weight of each narrow integer dtype (a quantized
// layer's int8 kernel, say), added to its input's sum.
class IntState : public keras::layers::Layer {
 public:
  IntState() : Layer("IntState") {}
  void build(const keras::ShapeSpec&) override {
    for (const char* name : kNames)
      w.push_back(add_weight(name, Shape{4, 7},
                             {.initializer = keras::initializers::get("zeros"), .trainable = false,
                              .dtype = keras::core::dtype_from_name(name)}));
  }
  Tensor call(const Tensor& x, bool) override {
    Tensor y = x;
    for (const auto& v : w) y = ops::add(y, ops::sum(ops::cast(v.value(), DType::float32)));
    return y;
  }
  std::vector<keras::Variable> w;
};
}  // namespace

TEST_CASE("int dtypes: weights of these dtypes save and load (.kcpp and Keras's .weights.h5)") {
  TempDir dir;
  auto make_model = [] {
    auto m = keras::Sequential({keras::layers::Dense(2, {.input_shape = {3}})});
    m->add(keras::make<IntState>());
    return m;
  };
  auto a = make_model();
  auto* state = dynamic_cast<IntState*>(a->layers().back().get());
  REQUIRE(state != nullptr);
  for (size_t i = 0; i < state->w.size(); ++i) state->w[i].assign(fixture(std::string(kNames[i]) + "_a"));
  for (const std::string file : {"w.kcpp", "w.weights.h5"}) {
    CAPTURE(file);
    a->save_weights(dir.file(file));
    auto b = make_model();
    b->load_weights(dir.file(file));
    auto* loaded = dynamic_cast<IntState*>(b->layers().back().get());
    REQUIRE(loaded != nullptr);
    REQUIRE(loaded->w.size() == 4);
    for (size_t i = 0; i < loaded->w.size(); ++i) check_same(loaded->w[i].value(), state->w[i].value());
  }
}

TEST_CASE("int dtypes: ONNX's element types (onnx.proto's TensorProto.DataType)") {
  using keras::saving::onnx::onnx_elem_type;
  CHECK(onnx_elem_type(DType::int8) == 3);
  CHECK(onnx_elem_type(DType::uint16) == 4);
  CHECK(onnx_elem_type(DType::int16) == 5);
  CHECK(onnx_elem_type(DType::uint32) == 12);
  CHECK(onnx_elem_type(DType::uint8) == 2);
}

TEST_CASE("int dtypes: bitwise ops, gcd, one_hot indices and bincount take them") {
  const Tensor a = core::constant({int8_t(-6), int8_t(5)}), b = core::constant({int8_t(3), int8_t(1)});
  // NumPy: np.bitwise_and(int8[-6, 5], int8[3, 1]) == [2, 1], ^ == [-7, 4], << == [-48, 10],
  // >> == [-1, 2], ~ == [5, -6], gcd == [3, 1].
  check_same(ops::bitwise_and(a, b), core::constant({int8_t(2), int8_t(1)}));
  check_same(ops::bitwise_xor(a, b), core::constant({int8_t(-7), int8_t(4)}));
  check_same(ops::left_shift(a, b), core::constant({int8_t(-48), int8_t(10)}));
  check_same(ops::right_shift(a, b), core::constant({int8_t(-1), int8_t(2)}));
  check_same(ops::bitwise_invert(a), core::constant({int8_t(5), int8_t(-6)}));
  check_same(ops::gcd(a, b), core::constant({int8_t(3), int8_t(1)}));
  check_same(ops::bitwise_or(core::constant({uint16_t(0xF000)}), core::constant({uint16_t(0x000F)})),
             core::constant({uint16_t(0xF00F)}));
  check_values(ops::one_hot(core::constant({int16_t(2), int16_t(0)}), 3), std::vector<double>{0, 0, 1, 1, 0, 0});
  check_values(ops::bincount(core::constant({uint16_t(1), uint16_t(1), uint16_t(3)})), std::vector<double>{0, 2, 0, 1});
}

// Overflow wraps, as TensorFlow's integer kernels (and without signed-overflow UB here: the
// products of two uint16 or int16 promote to unsigned int; CI's sanitizer build checks it).
TEST_CASE("int dtypes: overflow wraps in products, powers, negation and scans") {
  check_values(ops::negative(core::constant({int16_t(-32768), int16_t(5)})), std::vector<double>{-32768, -5});
  check_values(ops::abs(core::constant({int8_t(-128)})), std::vector<double>{-128});
  check_values(ops::square(core::constant({int16_t(-32768), int16_t(300)})), std::vector<double>{0, 24464});
  check_values(ops::multiply(core::constant({uint16_t(65535)}), core::constant({uint16_t(65535)})),
               std::vector<double>{1});
  check_values(ops::power(core::constant({uint16_t(300)}), core::constant({uint16_t(3)})), std::vector<double>{64704});
  check_values(ops::cumprod(core::constant({uint16_t(300), uint16_t(300), uint16_t(300)})),
               std::vector<double>{300, 24464, 64704});
  check_values(ops::negative(core::constant({std::numeric_limits<int32_t>::min()})),
               std::vector<double>{double(std::numeric_limits<int32_t>::min())});
}
