// quantizers_gptq.cpp - GPTQ's arithmetic (Keras's compute_quantization_parameters,
// gptq_quantize_matrix, the running Hessian) and its configuration; the calibration of a
// model is in quantizers_gptq_model.cpp. The column loop runs on the host in float32, as
// an offline step (Keras's arithmetic, step for step, so the levels agree with Keras's).
#include "keras/quantizers_gptq.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "core/linalg.h"
#include "core/ops.h"
#include "keras/mixed_precision.h"
#include "keras/quantizers_internal.h"

namespace keras::quantizers {
namespace ops = core::ops;
using core::DType;
using core::Shape;
using core::Tensor;

// ---- the configuration --------------------------------------------------------------------
void GPTQConfig::validate() const {
  if (weight_bits != 2 && weight_bits != 3 && weight_bits != 4 && weight_bits != 8)
    throw std::invalid_argument("GPTQConfig: unsupported weight_bits " + std::to_string(weight_bits) +
                                ". Supported values are 2, 3, 4, and 8.");
  if (num_samples <= 0)
    throw std::invalid_argument("GPTQConfig: num_samples must be a positive integer, but received " +
                                std::to_string(num_samples));
  if (sequence_length <= 0)
    throw std::invalid_argument("GPTQConfig: sequence_length must be a positive integer, but received " +
                                std::to_string(sequence_length));
  if (!(hessian_damping >= 0 && hessian_damping <= 1))
    throw std::invalid_argument("GPTQConfig: hessian_damping must be between 0 and 1, but received " +
                                std::to_string(hessian_damping));
  if (group_size < -1 || group_size == 0)
    throw std::invalid_argument("GPTQConfig: invalid group_size. Supported values are -1 (whole-tensor) or a positive "
                                "integer, but got " + std::to_string(group_size) + ".");
}

std::string GPTQConfig::dtype_policy_string() const {
  return "gptq/" + std::to_string(weight_bits) + "/" + std::to_string(group_size);
}

Config GPTQConfig::get_config() const {
  Config c = Config::object();
  c["dataset"] = nullptr;
  c["tokenizer"] = nullptr;
  c["weight_bits"] = static_cast<long long>(weight_bits);
  c["num_samples"] = static_cast<long long>(num_samples);
  c["per_channel"] = per_channel;
  c["sequence_length"] = static_cast<long long>(sequence_length);
  c["hessian_damping"] = hessian_damping;
  c["group_size"] = static_cast<long long>(group_size);
  c["symmetric"] = symmetric;
  c["activation_order"] = activation_order;
  c["quantization_layer_structure"] = nullptr;
  return c;
}

GPTQConfig GPTQConfig::from_config(const Config& c) {
  GPTQConfig g;
  g.weight_bits = static_cast<int>(c.get("weight_bits", 4).as_int());
  g.num_samples = c.get("num_samples", 128).as_int();
  g.per_channel = c.get("per_channel", true).as_bool();
  g.sequence_length = c.get("sequence_length", 512).as_int();
  g.hessian_damping = c.get("hessian_damping", 0.01).as_double();
  g.group_size = c.get("group_size", 128).as_int();
  g.symmetric = c.get("symmetric", false).as_bool();
  g.activation_order = c.get("activation_order", false).as_bool();
  g.validate();
  return g;
}

CalibratedPolicyParams calibrated_policy_params(const mixed_precision::DTypePolicy& policy) {
  if (policy.quantization_mode() != "gptq" && policy.quantization_mode() != "awq")
    throw std::invalid_argument("calibrated_policy_params: expected a gptq or awq policy ('gptq/<weight_bits>/"
                                "<group_size>_from_<source>'), but received '" + policy.name() + "'");
  const std::string& n = policy.name();  // "<algo>/<bits>/<group>_from_<source>" (checked when made)
  const size_t a = n.find('/'), b = n.find('/', a + 1), end = n.find("_from_");
  return {std::stoi(n.substr(a + 1, b - a - 1)), std::stoll(n.substr(b + 1, end - b - 1))};
}

// ---- host matrices ------------------------------------------------------------------------
namespace {
// A row-major float32 matrix on the host.
struct Mat {
  int64_t rows = 0, cols = 0;
  std::vector<float> v;
  Mat() = default;
  Mat(int64_t r, int64_t c, float fill = 0) : rows(r), cols(c), v(size_t(r * c), fill) {}
  float& at(int64_t r, int64_t c) { return v[size_t(r * cols + c)]; }
  float at(int64_t r, int64_t c) const { return v[size_t(r * cols + c)]; }
  // Columns [begin, end).
  Mat columns(int64_t begin, int64_t end) const {
    Mat m(rows, end - begin);
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t c = begin; c < end; ++c) m.at(r, c - begin) = at(r, c);
    return m;
  }
};

Mat host_matrix(const Tensor& t, const char* what) {
  if (!t.defined() || t.rank() != 2)
    throw std::invalid_argument(std::string(what) + ": expected a rank-2 tensor, but received " +
                                (t.defined() ? "shape " + t.shape().str() : std::string("an undefined tensor")));
  Mat m(t.shape()[0], t.shape()[1]);
  m.v = ops::cast(t, DType::float32).to_vector<float>();
  return m;
}

Tensor tensor_of(const Mat& m) { return core::from_buffer(m.v.data(), Shape{m.rows, m.cols}, DType::float32); }

// round half to even, as tf.round
float round_even(float x) { return std::nearbyint(x); }

// TensorFlow's float-to-uint8 cast: through int32 (truncated; NaN and out of range give
// INT_MIN), then the low byte.
uint8_t tf_cast_uint8(float z) {
  int32_t i = std::numeric_limits<int32_t>::min();
  if (std::isfinite(z) && z > -2147483648.0f && z < 2147483648.0f) i = static_cast<int32_t>(z);
  return static_cast<uint8_t>(static_cast<uint32_t>(i) & 0xffu);
}

// The scale and zero point (before the cast) of each row of a (rows, cols) matrix, per
// Keras's compute_quantization_parameters; `groups` columns of scale/zero per row. With
// `include_zero` each range is widened to hold 0 (GPTQ's reference quantizer), so the zero
// point lies in [0, maxq]: Keras's own ranges do not, and a group of one sign gets a zero
// point outside it, which its uint8 cast wraps.
struct Params {
  Mat scale, zero;  // (rows, groups), zero as float (rounded, not cast)
  float maxq = 0;
};
Params find_params(const Mat& x, int bits, bool symmetric, bool per_channel, int64_t group_size, double epsilon,
                   bool is_signed, bool include_zero = false) {
  const int64_t out = x.rows, in = x.cols;
  const int64_t groups = per_channel && group_size > 0 ? (in + group_size - 1) / group_size : 1;
  const int64_t stat_rows = per_channel || groups > 1 ? out : 1;
  Mat lo(stat_rows, groups, std::numeric_limits<float>::infinity()),
      hi(stat_rows, groups, -std::numeric_limits<float>::infinity());
  for (int64_t r = 0; r < out; ++r)
    for (int64_t c = 0; c < in; ++c) {
      const int64_t sr = stat_rows == 1 ? 0 : r, g = groups > 1 ? c / group_size : 0;
      lo.at(sr, g) = std::min(lo.at(sr, g), x.at(r, c));
      hi.at(sr, g) = std::max(hi.at(sr, g), x.at(r, c));
    }
  if (groups > 1 && in % group_size != 0)  // (the last group padded with zeros)
    for (int64_t r = 0; r < out; ++r) {
      lo.at(r, groups - 1) = std::min(lo.at(r, groups - 1), 0.0f);
      hi.at(r, groups - 1) = std::max(hi.at(r, groups - 1), 0.0f);
    }
  Params p;
  p.maxq = static_cast<float>(std::pow(2.0, bits) - 1);
  p.scale = Mat(stat_rows, groups);
  p.zero = Mat(stat_rows, groups);
  const float qmin = -static_cast<float>(std::pow(2.0, bits - 1)), qmax_signed = -qmin - 1;
  for (size_t i = 0; i < lo.v.size(); ++i) {
    float mn = lo.v[i], mx = hi.v[i];
    if (include_zero) mn = std::min(mn, 0.0f), mx = std::max(mx, 0.0f);
    if (symmetric) {
      const float max_abs = std::max(std::fabs(mn), mx);
      if (mn < 0) mn = -max_abs;
      mx = max_abs;
    }
    if (mn == mx) mn -= 1, mx += 1;
    float range = mx - mn;
    if (epsilon > 0) range += static_cast<float>(epsilon);
    float s = range / p.maxq;
    if (s <= 0) s = 1e-8f;
    float z;
    if (symmetric)
      z = (p.maxq + 1) / 2 + (is_signed ? qmin : 0.0f);
    else
      z = round_even(-mn / s) + (is_signed ? qmin : 0.0f);
    if (is_signed) z = std::min(std::max(z, qmin), qmax_signed);
    p.scale.v[i] = s;
    p.zero.v[i] = z;
  }
  if (stat_rows == 1 && out > 1) {  // per tensor: one value tiled over the rows
    Mat s(out, 1, p.scale.v[0]), z(out, 1, p.zero.v[0]);
    p.scale = s;
    p.zero = z;
  }
  return p;
}

// The zero points as stored: uint8 (TensorFlow's cast), or int8 when signed.
Tensor zero_tensor(const Mat& zero, bool is_signed) {
  if (is_signed) return ops::cast(tensor_of(zero), DType::int8);
  std::vector<uint8_t> z(zero.v.size());
  for (size_t i = 0; i < z.size(); ++i) z[i] = tf_cast_uint8(zero.v[i]);
  return core::from_buffer(z.data(), Shape{zero.rows, zero.cols}, DType::uint8);
}

float quantize_level(float x, float scale, float zero, float maxq) {
  const float safe = scale == 0 ? 1e-8f : scale;
  return std::min(std::max(round_even(x / safe + zero), 0.0f), maxq);
}
}  // namespace

