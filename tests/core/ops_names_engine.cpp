// The keras.ops names the engine had before the keras.ops breadth work (see ops_names.h):
// elementwise, reductions, shapes, nn, convolution, linear algebra, control flow, images.
#include "core/control_flow.h"
#include "core/conv_variants.h"
#include "core/image_ops.h"
#include "keras/keras.h"
#include "ops_names.h"

namespace {
namespace ops = keras::ops;
using keras::Tensor;
Tensor v() { return ops::linspace(0.1, 0.9, 4); }
Tensor m() { return ops::add(ops::eye(3), ops::fill({3, 3}, 0.25)); }
Tensor i32() { return ops::range(4); }
}  // namespace

// elementwise unary
KERAS_OPS_NAME("abs", (void)ops::abs(v()));
KERAS_OPS_NAME("sign", (void)ops::sign(v()));
KERAS_OPS_NAME("exp", (void)ops::exp(v()));
KERAS_OPS_NAME("expm1", (void)ops::expm1(v()));
KERAS_OPS_NAME("log", (void)ops::log(v()));
KERAS_OPS_NAME("log1p", (void)ops::log1p(v()));
KERAS_OPS_NAME("sqrt", (void)ops::sqrt(v()));
KERAS_OPS_NAME("rsqrt", (void)ops::rsqrt(v()));
KERAS_OPS_NAME("square", (void)ops::square(v()));
KERAS_OPS_NAME("reciprocal", (void)ops::reciprocal(v()));
KERAS_OPS_NAME("sin", (void)ops::sin(v()));
KERAS_OPS_NAME("cos", (void)ops::cos(v()));
KERAS_OPS_NAME("tanh", (void)ops::tanh(v()));
KERAS_OPS_NAME("sigmoid", (void)ops::sigmoid(v()));
KERAS_OPS_NAME("relu", (void)ops::relu(v()));
KERAS_OPS_NAME("relu6", (void)ops::relu6(v()));
KERAS_OPS_NAME("leaky_relu", (void)ops::leaky_relu(v(), 0.2));
KERAS_OPS_NAME("elu", (void)ops::elu(v(), 1.0));
KERAS_OPS_NAME("selu", (void)ops::selu(v()));
KERAS_OPS_NAME("gelu", (void)ops::gelu(v(), true));
KERAS_OPS_NAME("silu", (void)ops::silu(v()));
KERAS_OPS_NAME("softplus", (void)ops::softplus(v()));
KERAS_OPS_NAME("softsign", (void)ops::softsign(v()));
KERAS_OPS_NAME("floor", (void)ops::floor(v()));
KERAS_OPS_NAME("ceil", (void)ops::ceil(v()));
KERAS_OPS_NAME("round", (void)ops::round(v()));
KERAS_OPS_NAME("isnan", (void)ops::isnan(v()));
KERAS_OPS_NAME("isfinite", (void)ops::isfinite(v()));
KERAS_OPS_NAME("logical_not", (void)ops::logical_not(ops::isnan(v())));
KERAS_OPS_NAME("cast", (void)ops::cast(v(), keras::DType::float64));

// elementwise binary
KERAS_OPS_NAME("add", (void)ops::add(v(), v()));
KERAS_OPS_NAME("subtract", (void)ops::subtract(v(), v()));
KERAS_OPS_NAME("multiply", (void)ops::multiply(v(), v()));
KERAS_OPS_NAME("divide", (void)ops::divide(v(), v()));
KERAS_OPS_NAME("floor_divide", (void)ops::floor_divide(i32(), ops::fill({4}, 2, keras::DType::int32)));
KERAS_OPS_NAME("mod", (void)ops::mod(v(), v()));
KERAS_OPS_NAME("power", (void)ops::power(v(), v()));
KERAS_OPS_NAME("maximum", (void)ops::maximum(v(), v()));
KERAS_OPS_NAME("minimum", (void)ops::minimum(v(), v()));
KERAS_OPS_NAME("equal", (void)ops::equal(v(), v()));
KERAS_OPS_NAME("not_equal", (void)ops::not_equal(v(), v()));
KERAS_OPS_NAME("less", (void)ops::less(v(), v()));
KERAS_OPS_NAME("less_equal", (void)ops::less_equal(v(), v()));
KERAS_OPS_NAME("greater", (void)ops::greater(v(), v()));
KERAS_OPS_NAME("greater_equal", (void)ops::greater_equal(v(), v()));
KERAS_OPS_NAME("logical_and", (void)ops::logical_and(ops::isnan(v()), ops::isfinite(v())));
KERAS_OPS_NAME("logical_or", (void)ops::logical_or(ops::isnan(v()), ops::isfinite(v())));
KERAS_OPS_NAME("where", (void)ops::where(ops::isfinite(v()), v(), v()));
KERAS_OPS_NAME("clip", (void)ops::clip(v(), 0.2, 0.5));

