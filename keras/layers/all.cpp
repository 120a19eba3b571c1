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
  f["Activation"] = ActivationLayer::from_config;
  f["ActivityRegularization"] = ActivityRegularizationLayer::from_config;
  f["Dropout"] = DropoutLayer::from_config;
  f["ELU"] = ELULayer::from_config;
  f["Embedding"] = EmbeddingLayer::from_config;
  f["Flatten"] = FlattenLayer::from_config;
  f["GaussianNoise"] = GaussianNoiseLayer::from_config;
  f["Lambda"] = LambdaLayer::from_config;
  f["Masking"] = MaskingLayer::from_config;
  f["Rescaling"] = RescalingLayer::from_config;
  f["LeakyReLU"] = LeakyReLULayer::from_config;
  f["Permute"] = PermuteLayer::from_config;
  f["PReLU"] = PReLULayer::from_config;
  f["ReLU"] = ReLULayer::from_config;
  f["RepeatVector"] = RepeatVectorLayer::from_config;
  f["Reshape"] = ReshapeLayer::from_config;
  f["Softmax"] = SoftmaxLayer::from_config;
  // normalization layers:
  f["BatchNormalization"] = BatchNormalizationLayer::from_config;
  f["LayerNormalization"] = LayerNormalizationLayer::from_config;
  f["Normalization"] = NormalizationLayer::from_config;
}
}  // namespace keras::layers
