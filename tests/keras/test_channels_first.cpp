// test_channels_first.cpp - data_format "channels_first" (batch, channels, *spatial) in
// the ops and the layers that take a data_format: Keras 3's outputs on fixed inputs and
// weights (tests/data/channels_first/*.npz, written by
// tests/data/npz/make_channels_first_fixtures.py), the channels_last layer on transposed
// inputs giving the same numbers (the image layers' draws included), shapes, configs,
// keras::config::set_image_data_format, gradients, and a channels_first CNN trained and
// saved.
#include <functional>
#include <stdexcept>

#include "files.h"
#include "layer_fixtures.h"
#include "layer_harness.h"
#include "test_data_dir.h"

using namespace th;
namespace layers = keras::layers;

namespace {

const std::string CF = "channels_first";

// The layers of make_channels_first_fixtures.py's CASES, built the same way.
std::vector<std::pair<std::string, std::function<keras::LayerPtr()>>> keras_cases() {
  return {
      {"conv1d_same_strides", [] { return layers::Conv1D(3, 4, {.strides = 2, .padding = "same", .data_format = CF}); }},
      {"conv2d_softmax",
       [] { return layers::Conv2D(4, {3, 2}, {.padding = "same", .data_format = CF, .activation = "softmax"}); }},
      {"conv3d_groups", [] { return layers::Conv3D(4, 2, {.data_format = CF, .groups = 2}); }},
      {"conv2d_transpose",
       [] { return layers::Conv2DTranspose(2, 3, {.strides = 2, .padding = "same", .data_format = CF}); }},
      {"depthwise_conv2d", [] { return layers::DepthwiseConv2D(3, {.depth_multiplier = 2, .data_format = CF}); }},
      {"separable_conv1d", [] { return layers::SeparableConv1D(4, 3, {.padding = "same", .data_format = CF}); }},
      {"max_pooling2d", [] { return layers::MaxPooling2D({2, 3}, {.strides = ops::SpatialArg{2, 1}, .data_format = CF}); }},
      {"average_pooling3d_same", [] { return layers::AveragePooling3D(2, {.padding = "same", .data_format = CF}); }},
      {"average_pooling1d", [] { return layers::AveragePooling1D(2, {.data_format = CF}); }},
      {"global_average_pooling2d_keepdims",
       [] { return layers::GlobalAveragePooling2D({.data_format = CF, .keepdims = true}); }},
      {"global_max_pooling1d", [] { return layers::GlobalMaxPooling1D({.data_format = CF}); }},
      {"cropping2d", [] { return layers::Cropping2D({{1, 2}, {0, 1}}, {.data_format = CF}); }},
      {"cropping3d", [] { return layers::Cropping3D(1, {.data_format = CF}); }},
      {"zero_padding2d", [] { return layers::ZeroPadding2D({{1, 0}, {2, 1}}, {.data_format = CF}); }},
      {"zero_padding1d", [] { return layers::ZeroPadding1D(2, {.data_format = CF}); }},
      {"up_sampling2d_bilinear",
       [] { return layers::UpSampling2D({2, 3}, {.interpolation = "bilinear", .data_format = CF}); }},
      {"up_sampling3d", [] { return layers::UpSampling3D({1, 2, 2}, {.data_format = CF}); }},
      {"conv_lstm2d_sequences",
       [] { return layers::ConvLSTM2D(2, 3, {.padding = "same", .data_format = CF, .return_sequences = true}); }},
      {"conv_lstm1d_state", [] { return layers::ConvLSTM1D(3, 2, {.data_format = CF, .return_state = true}); }},
      {"resizing_crop", [] { return layers::Resizing(4, 6, {.crop_to_aspect_ratio = true, .data_format = CF}); }},
      {"center_crop", [] { return layers::CenterCrop(3, 4, {.data_format = CF}); }},
      {"flatten", [] { return layers::Flatten({.data_format = CF}); }},
  };
}

Tensor random_input(const Shape& shape, uint32_t seed) {
  return make(uniform(shape.num_elements(), -1, 1, seed), shape);
}

// Calls a channels_first layer and a channels_last twin (the same weights) on x moved to
// channels_last: the outputs must agree once moved back.
void check_twin(const std::string& name, const std::function<keras::LayerPtr(const std::string&)>& make_layer,
                const Shape& cf_shape, bool training = false) {
  CAPTURE(name);
  keras::LayerPtr first = make_layer(CF), last = make_layer("channels_last");
  const Tensor x = random_input(cf_shape, 11);
  const Tensor y = (*first)(std::vector<Tensor>{x}, training)[0];
  const std::vector<Tensor> last_x{ops::channels_to_last(x)};
  if (!first->weights().empty()) {
    (*last)(last_x, false);  // builds it
    last->set_weights(first->get_weights());
  }
  const Tensor want = ops::channels_to_first((*last)(last_x, training)[0]);
  REQUIRE(y.shape() == want.shape());
  check_values(y, values(want), 1e-6);
  // The symbolic shape agrees with the eager one.
  auto dims = cf_shape.dims();
  keras::KerasTensor in = keras::Input(keras::ShapeSpec(dims.begin() + 1, dims.end()));
  keras::ShapeSpec sym = (*make_layer(CF))(in).shape();
  keras::ShapeSpec eager = y.shape().dims();
  eager[0] = -1;
  CHECK(sym == eager);
}

}  // namespace

