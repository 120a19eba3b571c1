// test_more_layers.cpp - ReversibleEmbedding, Pipeline and MixUp: the layer harness, Keras 3's
// outputs, masks and configs (tests/data/layers_more/more_layers.json, written by
// make_more_layer_fixtures.py), the reverse direction in a functional model and a trained
// tied language-model head, errors.
#include <set>
#include <string>

#include "core/function.h"
#include "files.h"
#include "json_fixtures.h"
#include "layer_harness.h"

using namespace th;
namespace layers = keras::layers;

namespace {
const keras::Value& fixtures() { return th::json_fixture("layers_more/more_layers.json"); }
std::vector<int64_t> dims_of(const keras::Value& list) {
  std::vector<int64_t> out;
  for (const keras::Value& x : list.as_list()) out.push_back(x.as_int());
  return out;
}
}  // namespace

TEST_CASE("ReversibleEmbedding and Pipeline: the layer harness" * doctest::test_suite("layer_harness")) {
  run_layer_test({"reversible_embedding", [] { return layers::ReversibleEmbedding(10, 4); },
                  {Shape{2, 3}}, {DType::int32}, {2, 3, 4}, 1, 1, false,
                  [](const Shape& s, DType dt, uint32_t) { return ops::cast(ops::full(s, 3.0), dt); }});
  run_layer_test({"mix_up", [] { return layers::MixUp({.seed = 2}); }, {Shape{4, 3, 3, 2}}, {}, {4, 3, 3, 2}, 0, 0,
                  true});
  run_layer_test({"pipeline", [] { return layers::Pipeline({layers::Rescaling(0.5), layers::Dense(3)}); },
                  {Shape{4, 5}}, {}, {4, 3}, 2, 2});
}

TEST_CASE("ReversibleEmbedding: Keras 3's forward, mask and reverse (tied, untied with a soft cap, reverse_dtype)") {
  for (const std::string key : {"tied", "untied", "masked"}) {
    CAPTURE(key);
    const keras::Value& c = fixtures().at(key);
    const keras::Config& kc = c.at("config");
    auto emb = layers::ReversibleEmbedding(
        kc.at("input_dim").as_int(), kc.at("output_dim").as_int(),
        {.tie_weights = kc.at("tie_weights").as_bool(),
         .mask_zero = kc.at("mask_zero").as_bool(),
         .reverse_dtype = kc.at("reverse_dtype").is_null() ? std::nullopt
                                                            : std::optional(core::dtype_from_name(kc.at("reverse_dtype").as_string())),
         .logit_soft_cap = kc.at("logit_soft_cap").is_null() ? std::nullopt
                                                              : std::optional(kc.at("logit_soft_cap").as_double())});
    const Tensor ids = ops::cast(make(numbers(c.at("ids")), Shape{2, 3}, DType::float32), DType::int32);
    (*emb)(ids);
    std::vector<Tensor> w;
    for (size_t i = 0; i < c.at("weights").as_list().size(); ++i)
      w.push_back(make(numbers(c.at("weights").as_list()[i]), Shape(dims_of(c.at("weight_shapes").as_list()[i])),
                       DType::float32));
    emb->set_weights(w);
    const Tensor out = (*emb)(ids);
    check_values(out, numbers(c.at("forward")), 1e-6);
    if (c.at("mask").is_null()) CHECK_FALSE(out.keras_mask().defined());
    else check_values(ops::cast(out.keras_mask(), DType::float32), numbers(c.at("mask")), 0);
    const Tensor hidden = make(numbers(c.at("hidden")), Shape{2, 3, 4}, DType::float32);
    const Tensor logits = emb->reverse(hidden);
    CHECK(logits.shape() == Shape{2, 3, 10});
    check_values(logits, numbers(c.at("reverse")), 1e-5);
    CHECK_FALSE(logits.keras_mask().defined());
    auto traced = core::function([&](const Tensor& h) { return emb->reverse(h); });
    check_values(traced(hidden), numbers(c.at("reverse")), 1e-5);
    // Keras's config keys, and a round trip.
    const keras::Config mine = emb->get_config();
    for (const char* k : {"input_dim", "output_dim", "mask_zero", "tie_weights", "reverse_dtype", "logit_soft_cap"})
      CHECK(mine.at(k) == kc.at(k));
    keras::LayerPtr back = layers::deserialize(layers::serialize(*emb));
    CHECK(back->class_name() == "ReversibleEmbedding");
    CHECK(back->get_config().to_json() == mine.to_json());
  }
}

