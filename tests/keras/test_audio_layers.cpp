// test_audio_layers.cpp - MelSpectrogram, STFTSpectrogram and the STFT initializer
// against Keras 3.15 (outputs, filters, kernels, configs; fixtures from
// tests/data/utils/make_utils_fixtures.py), eagerly, traced and in models.
#include <doctest/doctest.h>

#include <map>
#include <string>

#include "../error_of.h"
#include "layer_harness.h"
#include "../test_data_dir.h"
#include "../utils_fixtures.h"
#include "core/compression.h"
#include "keras/keras.h"

namespace {
namespace ops = keras::ops;
namespace layers = keras::layers;
using keras::DType;
using keras::Tensor;

const Tensor& fx(const std::string& key) { return th::utils_fixture(key); }
keras::Config configs() {
  const std::string path = std::string(KERAS_TEST_DATA_DIR) + "/utils/audio_layers.json";
  return keras::Value::from_json(keras::core::compression::read_file(path, 1 << 20, path));
}
// Every key of Keras's config (but the generated name) has Keras's value in the layer's.
void check_config(const keras::layers::Layer& layer, const keras::Config& keras_config) {
  const keras::Config mine = layer.get_config();
  for (const auto& [key, value] : keras_config.items()) {
    if (key == "name") continue;
    INFO(key);
    CHECK(mine.at(key).to_json() == value.to_json());
  }
}
// A layer from Keras's config of it.
keras::LayerPtr from_keras(const std::string& class_name, const keras::Config& config) {
  keras::Config wrapped = keras::Config::object();
  wrapped["class_name"] = class_name;
  wrapped["config"] = config;
  return keras::layers::deserialize(wrapped);
}
// The largest difference relative to the largest magnitude of `want`.
double relative_error(const Tensor& got, const Tensor& want) {
  REQUIRE(got.shape() == want.shape());
  Tensor g = ops::cast(got, DType::float64), w = ops::cast(want, DType::float64);
  return ops::max(ops::abs(g - w)).item<double>() / std::max(1e-30, ops::max(ops::abs(w)).item<double>());
}
}  // namespace

TEST_CASE("MelSpectrogram: the layer harness" * doctest::test_suite("layer_harness")) {
  th::run_layer_test({"mel_spectrogram", [] {
                        return layers::MelSpectrogram({.fft_length = 16, .sequence_stride = 4, .sampling_rate = 8000, .num_mel_bins = 5});
                      },
                      {keras::Shape{3, 40}}, {}, {3, 5, 11}, 0, 0});
  th::run_layer_test({"stft_spectrogram", [] { return layers::STFTSpectrogram({.frame_length = 8, .frame_step = 4}); },
                      {keras::Shape{2, 24, 3}}, {}, {2, 5, 15}, 2, 2});
}

TEST_CASE("MelSpectrogram: outputs and configs match Keras 3.15") {
  const keras::Config all = configs();
  for (const std::string name : {"small", "power", "db", "defaults"}) {
    INFO(name);
    const keras::Config& kc = all.at(name);
    auto layer = from_keras("MelSpectrogram", kc);
    Tensor y = (*layer)(fx("mel/" + name + "/x"));
    CHECK(relative_error(y, fx("mel/" + name + "/y")) < 2e-5);
    check_config(*layer, kc);
  }
  auto small = layers::MelSpectrogram({.fft_length = 64, .sequence_stride = 16, .sampling_rate = 8000, .num_mel_bins = 10});
  CHECK(relative_error(small->mel_weight_matrix(), fx("mel/matrix")) < 5e-6);
}

