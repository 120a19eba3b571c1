#include "keras/layers/all.h"

namespace keras::layers {
void register_builtin_layers(std::map<std::string, std::function<LayerPtr(const Config&)>>& f) {
  f["Dense"] = DenseLayer::from_config;
  using K = MergeLayer::Kind;
  f["Add"] = MergeLayer::from_config<K::add>;
  f["Subtract"] = MergeLayer::from_config<K::subtract>;
  f["Multiply"] = MergeLayer::from_config<K::multiply>;
  f["Average"] = MergeLayer::from_config<K::average>;
  f["Maximum"] = MergeLayer::from_config<K::maximum>;
  f["Minimum"] = MergeLayer::from_config<K::minimum>;
  f["Concatenate"] = ConcatenateLayer::from_config;
  f["Dot"] = DotLayer::from_config;
  // core layers:
  // normalization layers:
}
}  // namespace keras::layers