// reductions
KERAS_OPS_NAME("sum", (void)ops::sum(m(), {0}));
KERAS_OPS_NAME("mean", (void)ops::mean(m(), {1}, true));
KERAS_OPS_NAME("max", (void)ops::max(m()));
KERAS_OPS_NAME("min", (void)ops::min(m()));
KERAS_OPS_NAME("prod", (void)ops::prod(m()));
KERAS_OPS_NAME("all", (void)ops::all(ops::isfinite(m())));
KERAS_OPS_NAME("any", (void)ops::any(ops::isnan(m())));
KERAS_OPS_NAME("logsumexp", (void)ops::logsumexp(m(), {-1}));
KERAS_OPS_NAME("std", (void)ops::std(m()));
KERAS_OPS_NAME("argmax", (void)ops::argmax(m()));
KERAS_OPS_NAME("argmin", (void)ops::argmin(m()));

// creation
KERAS_OPS_NAME("zeros", (void)ops::zeros({2, 3}));
KERAS_OPS_NAME("ones", (void)ops::ones({2, 3}));
KERAS_OPS_NAME("zeros_like", (void)ops::zeros_like(v()));
KERAS_OPS_NAME("ones_like", (void)ops::ones_like(v()));
KERAS_OPS_NAME("full_like", (void)ops::full_like(v(), 2.0));
KERAS_OPS_NAME("size", (void)ops::size(m()));
KERAS_OPS_NAME("linspace", (void)ops::linspace(0, 1, 5));
KERAS_OPS_NAME("eye", (void)ops::eye(3));
KERAS_OPS_NAME("one_hot", (void)ops::one_hot(i32(), 5));

// linear algebra
KERAS_OPS_NAME("matmul", (void)ops::matmul(m(), m()));
KERAS_OPS_NAME("tensordot", (void)ops::tensordot(m(), m(), 1));
KERAS_OPS_NAME("einsum", (void)ops::einsum("ij,jk->ik", m(), m()));
KERAS_OPS_NAME("inv", (void)ops::inv(m()));
KERAS_OPS_NAME("solve", (void)ops::solve(m(), m()));
KERAS_OPS_NAME("solve_triangular", (void)ops::solve_triangular(m(), m(), true));
KERAS_OPS_NAME("det", (void)ops::det(m()));
KERAS_OPS_NAME("slogdet", (void)ops::slogdet(m()));
KERAS_OPS_NAME("cholesky", (void)ops::cholesky(m()));
KERAS_OPS_NAME("cholesky_inverse", (void)ops::cholesky_inverse(ops::cholesky(m())));
KERAS_OPS_NAME("lu_factor", (void)ops::lu_factor(m()));
KERAS_OPS_NAME("qr", (void)ops::qr(m()));
KERAS_OPS_NAME("svd", (void)ops::svd(m()));
KERAS_OPS_NAME("eigh", (void)ops::eigh(m()));
KERAS_OPS_NAME("lstsq", (void)ops::lstsq(m(), m()));
KERAS_OPS_NAME("pinv", (void)ops::pinv(m()));
KERAS_OPS_NAME("matrix_rank", (void)ops::matrix_rank(m()));
KERAS_OPS_NAME("norm", (void)ops::norm(m()));
KERAS_OPS_NAME("trace", (void)ops::trace(m()));
KERAS_OPS_NAME("diagonal", (void)ops::diagonal(m()));
KERAS_OPS_NAME("diag", (void)ops::diag(v()));
KERAS_OPS_NAME("outer", (void)ops::outer(v(), v()));

