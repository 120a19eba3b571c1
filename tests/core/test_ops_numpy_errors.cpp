// test_ops_numpy_errors.cpp - core/ops_numpy.h: bad inputs raise typed errors naming the
// op, expected and received; empty tensors; boolean masks inside traced functions; and
// the keras.ops names these functions implement (ops_names.h).
#include <stdexcept>
#include <string>

#include "core/function.h"
#include "helpers.h"
#include "ops_names.h"

using namespace th;
using core::Ellipsis;
using core::Slice;

namespace {
Tensor x34() { return ops::reshape(ops::arange(12, std::nullopt, 1, DType::float32), {3, 4}); }
Tensor x234() { return ops::reshape(ops::arange(24, std::nullopt, 1, DType::float32), {2, 3, 4}); }
Tensor v5() { return ops::linspace(-1.0, 1.0, 5); }
}  // namespace

TEST_CASE("ops numpy: bad arguments raise std::invalid_argument naming the op") {
  using E = std::invalid_argument;
  CHECK_THROWS_MSG(ops::arange(0, 5, 0), E, "arange: step must be non-zero");
  CHECK_THROWS_MSG(ops::geomspace(0.0, 1.0), E, "geomspace: expected start and stop of the same sign and non-zero");
  CHECK_THROWS_MSG(ops::tril(v5()), E, "tril: expected x of rank >= 2, but received shape (5,)");
  CHECK_THROWS_MSG(ops::vander(x34()), E, "vander: expected x to be 1-d, but received shape (3, 4)");
  CHECK_THROWS_MSG(ops::diff(x34(), -1), E, "diff: expected order n >= 0, but received -1");
  CHECK_THROWS_MSG(ops::diff(x34(), 1, 2), E, "diff: axis 2 is out of bounds");
  CHECK_THROWS_MSG(ops::rot90(x34(), 1, {0, -2}), E, "rot90: expected two different axes");
  CHECK_THROWS_MSG(ops::fliplr(v5()), E, "fliplr: expected x of rank >= 2");
  CHECK_THROWS_MSG(ops::repeat(x34(), std::vector<int64_t>{1, 2}, 0), E,
                   "repeat: expected one repeat count per element of axis 0 (3, input shape (3, 4))");
  CHECK_THROWS_MSG(ops::repeat(x34(), -1), E, "repeat: expected repeats >= 0");
  CHECK_THROWS_MSG(ops::meshgrid({v5()}, "yx"), E, "meshgrid: expected indexing \"xy\" or \"ij\"");
  CHECK_THROWS_MSG(ops::moveaxis(x234(), {0, 0}, {1, 2}), E, "moveaxis: repeated axis");
  CHECK_THROWS_MSG(ops::split(v5(), std::vector<int64_t>{3, 2}), E,
                   "split: expected increasing split indices in [0, 5]");
  CHECK_THROWS_MSG(ops::split(v5(), 2), E, "split: cannot split axis 0 of size 5 into 2 equal parts");
  CHECK_THROWS_MSG(ops::array_split(v5(), 0), E, "array_split: expected the number of sections to be >= 1");
  CHECK_THROWS_MSG(ops::vsplit(v5(), 1), E, "vsplit: expected x of rank >= 2, but received shape (5,)");
  CHECK_THROWS_MSG(ops::dsplit(x34(), 1), E, "dsplit: expected x of rank >= 3");
  CHECK_THROWS_MSG(ops::concatenate({}), E, "concatenate: expected at least one tensor");
  CHECK_THROWS_MSG(ops::concatenate({x34(), v5()}), E, "concatenate: expected all inputs to have the same rank");
  CHECK_THROWS_MSG(ops::pad(x34(), {{3, 0}, {0, 0}}, "reflect"), E,
                   "pad: mode \"reflect\" can add at most 2 elements on each side of axis 0");
  CHECK_THROWS_MSG(ops::pad(x34(), {{1, 1}, {1, 1}}, "edge"), E, "pad: expected mode \"constant\"");
  CHECK_THROWS_MSG(ops::pad(x34(), {{1, 1}, {1, 1}}, "symmetric", 1.0), E, "pad: constant_values can only be given");
  CHECK_THROWS_MSG(ops::take(x34(), core::constant({0.5})), E,
                   "take: expected indices of dtype int32 or int64, but received dtype float32");
  CHECK_THROWS_AS(ops::take(x34(), core::constant({12})), E);  // out of range (gather's check)
  CHECK_THROWS_MSG(ops::select({x34() > 0.0}, {}), E, "select: expected as many conditions as choices");
  CHECK_THROWS_MSG(ops::select({x34()}, {x34()}), E, "select: expected bool conditions, but condition 0 has dtype float32");
  CHECK_THROWS_MSG(ops::unravel_index(core::constant({1}), {2, 0}), E, "unravel_index: expected a shape of positive");
  CHECK_THROWS_MSG(ops::inner(x34(), ops::ones({4, 2})), E, "inner: expected the last axes to match");
  CHECK_THROWS_MSG(ops::dot(x34(), x34()), E, "dot: expected the last axis of x1 to match axis 0 of x2");
  CHECK_THROWS_MSG(ops::vdot(x34(), v5()), E, "vdot: expected inputs with the same number of elements");
  CHECK_THROWS_MSG(ops::cross(x34(), x34()), E, "cross: expected vectors of dimension 2 or 3");
  CHECK_THROWS_MSG(ops::view(core::constant({1.0, 2.0, 3.0}), DType::float64), E,
                   "view: the last axis of shape (3,) (12 bytes of float32) does not divide");
  CHECK_THROWS_MSG(ops::view(core::constant({2}), DType::bool_), E, "view: byte 0 of the input is 2");
  CHECK_THROWS_MSG(ops::rearrange(x234(), "b h -> h b"), E, "rearrange: the input side names 2 axes");
  CHECK_THROWS_MSG(ops::rearrange(x234(), "b h (w c) -> b h w c", {{"c", 3}}), E, "does not divide by 3");
  CHECK_THROWS_MSG(ops::rearrange(x234(), "b h w -> b h"), E, "every input axis must appear");
  CHECK_THROWS_MSG(ops::rearrange(x234(), "b h w -> b h z"), E, "output axis z is not on the input side");
  CHECK_THROWS_MSG(ops::rearrange(x234(), "b h w"), E, "rearrange: expected one \"->\"");
}