TEST_CASE("channels_first layers: Keras 3's outputs on the same inputs and weights") {
  for (const auto& [name, make_layer] : keras_cases()) {
    CAPTURE(name);
    const std::map<std::string, Tensor> a = load_fixture("channels_first", name);
    keras::LayerPtr layer = make_layer();
    set_fixture_weights(*layer, a);
    const std::vector<Tensor> ys = (*layer)(std::vector<Tensor>{a.at("x")}, false);
    for (size_t i = 0; i < ys.size(); ++i) {
      const std::string key = a.count("y") ? "y" : "y" + std::to_string(i);
      CAPTURE(key);
      REQUIRE(ys[i].shape() == a.at(key).shape());
      check_values(ys[i], values(a.at(key)), 2e-5);
    }
    CHECK(layer->get_config().at("data_format").as_string() == CF);
  }
}

TEST_CASE("channels_first layers: the channels_last layer on transposed inputs, shapes symbolic and eager") {
  using O = std::string;
  check_twin("conv2d", [](const O& f) { return layers::Conv2D(4, 3, {.strides = 2, .data_format = f}); }, {2, 3, 7, 6});
  check_twin("conv1d causal", [](const O& f) { return layers::Conv1D(2, 3, {.padding = "causal", .data_format = f}); },
             {2, 3, 5});
  check_twin("conv3d_transpose", [](const O& f) { return layers::Conv3DTranspose(2, 2, {.strides = 2, .data_format = f}); },
             {1, 3, 2, 3, 2});
  check_twin("depthwise_conv1d", [](const O& f) { return layers::DepthwiseConv1D(2, {.data_format = f}); }, {2, 3, 6});
  check_twin("separable_conv2d", [](const O& f) { return layers::SeparableConv2D(2, 2, {.data_format = f}); },
             {2, 3, 5, 4});
  check_twin("max_pooling3d", [](const O& f) { return layers::MaxPooling3D(2, {.data_format = f}); }, {1, 2, 4, 4, 5});
  check_twin("global_max_pooling3d", [](const O& f) { return layers::GlobalMaxPooling3D({.data_format = f}); },
             {2, 3, 2, 3, 4});
  check_twin("cropping1d-free zero_padding3d",
             [](const O& f) { return layers::ZeroPadding3D(1, {.data_format = f}); }, {1, 2, 2, 3, 2});
  check_twin("up_sampling2d", [](const O& f) { return layers::UpSampling2D(2, {.data_format = f}); }, {2, 3, 2, 3});
  check_twin("spatial_dropout2d",
             [](const O& f) { return layers::SpatialDropout2D(0.5, {.data_format = f, .seed = 3}); }, {4, 6, 3, 3}, true);
  // The image layers: the same draws whatever the layout.
  check_twin("random_flip", [](const O& f) { return layers::RandomFlip("horizontal_and_vertical", {.seed = 5, .data_format = f}); },
             {4, 3, 5, 6}, true);
  check_twin("random_rotation",
             [](const O& f) { return layers::RandomRotation(0.2, {.seed = 5, .data_format = f}); }, {3, 2, 6, 5}, true);
  check_twin("random_zoom", [](const O& f) { return layers::RandomZoom(0.3, {.seed = 2, .data_format = f}); },
             {3, 3, 6, 6}, true);
  check_twin("random_crop", [](const O& f) { return layers::RandomCrop(3, 4, {.seed = 1, .data_format = f}); },
             {3, 2, 6, 7}, true);
  check_twin("random_brightness",
             [](const O& f) { return layers::RandomBrightness(0.3, {.value_range = {-1, 1}, .seed = 4, .data_format = f}); },
             {3, 3, 4, 4}, true);
  check_twin("random_hue", [](const O& f) { return layers::RandomHue(0.4, {.value_range = {-1, 1}, .seed = 4, .data_format = f}); },
             {2, 3, 4, 4}, true);
  check_twin("rand_augment", [](const O& f) { return layers::RandAugment({.value_range = {-1, 1}, .seed = 7, .data_format = f}); },
             {2, 3, 8, 8}, true);
  check_twin("resizing", [](const O& f) { return layers::Resizing(5, 3, {.data_format = f}); }, {2, 3, 4, 6});
}

