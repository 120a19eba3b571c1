// test_device_following.cpp - composed ops make their helper tensors where their inputs
// live, not on the current device (core/device_scope.h's rule), checked without a GPU:
// inside detail::UncheckedDeviceScope(Device::cuda(0)) a tensor placed by the scope fails
// to allocate, so an op on CPU inputs succeeds only if everything it makes follows them.
#include <doctest/doctest.h>

#include <functional>
#include <string>
#include <vector>

#include "core/batch_norm.h"
#include "core/conv_variants.h"
#include "core/cuda_backend.h"
#include "core/device_scope.h"
#include "core/device_scope_testing.h"
#include "core/functional_ops.h"
#include "core/sparse.h"
#include "helpers.h"

using namespace th;

namespace {

using Outs = std::vector<Tensor>;
using Tensors = std::vector<Tensor>;
struct Case {
  std::string name;
  std::function<Outs()> run;
};

// The inputs, made on the CPU outside any scope.
struct Inputs {
  Tensor a = make(uniform(12, -2, 2, 1), {3, 4});
  Tensor b = make(uniform(12, -2, 2, 2), {3, 4});
  Tensor pos = make(uniform(12, 0.5, 2, 3), {3, 4});
  Tensor v = make(uniform(4, -1, 1, 4), {4});
  Tensor m = make({4, 1, 0.5, 1, 3, 0.2, 0.5, 0.2, 2}, {3, 3});  // symmetric positive definite
  Tensor rhs = make(uniform(6, -1, 1, 5), {3, 2});
  Tensor ids = make({0, 0, 2}, {3}, DType::int32);
  Tensor labels = make({1, 0, 3}, {3}, DType::int32);
  Tensor ints = make({3, 1, 4, 1, 5, 9}, {6}, DType::int32);
  Tensor img = make(uniform(432, 0, 1, 6), {1, 12, 12, 3});
  Tensor img2 = make(uniform(432, 0, 1, 7), {1, 12, 12, 3});
  Tensor signal = make(uniform(32, -1, 1, 8), {32});
  Tensor seq = make(uniform(24, -1, 1, 9), {2, 3, 4});
  Tensor probs = ops::softmax(make(uniform(12, -2, 2, 10), {3, 4}));
  Tensor onehot = ops::one_hot(make({1, 0, 3}, {3}, DType::int32), 4);
  Tensor nan = make({1, NAN, 3, 4, NAN, 6}, {2, 3});
  Tensor kernel = make(uniform(54, -1, 1, 11), {3, 3, 3, 2});
  Tensor dkernel = make(uniform(18, -1, 1, 12), {2, 3, 3, 1});
  Tensor ctc_target = make({1, 2, 2, 0}, {2, 2}, DType::int32);
  Tensor ctc_target_len = make({2, 1}, {2}, DType::int32);
  Tensor ctc_out_len = make({3, 2}, {2}, DType::int32);
};

std::vector<Case> cases(const Inputs& in) {
  namespace img = ops::image;
  const Inputs& I = in;
  std::vector<Case> c = {
      // segment and scatter ops
      {"scatter", [&] { return Outs{ops::scatter(ops::reshape(I.ids, {3, 1}), ops::slice(I.v, {0}, {3}), {4})}; }},
      {"scatter_update", [&] { return Outs{ops::scatter_update(I.v, ops::reshape(I.ids, {3, 1}), ops::slice(I.v, {1}, {3}))}; }},
      {"scatter_update add", [&] { return Outs{ops::scatter_update(I.v, ops::reshape(I.ids, {3, 1}), ops::slice(I.v, {1}, {3}), "add")}; }},
      {"slice_update", [&] { return Outs{ops::slice_update(I.a, {1, 1}, ops::slice(I.b, {0, 0}, {2, 2}))}; }},
      {"segment_sum", [&] { return Outs{ops::segment_sum(I.a, I.ids, 3)}; }},
      {"segment_max", [&] { return Outs{ops::segment_max(I.a, I.ids, 3)}; }},
      {"segment_min", [&] { return Outs{ops::segment_min(I.a, I.ids, std::nullopt, true)}; }},
      {"segment_prod", [&] { return Outs{ops::segment_prod(I.a, I.ids)}; }},
      {"unsorted_segment_sum", [&] { return Outs{ops::unsorted_segment_sum(I.a, I.ids, 3)}; }},
      // activations and nn composites
      {"sparsemax", [&] { return Outs{ops::sparsemax(I.a)}; }},
      {"glu", [&] { return Outs{ops::glu(I.a)}; }},
      {"celu", [&] { return Outs{ops::celu(I.a)}; }},
      {"hard_silu", [&] { return Outs{ops::hard_silu(I.a)}; }},
      {"log_sigmoid", [&] { return Outs{ops::log_sigmoid(I.a)}; }},
      {"soft_shrink", [&] { return Outs{ops::soft_shrink(I.a)}; }},
      {"squareplus", [&] { return Outs{ops::squareplus(I.a)}; }},
      {"threshold", [&] { return Outs{ops::threshold(I.a, 0.1, 7.0)}; }},
      {"gelu", [&] { return Outs{ops::gelu(I.a, false)}; }},
      {"softmax", [&] { return Outs{ops::softmax(I.a), ops::log_softmax(I.a)}; }},
      {"binary_crossentropy", [&] { return Outs{ops::binary_crossentropy(ops::sigmoid(I.b), ops::sigmoid(I.a))}; }},
      {"categorical_crossentropy", [&] { return Outs{ops::categorical_crossentropy(I.onehot, I.probs)}; }},
      {"sparse_categorical_crossentropy", [&] { return Outs{ops::sparse_categorical_crossentropy(I.labels, I.probs)}; }},
      {"sparse_softmax_cross_entropy", [&] { return Outs{ops::sparse_softmax_cross_entropy_with_logits(I.labels, I.a)}; }},
      {"layer_normalization", [&] { return Outs{ops::layer_normalization(I.a)}; }},
      {"rms_normalization", [&] { return Outs{ops::rms_normalization(I.a)}; }},
      {"normalize", [&] { return Outs{ops::normalize(I.a)}; }},
      {"multi_hot", [&] { return Outs{ops::multi_hot(ops::reshape(I.labels, {3, 1}), 5)}; }},
      {"one_hot", [&] { return Outs{ops::one_hot(I.labels, 4)}; }},
      {"in_top_k", [&] { return Outs{ops::in_top_k(I.labels, I.a, 2)}; }},
      {"psnr", [&] { return Outs{ops::psnr(I.img, I.img2, 1.0)}; }},
      {"dot_product_attention", [&] { Tensor q = ops::reshape(I.seq, {1, 3, 2, 4}); return Outs{ops::dot_product_attention(q, q, q, {.is_causal = true})}; }},
      {"extract_sequences", [&] { return Outs{ops::extract_sequences(I.signal, 8, 4)}; }},
      {"depth_to_space", [&] { return Outs{ops::space_to_depth(ops::depth_to_space(ops::reshape(I.img, {1, 6, 6, 12}), 2), 2)}; }},
      {"top_k", [&] { auto t = ops::top_k(I.a, 2); return Outs{t.values, t.indices}; }},
      // numpy-style ops
      {"tril/triu", [&] { return Outs{ops::tril(I.a, 1), ops::triu(I.a, -1)}; }},
      {"diagflat", [&] { return Outs{ops::diagflat(I.v, 1)}; }},
      {"vander", [&] { return Outs{ops::vander(I.v)}; }},
      {"diff", [&] { return Outs{ops::diff(I.a, 2)}; }},
      {"roll", [&] { return Outs{ops::roll(I.a, 3)}; }},
      {"repeat", [&] { return Outs{ops::repeat(I.a, 2, 1)}; }},
      {"kron", [&] { return Outs{ops::kron(I.m, I.rhs)}; }},
      {"meshgrid", [&] { return ops::meshgrid({I.v, I.ids}); }},
      {"take", [&] { return Outs{ops::take(I.a, I.ids, 1)}; }},
      {"select", [&] { return Outs{ops::select({ops::greater(I.a, I.b)}, {I.a}, 5.0)}; }},
      {"unravel_index", [&] { return ops::unravel_index(I.ints, {2, 5}); }},
      {"cross", [&] { return Outs{ops::cross(ops::slice(I.a, {0, 0}, {3, 3}), ops::slice(I.b, {0, 0}, {3, 3}))}; }},
      {"inner/dot/vdot", [&] { return Outs{ops::inner(I.a, I.b), ops::dot(I.a, ops::transpose(I.b)), ops::vdot(I.a, I.b)}; }},
            {"append", [&] { return Outs{ops::append(I.a, I.b)}; }},
      {"pad", [&] { return Outs{ops::pad(I.a, {{1, 2}, {0, 1}})}; }},
      {"argpartition", [&] { return Outs{ops::argpartition(I.a, 1)}; }},
      {"sort/argsort", [&] { return Outs{ops::sort(I.a), ops::argsort(I.a)}; }},
      {"nan reductions", [&] { return Outs{ops::nansum(I.nan), ops::nanmean(I.nan, {1}), ops::nanvar(I.nan), ops::nanmax(I.nan, {0}), ops::nanargmax(I.nan, 1), ops::nancumsum(I.nan, 1)}; }},
      {"median/quantile", [&] { return Outs{ops::median(I.a, {1}), ops::quantile(I.a, 0.3, {0}), ops::percentile(I.a, 70.0), ops::nanmedian(I.nan), ops::percentile(I.a, ops::reshape(I.ids, {3})), ops::nanpercentile(I.nan, 40.0)}; }},
      {"cumsum/cumprod", [&] { return Outs{ops::cumsum(I.a, 1), ops::cumprod(I.a, 0)}; }},
      {"average", [&] { return Outs{ops::average(I.a, {1}, I.v)}; }},
      {"count_nonzero/ptp", [&] { return Outs{ops::count_nonzero(I.ints), ops::ptp(I.a, {1})}; }},
      {"searchsorted", [&] { return Outs{ops::searchsorted(ops::sort(I.v), ops::reshape(I.b, {12}))}; }},
      {"digitize", [&] { return Outs{ops::digitize(I.a, {-1.0, 0.0, 1.0})}; }},
      {"isin", [&] { return Outs{ops::isin(I.ints, I.ids)}; }},
      {"bincount", [&] { return Outs{ops::bincount(I.ints), ops::bincount(ops::reshape(I.ints, {2, 3}))}; }},
      {"histogram", [&] { auto h = ops::histogram(I.signal, 5); auto r = ops::histogram(I.signal, 4, std::make_pair(-0.5, 0.5)); return Outs{h.counts, h.bin_edges, r.counts, r.bin_edges}; }},
      {"nonzero", [&] { return ops::nonzero(I.ints); }},
      {"trapezoid", [&] { return Outs{ops::trapezoid(I.a)}; }},
      {"corrcoef", [&] { return Outs{ops::corrcoef(I.a)}; }},
      {"correlate", [&] { return Outs{ops::correlate(I.signal, I.v, "full")}; }},
      {"cdist", [&] { return Outs{ops::cdist(I.a, I.b)}; }},
      {"logdet", [&] { return Outs{ops::logdet(I.m)}; }},
      {"isclose", [&] { return Outs{ops::isclose(I.a, I.b), ops::allclose(I.a, I.a)}; }},
      {"nan_to_num", [&] { return Outs{ops::nan_to_num(I.nan)}; }},
      {"divide_no_nan", [&] { return Outs{ops::divide_no_nan(I.a, ops::round(I.b))}; }},
      {"heaviside/hypot/logaddexp", [&] { return Outs{ops::heaviside(I.a, I.b), ops::hypot(I.a, I.b), ops::logaddexp(I.a, I.b)}; }},
      {"fmax/fmin/fmod", [&] { return Outs{ops::fmax(I.nan, I.nan), ops::fmod(I.a, I.pos)}; }},
      {"gcd/lcm", [&] { return Outs{ops::gcd(I.ints, ops::add(I.ints, I.ints)), ops::lcm(I.ints, I.ints)}; }},
      {"sinc/erfinv/cbrt", [&] { return Outs{ops::sinc(I.a), ops::erfinv(ops::multiply(I.a, ops::scalar_like(I.a, 0.4))), ops::cbrt(I.a)}; }},
      {"saturate_cast", [&] { return Outs{ops::saturate_cast(ops::multiply(I.a, ops::scalar_like(I.a, 100.0)), DType::uint8)}; }},
      {"einsum", [&] { return Outs{ops::einsum("ij,kj->ik", I.a, I.b)}; }},
      {"rearrange", [&] { return Outs{ops::rearrange(I.a, "h w -> w h")}; }},
      {"size", [&] { return Outs{ops::size(I.a)}; }},
      // linalg composites
      {"inv/solve/det", [&] { return Outs{ops::inv(I.m), ops::solve(I.m, I.rhs), ops::det(I.m)}; }},
      {"solve_triangular", [&] { return Outs{ops::solve_triangular(I.m, I.rhs, true)}; }},
      {"cholesky", [&] { return Outs{ops::cholesky(I.m), ops::cholesky(I.m, true)}; }},
      {"cholesky_inverse", [&] { return Outs{ops::cholesky_inverse(ops::cholesky(I.m))}; }},
      {"lstsq", [&] { return Outs{ops::lstsq(I.m, I.rhs)}; }},
      {"matrix_rank/pinv", [&] { return Outs{ops::matrix_rank(I.a), ops::pinv(I.a)}; }},
      {"norm", [&] { return Outs{ops::norm(I.a), ops::norm(I.v)}; }},
      {"diagonal/trace/diag", [&] { return Outs{ops::diagonal(I.a), ops::trace(I.a, 1), ops::diag(I.v), ops::diag(I.a)}; }},
      {"outer", [&] { return Outs{ops::outer(I.v, I.v)}; }},
      {"lu_factor", [&] { auto r = ops::lu_factor(I.m); return Outs{r.lu, r.pivots}; }},
      {"qr", [&] { auto r = ops::qr(I.a); return Outs{r.q, r.r}; }},
      // image ops
      {"resize", [&] { return Outs{img::resize(I.img, {3, 5}), img::resize(I.img, {2, 6}, {"nearest"})}; }},
      {"rgb_hsv", [&] { return Outs{img::rgb_to_grayscale(I.img), img::rgb_to_hsv(I.img), img::hsv_to_rgb(I.img)}; }},
      {"extract_patches", [&] { return Outs{img::extract_patches(I.img, {2, 2})}; }},
      {"gaussian_blur", [&] { return Outs{img::gaussian_blur(I.img)}; }},
      {"sobel_edges", [&] { return Outs{img::sobel_edges(I.img)}; }},
      {"ssim", [&] { return Outs{img::ssim(I.img, I.img2)}; }},
      {"affine_transform", [&] { return Outs{img::affine_transform(I.img, make({1, 0.1, 0.5, 0, 1, -0.3, 0, 0}, {8}))}; }},
      {"map_coordinates", [&] { return Outs{img::map_coordinates(ops::reshape(I.signal, {4, 8}), make({0.5, 1.5, 2, 0.2, 3.7, 6}, {2, 3}), 1)}; }},
      // convolution, pooling and normalization
      {"conv/pools", [&] { return Outs{ops::conv(I.img, I.kernel, 1, "same"), ops::max_pool(I.img, 2), ops::average_pool(I.img, 3, 2, "same")}; }},
      {"conv_transpose", [&] { return Outs{ops::conv_transpose(I.img, ops::transpose(I.kernel, {0, 1, 3, 2}), 2, "same")}; }},
      {"depthwise/separable_conv", [&] { return Outs{ops::depthwise_conv(I.img, I.dkernel, 1, "same"), ops::separable_conv(I.img, I.dkernel, ops::reshape(ops::slice(I.kernel, {0, 0, 0, 0}, {1, 1, 3, 2}), {1, 1, 3, 2}))}; }},
      {"unfold/fold", [&] { Tensor x = ops::transpose(I.img, {0, 3, 1, 2}); Tensor u = ops::unfold(x, {2, 2}); return Outs{u, ops::fold(u, {12, 12}, {2, 2})}; }},
      {"adaptive pools", [&] { return Outs{ops::adaptive_average_pool(I.img, {5, 5}), ops::adaptive_max_pool(I.img, {5, 5})}; }},
      {"moments/batch_normalization", [&] { auto m = ops::moments(I.a, {0}); return Outs{m.mean, m.variance, ops::batch_normalization(I.a, m.mean, m.variance, 1, I.v, I.v)}; }},
      {"fused_batch_norm", [&] { auto f = ops::fused_batch_norm(I.img, ops::ones_like(ops::slice(I.v, {0}, {3})), ops::slice(I.v, {0}, {3}), 1e-3); return Outs{f.y, f.mean, f.variance}; }},
      {"ctc_loss", [&] { return Outs{ops::ctc_loss(I.ctc_target, I.seq, I.ctc_target_len, I.ctc_out_len)}; }},
      {"ctc_decode", [&] { auto g = ops::ctc_decode(I.seq, I.ctc_out_len); auto b = ops::ctc_decode(I.seq, I.ctc_out_len, "beam_search", 4, 2); return Outs{g.decoded, g.scores, b.decoded, b.scores}; }},
      // functional ops
      {"fori_loop", [&] { return Outs{ops::fori_loop(0, 3, [](const Tensor& i, const Tensor& v) { return ops::add(v, ops::cast(i, DType::float32)); }, I.v)}; }},
      {"scan", [&] { auto r = ops::scan([](const Tensor& c, const Tensor& x) { Tensor n = ops::add(c, x); return std::make_pair(n, ops::multiply(n, x)); }, I.v, I.a); return Outs{r.first, r.second}; }},
      {"map", [&] { return Outs{ops::map([](const Tensor& r) { return ops::sum(r); }, I.a)}; }},
      {"vectorized_map", [&] { return Outs{ops::vectorized_map([](const Tensor& r) { return ops::cumsum(r); }, I.a)}; }},
      {"associative_scan", [&] { return Outs{ops::associative_scan([](const Tensor& x, const Tensor& y) { return ops::add(x, y); }, I.a, true, 1)}; }},
      {"switch", [&] { return ops::switch_(ops::reshape(ops::slice(I.ids, {2}, {1}), {}), {[](const Tensors& o) { return Tensors{ops::neg(o[0])}; }, [](const Tensors& o) { return Tensors{ops::exp(o[0])}; }}, {I.a}); }},
      // more linalg
      {"svd/eigh/slogdet", [&] { auto d = ops::svd(I.a, false); auto e = ops::eigh(I.m); auto l = ops::slogdet(I.m); return Outs{d.s, ops::abs(d.u), e.eigenvalues, l.sign, l.logabsdet}; }},
      {"eig", [&] { auto e = ops::eig(I.m); return Outs{ops::real(e.eigenvalues)}; }},
      {"empty diagonal", [&] { return Outs{ops::diagonal(I.a, 5), ops::diag(I.v, -2)}; }},
      {"repeat per element", [&] { return Outs{ops::repeat(I.a, std::vector<int64_t>{1, 0, 2}, 0)}; }},
      {"boolean get_item", [&] { return Outs{ops::get_item(I.a, core::Index(ops::greater(I.a, I.b)))}; }},
      // more image ops
      {"crop/pad images", [&] { return Outs{img::crop_images(I.img, {.top_cropping = 1, .left_cropping = 2, .target_height = 8, .target_width = 8}), img::pad_images(I.img, {.top_padding = 1, .left_padding = 2, .target_height = 16, .target_width = 16})}; }},
      {"perspective_transform", [&] { Tensor sp = make({0, 0, 11, 0, 0, 11, 11, 11}, {4, 2}), ep = make({1, 0, 10, 1, 0, 10, 11, 11}, {4, 2}); return Outs{img::perspective_transform(I.img, sp, ep)}; }},
      {"scale_and_translate", [&] { return Outs{img::scale_and_translate(I.img, {1, 7, 9, 3}, {0.6, 0.8}, {0.5, -0.5}, {1, 2}, "bicubic")}; }},
      {"elastic_transform", [&] { return Outs{img::elastic_transform(I.img, {.alpha = 2.0, .sigma = 1.0, .seed = 3})}; }},
      // sparse ops (a SparseTensor's entries follow its values)
      {"sparse from/to dense", [&] { auto sp = core::sparse::from_dense(ops::relu(I.a)); return Outs{sp.indices(), sp.values(), core::sparse::to_dense(sp, 0.5)}; }},
      {"sparse math", [&] { auto sp = core::sparse::from_dense(ops::relu(I.a)); auto sq = core::sparse::from_dense(ops::relu(I.b)); auto s2 = core::sparse::add(sp, sq); return Outs{s2.values(), core::sparse::add(sp, I.b), core::sparse::sparse_dense_matmul(sp, ops::transpose(I.b)), core::sparse::reduce_sum(sp, {1}), core::sparse::reduce_max(sp, {0})}; }},
      {"sparse shape ops", [&] { auto sp = core::sparse::from_dense(ops::relu(I.a)); auto t = core::sparse::transpose(sp); auto r = core::sparse::reshape(sp, {4, 3}); auto sl = core::sparse::slice(sp, {1, 0}, {2, 3}); auto c = core::sparse::concat(0, {sp, sp}); auto f = core::sparse::fill_empty_rows(sl, 7.0); return Outs{t.values(), r.indices(), sl.values(), c.indices(), f.output.values(), f.empty_row_indicator, core::sparse::reorder(t).indices()}; }},
      // more of the rest
      {"activations", [&] { return Outs{ops::hard_shrink(I.a), ops::tanh_shrink(I.a), ops::sparse_plus(I.a), ops::sparse_sigmoid(I.a), ops::elu(I.a), ops::selu(I.a), ops::hard_tanh(I.a), ops::softsign(I.a)}; }},
      {"reductions", [&] { return Outs{ops::logsumexp(I.a, {1}), ops::std(I.a), ops::argmax(I.a), ops::argmin(I.a, 0), ops::any(ops::greater(I.a, I.b), {0}), ops::amax(I.a, {1}), ops::var(I.a, {0})}; }},
      {"numpy shape ops", [&] { auto sp = ops::array_split(I.a, 3, 1); return Outs{ops::moveaxis(I.seq, 0, 2), ops::swapaxes(I.seq, 0, 1), sp[0], sp[2], ops::hstack({I.a, I.b}), ops::vstack({I.a, I.b}), ops::dstack({I.a, I.b}), ops::flip(I.a, 1), ops::tensordot(I.a, I.b, {1}, {1})}; }},
      {"math", [&] { return Outs{ops::ldexp(I.a, ops::reshape(ops::concat({I.ints, I.ints}, 0), {3, 4})), ops::nextafter(I.a, I.b), ops::bitwise_left_shift(I.ints, ops::full_like(I.ints, 2)), ops::signbit(I.a), ops::isposinf(I.nan), ops::squared_difference(I.a, I.b)}; }},
      {"einsum forms", [&] { return Outs{ops::einsum("ij,kj,k->i", {I.a, I.b, ops::slice(I.v, {0}, {3})}), ops::einsum("ij->", {I.a})}; }},
      {"conv 1d/3d", [&] { Tensor x1 = ops::reshape(I.seq, {2, 3, 4}); Tensor k1 = ops::reshape(ops::slice(ops::reshape(I.kernel, {-1}), {0}, {16}), {2, 4, 2}); Tensor x3 = ops::reshape(I.img, {1, 4, 6, 6, 3}); return Outs{ops::conv(x1, k1, 1, "same"), ops::max_pool(x1, 2), ops::conv(x3, ops::reshape(I.kernel, {1, 3, 3, 3, 2}), 1, "same"), ops::average_pool(x3, 2)}; }},
      {"extract_patches_3d", [&] { return Outs{img::extract_patches_3d(ops::reshape(I.img, {1, 4, 6, 6, 3}), {2, 2, 2})}; }},
      {"vectorize/jvp", [&] { auto f = ops::vectorize([](const Tensors& t) { return ops::sum(ops::multiply(t[0], t[1])); }, {}, "(n),(n)->()"); auto j = ops::jvp([](const Tensors& t) { return Tensors{ops::sparsemax(t[0])}; }, {I.a}, {I.b}); return Outs{f({I.a, I.b}), j.primals_out[0], j.tangents_out[0]}; }},
      {"fft2/polar/views", [&] { Tensor z = ops::complex(I.a, I.b); return Outs{ops::fft2(z), ops::ifft2(z), ops::polar(I.pos, I.a), ops::view_as_real(z), ops::view_as_complex(ops::reshape(I.a, {3, 2, 2}))}; }},
      // fft and complex
      {"rfft/irfft", [&] { auto r = ops::rfft(I.signal); return Outs{r.real, r.imag, ops::irfft(r)}; }},
      {"stft/istft", [&] { auto r = ops::stft(I.signal, 8, 4, 8); return Outs{r.real, r.imag, ops::istft(r, 8, 4, 8)}; }},
      {"fft/angle/isreal", [&] { Tensor z = ops::complex(I.a, I.b); return Outs{ops::real(ops::fft(z)), ops::angle(z), ops::isreal(z), ops::abs(ops::ifft(z))}; }},
  };
  return c;
}

// got is the reference: same shape, dtype and values (NaN where it is NaN), on the CPU.
void check_same(const Tensor& got, const Tensor& want) {
  CHECK(got.device().is_cpu());
  REQUIRE(got.shape() == want.shape());
  REQUIRE(got.dtype() == want.dtype());
  if (want.dtype() == DType::complex64 || want.dtype() == DType::complex128) {
    check_values(ops::real(got), values(ops::real(want)), 0.0);
    check_values(ops::imag(got), values(ops::imag(want)), 0.0);
  } else {
    check_values(got, values(want), 0.0);
  }
}

// Where a GPU is visible the scope would place tensors on it: the test is skipped there
// (reported as skipped), as it needs a CUDA device index that does not exist.
bool gpu_visible() { return core::cuda::device_count() > 0; }

}  // namespace