// ---- Keras's quantization helpers ---------------------------------------------------------
ZeroPointParams compute_quantization_parameters(const Tensor& x, int bits, bool symmetric, bool per_channel,
                                                int64_t group_size, double epsilon, bool is_signed) {
  if (!x.defined() || x.rank() < 2)
    throw std::invalid_argument("compute_quantization_parameters: expected a weight of rank 2 (out features, in "
                                "features), but received " + (x.defined() ? "shape " + x.shape().str() : "none"));
  if (x.size() == 0) throw std::invalid_argument("compute_quantization_parameters: the input tensor cannot be empty");
  const Tensor x2 = ops::reshape(x, {x.shape()[0], -1});
  const Params p = find_params(host_matrix(x2, "compute_quantization_parameters"), bits, symmetric, per_channel,
                               group_size, epsilon, is_signed);
  // (the wrapped uint8 zero point, as float, is what Keras's quantization then uses)
  return {tensor_of(p.scale), zero_tensor(p.zero, is_signed), p.maxq};
}

namespace detail {
ZeroPointParams zero_point_params(const Tensor& x, int bits, bool symmetric, bool per_channel, int64_t group_size) {
  if (!x.defined() || x.rank() != 2 || x.size() == 0)
    throw std::invalid_argument("zero_point_params: expected a non-empty weight of rank 2");
  const Params p = find_params(host_matrix(x, "zero_point_params"), bits, symmetric, per_channel, group_size, 0.0,
                               false, true);
  return {tensor_of(p.scale), zero_tensor(p.zero, false), p.maxq};
}
}  // namespace detail