TEST_CASE("ops numpy: get_item's bad keys raise typed errors") {
  Tensor x = x34();
  CHECK_THROWS_MSG(x[5], std::out_of_range, "get_item: index 5 is out of bounds for axis 0 with size 3");
  CHECK_THROWS_MSG((x[{0, -5}]), std::out_of_range, "get_item: index -5 is out of bounds for axis 1 with size 4");
  CHECK_THROWS_MSG((x[{0, 0, 0}]), std::invalid_argument, "get_item: too many indices for a tensor of shape (3, 4)");
  CHECK_THROWS_MSG((x[{Ellipsis, Ellipsis}]), std::invalid_argument, "get_item: an index can only have a single Ellipsis");
  CHECK_THROWS_MSG((x[{Slice(core::None, core::None, 0)}]), std::invalid_argument, "get_item: slice step cannot be zero");
  CHECK_THROWS_MSG((x[{x > 1.0, core::constant({0})}]), std::invalid_argument, "get_item: at most one tensor index");
  CHECK_THROWS_MSG(x[v5() > 0.0], std::invalid_argument,
                   "get_item: the boolean mask of shape (5,) does not match axes 0 to 0 of the indexed tensor's shape "
                   "(3, 4)");
  CHECK_THROWS_MSG(x[x], std::invalid_argument, "get_item: expected a tensor index of dtype bool, int32 or int64");
  // A mask's result shape depends on its values: inside a traced function it raises.
  auto f = core::function([](const Tensor& t) { return t[t > 1.0]; });
  CHECK_THROWS_MSG(f(x), std::invalid_argument, "get_item: boolean mask indexing gives a shape that depends");
  // Everything else traces: one graph serves other values.
  auto g = core::function([](const Tensor& t) { return t[{Slice(1, core::None), -1}]; });
  check_values(g(x), std::vector<double>{7, 11}, 0);
  check_values(g(ops::add(x, x)), std::vector<double>{14, 22}, 0);
}