TEST_CASE("device following: the unchecked scope places creation ops on the missing GPU" * doctest::skip(gpu_visible())) {
  core::detail::UncheckedDeviceScope scope(core::Device::cuda(0));
  CHECK(core::current_device() == core::Device::cuda(0));
  CHECK_THROWS(ops::zeros({2}));
  CHECK_THROWS(ops::range(3));
  CHECK_THROWS(ops::fill({}, 0.5, DType::float64));
  CHECK_THROWS(ops::fill({}, 0.5, DType::float32));
  Tensor x = make({1, 2}, {2});  // from host values: the CPU
  Tensor y = ops::add(x, ops::zeros_like(x));
  CHECK(y.device().is_cpu());
  // with no inputs to follow, the scope decides: select of no choices makes its default there
  CHECK_THROWS(ops::select({}, {}, 2.0));
  CHECK_THROWS_WITH_AS(ops::median(Tensor()), "median: x and q must be defined tensors", std::invalid_argument);
}

TEST_CASE("device following: composed ops make their helper tensors on their inputs' device" * doctest::skip(gpu_visible())) {
  const Inputs in;
  for (const Case& k : cases(in)) {
    CAPTURE(k.name);
    const Outs want = k.run();
    Outs got;
    std::string error;
    {
      core::detail::UncheckedDeviceScope scope(core::Device::cuda(0));
      try {
        got = k.run();
      } catch (const std::exception& e) {
        error = e.what();
      }
    }
    CHECK_MESSAGE(error.empty(), k.name << " under a scope of a missing GPU: " << error);
    if (!error.empty()) continue;
    REQUIRE(got.size() == want.size());
    for (size_t i = 0; i < got.size(); ++i) check_same(got[i], want[i]);
  }
}