Tensor quantize_with_zero_point(const Tensor& x, const Tensor& scale, const Tensor& zero, double maxq) {
  const Tensor eps = ops::scalar_like(scale, 1e-8);
  const Tensor safe = ops::where(ops::equal(scale, ops::zeros_like(scale)), eps, scale);
  const Tensor q = ops::round(ops::add(ops::divide(x, safe), ops::cast(zero, scale.dtype())));
  return ops::clip(q, 0.0, maxq);
}

Tensor dequantize_with_zero_point(const Tensor& x, const Tensor& scale, const Tensor& zero) {
  return ops::multiply(scale, ops::subtract(x, ops::cast(zero, scale.dtype())));
}

Tensor quantize_with_sz_map(const Tensor& weights, const Tensor& scale, const Tensor& zero, const Tensor& g_idx,
                            double maxq, int64_t group_axis) {
  const Tensor groups = ops::cast(g_idx, DType::int32);
  return quantize_with_zero_point(weights, ops::take(scale, groups, group_axis), ops::take(zero, groups, group_axis),
                                  maxq);
}

Tensor dequantize_with_sz_map(const Tensor& weights, const Tensor& scale, const Tensor& zero, const Tensor& g_idx,
                              int64_t group_axis) {
  const Tensor groups = ops::cast(g_idx, DType::int32);
  const Tensor s = ops::take(scale, groups, group_axis);
  const Tensor z = ops::cast(ops::take(zero, groups, group_axis), s.dtype());
  return ops::multiply(ops::subtract(weights, z), s);
}