TEST_CASE("ops numpy: empty tensors") {
  Tensor e = ops::zeros({0, 3});
  CHECK(ops::diff(e, 1, 0).shape() == Shape{0, 3});
  CHECK(ops::diff(ops::zeros({1}), 3).shape() == Shape{0});
  CHECK(ops::roll(e, 2, 0).shape() == Shape{0, 3});
  CHECK(ops::roll(e, 2).shape() == Shape{0, 3});
  CHECK(ops::repeat(ops::zeros({0}), 3).shape() == Shape{0});
  CHECK(ops::repeat(ops::ones({2}), 0).shape() == Shape{0});
  CHECK(ops::take(x34(), ops::zeros({0}, DType::int32)).shape() == Shape{0});
  CHECK(ops::tri(0).shape() == Shape{0, 0});
  CHECK(ops::flip(e).shape() == Shape{0, 3});
  CHECK(ops::tril(e).shape() == Shape{0, 3});
  CHECK(ops::kron(e, ops::ones({2, 2})).shape() == Shape{0, 6});
  CHECK(ops::vander(ops::zeros({0})).shape() == Shape{0, 0});
  CHECK(ops::rearrange(e, "a b -> b a").shape() == Shape{3, 0});
  auto parts = ops::split(e, std::vector<int64_t>{0, 0}, 0);
  REQUIRE(parts.size() == 3);
  for (auto& p : parts) CHECK(p.shape() == Shape{0, 3});
  CHECK(ops::pad(ops::ones({2, 2}), {{1, 1}, {0, 0}}, "reflect").shape() == Shape{4, 2});
  CHECK(e[{Slice(), 1}].shape() == Shape{0});
  CHECK(x34()[x34() > 100.0].shape() == Shape{0});
}

