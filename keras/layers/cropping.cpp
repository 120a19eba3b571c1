#include "keras/layers/cropping.h"
#include "keras/layers/options_base.h"

#include <stdexcept>

#include "core/ops.h"
#include "keras/layers/args.h"
#include "keras/layers/conv.h"

#include "keras/layers/data_format.h"

namespace keras::layers {
namespace ops = core::ops;

namespace {
std::string cropping_class(int rank) {
  if (rank < 1 || rank > 3)
    throw std::invalid_argument("Cropping: expected 1, 2 or 3 spatial axes, but received rank " + std::to_string(rank));
  return "Cropping" + std::to_string(rank) + "D";
}
}  // namespace

CroppingLayer::CroppingLayer(int rank, const SpatialPairsArg& cropping, const CroppingOptions& o)
    : Layer(cropping_class(rank), detail::layer_options_of(o)),
      rank_(rank),
      o_(o) {
  cropping_ = detail::spatial_pairs(name(), "cropping", cropping, rank);
  if (rank > 1) o_.data_format = detail::data_format_of(name(), o.data_format);
  input_spec.ndim = rank + 2;
}

ShapeSpec CroppingLayer::cropped(const ShapeSpec& shape) const {
  ShapeSpec s = shape;
  const size_t first_axis = channels_first() ? 2 : 1;
  for (size_t i = 0; i < cropping_.size() && i + first_axis < s.size(); ++i) {
    int64_t& d = s[i + first_axis];
    if (d < 0) continue;
    d -= cropping_[i].first + cropping_[i].second;
    if (d <= 0)
      throw std::invalid_argument(name() + ": values in `cropping` argument should be smaller than the "
                                  "corresponding spatial dimension of the input. Received: input_shape=" +
                                  shape_str(shape) + ", cropping=" +
                                  detail::pairs_value(cropping_).to_json());
  }
  return s;
}

Tensor CroppingLayer::call(const Tensor& x, bool) {
  const ShapeSpec out = cropped(spec_of(x.shape()));
  std::vector<int64_t> begin(out.size(), 0);
  const size_t first_axis = channels_first() ? 2 : 1;
  for (size_t i = 0; i < cropping_.size(); ++i) begin[i + first_axis] = cropping_[i].first;
  return ops::slice(x, begin, out);
}

std::vector<ShapeSpec> CroppingLayer::compute_output_shape(const std::vector<ShapeSpec>& shapes) {
  return {cropped(shapes.at(0))};
}

Config CroppingLayer::get_config() const {
  Config c = base_config();
  c["cropping"] = detail::pairs_value(cropping_);
  if (rank_ > 1) c["data_format"] = o_.data_format;
  return c;
}

template <int Rank>
LayerPtr CroppingLayer::from_config(const Config& c) {
  CroppingOptions o;
  detail::read_base_options(c, o);
  Value df = c.get("data_format", Value());
  if (!df.is_null()) o.data_format = df.as_string();
  return make<CroppingLayer>(Rank, detail::pairs_from(c.get("cropping", Rank == 2 ? 0 : 1)), o);
}
template LayerPtr CroppingLayer::from_config<1>(const Config&);
template LayerPtr CroppingLayer::from_config<2>(const Config&);
template LayerPtr CroppingLayer::from_config<3>(const Config&);

Ref<CroppingLayer> Cropping1D(const SpatialPairsArg& c, const CroppingOptions& o) { return make<CroppingLayer>(1, c, o); }
Ref<CroppingLayer> Cropping2D(const SpatialPairsArg& c, const CroppingOptions& o) { return make<CroppingLayer>(2, c, o); }
Ref<CroppingLayer> Cropping3D(const SpatialPairsArg& c, const CroppingOptions& o) { return make<CroppingLayer>(3, c, o); }

}  // namespace keras::layers