// ---- GPTQ's column loop ---------------------------------------------------------------------
GPTQResult gptq_quantize_matrix(const Tensor& weights_transpose, const Tensor& inv_hessian, const GPTQConfig& config,
                                int64_t blocksize, const Tensor& order_metric) {
  config.validate();
  Mat w = host_matrix(weights_transpose, "gptq_quantize_matrix (weights)");
  Mat h = host_matrix(inv_hessian, "gptq_quantize_matrix (inverse Hessian)");
  const int64_t out = w.rows, in = w.cols;
  if (in == 0 || out == 0) throw std::invalid_argument("gptq_quantize_matrix: the weights cannot be empty");
  if (h.rows != in || h.cols != in)
    throw std::invalid_argument("gptq_quantize_matrix: expected an inverse Hessian of shape (" + std::to_string(in) +
                                ", " + std::to_string(in) + ") for weights of shape " + weights_transpose.shape().str() +
                                ", but received " + inv_hessian.shape().str());
  if (blocksize < 1) throw std::invalid_argument("gptq_quantize_matrix: blocksize must be >= 1");

  // Activation order: the columns by decreasing metric (ties: lower index first).
  std::vector<int64_t> perm(static_cast<size_t>(in));
  for (int64_t i = 0; i < in; ++i) perm[size_t(i)] = i;
  if (config.activation_order) {
    std::vector<float> metric(static_cast<size_t>(in));
    if (order_metric.defined()) {
      metric = ops::cast(ops::reshape(order_metric, {-1}), DType::float32).to_vector<float>();
      if (int64_t(metric.size()) != in)
        throw std::invalid_argument("gptq_quantize_matrix: expected an order metric of " + std::to_string(in) +
                                    " values, but received " + std::to_string(metric.size()));
      for (float& m : metric)
        if (!std::isfinite(m)) m = 0;
    } else {
      for (int64_t i = 0; i < in; ++i) metric[size_t(i)] = 1.0f / (h.at(i, i) + 1e-12f);
    }
    for (int64_t i = 0; i < in; ++i)  // Keras's jitter, (i / n) * 1e-12, in float32
      metric[size_t(i)] += (static_cast<float>(i) / static_cast<float>(in)) * 1e-12f;
    std::stable_sort(perm.begin(), perm.end(), [&](int64_t a, int64_t b) { return -metric[size_t(a)] < -metric[size_t(b)]; });
    Mat wp(out, in), hp(in, in);
    for (int64_t r = 0; r < out; ++r)
      for (int64_t c = 0; c < in; ++c) wp.at(r, c) = w.at(r, perm[size_t(c)]);
    for (int64_t r = 0; r < in; ++r)
      for (int64_t c = 0; c < in; ++c) hp.at(r, c) = h.at(perm[size_t(r)], perm[size_t(c)]);
    w = std::move(wp);
    h = std::move(hp);
  }

  const int64_t group = config.group_size == -1 ? in : config.group_size;
  Mat buffer = w;                       // the columns after each block's error feedback
  std::vector<int32_t> levels(size_t(out * in), 0);
  std::vector<Params> chunks;           // each group's parameters, in the order met
  // A group's parameters are computed once, at its first column, and kept across blocks
  // (GPTQ's reference). Keras 3.15 forgets them at each block: a group that straddles a
  // block (or the one group of group_size -1 over more than one block) is computed again
  // and appended, so its scales outnumber the groups (a layer cannot take them) and the
  // later groups' columns are dequantized with another group's parameters.
  int64_t cached_start = -1;
  for (int64_t start = 0; start < in; start += blocksize) {
    const int64_t end = std::min(start + blocksize, in), size = end - start;
    Mat block = buffer.columns(start, end), error(out, size);
    for (int64_t j = 0; j < size; ++j) {
      const int64_t col = start + j;
      const int64_t group_start = group == in ? 0 : (col / group) * group;
      if (group_start != cached_start) {  // a new group: its parameters from the buffer as it stands
        const Mat slice = group == in ? buffer : buffer.columns(group_start, std::min(group_start + group, in));
        chunks.push_back(find_params(slice, config.weight_bits, config.symmetric, config.per_channel,
                                     config.group_size, 0.0, false, true));
        // (the zero point goes through its uint8 cast before use, as Keras's)
        for (float& z : chunks.back().zero.v) z = static_cast<float>(tf_cast_uint8(z));
        cached_start = group_start;
      }
      const Params& p = chunks.back();
      const float d = h.at(col, col);
      for (int64_t r = 0; r < out; ++r) {
        const float s = p.scale.at(r, 0), z = p.zero.at(r, 0), x = block.at(r, j);
        const float q = quantize_level(x, s, z, p.maxq);
        levels[size_t(r * in + col)] = static_cast<int32_t>(q);
        const float deq = s * (q - z);
        error.at(r, j) = (x - deq) / d;
      }
      for (int64_t r = 0; r < out; ++r) {  // the error spread over the block's later columns
        const float e = error.at(r, j);
        for (int64_t k = j + 1; k < size; ++k) block.at(r, k) -= e * h.at(col, start + k);
      }
    }
    if (end < in) {  // and over the columns after the block: error @ inv_hessian[block, end:]
      const Tensor update = ops::matmul(tensor_of(error), ops::slice(tensor_of(h), {start, end}, {size, in - end}));
      const std::vector<float> u = update.to_vector<float>();
      for (int64_t r = 0; r < out; ++r)
        for (int64_t c = end; c < in; ++c) buffer.at(r, c) -= u[size_t(r * (in - end) + (c - end))];
    }
  }

  // Group indices in the permuted order (column / group, not rounded), then everything
  // back in the original column order.
  std::vector<float> g_idx(static_cast<size_t>(in));
  for (int64_t i = 0; i < in; ++i)
    g_idx[size_t(i)] = static_cast<float>(static_cast<double>(i) / static_cast<double>(group));
  std::vector<int32_t> q(levels.size());
  std::vector<float> g(g_idx.size());
  for (int64_t c = 0; c < in; ++c) {
    const int64_t from = perm[size_t(c)];  // permuted column c is original column `from`
    g[size_t(from)] = g_idx[size_t(c)];
    for (int64_t r = 0; r < out; ++r) q[size_t(r * in + from)] = levels[size_t(r * in + c)];
  }
  Mat scale(out, int64_t(chunks.size())), zero(out, int64_t(chunks.size()));
  for (size_t k = 0; k < chunks.size(); ++k)
    for (int64_t r = 0; r < out; ++r) {
      scale.at(r, int64_t(k)) = chunks[k].scale.at(r, 0);
      zero.at(r, int64_t(k)) = chunks[k].zero.at(r, 0);
    }
  GPTQResult result;
  result.quantized = core::from_buffer(q.data(), Shape{out, in}, DType::int32);
  result.scale = tensor_of(scale);
  result.zero = ops::cast(tensor_of(zero), DType::uint8);  // (already wrapped)
  result.g_idx = core::from_buffer(g.data(), Shape{in}, DType::float32);
  return result;
}