TEST_CASE("channels_first image layers: ImageData's images and masks in channels_first, boxes unchanged") {
  const Tensor images = random_input({2, 3, 6, 8}, 3), masks = random_input({2, 1, 6, 8}, 4);
  const Tensor boxes = make({1, 1, 4, 3, 0, 2, 5, 5, 2, 0, 6, 4, 1, 1, 3, 5}, Shape{2, 2, 4});
  const Tensor labels = make({0, 1, 2, 3}, Shape{2, 2});
  auto flip_cf = layers::RandomFlip("horizontal", {.seed = 9, .data_format = CF, .bounding_box_format = "xyxy"});
  auto flip_cl = layers::RandomFlip("horizontal", {.seed = 9, .data_format = "channels_last", .bounding_box_format = "xyxy"});
  layers::ImageData a = (*flip_cf)({.images = images, .bounding_boxes = {{boxes, labels}}, .segmentation_masks = masks});
  layers::ImageData b = (*flip_cl)({.images = ops::channels_to_last(images), .bounding_boxes = {{boxes, labels}},
                                    .segmentation_masks = ops::channels_to_last(masks)});
  CHECK(values(a.images) == values(ops::channels_to_first(b.images)));
  CHECK(values(*a.segmentation_masks) == values(ops::channels_to_first(*b.segmentation_masks)));
  CHECK(values(a.bounding_boxes->boxes) == values(b.bounding_boxes->boxes));
  // One image (channels, height, width).
  auto resize = layers::Resizing(3, 4, {.data_format = CF});
  const Tensor one = ops::slice(images, {0, 0, 0, 0}, {1, 3, 6, 8});
  const Tensor y = (*resize)(ops::squeeze(one, {0}));
  CHECK(y.shape() == Shape{3, 3, 4});
  CHECK(values(y) == values(ops::squeeze((*resize)(one), {0})));
}