TEST_CASE("device following: gradients of composites under the scope" * doctest::skip(gpu_visible())) {
  const Inputs in;
  auto grads = [&] {
    const Tensor& w = in.a;
    core::GradientTape tape;
    tape.watch(w);
    Tensor loss = ops::add(ops::sum(ops::sparsemax(w)), ops::sum(ops::segment_max(ops::square(w), in.ids, 3)));
    loss = ops::add(loss, ops::sum(ops::slice_update(w, {1, 1}, ops::slice(in.b, {0, 0}, {2, 2}))));
    loss = ops::add(loss, ops::sum(ops::tril(ops::matmul(w, ops::transpose(w)))));
    loss = ops::add(loss, ops::sum(ops::multiply(ops::cumprod(w, 1), ops::layer_normalization(w))));
    return tape.gradient(loss, std::vector<Tensor>{w});
  };
  const auto want = grads();
  std::vector<Tensor> got;
  std::string error;
  {
    core::detail::UncheckedDeviceScope scope(core::Device::cuda(0));
    try {
      got = grads();
    } catch (const std::exception& e) {
      error = e.what();
    }
  }
  REQUIRE_MESSAGE(error.empty(), error);
  REQUIRE(got.size() == want.size());
  for (size_t i = 0; i < got.size(); ++i) check_same(got[i], want[i]);
}