// ---- the running Hessian ------------------------------------------------------------------
GPTQ::GPTQ(int64_t rows, GPTQConfig config) : rows_(rows), config_(std::move(config)) {
  if (rows < 1) throw std::invalid_argument("GPTQ: expected rows >= 1, but received " + std::to_string(rows));
  config_.validate();
  hessian_ = ops::zeros(Shape{rows, rows}, DType::float32);
}

void GPTQ::update_hessian_with_batch(const Tensor& input) {
  if (!input.defined()) throw std::invalid_argument("GPTQ: the input tensor cannot be None");
  if (input.rank() < 2)
    throw std::invalid_argument("GPTQ: the input tensor must have rank >= 2 (got rank " +
                                std::to_string(input.rank()) + ")");
  if (input.size() == 0) throw std::invalid_argument("GPTQ: the input tensor cannot be empty");
  if (input.shape().dims().back() != rows_)
    throw std::invalid_argument("GPTQ: Hessian dimensions (" + std::to_string(rows_) + ") do not match input features (" +
                                std::to_string(input.shape().dims().back()) + ")");
  const Tensor x = ops::cast(ops::reshape(input, {-1, rows_}), DType::float32);
  const int64_t m = x.shape()[0], total = samples_ + m;
  Tensor gram = ops::matmul(x, x, true, false);
  gram = ops::divide(ops::add(gram, ops::transpose(gram)), ops::scalar_like(gram, 2.0));
  if (samples_ > 0)
    hessian_ = ops::multiply(hessian_, ops::scalar_like(hessian_, double(samples_) / double(total)));
  hessian_ = ops::add(hessian_, ops::multiply(ops::scalar_like(gram, 2.0 / double(total)), gram));
  samples_ = total;
}

