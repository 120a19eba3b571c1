#include "keras/layers/permute.h"

#include <algorithm>
#include <stdexcept>

#include "core/ops.h"
#include "core/sparse.h"
#include "keras/layers/args.h"
#include "keras/layers/core_layers_util.h"

namespace keras::layers {
namespace ops = core::ops;

PermuteLayer::PermuteLayer(std::vector<int64_t> dims, const LayerOptions& o)
    : Layer("Permute", o), dims_(std::move(dims)) {
  std::vector<int64_t> sorted = dims_;
  std::sort(sorted.begin(), sorted.end());
  for (size_t i = 0; i < sorted.size(); ++i)
    if (sorted[i] != int64_t(i) + 1)
      throw std::invalid_argument(name() + ": invalid permutation argument dims: expected a permutation of "
                                  "the 1-based axes 1.." + std::to_string(dims_.size()) +
                                  " (consecutive and starting from 1), but received dims=" +
                                  detail::list_str(dims_));
  input_spec.ndim = int64_t(dims_.size()) + 1;
}

Tensor PermuteLayer::call(const Tensor& x, bool) {
  std::vector<int64_t> perm{0};
  perm.insert(perm.end(), dims_.begin(), dims_.end());
  if (core::sparse::is_sparse(x)) return core::sparse::transpose(core::sparse::sparse_of(x), perm).as_tensor();
  return ops::transpose(x, perm);
}

std::vector<ShapeSpec> PermuteLayer::compute_output_shape(const std::vector<ShapeSpec>& shapes) {
  const ShapeSpec& s = shapes.at(0);
  ShapeSpec out{s[0]};
  for (int64_t d : dims_) out.push_back(s[size_t(d)]);
  return {out};
}

Config PermuteLayer::get_config() const {
  Config c = base_config();
  c["dims"] = Value(dims_);
  return c;
}

LayerPtr PermuteLayer::from_config(const Config& c) {
  return make<PermuteLayer>(c.at("dims").as_ints(), layer_options_from(c));
}

Ref<PermuteLayer> Permute(std::vector<int64_t> dims, const LayerOptions& o) {
  return make<PermuteLayer>(std::move(dims), o);
}

}  // namespace keras::layers