// The keras.ops names of core/ops_numpy.h (the names check: test_ops_names.cpp).
namespace {
Tensor m() { return x34(); }
Tensor one() { return ops::linspace(0.1, 0.9, 4); }
}  // namespace
KERAS_OPS_NAME("append", (void)ops::append(one(), one()));
KERAS_OPS_NAME("arange", (void)ops::arange(0, 10, 2));
KERAS_OPS_NAME("array", (void)ops::array(one(), DType::float64));
KERAS_OPS_NAME("full", (void)ops::full({2, 2}, 3.0));
KERAS_OPS_NAME("empty", (void)ops::empty({2, 2}));
KERAS_OPS_NAME("empty_like", (void)ops::empty_like(m()));
KERAS_OPS_NAME("copy", (void)ops::copy(m()));
KERAS_OPS_NAME("identity", (void)ops::identity(3));
KERAS_OPS_NAME("logspace", (void)ops::logspace(0.0, 1.0, 5));
KERAS_OPS_NAME("geomspace", (void)ops::geomspace(1.0, 8.0, 4));
KERAS_OPS_NAME("tri", (void)ops::tri(3));
KERAS_OPS_NAME("tril", (void)ops::tril(m()));
KERAS_OPS_NAME("triu", (void)ops::triu(m(), 1));
KERAS_OPS_NAME("diagflat", (void)ops::diagflat(one()));
KERAS_OPS_NAME("vander", (void)ops::vander(one()));
KERAS_OPS_NAME("bartlett", (void)ops::bartlett(5));
KERAS_OPS_NAME("blackman", (void)ops::blackman(5));
KERAS_OPS_NAME("hamming", (void)ops::hamming(5));
KERAS_OPS_NAME("hanning", (void)ops::hanning(5));
KERAS_OPS_NAME("kaiser", (void)ops::kaiser(5, 2.0));
KERAS_OPS_NAME("diff", (void)ops::diff(one()));
KERAS_OPS_NAME("roll", (void)ops::roll(m(), 1, 0));
KERAS_OPS_NAME("flip", (void)ops::flip(m()));
KERAS_OPS_NAME("fliplr", (void)ops::fliplr(m()));
KERAS_OPS_NAME("flipud", (void)ops::flipud(m()));
KERAS_OPS_NAME("rot90", (void)ops::rot90(m()));
KERAS_OPS_NAME("repeat", (void)ops::repeat(m(), 2, 1));
KERAS_OPS_NAME("kron", (void)ops::kron(m(), m()));
KERAS_OPS_NAME("meshgrid", (void)ops::meshgrid({one(), one()}));
KERAS_OPS_NAME("moveaxis", (void)ops::moveaxis(m(), 0, 1));
KERAS_OPS_NAME("swapaxes", (void)ops::swapaxes(m(), 0, 1));
KERAS_OPS_NAME("ravel", (void)ops::ravel(m()));
KERAS_OPS_NAME("array_split", (void)ops::array_split(one(), 3));
KERAS_OPS_NAME("hsplit", (void)ops::hsplit(m(), 2));
KERAS_OPS_NAME("vsplit", (void)ops::vsplit(m(), 3));
KERAS_OPS_NAME("dsplit", (void)ops::dsplit(ops::reshape(m(), {1, 3, 4}), 2));
KERAS_OPS_NAME("hstack", (void)ops::hstack({m(), m()}));
KERAS_OPS_NAME("vstack", (void)ops::vstack({m(), m()}));
KERAS_OPS_NAME("dstack", (void)ops::dstack({m(), m()}));
KERAS_OPS_NAME("concatenate", (void)ops::concatenate({m(), m()}, 1));
KERAS_OPS_NAME("take", (void)ops::take(m(), core::constant({0, -1})));
KERAS_OPS_NAME("select", (void)ops::select({m() > 3.0}, {m()}));
KERAS_OPS_NAME("unravel_index", (void)ops::unravel_index(core::constant({5}), {2, 3}));
KERAS_OPS_NAME("rearrange", (void)ops::rearrange(m(), "a b -> b a"));
KERAS_OPS_NAME("get_item", (void)ops::get_item(m(), {Slice(1, core::None), 0}));
KERAS_OPS_NAME("inner", (void)ops::inner(m(), m()));
KERAS_OPS_NAME("dot", (void)ops::dot(m(), ops::transpose(m())));
KERAS_OPS_NAME("vdot", (void)ops::vdot(m(), m()));
KERAS_OPS_NAME("cross", (void)ops::cross(ops::ones({3}), ops::ones({3})));
KERAS_OPS_NAME("ndim", (void)ops::ndim(m()));
KERAS_OPS_NAME("shape", (void)ops::shape(m()));
KERAS_OPS_NAME("dtype", (void)ops::dtype(m()));
KERAS_OPS_NAME("convert_to_tensor", (void)ops::convert_to_tensor(m()));
KERAS_OPS_NAME("convert_to_numpy", (void)ops::convert_to_numpy<float>(m()));
KERAS_OPS_NAME("is_tensor", (void)ops::is_tensor(m()));
KERAS_OPS_NAME("saturate_cast", (void)ops::saturate_cast(m(), DType::uint8));
KERAS_OPS_NAME("view", (void)ops::view(m(), DType::int32));
KERAS_OPS_NAME("stop_gradient", (void)ops::stop_gradient(m()));
KERAS_OPS_NAME("custom_gradient",
               (void)ops::custom_gradient(
                   {m()}, [](const std::vector<Tensor>& in) { return ops::square(in[0]); },
                   [](const std::vector<Tensor>& in, const Tensor&, const Tensor& up) {
                     return std::vector<Tensor>{ops::multiply(up, in[0] * 2.0)};
                   }));