// shapes and data movement
KERAS_OPS_NAME("reshape", (void)ops::reshape(m(), {9}));
KERAS_OPS_NAME("transpose", (void)ops::transpose(m()));
KERAS_OPS_NAME("expand_dims", (void)ops::expand_dims(v(), 0));
KERAS_OPS_NAME("squeeze", (void)ops::squeeze(ops::expand_dims(v(), 0)));
KERAS_OPS_NAME("stack", (void)ops::stack({v(), v()}));
KERAS_OPS_NAME("unstack", (void)ops::unstack(m()));
KERAS_OPS_NAME("split", (void)ops::split(v(), 2));
KERAS_OPS_NAME("slice", (void)ops::slice(m(), {0, 1}, {2, 2}));
KERAS_OPS_NAME("take_along_axis", (void)ops::take_along_axis(v(), ops::range(2), 0));
KERAS_OPS_NAME("tile", (void)ops::tile(v(), {2}));
KERAS_OPS_NAME("broadcast_to", (void)ops::broadcast_to(v(), keras::Shape({2, 4})));
KERAS_OPS_NAME("pad", (void)ops::pad(v(), {{1, 1}}));
KERAS_OPS_NAME("sort", (void)ops::sort(v()));
KERAS_OPS_NAME("argsort", (void)ops::argsort(v()));
KERAS_OPS_NAME("top_k", (void)ops::top_k(v(), 2));

// neural networks, convolutions, images
KERAS_OPS_NAME("softmax", (void)ops::softmax(m()));
KERAS_OPS_NAME("log_softmax", (void)ops::log_softmax(m()));
KERAS_OPS_NAME("ctc_loss", (void)ops::ctc_loss(ops::ones({1, 1}, keras::DType::int32), ops::zeros({1, 3, 3}),
                                               ops::ones({1}, keras::DType::int32),
                                               ops::fill({1}, 3, keras::DType::int32)));
KERAS_OPS_NAME("conv", (void)ops::conv(ops::ones({1, 5, 5, 2}), ops::ones({3, 3, 2, 4})));
KERAS_OPS_NAME("conv_transpose", (void)ops::conv_transpose(ops::ones({1, 5, 5, 2}), ops::ones({3, 3, 4, 2})));
KERAS_OPS_NAME("depthwise_conv", (void)ops::depthwise_conv(ops::ones({1, 5, 5, 2}), ops::ones({3, 3, 2, 1})));
KERAS_OPS_NAME("separable_conv", (void)ops::separable_conv(ops::ones({1, 5, 5, 2}), ops::ones({3, 3, 2, 1}),
                                                           ops::ones({1, 1, 2, 4})));
KERAS_OPS_NAME("max_pool", (void)ops::max_pool(ops::ones({1, 4, 4, 1}), 2));
KERAS_OPS_NAME("average_pool", (void)ops::average_pool(ops::ones({1, 4, 4, 1}), 2));
KERAS_OPS_NAME("image.resize", (void)ops::image::resize(ops::ones({4, 4, 1}), {2, 2}));
KERAS_OPS_NAME("image.affine_transform",
               (void)ops::image::affine_transform(ops::ones({4, 4, 1}),
                                                  keras::constant({1.0f, 0.f, 0.f, 0.f, 1.f, 0.f, 0.f, 0.f})));

// control flow
KERAS_OPS_NAME("cond", (void)ops::cond(ops::isnan(ops::zeros({})), [] { return v(); }, [] { return v(); }));
KERAS_OPS_NAME("while_loop",
               (void)ops::while_loop([](const std::vector<Tensor>& s) { return ops::less(s[0], ops::fill({}, 3, keras::DType::int32)); },
                                     [](const std::vector<Tensor>& s) { return std::vector<Tensor>{s[0] + 1}; },
                                     {ops::zeros({}, keras::DType::int32)}));