TEST_CASE("ReversibleEmbedding: the reverse direction in a functional model, a tied head that trains") {
  auto emb = layers::ReversibleEmbedding(12, 6, {.tie_weights = true});
  keras::KerasTensor ids = keras::Input({5}, {.dtype = DType::int32});
  keras::KerasTensor h = (*layers::Dense(6))((*emb)(ids));
  keras::KerasTensor logits = emb->reverse(h);
  CHECK(logits.shape() == keras::ShapeSpec{-1, 5, 12});
  auto model = keras::Functional({ids}, {logits});
  CHECK(model->weights().size() == 3);  // the tied embeddings once, the Dense kernel and bias
  model->compile({.optimizer = keras::optimizers::Adam({.learning_rate = 0.05}),
                  .loss = keras::losses::SparseCategoricalCrossentropy({.from_logits = true})});
  Tensor x = ops::cast(ops::mod(ops::reshape(ops::arange(0, 40), {8, 5}), ops::scalar_like(ops::zeros({}, DType::int32), 12.0)),
                       DType::int32);
  auto hist = model->fit(x, x, {.batch_size = 4, .epochs = 30, .verbose = 0});
  CHECK(hist.history.at("loss").back() < 0.5 * hist.history.at("loss").front());  // it learns the identity
  // A config round trip keeps the reverse call (its keyword argument).
  keras::LayerPtr again = keras::FunctionalModel::from_config(model->get_config());
  CHECK(again->compute_output_shape({{2, 5}}).at(0) == keras::ShapeSpec{2, 5, 12});
  CHECK_THROWS_WITH_AS(emb->reverse(ops::zeros({2, 3})), doctest::Contains("expects hidden states (..., 6)"),
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS(layers::ReversibleEmbedding(4, 2, {.logit_soft_cap = 0.0}),
                       doctest::Contains("expected logit_soft_cap > 0"), std::invalid_argument);
}

TEST_CASE("Pipeline: Keras 3's output and config; its layers in order, the training flag passed on") {
  const keras::Value& c = fixtures().at("pipeline");
  auto pipe = layers::Pipeline({layers::Rescaling(0.5, 1.0), layers::CenterCrop(2, 2), layers::Rescaling(3.0)});
  const Tensor x = make(numbers(c.at("input")), Shape(dims_of(c.at("shape"))), DType::float32);
  check_values((*pipe)(x), numbers(c.at("output")), 1e-5);
  const keras::Config mine = pipe->get_config();
  CHECK(mine.at("layers").as_list().size() == 3);
  CHECK(mine.at("name").as_string().rfind("pipeline", 0) == 0);
  keras::LayerPtr back = layers::deserialize(layers::serialize(*pipe));
  check_values((*back)(x), numbers(c.at("output")), 1e-5);
  // Random layers act in training only; the layers are sublayers (their weights the
  // pipeline's); symbolic shapes chain.
  auto aug = layers::Pipeline({layers::RandomFlip("horizontal", {.seed = 3}), layers::Dense(2)});
  const Tensor img = make(uniform(2 * 4 * 4 * 3, 0, 1, 5), Shape{2, 4, 4, 3}, DType::float32);
  (*aug)(img, false);
  CHECK(aug->weights().size() == 2);
  CHECK(aug->compute_output_shape({{-1, 4, 4, 3}}).at(0) == keras::ShapeSpec{-1, 4, 4, 2});
  CHECK_THROWS_WITH_AS(layers::Pipeline({layers::Dense(2), keras::LayerPtr()}), doctest::Contains("layer 1 of the pipeline is null"),
                       std::invalid_argument);
}

TEST_CASE("MixUp: each image and its label mixed with one other of the batch by one Beta weight") {
  const int64_t n = 8;
  // Image i is constant i + 1; its label is one-hot i.
  Tensor images = ops::multiply(ops::ones({n, 3, 4, 2}),
                                ops::reshape(ops::arange(1, n + 1, 1, DType::float32), {n, 1, 1, 1}));
  Tensor labels = ops::one_hot(ops::arange(0, n, 1, DType::int32), n);
  auto mixup = layers::MixUp({.alpha = 0.4, .seed = 9});
  for (int call = 0; call < 3; ++call) {
    auto [x, y] = mixup->mix(images, labels);
    const std::vector<double> xv = values(x), yv = values(y);
    std::vector<int> partner_count(size_t(n), 0);
    for (int64_t i = 0; i < n; ++i) {
      CAPTURE(i);
      const double w = yv[size_t(i * n + i)];  // the weight of the sample itself (1 when paired with itself)
      int64_t j = i;
      for (int64_t k = 0; k < n; ++k)
        if (k != i && yv[size_t(i * n + k)] > 0) j = k;
      double total = 0;
      for (int64_t k = 0; k < n; ++k) total += yv[size_t(i * n + k)];
      CHECK(total == doctest::Approx(1.0));
      CHECK((w >= 0 && w <= 1));
      ++partner_count[size_t(j)];
      const double want = j == i ? double(i + 1) : w * double(i + 1) + (1 - w) * double(j + 1);
      for (int64_t k = i * 24; k < (i + 1) * 24; ++k) CHECK(xv[size_t(k)] == doctest::Approx(want).epsilon(1e-5));
    }
    for (int c : partner_count) CHECK(c <= 1 + 0);  // a permutation: no sample is everyone's partner
  }
  auto [xi, yi] = mixup->mix(images, labels, false);  // inference: unchanged
  CHECK(values(xi) == values(images));
  CHECK(values((*mixup)(images, false)) == values(images));
  CHECK(mixup->get_config().at("alpha").as_double() == 0.4);
  CHECK_THROWS_WITH_AS(layers::MixUp({.alpha = 0.0}), doctest::Contains("expected alpha > 0"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(mixup->mix(images, ops::zeros({3, 2})), doctest::Contains("with the same batch"),
                       std::invalid_argument);
}

TEST_CASE("CutMix: the layer harness" * doctest::test_suite("layer_harness")) {
  run_layer_test({"cut_mix", [] { return layers::CutMix({.seed = 2}); }, {Shape{4, 6, 5, 2}}, {}, {4, 6, 5, 2}, 0, 0, true});
}

TEST_CASE("CutMix: a box of another image pasted in, labels mixed by the box's area") {
  // Image i is filled with the value i, its label is one-hot i.
  const int64_t n = 6;
  Tensor images = ops::broadcast_to(ops::reshape(ops::arange(0, n, 1, DType::float32), {n, 1, 1, 1}), Shape{n, 8, 10, 3});
  Tensor labels = ops::one_hot(ops::arange(0, n, 1, DType::int32), n);
  auto cutmix = layers::CutMix({.factor = 1.0, .seed = 4});
  auto [x, y] = cutmix->mix(images, labels);
  CHECK(x.shape() == images.shape());
  CHECK(ops::max(ops::abs(ops::sum(y, {1}) - 1.0f)).item<float>() < 1e-5f);
  for (int64_t i = 0; i < n; ++i) {
    CAPTURE(i);
    std::vector<float> px = x[i].to_vector<float>();
    std::vector<float> row = y[i].to_vector<float>();
    // Every pixel comes from the image itself or from one other image, whose label has
    // the rest of the weight.
    std::set<float> values(px.begin(), px.end());
    CHECK(values.size() <= 2);
    for (float v : values) CHECK((v == float(i) || row[size_t(v)] > 0.0f || px.size() == 0));
    // (A weight of 0 is possible: a draw near 0 boxes the whole image.)
    CHECK(row[size_t(i)] >= 0.0f);
    double rest = 0;
    for (int64_t j = 0; j < n; ++j)
      if (j != i) rest += row[size_t(j)];
    CHECK(row[size_t(i)] + rest == doctest::Approx(1.0).epsilon(1e-5));
  }
  // The same seed gives the same draw; inference leaves images and labels alone.
  auto again = layers::CutMix({.factor = 1.0, .seed = 4});
  CHECK(ops::all(ops::equal(again->mix(images, labels).first, x)).item<bool>());
  auto [xi, yi] = cutmix->mix(images, labels, false);
  CHECK(ops::all(ops::equal(xi, images)).item<bool>());
  CHECK(cutmix->factor() == std::pair<double, double>{0.0, 1.0});
  auto back = keras::layers::deserialize(keras::layers::serialize(*cutmix));
  CHECK(dynamic_cast<layers::CutMixLayer&>(*back).factor() == cutmix->factor());
  CHECK_THROWS_WITH_AS(layers::CutMix({.factor = 1.5}), doctest::Contains("factor"), std::invalid_argument);
}

TEST_CASE("RandomPerspective: the layer harness" * doctest::test_suite("layer_harness")) {
  run_layer_test({"random_perspective", [] { return layers::RandomPerspective({.scale = 0.4, .seed = 3}); },
                  {Shape{3, 6, 7, 2}}, {}, {3, 6, 7, 2}, 0, 0, true});
}

TEST_CASE("RandomPerspective: corners moved within the scale, the chance from the factor, Keras's options") {
  Tensor images = ops::random_uniform({4, 9, 8, 3}, {.seed = 5});
  // No move (scale 0) or no chance (factor 0): the images as they are.
  for (auto o : {layers::RandomPerspectiveOptions{.scale = 0.0, .seed = 1},
                 layers::RandomPerspectiveOptions{.factor = 0.0, .seed = 1}}) {
    auto layer = layers::RandomPerspective(o);
    CHECK(ops::max(ops::abs((*layer)(images, true) - images)).item<float>() < 1e-6f);
  }
  // Always applied (factor [1, 1]): every image warped, the same for the same seed.
  auto warp = layers::RandomPerspective({.factor = layers::FactorArg(1.0, 1.0), .scale = 0.5, .seed = 7});
  Tensor y = (*warp)(images, true);
  for (int64_t i = 0; i < 4; ++i) CHECK(ops::max(ops::abs(y[i] - images[i])).item<float>() > 1e-3f);
  auto same = layers::RandomPerspective({.factor = layers::FactorArg(1.0, 1.0), .scale = 0.5, .seed = 7});
  CHECK(ops::all(ops::equal((*same)(images, true), y)).item<bool>());
  CHECK(ops::all(ops::equal((*warp)(images, false), images)).item<bool>());
  // A move of the corners toward the inside leaves the fill value at the borders.
  auto filled = layers::RandomPerspective({.factor = layers::FactorArg(1.0, 1.0), .fill_value = -5.0, .seed = 2});
  CHECK(ops::min((*filled)(images, true)).item<float>() >= -5.0f);
  const keras::Config c = warp->get_config();
  CHECK(c.at("scale").as_double() == 0.5);
  CHECK(c.at("interpolation").as_string() == "bilinear");
  auto back = keras::layers::deserialize(keras::layers::serialize(*warp));
  CHECK(back->get_config().to_json() == c.to_json());
  CHECK_THROWS_WITH_AS(layers::RandomPerspective({.scale = 1.5}), doctest::Contains("The `scale` argument should be"),
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS(layers::RandomPerspective({.interpolation = "cubic"}), doctest::Contains("Unknown `interpolation`"),
                       std::invalid_argument);
}
