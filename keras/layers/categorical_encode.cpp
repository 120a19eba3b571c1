#include "keras/layers/categorical_encode.h"

#include <algorithm>
#include <stdexcept>

#include "core/ops.h"
#include "core/sparse.h"

namespace keras::layers::detail {

bool is_encoding_mode(const std::string& m) {
  return m == "one_hot" || m == "multi_hot" || m == "count" || m == "tf_idf";
}

std::vector<int64_t> encoded_shape(std::vector<int64_t> s, const std::string& mode, int64_t depth) {
  if (s.empty()) return {depth};
  if (mode == "one_hot") {
    if (s.size() > 1 && s.back() == 1) s.pop_back();
  } else {
    s.erase(s.begin() + (s.size() > 1 ? 1 : 0));  // Keras reduces axis 1 (axis 0 of a vector)
  }
  s.push_back(depth);
  return s;
}

core::Tensor encode_categorical(const std::vector<int64_t>& idx, const core::Shape& shape, const EncodeArgs& a) {
  const std::vector<int64_t> dims = shape.dims().empty() ? std::vector<int64_t>{1} : shape.dims();
  const std::vector<int64_t> odims = encoded_shape(dims, a.mode, a.depth);
  // The input as (outer, reduced, inner): one_hot reduces nothing; the other modes reduce
  // axis 1 (axis 0 of a vector), as Keras's multi_hot and count do.
  int64_t outer = 1, reduced = 1, inner = 1;
  if (a.mode == "one_hot") {
    inner = static_cast<int64_t>(idx.size());
  } else if (dims.size() == 1) {
    reduced = dims[0];
  } else {
    outer = dims[0];
    reduced = dims[1];
    for (size_t i = 2; i < dims.size(); ++i) inner *= dims[i];
  }
  const bool binary = a.mode == "one_hot" || a.mode == "multi_hot";
  std::vector<double> out(static_cast<size_t>(core::Shape(odims).num_elements()), 0.0);
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t r = 0; r < reduced; ++r)
      for (int64_t n = 0; n < inner; ++n) {
        const auto i = static_cast<size_t>((o * reduced + r) * inner + n);
        const int64_t v = idx[i];
        if (v == -1 || v >= a.depth) continue;  // a dropped token; TensorFlow's bincount drops values >= depth
        if (v < 0)
          throw std::invalid_argument(a.who + ": expected non-negative input values, but received the value " +
                                      std::to_string(v));
        double& slot = out[static_cast<size_t>((o * inner + n) * a.depth + v)];
        if (binary) slot = 1.0;
        else slot += a.count_weights ? (*a.count_weights)[i] : 1.0;
      }
  if (a.mode == "tf_idf" && a.idf)
    for (size_t k = 0; k < out.size(); ++k) out[k] *= (*a.idf)[k % static_cast<size_t>(a.depth)];
  core::Tensor t = core::ops::cast(core::constant(out, core::Shape(odims)), a.dtype);
  if (a.sparse) return core::sparse::from_dense(t).as_tensor();
  return t;
}

}  // namespace keras::layers::detail