GPTQResult GPTQ::quantize(const Tensor& kernel, int64_t blocksize) const {
  if (!kernel.defined() || kernel.rank() != 2 || kernel.shape()[0] != rows_)
    throw std::invalid_argument("GPTQ: expected a kernel of shape (" + std::to_string(rows_) + ", columns), but received " +
                                (kernel.defined() ? kernel.shape().str() : std::string("none")));
  // Dead features (zero diagonal) get 1 on the diagonal; the diagonal then gains the
  // damping, hessian_damping times its mean.
  Mat h = host_matrix(hessian_, "GPTQ");
  std::vector<float> diag(static_cast<size_t>(rows_));
  for (int64_t i = 0; i < rows_; ++i) diag[size_t(i)] = h.at(i, i) == 0 ? 1.0f : h.at(i, i);
  float mean = 0;
  {
    const Tensor d = core::from_buffer(diag.data(), Shape{rows_}, DType::float32);
    mean = ops::mean(d).item<float>();
  }
  const float damping = static_cast<float>(config_.hessian_damping) * mean;
  for (int64_t i = 0; i < rows_; ++i) h.at(i, i) = diag[size_t(i)] + damping;
  const Tensor damped = tensor_of(h);
  const Tensor metric = ops::diagonal(damped);
  // GPTQ's factor: the upper Cholesky factor of the inverse, whose rows give each column's
  // update with the columns before it already removed (Keras 3.15 uses the inverse itself,
  // right for the first column only). In float64, then float32 as the loop runs.
  Tensor factor;
  try {
    const Tensor d64 = ops::cast(damped, DType::float64);
    Tensor order = ops::arange(0, rows_);
    if (config_.activation_order) {  // (the factor of the permuted inverse, as the loop permutes)
      std::vector<float> m = metric.to_vector<float>();
      std::vector<int64_t> perm(static_cast<size_t>(rows_));
      for (int64_t i = 0; i < rows_; ++i) perm[size_t(i)] = i;
      for (int64_t i = 0; i < rows_; ++i) m[size_t(i)] += (static_cast<float>(i) / static_cast<float>(rows_)) * 1e-12f;
      std::stable_sort(perm.begin(), perm.end(), [&](int64_t a, int64_t b) { return -m[size_t(a)] < -m[size_t(b)]; });
      order = core::from_buffer(perm.data(), Shape{rows_}, DType::int64);
    }
    const Tensor inverse = ops::inv(ops::take(ops::take(d64, order, 0), order, 1));
    factor = ops::cast(ops::cholesky(inverse, true), DType::float32);
    if (config_.activation_order) {  // back to the original order: the loop permutes it again
      const Tensor back = ops::argsort(order);
      factor = ops::take(ops::take(factor, back, 0), back, 1);
    }
  } catch (const std::exception& e) {
    throw std::invalid_argument(std::string("GPTQ: the damped Hessian is not positive definite (") + e.what() +
                                "); raise hessian_damping");
  }
  return gptq_quantize_matrix(ops::transpose(ops::cast(kernel, DType::float32)), factor, config_, blocksize, metric);
}

}  // namespace keras::quantizers
