#include "onnx/onnx_cases.h"

#include "keras/applications/application_layers.h"

#include <random>

namespace onnx_cases {

namespace {
namespace L = keras::layers;
using keras::DType;
using keras::Input;
using keras::KerasTensor;
using keras::layers::KerasTensors;
using keras::Tensor;

// Every built-in activation of keras.activations (aliases included).
const std::vector<std::string> kActivations = {
    "relu", "relu6", "leaky_relu", "elu", "selu", "gelu", "silu", "swish", "sigmoid", "hard_sigmoid",
    "hard_silu", "hard_swish", "tanh", "softmax", "log_softmax", "softplus", "softsign", "exponential",
    "linear", "mish", "log_sigmoid", "celu", "hard_tanh", "tanh_shrink", "squareplus", "soft_shrink",
    "hard_shrink", "sparse_plus", "sparse_sigmoid", "glu"};

Tensor uniform(const std::vector<int64_t>& shape, double lo, double hi, std::mt19937& g, DType dtype = DType::float32) {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  std::uniform_real_distribution<double> d(lo, hi);
  std::vector<double> v(static_cast<size_t>(n));
  for (double& x : v) x = d(g);
  return keras::core::from_buffer(v.data(), DType::float64, keras::core::Shape(shape), dtype);
}

Tensor ids(const std::vector<int64_t>& shape, int64_t high, std::mt19937& g, DType dtype) {
  std::uniform_int_distribution<int64_t> d(0, high - 1);
  std::vector<double> v;
  for (int64_t i = 0; i < shape[0] * shape[1]; ++i) v.push_back(double(d(g)));
  return keras::core::from_buffer(v.data(), DType::float64, keras::core::Shape(shape), dtype);
}

// Seeded weights, so every kernel, bias, gamma and moving statistic matters (a fresh
// BatchNormalization would be the identity); variances stay positive.
void randomize(const keras::ModelPtr& m, std::mt19937& g) {
  for (keras::Variable& v : m->weights()) {
    if (!keras::core::is_floating(v.value().dtype())) continue;  // Normalization's count stays
    if (v.name().find("_scale") != std::string::npos && !v.trainable()) continue;  // int8 and int4 scales
    if (v.name().find("g_idx") != std::string::npos) continue;                      // int4 and gptq groups
    const bool variance = v.name().find("variance") != std::string::npos;
    v.assign(uniform(v.value().shape().dims(), variance ? 0.5 : -0.6, variance ? 1.5 : 0.6, g, v.value().dtype()));
  }
}

Case mlp(std::mt19937& g) {
  auto m = keras::Sequential({L::Dense(16, {.activation = "relu", .input_shape = {8}}), L::Dropout(0.5),
                              L::Dense(4, {.activation = "softmax"})});
  return {"mlp", m, {uniform({3, 8}, -2, 2, g)}};
}

Case dense_activations(std::mt19937& g) {
  auto x = Input({6}, {.name = "x"});
  std::vector<KerasTensor> outs;
  for (const std::string& a : kActivations) outs.push_back(L::Dense(6, {.activation = a, .name = "dense_" + a})(x));
  return {"dense_activations", keras::Functional({x}, outs), {uniform({3, 6}, -2, 2, g)}};
}

Case activation_layers(std::mt19937& g) {
  auto x = Input({5}, {.name = "x"});
  KerasTensor h = L::Dense(8)(x);
  std::vector<KerasTensor> outs = {
      L::ReLU()(h),
      L::ReLU({.max_value = 0.4})(h),
      L::ReLU({.max_value = 6.0})(h),
      L::ReLU({.negative_slope = 0.2})(h),
      L::ReLU({.max_value = 0.5, .negative_slope = 0.1, .threshold = 0.1})(h),
      L::ReLU({.negative_slope = 0.3, .threshold = 0.2})(h),
      L::LeakyReLU()(h),
      L::ELU(0.7)(h),
      L::PReLU()(h),
      L::Softmax()(h),
      L::Activation("gelu")(h),
      L::GaussianNoise(0.5)(h),
      L::ActivityRegularization()(h),
      L::Identity()(h),
  };
  return {"activation_layers", keras::Functional({x}, outs), {uniform({3, 5}, -2, 2, g)}};
}

Case merge_and_normalization(std::mt19937& g) {
  auto a = Input({5}, {.name = "a"});
  auto b = Input({3}, {.name = "b"});
  KerasTensor da = L::Dense(4)(a), db = L::Dense(4)(b);
  KerasTensor merged = L::Concatenate()({L::Add()({da, db}), L::Add()({da, db, da}), L::Subtract()({da, db}),
                                         L::Multiply()({da, db, da}), L::Average()({da, db}),
                                         L::Maximum()({da, db}), L::Minimum()({da, db})});
  KerasTensor y1 = L::Dense(3, {.activation = "softmax"})(L::BatchNormalization()(merged));
  KerasTensor ab = L::Concatenate(1)({a, b});
  KerasTensor y2 = L::LayerNormalization({.center = false})(L::BatchNormalization({.axis = 1, .epsilon = 0.01})(ab));
  KerasTensor y3 = L::LayerNormalization({.scale = false})(ab);
  return {"merge_and_normalization", keras::Functional({a, b}, {y1, y2, y3}), {uniform({3, 5}, -2, 2, g), uniform({3, 3}, -2, 2, g)}};
}

Case cnn2d(std::mt19937& g) {
  auto x = Input({9, 9, 3}, {.name = "image"});
  KerasTensor h = L::Conv2D(4, 3, {.padding = "same", .activation = "relu"})(x);
  h = L::MaxPooling2D(2, {.padding = "same"})(L::BatchNormalization()(h));                     // 5x5x4
  h = L::Conv2D(6, {2, 3}, {.strides = {1, 2}, .padding = "same"})(h);                        // 5x3x6
  h = L::DepthwiseConv2D(3, {.padding = "same", .depth_multiplier = 2})(h);                  // 5x3x12
  h = L::Conv2D(6, 1, {.groups = 3, .activation = "silu"})(h);                                // 5x3x6
  h = L::SeparableConv2D(5, 2, {.depth_multiplier = 2, .activation = "relu"})(h);            // 4x2x5
  h = L::AveragePooling2D(2, {.padding = "same"})(h);                                         // 2x1x5
  h = L::ZeroPadding2D({{1, 0}, {2, 0}})(h);                                                   // 3x3x5
  h = L::Cropping2D({{0, 1}, {1, 0}})(h);                                                      // 2x2x5, one cell of h
  h = L::SpatialDropout2D(0.5)(L::UpSampling2D(2)(h));                                         // 4x4x5
  KerasTensor c = L::Conv2D(3, 3, {.padding = "same", .dilation_rate = 2})(h);                // 4x4x3
  KerasTensor y1 = L::Dense(3, {.activation = "softmax"})(L::GlobalAveragePooling2D()(c));
  KerasTensor y2 = L::GlobalMaxPooling2D({.keepdims = true})(c);
  KerasTensor y3 = L::Flatten()(L::MaxPooling2D({3, 2}, {.strides = L::SpatialArg({1, 2})})(x));
  return {"cnn2d", keras::Functional({x}, {y1, y2, y3}), {uniform({3, 9, 9, 3}, -2, 2, g)}};
}

Case conv1d(std::mt19937& g) {
  auto x = Input({10, 4}, {.name = "sequence"});
  KerasTensor h = L::Conv1D(5, 3, {.padding = "causal", .dilation_rate = 2, .activation = "tanh"})(x);  // 10x5
  h = L::Conv1D(4, 3, {.strides = 2, .padding = "same"})(h);                                       // 5x4
  KerasTensor p = L::AveragePooling1D(2, {.strides = 1})(L::MaxPooling1D(2, {.padding = "same"})(h));  // 2x4
  p = L::Cropping1D({1, 2})(L::ZeroPadding1D(1)(L::UpSampling1D(3)(p)));                          // 5x4
  p = L::DepthwiseConv1D(2, {.padding = "same", .depth_multiplier = 2})(L::SpatialDropout1D(0.3)(p));  // 5x8
  p = L::SeparableConv1D(3, 3, {.padding = "same"})(p);                                           // 5x3
  // Any length: "same" padding becomes auto_pad SAME_UPPER when the size is unknown.
  auto text = Input({-1, 3}, {.name = "any_length"});
  KerasTensor t = L::Conv1D(4, 3, {.padding = "same", .dilation_rate = 2, .activation = "relu"})(text);
  t = L::Dense(2)(L::GlobalMaxPooling1D()(L::MaxPooling1D(2, {.padding = "same"})(t)));
  return {"conv1d", keras::Functional({x, text}, {L::GlobalAveragePooling1D()(p), L::GlobalMaxPooling1D()(h), t}),
          {uniform({3, 10, 4}, -2, 2, g), uniform({3, 7, 3}, -2, 2, g)}};
}

Case embedding_and_shapes(std::mt19937& g) {
  auto tokens = Input({6}, {.dtype = DType::int32, .name = "tokens"});
  auto float_ids = Input({4}, {.name = "float_ids"});
  auto emb = L::Embedding(20, 4);
  KerasTensor h = L::Flatten()(L::Permute({2, 1})(L::Reshape({3, 8})(emb(tokens))));       // 24
  h = L::Dense(5)(L::RepeatVector(3)(L::Dense(5)(h)));                                        // 3x5 (Dense on rank 3)
  h = L::LayerNormalization({.axis = {1, 2}})(h);
  h = L::LayerNormalization({.rms_scaling = true})(h);
  h = L::LayerNormalization({.axis = 1, .epsilon = 0.01})(h);
  KerasTensor y1 = L::Rescaling(0.5, 0.25)(L::Flatten()(L::Softmax(std::vector<int64_t>{1, 2})(h)));
  KerasTensor y2 = L::Reshape({-1, 2})(L::Embedding(20, 3)(float_ids));
  return {"embedding_and_shapes", keras::Functional({tokens, float_ids}, {y1, y2}),
          {ids({3, 6}, 20, g, DType::int32), ids({3, 4}, 20, g, DType::float32)}};
}

Case transposed_and_3d(std::mt19937& g) {
  auto v = Input({4, 4, 4, 2}, {.name = "volume"});
  KerasTensor h = L::MaxPooling3D(2)(L::Conv3D(3, 2, {.padding = "same", .activation = "relu"})(v));   // 2x2x2x3
  h = L::Cropping3D({{1, 0}, {0, 1}, {1, 1}})(L::ZeroPadding3D(1)(L::UpSampling3D(2)(h)));          // 5x5x4x3
  h = L::AveragePooling3D(2, {.padding = "same"})(h);                                              // 3x3x2x3
  KerasTensor v1 = L::GlobalAveragePooling3D()(h), v2 = L::GlobalMaxPooling3D()(h);
  KerasTensor v3 = L::Flatten()(L::Conv3DTranspose(2, 2, {.strides = 2})(h));                     // 6x6x4x2
  auto img = Input({5, 5, 3}, {.name = "image"});
  KerasTensor t1 = L::Conv2DTranspose(4, 3, {.strides = 2, .padding = "same"})(img);              // 10x10x4
  KerasTensor t2 = L::Conv2DTranspose(2, {2, 3}, {.strides = L::SpatialArg({2, 1}), .activation = "tanh"})(t1);
  KerasTensor t3 = L::Conv2DTranspose(3, 3, {.strides = 2, .padding = "same", .output_padding = L::SpatialArg(0)})(img);
  KerasTensor t4 = L::Conv2DTranspose(2, 4, {.strides = 3, .output_padding = L::SpatialArg(1), .dilation_rate = 1})(img);
  auto seq = Input({6, 2}, {.name = "sequence"});
  KerasTensor s1 = L::Conv1DTranspose(3, 4, {.strides = 3})(seq);
  KerasTensor s2 = L::Conv1DTranspose(2, 2, {.strides = 3, .padding = "same"})(seq);
  KerasTensor s3 = L::Conv1DTranspose(2, 3, {.dilation_rate = 2})(seq);
  return {"transposed_and_3d", keras::Functional({v, img, seq}, {v1, v2, v3, t2, t3, t4, s1, s2, s3}),
          {uniform({3, 4, 4, 4, 2}, -2, 2, g), uniform({3, 5, 5, 3}, -2, 2, g), uniform({3, 6, 2}, -2, 2, g)}};
}

Case dot_and_normalization(std::mt19937& g) {
  auto a = Input({4}, {.name = "a"});
  auto b = Input({4}, {.name = "b"});
  auto s = Input({3, 4}, {.name = "s"});
  auto t = Input({5, 4}, {.name = "t"});
  auto u = Input({3, 6}, {.name = "u"});
  auto adapted = L::Normalization();
  adapted->adapt(uniform({10, 4}, -3, 5, g));
  auto per_channel = L::Normalization({.mean = {0.5, -1, 2, 0}, .variance = {4, 0.25, 1, 2}});
  auto inverted = L::Normalization({.axis = {1, 2}, .invert = true});
  inverted->adapt(uniform({7, 3, 4}, -1, 1, g));
  auto scalar = L::Normalization({.mean = {1.5}, .variance = {9}});
  std::vector<KerasTensor> outs = {
      L::Dot(1)({a, b}),           L::Dot(1, true)({a, b}),         L::Dot({2, 2})({s, t}),
      L::Dot({1, 1})({s, u}),      L::UnitNormalization()(s),       L::UnitNormalization({.axis = {1, 2}})(s),
      adapted(a),                  per_channel(s),                  inverted(s),
      scalar(b)};
  return {"dot_and_normalization", keras::Functional({a, b, s, t, u}, outs),
          {uniform({3, 4}, -2, 2, g), uniform({3, 4}, -2, 2, g), uniform({3, 3, 4}, -2, 2, g), uniform({3, 5, 4}, -2, 2, g),
           uniform({3, 3, 6}, -2, 2, g)}};
}

Case nested(std::mt19937& g) {
  auto inner = keras::Sequential({L::Dense(6, {.activation = "relu", .input_shape = {4}}), L::BatchNormalization()});
  auto x = Input({4}, {.name = "features"});
  auto image = Input({2, 3, 4}, {.name = "planes"});
  auto pixels = Input({2, 2, 3}, {.dtype = DType::uint8, .name = "pixels"});
  auto shared = L::Dense(4, {.activation = "tanh"});
  KerasTensor twice = shared(shared(x));
  KerasTensor flat = L::Flatten({.data_format = "channels_first"})(image);
  KerasTensor scaled = L::Flatten()(L::Rescaling({1.0 / 255, 2.0 / 255, 3.0 / 255}, {0.0, -0.5, 0.25})(pixels));
  KerasTensor y = L::Dense(2)(L::Concatenate()({inner(x), twice, flat, scaled}));
  return {"nested", keras::Functional({x, image, pixels}, {y, twice}),
          {uniform({3, 4}, -2, 2, g), uniform({3, 2, 3, 4}, -2, 2, g), uniform({3, 2, 2, 3}, 0, 255, g, DType::uint8)}};
}

// keras.ops calls on symbolic tensors (operation nodes): arithmetic with tensors and
// numbers (an int input meeting a float), comparisons and where, unary math and
// activations, reductions, reshapes, concatenation, casts.
Case operations(std::mt19937& g) {
  namespace ops = keras::core::ops;
  auto x = Input({6}, {.name = "x"});
  auto i = Input({6}, {.dtype = DType::int32, .name = "counts"});
  KerasTensor h = L::Dense(6)(x);
  KerasTensor a = ops::relu(h + 3.0) * (1.0 / 6.0) - ops::hard_silu(h) / (ops::abs(x) + 1.0);
  KerasTensor b = ops::where(h > 0.25, ops::gelu(h), ops::gelu(h, false)) + ops::cast(i, DType::float32) * 0.5;
  KerasTensor c = ops::softmax(ops::reshape(a * b, {-1, 2, 3}), 1);
  KerasTensor d = ops::mean(c, {1}) + ops::max(ops::transpose(c, {0, 2, 1}), {2}, false);
  KerasTensor e = ops::concatenate({ops::sqrt(ops::square(x) + 1.0), ops::squeeze(ops::expand_dims(d, 1), {1}),
                                    ops::leaky_relu(x, 0.1), ops::tanh(ops::exp(-ops::square(x)))}, -1);
  KerasTensor f = ops::sum(ops::silu(e), {-1}, true) + ops::cast(i + 1, DType::float32);
  return {"operations", keras::Functional({x, i}, {e, f, ops::minimum(ops::maximum(h, -0.5), 0.5)}),
          {uniform({3, 6}, -2, 2, g), ids({3, 6}, 9, g, DType::int32)}};
}

// Keras's MobileNetV3Small (hard sigmoid as operations), a ConvNeXt block (LayerScale,
// grouped convolution, the residual as an operation) and InceptionResNetV2's
// CustomScaleLayer, small.
Case applications_blocks(std::mt19937& g) {
  auto v3 = keras::applications::MobileNetV3Small(
      {.include_top = false, .weights = std::nullopt, .input_shape = {32, 32, 3}, .pooling = "avg", .alpha = 0.75});
  auto image = Input({32, 32, 3}, {.name = "image"});
  KerasTensor feats = v3(image);
  auto t = Input({4, 4, 8}, {.name = "tokens"});
  KerasTensor y = L::Conv2D(8, 7, {.padding = "same", .groups = 8})(t);
  y = L::LayerNormalization({.epsilon = 1e-6})(y);
  y = L::Activation("gelu")(L::Dense(32)(y));
  y = keras::layers::make<keras::applications::detail::LayerScaleLayer>(0.5, 8)(L::Dense(8)(y));
  KerasTensor block = t + y;
  KerasTensor scaled = keras::layers::make<keras::applications::detail::CustomScaleLayer>(0.17)(
      std::vector<KerasTensor>{t, block}).single();  // InceptionResNetV2's residual sum
  return {"applications_blocks", keras::Functional({image, t}, {feats, block, scaled}),
          {uniform({3, 32, 32, 3}, 0, 255, g), uniform({3, 4, 4, 8}, -1, 1, g)}};
}

// LSTM, GRU (reset_after and not) and SimpleRNN: last outputs, sequences, go_backwards,
// states returned, initial states given, use_bias = false, other activations; Bidirectional.
Case recurrent(std::mt19937& g) {
  using O = L::RecurrentOptions;
  auto x = Input({5, 3}, {.name = "sequence"});
  auto h0 = Input({4}, {.name = "h0"});
  auto c0 = Input({4}, {.name = "c0"});
  KerasTensors lstm = L::LSTM(4, O{.return_sequences = true, .return_state = true, .name = "lstm_states"})(std::vector<KerasTensor>{x});
  KerasTensor lstm_init = L::LSTM(4, O{.name = "lstm_initial"})(std::vector<KerasTensor>{x, h0, c0}).single();
  KerasTensor lstm_back = L::LSTM(2, O{.activation = "relu", .use_bias = false, .return_sequences = true,
                                       .go_backwards = true, .name = "lstm_backwards"})(x);
  KerasTensor gru = L::GRU(3, O{.name = "gru"})(x);
  KerasTensors gru_back = L::GRU(3, O{.recurrent_activation = "softsign", .reset_after = false, .return_sequences = true,
                                      .return_state = true, .go_backwards = true, .name = "gru_v1"})(std::vector<KerasTensor>{x});
  KerasTensor gru_init = L::GRU(4, O{.return_sequences = true, .name = "gru_initial"})(std::vector<KerasTensor>{x, h0}).single();
  KerasTensor rnn = L::SimpleRNN(2, O{.return_sequences = true, .name = "simple_rnn"})(x);
  KerasTensors rnn_back = L::SimpleRNN(3, O{.activation = "softplus", .return_state = true, .go_backwards = true,
                                            .name = "simple_rnn_backwards"})(std::vector<KerasTensor>{x});
  // Bidirectional: each merge mode, states, the backward layer given.
  KerasTensor bi_concat = L::Bidirectional(L::LSTM(3, O{.return_sequences = true}))(x);
  KerasTensor bi_ave = L::Bidirectional(L::GRU(2), {.merge_mode = "ave"})(x);
  KerasTensors bi_none = L::Bidirectional(L::SimpleRNN(2, O{.return_sequences = true}), {.merge_mode = std::nullopt})(
      std::vector<KerasTensor>{x});
  KerasTensors bi_states = L::Bidirectional(L::LSTM(2, O{.return_state = true}), {.merge_mode = "sum"})(
      std::vector<KerasTensor>{x});
  KerasTensor bi_mul = L::Bidirectional(L::GRU(2, O{.return_sequences = true}),
                                        {.merge_mode = "mul",
                                         .backward_layer = L::GRU(2, O{.activation = "relu", .return_sequences = true,
                                                                       .go_backwards = true})})(x);
  return {"recurrent",
          keras::Functional({x, h0, c0}, {lstm[0], lstm[1], lstm[2], lstm_init, lstm_back, gru, gru_back[0],
                                          gru_back[1], gru_init, rnn, rnn_back[0], rnn_back[1], bi_concat, bi_ave,
                                          bi_none[0], bi_none[1], bi_states[0], bi_states[1], bi_states[4], bi_mul}),
          {uniform({3, 5, 3}, -2, 2, g), uniform({3, 4}, -1, 1, g), uniform({3, 4}, -1, 1, g)}};
}
}  // namespace

// The spatial layers with data_format "channels_first": ONNX's own layout, no transposes.
Case channels_first(std::mt19937& g) {
  const std::string cf = "channels_first";
  auto x = Input({3, 9, 8}, {.name = "planes"});
  KerasTensor h = L::Conv2D(4, 3, {.padding = "same", .data_format = cf, .activation = "relu"})(x);   // 4x9x8
  h = L::MaxPooling2D(2, {.padding = "same", .data_format = cf})(h);                                  // 4x5x4
  h = L::DepthwiseConv2D(2, {.depth_multiplier = 2, .data_format = cf})(h);                          // 8x4x3
  h = L::SeparableConv2D(5, 2, {.padding = "same", .data_format = cf})(h);                           // 5x4x3
  h = L::Cropping2D({{1, 0}, {0, 1}}, {.data_format = cf})(L::ZeroPadding2D({{0, 1}, {2, 0}}, {.data_format = cf})(h));
  h = L::UpSampling2D(2, {.data_format = cf})(L::AveragePooling2D(2, {.data_format = cf})(h));      // 5x4x4
  h = L::Conv2DTranspose(3, 3, {.strides = 2, .padding = "same", .data_format = cf})(h);            // 3x8x8
  KerasTensor y1 = L::GlobalAveragePooling2D({.data_format = cf})(h);
  KerasTensor y2 = L::GlobalMaxPooling2D({.data_format = cf, .keepdims = true})(h);
  KerasTensor y3 = L::Flatten({.data_format = cf})(L::Conv2D(2, 2, {.strides = 2, .data_format = cf})(h));
  auto seq = Input({4, 7}, {.name = "channels_by_steps"});
  KerasTensor s = L::Conv1D(3, 3, {.padding = "causal", .data_format = cf})(seq);                   // 3x7
  KerasTensor y4 = L::GlobalMaxPooling1D({.data_format = cf})(L::MaxPooling1D(2, {.data_format = cf})(s));
  return {"channels_first", keras::Functional({x, seq}, {y1, y2, y3, y4}),
          {uniform({3, 3, 9, 8}, -2, 2, g), uniform({3, 4, 7}, -2, 2, g)}};
}

// int8 and LoRA layers: a quantized Embedding and Dense, LoRA over a float and over an
// int8 Dense (their factors randomized below, so the updates count).
Case quantized_lora(std::mt19937& g) {
  auto tokens = Input({5}, {.dtype = DType::int32, .name = "tokens"});
  auto emb = L::Embedding(12, 4), emb_lora = L::Embedding(12, 3);
  auto d1 = L::Dense(6, {.activation = "relu"}), d2 = L::Dense(5), d3 = L::Dense(3);
  KerasTensor h = L::Concatenate()({emb(tokens), emb_lora(tokens)});
  KerasTensor y = d3(d2(d1(L::Flatten()(h))));
  auto model = keras::Functional({tokens}, {y});
  randomize(model, g);  // float weights first: quantization reads them
  emb->quantize("int8");
  emb_lora->enable_lora(2);
  d1->quantize("int8");
  d2->enable_lora(2, {.lora_alpha = 3});
  d3->quantize("int8");
  d3->enable_lora(2);
  return {"quantized_lora", model, {ids({3, 5}, 12, g, DType::int32)}};
}

// int4 layers: an Embedding in blocks of 2 columns, Dense layers in blocks of 4 inputs and
// per channel (exported with their dequantized weights).
Case quantized_int4(std::mt19937& g) {
  auto tokens = Input({5}, {.dtype = DType::int32, .name = "tokens"});
  auto emb = L::Embedding(12, 5);
  auto d1 = L::Dense(6, {.activation = "relu"}), d2 = L::Dense(3);
  auto model = keras::Functional({tokens}, {d2(d1(L::Flatten()(emb(tokens))))});
  randomize(model, g);  // float weights first: quantization reads them
  emb->quantize("int4/2");
  d1->quantize("int4/4");
  d2->quantize("int4/-1");
  return {"quantized_int4", model, {ids({3, 5}, 12, g, DType::int32)}};
}

// GPTQ (4 bits in groups of 2 inputs) and AWQ (per channel) on the Dense layers after an
// Embedding: exported as MatMul over the dequantized kernels.
Case quantized_gptq(std::mt19937& g) {
  auto tokens = Input({5}, {.dtype = DType::int32, .name = "tokens"});
  auto emb = L::Embedding(12, 4);
  auto d1 = L::Dense(6, {.activation = "relu"}), d2 = L::Dense(3);
  auto model = keras::Functional({tokens}, {d2(d1(emb(tokens)))});
  randomize(model, g);  // float weights first: quantization reads them
  keras::quantizers::GPTQConfig c{.dataset = {ids({4, 10}, 12, g, DType::int32)}, .num_samples = 4, .sequence_length = 5,
                                  .group_size = 2};
  c.quantization_layer_structure = keras::quantizers::QuantizationLayerStructure{{emb}, {d1}};
  keras::quantizers::gptq_quantize(*model, c);
  keras::quantizers::AWQConfig a{.dataset = c.dataset, .num_samples = 4, .sequence_length = 5, .group_size = -1};
  a.quantization_layer_structure = keras::quantizers::QuantizationLayerStructure{{emb, d1}, {d2}};
  keras::quantizers::awq_quantize(*model, a);
  return {"quantized_gptq", model, {ids({3, 5}, 12, g, DType::int32)}};
}

std::vector<Case> all_cases() {
  std::mt19937 g(2024);
  std::vector<Case> cases = {mlp(g),   dense_activations(g),    activation_layers(g), merge_and_normalization(g),
                             cnn2d(g), conv1d(g), embedding_and_shapes(g), nested(g), transposed_and_3d(g),
                             dot_and_normalization(g), recurrent(g), channels_first(g), quantized_lora(g),
                             quantized_int4(g), quantized_gptq(g), operations(g), applications_blocks(g)};
  for (Case& c : cases) randomize(c.model, g);
  return cases;
}

std::vector<Tensor> predictions(const Case& c) {
  return (*c.model)(c.inputs, false);
}

}  // namespace onnx_cases
