#include "keras/layers/einsum_quantization.h"

#include <algorithm>
#include <numeric>
#include <stdexcept>

#include "core/autodiff.h"
#include "core/errors.h"
#include "core/ops.h"
#include "keras/layers/quantize_util.h"
#include "keras/quantizers.h"

namespace keras::layers::detail {
namespace ops = core::ops;
using core::Tensor;

std::pair<int64_t, int64_t> int4_matrix(const std::vector<int64_t>& kernel_shape, const std::vector<int64_t>& reduced) {
  int64_t rows = 1, columns = 1;
  for (size_t i = 0; i < kernel_shape.size(); ++i)
    (std::find(reduced.begin(), reduced.end(), int64_t(i)) != reduced.end() ? rows : columns) *= kernel_shape[i];
  return {rows, columns};
}

void check_no_ellipsis(const std::string& layer, const std::string& equation, const std::string& mode) {
  if (equation.find("...") != std::string::npos)  // (Model::quantize warns and skips it)
    throw core::NotImplementedError(layer + ": EinsumDense " + mode + " quantization needs an einsum equation without "
                                    "an ellipsis ([X],[Y]->[Z], as Keras's), but received '" + equation + "'");
}

EinsumQuantization analyze_einsum_quantization(const std::string& eq, const std::string& layer) {
  const size_t comma = eq.find(','), arrow = eq.find("->");
  if (eq.find("...") != std::string::npos || comma == std::string::npos || arrow == std::string::npos)
    throw std::invalid_argument(layer + ": int8 quantization needs an einsum equation without an ellipsis ([X],[Y]->[Z], "
                                "as Keras's), but received '" + eq + "'");
  const std::string in = eq.substr(0, comma), w = eq.substr(comma + 1, arrow - comma - 1), out = eq.substr(arrow + 2);
  EinsumQuantization q;
  // Keras reuses one variable, `index`, across its loops: where a reduced axis finds no
  // expand axis left, it is inserted at the position the variable last held. The same
  // order of assignments is kept here, so every layout matches Keras's.
  int64_t index = -1;
  auto reduced = [&](const std::string& spec, std::vector<int64_t>& axes) {
    for (size_t i = 0; i < spec.size(); ++i) {
      const size_t at = out.find(spec[i]);
      index = at == std::string::npos ? -1 : int64_t(at);
      if (index == -1) axes.push_back(int64_t(i));
    }
  };
  reduced(in, q.input_reduced);
  reduced(w, q.kernel_reduced);
  for (size_t i = 0; i < out.size(); ++i) {
    if (in.find(out[i]) == std::string::npos) q.input_expand.push_back(int64_t(i));
    if (w.find(out[i]) == std::string::npos) q.kernel_expand.push_back(int64_t(i));
  }
  for (char c : out) {
    if (in.find(c) != std::string::npos) q.input_transpose.push_back(int64_t(in.find(c)));
    if (w.find(c) != std::string::npos) q.kernel_transpose.push_back(int64_t(w.find(c)));
  }
  auto place = [&index](const std::vector<int64_t>& reduced, std::vector<int64_t>& expand, std::vector<int64_t>& squeeze,
                        std::vector<int64_t>& transpose) {
    for (int64_t axis : reduced) {
      if (!expand.empty()) {
        index = expand.front();
        expand.erase(expand.begin());
      } else {
        squeeze.push_back(axis);
      }
      // (Python's list.insert: a negative position counts from the end, clamped)
      int64_t at = index < 0 ? std::max<int64_t>(0, int64_t(transpose.size()) + index)
                             : std::min<int64_t>(index, int64_t(transpose.size()));
      transpose.insert(transpose.begin() + at, axis);
    }
  };
  place(q.input_reduced, q.input_expand, q.input_squeeze, q.input_transpose);
  place(q.kernel_reduced, q.kernel_expand, q.kernel_squeeze, q.kernel_transpose);
  q.gradient_equation = out + "," + w + "->" + in;
  return q;
}

Tensor scale_for_quant(const Tensor& scale, const std::vector<int64_t>& transpose, const std::vector<int64_t>& expand,
                       const std::vector<int64_t>& squeeze) {
  Tensor s = transpose.empty() ? scale : ops::transpose(scale, transpose);
  std::vector<int64_t> ex = expand;
  std::sort(ex.begin(), ex.end());
  for (int64_t a : ex) s = ops::expand_dims(s, a);
  return squeeze.empty() ? s : ops::squeeze(s, squeeze);
}

Tensor kernel_scale_for_dequant(const Tensor& scale, const EinsumQuantization& q) {
  Tensor s = scale;
  std::vector<int64_t> sq = q.kernel_squeeze;
  std::sort(sq.begin(), sq.end());
  for (int64_t a : sq) s = ops::expand_dims(s, a);
  if (!q.kernel_expand.empty()) s = ops::squeeze(s, q.kernel_expand);
  if (!q.kernel_transpose.empty()) {
    std::vector<int64_t> reverse(q.kernel_transpose.size());
    std::iota(reverse.begin(), reverse.end(), 0);
    std::sort(reverse.begin(), reverse.end(),
              [&](int64_t a, int64_t b) { return q.kernel_transpose[size_t(a)] < q.kernel_transpose[size_t(b)]; });
    s = ops::transpose(s, reverse);
  }
  return s;
}

Tensor einsum_int8(const std::string& equation, const EinsumQuantization& q, const Tensor& x, const Tensor& kernel,
                   const Tensor& kernel_scale, core::DType compute) {
  auto forward = [equation, q, compute](const std::vector<Tensor>& in) {
    const quantizers::Quantized xq = quantizers::abs_max_quantize(in[0], q.input_reduced);
    const Tensor x_scale = scale_for_quant(xq.scale, q.input_transpose, q.input_expand, q.input_squeeze);
    const Tensor y = ops::einsum(equation, xq.values, in[1]);  // (int8 operands: int32 sums)
    return ops::divide(ops::cast(y, compute), ops::multiply(x_scale, in[2]));
  };
  auto backward = [q, compute](const std::vector<Tensor>& in, const Tensor&, const Tensor& upstream) {
    const Tensor float_kernel = ops::divide(ops::cast(in[1], compute), kernel_scale_for_dequant(in[2], q));
    return std::vector<Tensor>{ops::einsum(q.gradient_equation, upstream, float_kernel), Tensor(), Tensor()};
  };
  return core::custom_gradient({x, kernel, kernel_scale}, forward, backward);
}

}  // namespace keras::layers::detail
