#include "keras/layers/flatten.h"

#include <stdexcept>

#include "core/ops.h"
#include "core/sparse.h"
#include "keras/layers/args.h"
#include "keras/layers/options_base.h"
#include "keras/settings.h"

namespace keras::layers {
namespace ops = core::ops;

FlattenLayer::FlattenLayer(const FlattenOptions& o)
    : Layer("Flatten", detail::layer_options_of(o)),
      data_format_(o.data_format.empty() ? config::image_data_format() : o.data_format) {
  if (data_format_ != "channels_last" && data_format_ != "channels_first")
    throw std::invalid_argument(name() + ": expected data_format \"channels_last\" or \"channels_first\", "
                                "but received data_format=\"" + o.data_format + "\"");
  input_spec.min_ndim = 1;
}

Tensor FlattenLayer::call(const Tensor& x, bool) {
  const bool sparse = core::sparse::is_sparse(x);  // a SparseTensor handle stays sparse
  Tensor h = x;
  const int64_t r = x.rank();
  if (data_format_ == "channels_first" && r > 2) {
    std::vector<int64_t> perm{0};
    for (int64_t i = 2; i < r; ++i) perm.push_back(i);
    perm.push_back(1);
    h = sparse ? core::sparse::transpose(core::sparse::sparse_of(h), perm).as_tensor() : ops::transpose(h, perm);
  }
  int64_t n = 1;
  for (int64_t i = 1; i < r; ++i) n *= x.shape()[i];
  // -1 for the batch axis, so a traced or exported graph serves any batch size.
  const std::vector<int64_t> shape{n > 0 ? -1 : x.shape()[0], n};
  if (sparse) return core::sparse::reshape(core::sparse::sparse_of(h), shape).as_tensor();
  return ops::reshape(h, shape);
}

std::vector<ShapeSpec> FlattenLayer::compute_output_shape(const std::vector<ShapeSpec>& shapes) {
  const ShapeSpec& s = shapes.at(0);
  int64_t n = 1;
  for (size_t i = 1; i < s.size(); ++i) n = (n < 0 || s[i] < 0) ? -1 : n * s[i];
  return {{s[0], n}};
}

Config FlattenLayer::get_config() const {
  Config c = base_config();
  c["data_format"] = data_format_;
  return c;
}

LayerPtr FlattenLayer::from_config(const Config& c) {
  FlattenOptions o;
  detail::read_base_options(c, o);
  Value df = c.get("data_format", Value());
  if (!df.is_null()) o.data_format = df.as_string();
  return make<FlattenLayer>(o);
}

Ref<FlattenLayer> Flatten(const FlattenOptions& o) { return make<FlattenLayer>(o); }

}  // namespace keras::layers
