// nn_layout.cpp - keras.ops.nn's rearrangements and sliding windows (core/ops_nn.h):
// depth_to_space, space_to_depth, extract_sequences, unfold, fold and the adaptive
// pools, composed of reshape, transpose, strided slices, gathers and segment sums.
#include <string>

#include "core/dispatch.h"
#include "core/ops.h"
#include "core/ops_nn.h"

namespace keras::core::ops {
namespace {

void check_defined(const Tensor& t, const char* op, const char* arg) {
  if (!t.defined()) throw_invalid(std::string(op) + ": argument `" + arg + "` is an undefined tensor");
}

// A {h, w} pair from one or two numbers, each >= lo.
std::pair<int64_t, int64_t> pair_of(const std::vector<int64_t>& p, const char* op, const char* arg, int64_t lo) {
  if (p.size() != 1 && p.size() != 2)
    throw_invalid(std::string(op) + ": expected `" + arg + "` as one or two integers, but received " +
                  std::to_string(p.size()));
  std::pair<int64_t, int64_t> r{p[0], p.size() == 2 ? p[1] : p[0]};
  if (r.first < lo || r.second < lo)
    throw_invalid(std::string(op) + ": expected `" + arg + "` >= " + std::to_string(lo) + ", but received (" +
                  std::to_string(r.first) + ", " + std::to_string(r.second) + ")");
  return r;
}

Tensor int64_vector(const std::vector<int64_t>& v) {
  return from_buffer(v.data(), DType::int64, Shape{int64_t(v.size())}, DType::int64);
}


void check_blocks(const Tensor& x, int64_t b, const char* op) {
  if (b < 2) throw_invalid(std::string(op) + ": expected block_size >= 2, but received " + std::to_string(b));
  if (x.rank() != 4)
    throw_invalid(std::string(op) + ": expected a 4D input, but received shape " + x.shape().str());
}

// Reduces `axis` of x into `out` adaptive windows: cell i covers [floor(i n / out),
// ceil((i + 1) n / out)).
Tensor adaptive_axis(const Tensor& x, int64_t axis, int64_t out, bool is_max) {
  const int64_t n = x.shape()[axis];
  std::vector<Tensor> cells;
  for (int64_t i = 0; i < out; ++i) {
    const int64_t start = (i * n) / out, end = ((i + 1) * n + out - 1) / out;
    std::vector<int64_t> begin(size_t(x.rank()), 0), size(size_t(x.rank()), -1);
    begin[size_t(axis)] = start;
    size[size_t(axis)] = end - start;
    Tensor w = slice(x, begin, size);
    cells.push_back(is_max ? max(w, {axis}, true) : mean(w, {axis}, true));
  }
  return concat(cells, axis);
}

Tensor adaptive_pool(const Tensor& inputs, const std::vector<int64_t>& output_size, const std::string& data_format,
                     bool is_max) {
  const std::string op = is_max ? "adaptive_max_pool" : "adaptive_average_pool";
  check_defined(inputs, op.c_str(), "inputs");
  const bool first = is_channels_first(data_format, op);
  const int64_t spatial = inputs.rank() - 2;
  if (spatial < 1 || spatial > 3)
    throw_invalid(op + ": supports 1D, 2D or 3D inputs (batch, *spatial, channels) only, but received shape " +
                  inputs.shape().str());
  if (!is_floating(inputs.dtype()))
    throw_invalid(op + ": expected a floating input (float32, float64), but received " + dtype_name(inputs.dtype()));
  if (output_size.size() != 1 && int64_t(output_size.size()) != spatial)
    throw_invalid(op + ": expected output_size of 1 or " + std::to_string(spatial) + " values, but received " +
                  std::to_string(output_size.size()));
  Tensor x = inputs;
  for (int64_t d = 0; d < spatial; ++d) {
    const int64_t out = output_size.size() == 1 ? output_size[0] : output_size[size_t(d)];
    const int64_t axis = first ? 2 + d : 1 + d;
    if (out < 1 || x.shape()[axis] < 1)
      throw_invalid(op + ": expected output sizes >= 1 and non-empty spatial axes, but received output size " +
                    std::to_string(out) + " for input shape " + inputs.shape().str());
    x = adaptive_axis(x, axis, out, is_max);
  }
  return x;
}

}  // namespace

bool is_channels_first(const std::string& data_format, const std::string& op) {
  if (data_format == "channels_last") return false;
  if (data_format == "channels_first") return true;
  throw_invalid(op + ": expected data_format \"channels_last\" or \"channels_first\", but received \"" + data_format +
                "\"");
}

Tensor channels_to_last(const Tensor& x) {
  if (!x.defined()) throw_invalid("channels_to_last: the input is an undefined tensor");
  return x.rank() <= 2 ? x : moveaxis(x, 1, -1);
}
Tensor channels_to_first(const Tensor& x) {
  if (!x.defined()) throw_invalid("channels_to_first: the input is an undefined tensor");
  return x.rank() <= 2 ? x : moveaxis(x, -1, 1);
}

Tensor depth_to_space(const Tensor& x, int64_t block_size, const std::string& data_format) {
  const char* op = "depth_to_space";
  check_defined(x, op, "x");
  const bool first = is_channels_first(data_format, op);
  check_blocks(x, block_size, op);
  Tensor y = first ? channels_to_last(x) : x;
  const int64_t n = y.shape()[0], h = y.shape()[1], w = y.shape()[2], c = y.shape()[3], b = block_size;
  if (c % (b * b) != 0)
    throw_invalid(std::string(op) + ": expected channels divisible by block_size^2 = " + std::to_string(b * b) +
                  ", but received shape " + x.shape().str());
  y = reshape(y, {n, h, w, b, b, c / (b * b)});
  y = reshape(transpose(y, {0, 1, 3, 2, 4, 5}), {n, h * b, w * b, c / (b * b)});
  return first ? channels_to_first(y) : y;
}

Tensor space_to_depth(const Tensor& x, int64_t block_size, const std::string& data_format) {
  const char* op = "space_to_depth";
  check_defined(x, op, "x");
  const bool first = is_channels_first(data_format, op);
  check_blocks(x, block_size, op);
  Tensor y = first ? channels_to_last(x) : x;
  const int64_t n = y.shape()[0], h = y.shape()[1], w = y.shape()[2], c = y.shape()[3], b = block_size;
  if (h % b != 0 || w % b != 0)
    throw_invalid(std::string(op) + ": expected height and width divisible by block_size " + std::to_string(b) +
                  ", but received shape " + x.shape().str());
  y = reshape(y, {n, h / b, b, w / b, b, c});
  y = reshape(transpose(y, {0, 1, 3, 2, 4, 5}), {n, h / b, w / b, b * b * c});
  return first ? channels_to_first(y) : y;
}

Tensor extract_sequences(const Tensor& x, int64_t sequence_length, int64_t sequence_stride) {
  const std::string op = "extract_sequences";
  check_defined(x, op.c_str(), "x");
  if (x.rank() < 1) throw_invalid(op + ": expected an input of rank >= 1, but received a scalar");
  if (sequence_length < 1 || sequence_stride < 1)
    throw_invalid(op + ": expected sequence_length >= 1 and sequence_stride >= 1, but received " +
                  std::to_string(sequence_length) + " and " + std::to_string(sequence_stride));
  const int64_t n = x.shape()[x.rank() - 1];
  const int64_t frames = n < sequence_length ? 0 : 1 + (n - sequence_length) / sequence_stride;
  std::vector<int64_t> idx;
  for (int64_t f = 0; f < frames; ++f)
    for (int64_t j = 0; j < sequence_length; ++j) idx.push_back(f * sequence_stride + j);
  Tensor indices = reshape(int64_vector(idx), {frames, sequence_length});
  if (frames == 0) {  // nothing to gather
    std::vector<int64_t> dims = x.shape().dims();
    dims.back() = 0;
    dims.push_back(sequence_length);
    return zeros(Shape(dims), x.dtype());
  }
  return gather(x, indices, x.rank() - 1);
}

Tensor unfold(const Tensor& x, const std::vector<int64_t>& kernel_size, const std::vector<int64_t>& dilation,
              const std::vector<int64_t>& padding, const std::vector<int64_t>& stride) {
  const std::string op = "unfold";
  check_defined(x, op.c_str(), "x");
  if (x.rank() != 4) throw_invalid(op + ": expected a 4D input (N, C, H, W), but received shape " + x.shape().str());
  auto [kh, kw] = pair_of(kernel_size, op.c_str(), "kernel_size", 1);
  auto [dh, dw] = pair_of(dilation, op.c_str(), "dilation", 1);
  auto [ph, pw] = pair_of(padding, op.c_str(), "padding", 0);
  auto [sh, sw] = pair_of(stride, op.c_str(), "stride", 1);
  Tensor p = ph || pw ? pad(x, {{0, 0}, {0, 0}, {ph, ph}, {pw, pw}}) : x;
  const int64_t n = x.shape()[0], c = x.shape()[1], hp = p.shape()[2], wp = p.shape()[3];
  const int64_t nh = (hp - dh * (kh - 1) - 1) / sh + 1, nw = (wp - dw * (kw - 1) - 1) / sw + 1;
  if (hp - dh * (kh - 1) - 1 < 0 || wp - dw * (kw - 1) - 1 < 0)
    throw_invalid(op + ": the (dilated) kernel does not fit the padded input: kernel (" + std::to_string(kh) + ", " +
                  std::to_string(kw) + "), input shape " + x.shape().str());
  std::vector<Tensor> blocks;
  for (int64_t i = 0; i < kh; ++i)
    for (int64_t j = 0; j < kw; ++j)
      blocks.push_back(strided_slice(p, {0, 0, i * dh, j * dw},
                                     {n, c, i * dh + (nh - 1) * sh + 1, j * dw + (nw - 1) * sw + 1}, {1, 1, sh, sw}));
  return reshape(stack(blocks, 2), {n, c * kh * kw, nh * nw});
}

Tensor fold(const Tensor& x, const std::vector<int64_t>& output_size, const std::vector<int64_t>& kernel_size,
            const std::vector<int64_t>& dilation, const std::vector<int64_t>& padding, const std::vector<int64_t>& stride) {
  const std::string op = "fold";
  check_defined(x, op.c_str(), "x");
  auto [oh, ow] = pair_of(output_size, op.c_str(), "output_size", 1);
  auto [kh, kw] = pair_of(kernel_size, op.c_str(), "kernel_size", 1);
  auto [dh, dw] = pair_of(dilation, op.c_str(), "dilation", 1);
  auto [ph, pw] = pair_of(padding, op.c_str(), "padding", 0);
  auto [sh, sw] = pair_of(stride, op.c_str(), "stride", 1);
  const int64_t hp = oh + 2 * ph, wp = ow + 2 * pw;
  const int64_t nh = (hp - dh * (kh - 1) - 1) / sh + 1, nw = (wp - dw * (kw - 1) - 1) / sw + 1;
  if (x.rank() != 3 || x.shape()[1] % (kh * kw) != 0 || x.shape()[2] != nh * nw || nh < 1 || nw < 1)
    throw_invalid(op + ": expected an input (N, C * " + std::to_string(kh * kw) + ", " + std::to_string(nh * nw) +
                  ") for this output size and kernel, but received shape " + x.shape().str());
  const int64_t n = x.shape()[0], c = x.shape()[1] / (kh * kw);
  // Every entry (ki, kj, i, j) lands on padded cell (ki d + i s, kj d + j s); the sums of
  // overlapping entries are a segment sum over those cells.
  std::vector<int64_t> ids;
  for (int64_t ki = 0; ki < kh; ++ki)
    for (int64_t kj = 0; kj < kw; ++kj)
      for (int64_t i = 0; i < nh; ++i)
        for (int64_t j = 0; j < nw; ++j) ids.push_back((ki * dh + i * sh) * wp + kj * dw + j * sw);
  Tensor data = reshape(transpose(reshape(x, {n, c, kh * kw * nh * nw}), {2, 0, 1}), {kh * kw * nh * nw, n * c});
  Tensor cells = unsorted_segment_sum(data, int64_vector(ids), hp * wp);  // (hp * wp, n * c)
  Tensor out = transpose(reshape(cells, {hp, wp, n, c}), {2, 3, 0, 1});
  if (ph || pw) out = slice(out, {0, 0, ph, pw}, {n, c, oh, ow});
  return out;
}

Tensor adaptive_average_pool(const Tensor& inputs, const std::vector<int64_t>& output_size,
                             const std::string& data_format) {
  return adaptive_pool(inputs, output_size, data_format, false);
}

Tensor adaptive_max_pool(const Tensor& inputs, const std::vector<int64_t>& output_size,
                         const std::string& data_format) {
  return adaptive_pool(inputs, output_size, data_format, true);
}

}  // namespace keras::core::ops