TEST_CASE("device following: gradient rules make their helper tensors on the inputs' device" *
          doctest::skip(gpu_visible())) {
  namespace img = ops::image;
  const Inputs in;
  const Inputs& I = in;
  // Each: a scalar loss of one watched float input.
  const std::vector<std::pair<std::string, std::function<Tensor(const Tensor&)>>> losses = {
      {"conv/pools", [&](const Tensor& x) { return ops::sum(ops::max_pool(ops::conv(x, I.kernel, 1, "same"), 2)); }},
      {"average_pool/depthwise", [&](const Tensor& x) { return ops::sum(ops::average_pool(ops::depthwise_conv(x, I.dkernel), 3, 2, "same")); }},
      {"conv_transpose", [&](const Tensor& x) { return ops::sum(ops::conv_transpose(x, ops::transpose(I.kernel, {0, 1, 3, 2}), 2, "same")); }},
      {"resize/extract_patches", [&](const Tensor& x) { return ops::add(ops::sum(img::resize(x, {5, 7})), ops::sum(img::extract_patches(x, {2, 2}))); }},
      {"adaptive pools", [&](const Tensor& x) { return ops::sum(ops::multiply(ops::adaptive_max_pool(x, {5, 5}), ops::adaptive_average_pool(x, {5, 5}))); }},
      {"ctc_loss", [&](const Tensor& x) { return ops::sum(ops::ctc_loss(I.ctc_target, ops::reshape(ops::slice(ops::reshape(x, {-1}), {0}, {24}), {2, 3, 4}), I.ctc_target_len, I.ctc_out_len)); }},
      {"scatter_update/segment ops", [&](const Tensor& x) { Tensor f = ops::reshape(ops::slice(ops::reshape(x, {-1}), {0}, {12}), {3, 4}); return ops::add(ops::sum(ops::scatter_update(f, ops::reshape(I.ids, {3, 1}), ops::square(f))), ops::sum(ops::segment_prod(f, I.ids, 3))); }},
      {"quantile/sort/top_k", [&](const Tensor& x) { Tensor f = ops::reshape(x, {12, -1}); return ops::add(ops::sum(ops::median(f, {1})), ops::sum(ops::top_k(f, 3).values)); }},
      {"attention/layer_norm", [&](const Tensor& x) { Tensor q = ops::reshape(ops::slice(ops::reshape(x, {-1}), {0}, {24}), {1, 3, 2, 4}); return ops::sum(ops::layer_normalization(ops::dot_product_attention(q, q, q, {.is_causal = true}))); }},
      {"scan/cumprod", [&](const Tensor& x) { Tensor f = ops::reshape(ops::slice(ops::reshape(x, {-1}), {0}, {12}), {3, 4}); auto r = ops::scan([](const Tensor& c, const Tensor& r) { Tensor n = ops::multiply(c, r); return std::make_pair(n, n); }, I.v, f); return ops::add(ops::sum(r.second), ops::sum(ops::cumprod(f, 1))); }},
      {"linalg", [&](const Tensor& x) { Tensor f = ops::add(I.m, ops::reshape(ops::slice(ops::reshape(x, {-1}), {0}, {9}), {3, 3})); return ops::add(ops::add(ops::det(f), ops::sum(ops::inv(f))), ops::sum(ops::cholesky(ops::matmul(f, ops::transpose(f))))); }},
  };
  for (const auto& [name, loss] : losses) {
    CAPTURE(name);
    auto grad = [&] {
      core::GradientTape tape;
      tape.watch(I.img);
      return tape.gradient(loss(I.img), std::vector<Tensor>{I.img});
    };
    const auto want = grad();
    std::vector<Tensor> got;
    std::string error;
    {
      core::detail::UncheckedDeviceScope scope(core::Device::cuda(0));
      try {
        got = grad();
      } catch (const std::exception& e) {
        error = e.what();
      }
    }
    CHECK_MESSAGE(error.empty(), name << "'s gradient under a scope of a missing GPU: " << error);
    if (!error.empty()) continue;
    REQUIRE(got.size() == want.size());
    for (size_t i = 0; i < got.size(); ++i) check_same(got[i], want[i]);
  }
}
