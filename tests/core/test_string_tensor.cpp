// String tensors in the engine: creation, element access, printing, the ops that move
// elements, equality, and the typed errors of every other op (TensorFlow's behaviour).
#include <sstream>

#include "../error_of.h"
#include "core/npy.h"
#include "core/tensor_impl.h"
#include "helpers.h"

using namespace th;
using core::Slice;
using core::RaggedTensor;

namespace {
std::vector<std::string> strs(const Tensor& t) { return t.to_vector<std::string>(); }
using V = std::vector<std::string>;
}  // namespace

TEST_CASE("string tensors: creation and element access") {
  Tensor a = core::constant({"a", "bc"});
  CHECK(a.dtype() == DType::string);
  CHECK(a.shape() == Shape{2});
  CHECK(strs(a) == V{"a", "bc"});
  CHECK(std::string(core::dtype_name(DType::string)) == "string");
  CHECK(core::dtype_from_name("string") == DType::string);
  CHECK(core::dtype_size(DType::string) == 0);

  Tensor s = core::constant("hello");
  CHECK(s.shape() == Shape{});
  CHECK(s.item<std::string>() == "hello");
  CHECK(core::constant(std::string("x\0y", 3)).item<std::string>() == std::string("x\0y", 3));  // bytes as they are

  Tensor m = core::constant({{"a", "b", "c"}, {"d", "e", "f"}});
  CHECK(m.shape() == Shape{2, 3});
  CHECK(strs(m) == V{"a", "b", "c", "d", "e", "f"});
  CHECK_THROWS_AS(core::constant({{"a", "b"}, {"c"}}), std::invalid_argument);  // ragged lists

  Tensor v = core::constant(V{"p", "q", "r", "s"}, Shape{2, 2});
  CHECK(v.shape() == Shape{2, 2});
  CHECK(core::constant(V{"x"}).shape() == Shape{1});
  CHECK(core::constant({std::string("a"), std::string("b")}).dtype() == DType::string);
  CHECK_THROWS_AS(core::constant(V{"p"}, Shape{2}), std::invalid_argument);
  CHECK(core::constant(V{}).shape() == Shape{0});

  // Numeric literals keep their dtypes (the string overloads never win for numbers).
  CHECK(core::constant({0, 0}).dtype() == DType::int32);
  CHECK(core::constant({{0}, {1}}).shape() == Shape{2, 1});
  CHECK(core::constant(0).dtype() == DType::int32);
}

TEST_CASE("string tensors: item and conversions raise typed errors") {
  Tensor s = core::constant("3");
  CHECK_THROWS_AS(s.item<int>(), core::ConversionError);
  CHECK_THROWS_AS(s.item<double>(), core::ConversionError);
  CHECK_THROWS_AS(core::constant(3).item<std::string>(), core::ConversionError);
  CHECK_THROWS_AS(core::constant({"a", "b"}).item<std::string>(), std::invalid_argument);
  CHECK_THROWS_AS(s.to_vector<float>(), std::invalid_argument);
  CHECK_THROWS_AS(core::constant(1.5, DType::string), core::ConversionError);
  CHECK_THROWS_AS(core::constant({1, 2}, DType::string), core::ConversionError);
  CHECK_THROWS_AS(ops::cast(s, DType::float32), std::invalid_argument);            // TF: Cast string to float is not supported
  CHECK_THROWS_AS(ops::cast(core::constant(1.0), DType::string), std::invalid_argument);
  const std::string e = error_of([&] { ops::cast(s, DType::float32); });
  CHECK(e.find("dtype string") != std::string::npos);
  CHECK_THROWS_AS(s.to(core::Device::cuda(0)), std::invalid_argument);  // strings live on the host
  CHECK_THROWS_AS(core::empty(Shape{2}, DType::string, core::Device::cuda(0)), std::invalid_argument);
}

TEST_CASE("string tensors: printed as TensorFlow prints them") {
  CHECK(core::constant({"a", "bc"}).str() == "tf.Tensor([b'a' b'bc'], shape=(2,), dtype=string)");
  CHECK(core::constant("it's").str() == "tf.Tensor(b\"it's\", shape=(), dtype=string)");
  CHECK(core::constant({{"a", "bcd"}, {"cc", "d"}}).str() ==
        "tf.Tensor(\n[[b'a' b'bcd']\n [b'cc' b'd']], shape=(2, 2), dtype=string)");
  CHECK(core::constant(std::string("\x00\xff\n\\", 4)).values_str() == "b'\\x00\\xff\\n\\\\'");
  std::ostringstream os;
  os << core::constant({"x"});
  CHECK(os.str() == "tf.Tensor([b'x'], shape=(1,), dtype=string)");
  // (tests/core/test_strings_fixture.cpp checks more against TensorFlow's own text.)
}