TEST_CASE("MelSpectrogram: shapes, traced calls, a model over an audio folder, and bad options") {
  auto mel = layers::MelSpectrogram({.fft_length = 32, .sequence_stride = 8, .sampling_rate = 8000, .num_mel_bins = 4});
  Tensor x = ops::random_uniform({2, 50}, {.minval = -1, .maxval = 1, .seed = 3});
  Tensor eager = (*mel)(x);
  CHECK(eager.shape() == keras::Shape{2, 4, 7});
  CHECK(mel->compute_output_shape({{-1, 50}}) == std::vector<layers::ShapeSpec>{{-1, 4, 7}});
  CHECK(mel->compute_output_shape({{-1, -1}}) == std::vector<layers::ShapeSpec>{{-1, 4, -1}});
  auto fn = keras::function([&](const Tensor& a) { return (*mel)(a); });
  CHECK(ops::max(ops::abs(fn(x) - eager)).item<float>() == 0.0f);
  // Clips of 7 samples from a folder, batched, through MelSpectrogram and a Dense head.
  auto clips = keras::utils::audio_dataset_from_directory(
      std::string(KERAS_TEST_DATA_DIR) + "/utils/tree",
      {.batch_size = 3, .shuffle = false, .verbose = false, .output_sequence_length = 7});
  auto inputs = keras::Input({7});
  auto spec = layers::MelSpectrogram({.fft_length = 4, .sequence_stride = 2, .sampling_rate = 8000, .num_mel_bins = 3})(inputs);
  auto out = layers::Dense(2)(layers::Flatten()(spec));
  auto model = keras::Functional({inputs}, {out});
  model->compile({.optimizer = "adam", .loss = "sparse_categorical_crossentropy"});
  auto squeezed = clips.map([](const Tensor& a, const Tensor& y) { return keras::data::Element{ops::squeeze(a, {-1}), y}; });
  keras::callbacks::History h = model->fit(squeezed, {.epochs = 2, .verbose = 0});
  CHECK(h.history.at("loss").size() == 2);
  th::throws_with<std::invalid_argument>([] { layers::MelSpectrogram({.fft_length = 16, .sequence_length = 32}); },
                                         "`fft_length` must be greater than or equal to `sequence_length`");
  th::throws_with<std::invalid_argument>([] { layers::MelSpectrogram({.window = "kaiser"}); }, "`window` must be");
  th::throws_with<std::invalid_argument>([&] { (*mel)(ops::zeros({2, 3, 4})); },
                                         "expected audio of shape (samples,) or (batch, samples), but received shape (2, 3, 4)");
}

TEST_CASE("STFT initializer: kernels and config match Keras 3.15 for every window") {
  for (const std::string window : {"hann", "hamming", "blackman", "bartlett", "boxcar"})
    for (bool periodic : {false, true})
      for (const std::string side : {"real", "imag"}) {
        INFO(window << " periodic " << periodic << " " << side);
        keras::initializers::STFT init({.side = side, .window = window, .periodic = periodic});
        Tensor k = init({7, 1, 5});
        CHECK(relative_error(k, fx("stft_init/" + window + "/" + std::to_string(int(periodic)) + "/" + side)) < 1e-6);
      }
  const keras::Config want = configs().at("stft_initializer");
  auto init = keras::initializers::deserialize(want);
  const keras::Config mine = keras::initializers::serialize(*init).at("config");
  CHECK(mine.items().size() == want.at("config").items().size());
  for (const auto& [key, value] : want.at("config").items()) CHECK(mine.at(key).to_json() == value.to_json());
  CHECK(keras::initializers::get("stft")->class_name() == "STFT");
  th::throws_with<std::invalid_argument>([] { keras::initializers::STFT({.side = "both"}); }, "side should be 'real' or 'imag'");
  th::throws_with<std::invalid_argument>([] { keras::initializers::STFT({.window = "kaiser"}); }, "expected a window");
}

TEST_CASE("STFTSpectrogram: every mode, layout and padding matches Keras 3.15") {
  const keras::Config all = configs();
  for (const std::string name : {"log", "magnitude", "psd", "real", "imag", "angle", "stft", "first", "first_expand"}) {
    INFO(name);
    const keras::Config& kc = all.at("stft_" + name);
    auto layer = from_keras("STFTSpectrogram", kc);
    Tensor y = (*layer)(fx("stft/" + name + "/x"));
    CHECK(relative_error(y, fx("stft/" + name + "/y")) < 2e-5);
    check_config(*layer, kc);
    const std::vector<int64_t> shape = fx("stft/" + name + "/x").shape().dims();
    CHECK(layer->compute_output_shape({shape}) == std::vector<layers::ShapeSpec>{fx("stft/" + name + "/y").shape().dims()});
  }
  auto real = layers::STFTSpectrogram({.mode = "real", .frame_length = 8});
  (*real)(ops::zeros({1, 16, 1}));
  CHECK(real->weights().size() == 1);
  th::throws_with<std::invalid_argument>([] { layers::STFTSpectrogram({.mode = "db"}); }, "Output mode is invalid");
  th::throws_with<std::invalid_argument>([] { layers::STFTSpectrogram({.frame_length = 8, .frame_step = 9}); },
                                         "`frame_step` should be a positive integer not greater than `frame_length`");
  th::throws_with<std::invalid_argument>([] { (*layers::STFTSpectrogram({.frame_length = 8}))(ops::zeros({2, 16, 1}, DType::int32)); },
                                         "Invalid input type");
}