TEST_CASE("channels_first: configs, keras::config::set_image_data_format and bad names") {
  auto conv = layers::Conv2D(2, 3, {.data_format = CF});
  keras::LayerPtr again = keras::layers::from_config("Conv2D", conv->get_config());
  CHECK(again->get_config().at("data_format").as_string() == CF);
  CHECK(keras::config::image_data_format() == "channels_last");
  keras::config::set_image_data_format(CF);
  struct Reset {
    ~Reset() { keras::config::set_image_data_format("channels_last"); }
  } reset;
  CHECK(keras::config::image_data_format() == CF);
  // Layers made without a data_format take the global one.
  CHECK(layers::Conv2D(2, 3)->get_config().at("data_format").as_string() == CF);
  CHECK(layers::MaxPooling2D()->get_config().at("data_format").as_string() == CF);
  CHECK(layers::RandomFlip()->get_config().at("data_format").as_string() == CF);
  CHECK(layers::Flatten()->get_config().at("data_format").as_string() == CF);
  CHECK(layers::STFTSpectrogram()->get_config().at("data_format").as_string() == CF);
  CHECK(layers::AdaptiveAveragePooling2D(2)->get_config().at("data_format").as_string() == CF);
  CHECK(layers::Conv2D(2, 3, {.data_format = "channels_last"})->get_config().at("data_format").as_string() ==
        "channels_last");
  const Tensor y = (*layers::GlobalAveragePooling2D())(random_input({2, 3, 4, 5}, 1));
  CHECK(y.shape() == Shape{2, 3});
  CHECK_THROWS_WITH_AS(keras::config::set_image_data_format("nchw"),
                       doctest::Contains("Received: data_format=nchw"), std::invalid_argument);
  CHECK(keras::config::image_data_format() == CF);
  CHECK_THROWS_WITH_AS(layers::Conv2D(2, 3, {.data_format = "NCHW"}), doctest::Contains("Received: data_format=\"NCHW\""),
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS(layers::RandomFlip("horizontal", {.data_format = "nhwc"}), doctest::Contains("nhwc"),
                       std::invalid_argument);
  // A channels_first Conv2D names the layout in its shape errors.
  CHECK_THROWS_WITH_AS((*layers::Conv2D(2, 3, {.data_format = CF}))(random_input({3, 5, 5}, 1)),
                       doctest::Contains("(batch, channels, *spatial)"), std::invalid_argument);
}

TEST_CASE("channels_first ops: the channels_last op between transposes, and its gradient") {
  const Tensor x = random_input({2, 3, 6, 5}, 7), k = random_input({3, 2, 3, 4}, 8);
  auto last = [](const Tensor& t) { return ops::channels_to_last(t); };
  auto first = [](const Tensor& t) { return ops::channels_to_first(t); };
  CHECK(values(ops::conv(x, k, 1, "same", CF)) == values(first(ops::conv(last(x), k, 1, "same"))));
  CHECK(values(ops::max_pool(x, 2, std::nullopt, "valid", CF)) == values(first(ops::max_pool(last(x), 2))));
  CHECK(values(ops::average_pool(x, 3, 1, "same", CF)) == values(first(ops::average_pool(last(x), 3, 1, "same"))));
  const Tensor kt = random_input({2, 2, 4, 3}, 9);
  CHECK(values(ops::conv_transpose(x, kt, 2, "valid", std::nullopt, CF)) ==
        values(first(ops::conv_transpose(last(x), kt, 2))));
  const Tensor kd = random_input({2, 2, 3, 2}, 10);
  CHECK(values(ops::depthwise_conv(x, kd, 1, "valid", CF)) == values(first(ops::depthwise_conv(last(x), kd))));
  const Tensor kp = random_input({1, 1, 6, 2}, 12);
  CHECK(values(ops::separable_conv(x, kd, kp, 1, "same", CF)) ==
        values(first(ops::separable_conv(last(x), kd, kp, 1, "same"))));
  CHECK(values(ops::image::resize(x, {4, 7}, {.data_format = CF})) == values(first(ops::image::resize(last(x), {4, 7}))));
  const Tensor one = ops::squeeze(ops::slice(x, {0, 0, 0, 0}, {1, 3, 6, 5}), {0});  // (c, h, w)
  CHECK(values(ops::image::resize(one, {3, 3}, {.data_format = CF})) ==
        values(ops::transpose(ops::image::resize(ops::transpose(one, {1, 2, 0}), {3, 3}), {2, 0, 1})));
  const Tensor t = make({1, 0.1, 0.5, 0, 1, -0.5, 0, 0}, Shape{8});
  CHECK(values(ops::image::affine_transform(x, t, {.data_format = CF})) ==
        values(first(ops::image::affine_transform(last(x), t))));
  CHECK(ops::channels_to_last(x).shape() == Shape{2, 6, 5, 3});
  CHECK(ops::channels_to_first(ops::channels_to_last(x)).shape() == x.shape());
  CHECK_THROWS_WITH_AS(ops::conv(x, k, 1, "same", "NCHW"), doctest::Contains("data_format"), std::invalid_argument);
  // Gradients flow through the transposes: d sum(conv_cf(x)^2) / dx equals the
  // channels_last gradient moved to channels_first.
  keras::Variable vx(x);
  keras::GradientTape tape;
  Tensor loss = ops::sum(ops::square(ops::conv(vx.value(), k, 1, "same", CF)));
  const Tensor g = tape.gradient(loss, vx);
  keras::Variable vl(last(x));
  keras::GradientTape tape2;
  Tensor loss2 = ops::sum(ops::square(ops::conv(vl.value(), k, 1, "same")));
  const Tensor g2 = tape2.gradient(loss2, vl);
  REQUIRE(g.shape() == x.shape());
  check_values(g, values(first(g2)), 1e-5);
}

TEST_CASE("channels_first: a CNN trains, saves and loads with the same predictions") {
  TempDir dir;
  auto model = keras::Sequential(
      {layers::Conv2D(4, 3, {.padding = "same", .data_format = CF, .activation = "relu", .input_shape = {2, 8, 8}}),
       layers::MaxPooling2D(2, {.data_format = CF}), layers::Conv2D(6, 2, {.data_format = CF}),
       layers::GlobalAveragePooling2D({.data_format = CF}), layers::Dense(3)});
  const Tensor x = random_input({16, 2, 8, 8}, 5);
  const Tensor y = ops::mod(ops::range(16), ops::fill({16}, 3, DType::int32));
  model->compile({.optimizer = "adam", .loss = "sparse_categorical_crossentropy"});
  auto h = model->fit(x, y, {.batch_size = 8, .epochs = 3, .verbose = 0});
  CHECK(h.history.at("loss").back() < h.history.at("loss").front());
  // The traced step keeps few of the layers' transposes: a layer's move back and the next
  // one's move in cancel, and relu runs before the move back, fused into the convolution.
  auto count = [](const std::string& s, const std::string& what) {
    size_t n = 0;
    for (size_t p = s.find(what); p != std::string::npos; p = s.find(what, p + 1)) ++n;
    return n;
  };
  REQUIRE(model->train_function());
  const std::string traced = model->train_function()->graph_str(false), optimized = model->train_function()->graph_str();
  MESSAGE("transposes in the train step: " << count(traced, "transpose(") << " traced, "
                                           << count(optimized, "transpose(") << " after the passes");
  CHECK(count(optimized, "transpose(") * 2 <= count(traced, "transpose("));
  CHECK(count(optimized, "fused_conv(") >= 1);
  const std::string path = dir.file("cnn_cf.keras");
  model->save(path);
  keras::ModelPtr loaded = keras::models::load_model(path);
  CHECK(model->predict(x).shape() == Shape{16, 3});
  CHECK(values(loaded->predict(x)) == values(model->predict(x)));
  CHECK(loaded->get_layer(0)->get_config().at("data_format").as_string() == CF);
}