TEST_CASE("string tensors: ops that move elements") {
  Tensor m = core::constant({{"a", "b", "c"}, {"d", "e", "f"}});
  CHECK(strs(ops::reshape(m, {3, 2})) == V{"a", "b", "c", "d", "e", "f"});
  CHECK(ops::reshape(m, {3, 2}).shape() == Shape{3, 2});
  CHECK(strs(ops::transpose(m)) == V{"a", "d", "b", "e", "c", "f"});
  CHECK(strs(m[1]) == V{"d", "e", "f"});
  CHECK(m[{1, 2}].item<std::string>() == "f");
  CHECK(strs(m[{Slice(), Slice(core::None, core::None, -1)}]) == V{"c", "b", "a", "f", "e", "d"});
  CHECK(strs(ops::gather(m, core::constant({2, 0}), 1)) == V{"c", "a", "f", "d"});
  CHECK(strs(ops::concat({m, core::constant({{"g", "h", "i"}})}, 0)) == V{"a", "b", "c", "d", "e", "f", "g", "h", "i"});
  Tensor st = ops::stack({core::constant({"a", "b"}), core::constant({"c", "d"})}, 1);
  CHECK(st.shape() == Shape{2, 2});
  CHECK(strs(st) == V{"a", "c", "b", "d"});
  CHECK(ops::expand_dims(m, 0).shape() == Shape{1, 2, 3});
  CHECK(strs(ops::squeeze(core::constant({{"z"}}))) == V{"z"});  // one-element rows
  CHECK(core::constant({{"a"}, {"b"}}).shape() == Shape{2, 1});
  CHECK(strs(ops::tile(core::constant({"x", "y"}), {2})) == V{"x", "y", "x", "y"});
  CHECK(strs(ops::broadcast_to(core::constant({"x", "y"}), Shape{2, 2})) == V{"x", "y", "x", "y"});
  Tensor w = ops::where(core::constant({true, false}), core::constant({"y1", "y2"}), core::constant({"n1", "n2"}));
  CHECK(strs(w) == V{"y1", "n2"});
  CHECK(ops::size(m).item<int>() == 6);
  // The views share the strings but never change the original.
  Tensor r = ops::reshape(m, {6});
  CHECK(strs(m)[0] == "a");
  CHECK(strs(r)[5] == "f");
}

TEST_CASE("string tensors: equal and not_equal compare the bytes, with broadcasting") {
  Tensor a = core::constant({"a", "b", ""});
  CHECK(ops::equal(a, core::constant("a")).to_vector<bool>() == std::vector<bool>{true, false, false});
  CHECK((a != core::constant({"a", "c", ""})).to_vector<bool>() == std::vector<bool>{false, true, false});
  CHECK_THROWS_AS(ops::equal(a, core::constant({1, 2, 3})), std::invalid_argument);
}

TEST_CASE("string tensors: every other op raises naming the op and dtype string") {
  Tensor a = core::constant({"1", "2"});
  // An op's own dtype check speaks first; an op without one reaches dispatch's message.
  CHECK(error_of([&] { ops::add(a, a); }) ==
        "add: expected x to have dtype float32, float64, int8, int16, int32, int64, uint8, uint16 or uint32, but received dtype string (shape (2,))");
  for (auto f : {+[](const Tensor& x) { return ops::abs(x); }, +[](const Tensor& x) { return ops::exp(x); },
                 +[](const Tensor& x) { return ops::sum(x); }, +[](const Tensor& x) { return ops::sort(x); },
                 +[](const Tensor& x) { return ops::cumsum(x); }, +[](const Tensor& x) { return ops::softmax(x); }}) {
    const std::string e = error_of([&] { f(a); });
    CHECK_MESSAGE(e.find("but received dtype string") != std::string::npos, e);
  }
  CHECK(error_of([&] { ops::cast(a, DType::float32); }) == "cast: no kernel for device CPU:0 and dtype string");
  CHECK(error_of([&] { ops::cast(core::constant(1.0), DType::string); }) ==
        "cast: no kernel for device CPU:0 and dtype string");
  CHECK_THROWS_AS(ops::fill(Shape{2}, 0.0, DType::string), core::ConversionError);
  CHECK(strs(ops::reverse(a, {0})) == V{"2", "1"});
  CHECK_THROWS_AS(a + a, std::invalid_argument);
  CHECK_THROWS_AS(ops::sum(a), std::invalid_argument);
  CHECK_THROWS_AS(ops::exp(a), std::invalid_argument);
  CHECK_THROWS_AS(ops::sort(a), std::invalid_argument);
  CHECK_THROWS_AS(ops::less(a, a), std::invalid_argument);
  CHECK_THROWS_AS(ops::unique(a), std::invalid_argument);
  CHECK_THROWS_AS(ops::matmul(ops::reshape(a, {1, 2}), ops::reshape(a, {2, 1})), std::invalid_argument);
  // Mixed dtypes raise as in TensorFlow (concat's "expected to be a string tensor").
  CHECK_THROWS_AS(ops::concat({a, core::constant({1})}, 0), std::invalid_argument);
  CHECK_THROWS_AS(ops::where(core::constant({true, false}), a, core::constant({1, 2})), std::invalid_argument);
  CHECK_THROWS_AS(core::Variable(a, "v"), std::invalid_argument);
  CHECK_THROWS_AS(core::save_npy("/nonexistent/never_written.npy", a), std::invalid_argument);
}

TEST_CASE("strings::split: a RaggedTensor of string rows") {
  RaggedTensor r = core::strings::split(core::constant({"a b", "", "c"}));
  CHECK(r.nrows() == 3);
  CHECK(r.ragged_rank() == 1);
  CHECK(strs(r.flat_values()) == V{"a", "b", "c"});
  CHECK(r.row_splits().to_vector<int64_t>() == std::vector<int64_t>{0, 2, 2, 3});
  CHECK(r.row_lengths().to_vector<int64_t>() == std::vector<int64_t>{2, 0, 1});
}
