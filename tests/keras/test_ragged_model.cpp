// test_ragged_model.cpp - RaggedTensors through Keras models, as Keras 3 on TensorFlow:
// keras::Input(shape, {.ragged = true}), Embedding keeping the ragged rows, the 1-d global
// poolings reducing over them (against Keras's outputs in tests/data/ragged's fixture, and
// against the padded + masked equivalent), a TextVectorization(ragged) -> Embedding ->
// GlobalAveragePooling1D -> Dense model trained with fit on a dataset, and the error of a
// layer that does not take ragged input.
#include <keras/keras.h>

#include <random>

#include "error_of.h"
#include "helpers.h"
#include "tf_fixture.h"

using namespace th;
using keras::RaggedTensor;
namespace layers = keras::layers;
namespace ragged = keras::ragged;

namespace {

// Ids -> Embedding(6, 3) -> pooling, with Keras's embeddings from the fixture.
keras::Ref<keras::FunctionalModel> pooled(bool max) {
  auto in = keras::Input({-1}, {.dtype = keras::DType::int32, .ragged = true});
  auto emb = layers::Embedding(6, 3);
  keras::KerasTensor h = emb(in);
  h = max ? layers::GlobalMaxPooling1D()(h) : layers::GlobalAveragePooling1D()(h);
  auto model = keras::Functional({in}, {h});
  emb->set_weights({tf_fixture("emb_w")});
  return model;
}

// n short sentences: class 0 draws its words from one half of a vocabulary, class 1 from
// the other, 1 to 8 words each (seeded).
struct Corpus {
  std::vector<std::string> text;
  std::vector<int32_t> label;
};
Corpus corpus(int n, uint32_t seed) {
  const std::vector<std::string> words = {"apt", "dpkg", "kernel", "driver", "boot", "disk",
                                          "font", "glyph", "serif", "unicode", "render", "style"};
  std::mt19937 g(seed);
  Corpus c;
  for (int i = 0; i < n; ++i) {
    const int cls = int(g() % 2), len = 1 + int(g() % 8);
    std::string s;
    for (int k = 0; k < len; ++k) s += (k ? " " : "") + words[size_t(cls * 6 + int(g() % 6))];
    c.text.push_back(s);
    c.label.push_back(cls);
  }
  return c;
}

}  // namespace

TEST_CASE("Input(ragged) -> Embedding -> global pooling gives Keras's pooled values") {
  const RaggedTensor ids = RaggedTensor::from_row_splits(tf_fixture("emb_ids_values"), tf_fixture("emb_ids_splits0"));
  const keras::Tensor avg = pooled(false)->predict(ids.as_tensor(), {.verbose = 0});
  CHECK(avg.shape() == keras::Shape{4, 3});
  check_values(avg, values(tf_fixture("gap_ragged")), 1e-6);  // row 1 is empty: NaN, as Keras
  const keras::Tensor mx = pooled(true)->predict(ids.as_tensor(), {.verbose = 0});
  check_values(mx, values(tf_fixture("gmp_ragged")), 1e-6);  // empty row: float32's lowest
  // Called directly (no predict): the embedding output is a ragged handle.
  auto emb = layers::Embedding(6, 3);
  const keras::Tensor e = emb(ids.as_tensor());
  REQUIRE(ragged::is_ragged(e));
  CHECK(ragged::ragged_of(e).row_splits().to_vector<int64_t>() == ids.row_splits().to_vector<int64_t>());
  CHECK(ragged::ragged_of(e).flat_values().shape() == keras::Shape{6, 3});
  // The Input's config says ragged, as Keras's InputLayer.
  auto in = keras::Input({-1}, {.dtype = keras::DType::int32, .ragged = true});
  auto layer = std::dynamic_pointer_cast<keras::InputLayer>(in.node()->layer);
  REQUIRE(layer);
  CHECK(layer->get_config().at("ragged").as_bool());
  auto rebuilt = std::dynamic_pointer_cast<keras::InputLayer>(keras::InputLayer::from_config(layer->get_config()));
  REQUIRE(rebuilt);
  CHECK(rebuilt->ragged());
  CHECK_THROWS_AS(keras::Input({-1}, {.sparse = true, .ragged = true}), std::invalid_argument);
}

TEST_CASE("ragged pooling equals the padded and masked equivalent") {
  // Ids without 0 (the padding id), rows of different lengths.
  const RaggedTensor ids = ragged::constant<int>({{3, 1, 4}, {5}, {2, 2, 5, 1}, {4, 3}});
  auto emb = layers::Embedding(6, 4);
  auto gap = layers::GlobalAveragePooling1D();
  const keras::Tensor ragged_out = gap(emb(ids.as_tensor()));
  // The same embeddings on the ids padded with 0, masked (mask_zero), with a masked mean.
  auto masked_emb = layers::Embedding(6, 4, {.mask_zero = true});
  masked_emb(ids.to_tensor());
  masked_emb->set_weights(emb->get_weights());
  const keras::Tensor padded = masked_emb(ids.to_tensor());
  REQUIRE(padded.keras_mask().defined());
  const keras::Tensor masked_out = layers::GlobalAveragePooling1D()(padded);
  CHECK(ragged_out.shape() == keras::Shape{4, 4});
  check_values(ragged_out, values(masked_out), 1e-6);
  // Without the mask the padded mean differs (the zeros' embeddings take part).
  const keras::Tensor unmasked = layers::GlobalAveragePooling1D()(layers::Embedding(6, 4)(ids.to_tensor()));
  CHECK(unmasked.shape() == keras::Shape{4, 4});
  // keepdims keeps the step axis.
  CHECK(layers::GlobalMaxPooling1D({.keepdims = true})(emb(ids.as_tensor())).shape() == keras::Shape{4, 1, 4});
}

TEST_CASE("TextVectorization(ragged) -> Embedding -> GlobalAveragePooling1D -> Dense trains with fit") {
  ops::set_random_seed(5);
  const Corpus train = corpus(256, 1), test = corpus(64, 2);
  auto vectorize = layers::TextVectorization({.ragged = true});
  vectorize->adapt(keras::constant(train.text));
  auto dataset = [](const Corpus& c) {
    const keras::Tensor x = ops::reshape(keras::constant(c.text), {int64_t(c.text.size()), 1});
    return keras::data::Dataset::from_tensor_slices({x, keras::constant(c.label)});
  };
  auto in = keras::Input({1}, {.dtype = keras::DType::string});
  keras::KerasTensor h = vectorize(in);
  h = layers::Embedding(vectorize->vocabulary_size(), 8)(h);
  h = layers::GlobalAveragePooling1D()(h);
  auto model = keras::Functional({in}, {layers::Dense(2, {.activation = "softmax"})(h)});
  model->compile({.optimizer = "adam", .loss = "sparse_categorical_crossentropy", .metrics = {"accuracy"}});
  auto history = model->fit(dataset(train).shuffle(256, {.seed = 3}).batch(16), {.epochs = 8, .verbose = 0});
  const auto& loss = history.history.at("loss");
  CHECK(loss.back() < loss.front());
  const auto logs = model->evaluate(dataset(test).batch(16), {.verbose = 0});
  CHECK(logs.at("accuracy") >= 0.95);  // the two classes share no word
  const keras::Tensor p = model->predict(dataset(test).batch(16).map([](const keras::Tensor& x, const keras::Tensor&) { return x; }),
                                         {.verbose = 0});
  CHECK(p.shape() == keras::Shape{64, 2});

  // The same embedding and head on a dataset of ragged id batches (Dataset::ragged_batch).
  auto ids_in = keras::Input({-1}, {.dtype = keras::DType::int64, .ragged = true});
  auto head = keras::Functional(
      {ids_in}, {layers::Dense(2, {.activation = "softmax"})(
                    layers::GlobalAveragePooling1D()(layers::Embedding(vectorize->vocabulary_size(), 8)(ids_in)))});
  head->compile({.optimizer = "adam", .loss = "sparse_categorical_crossentropy", .metrics = {"accuracy"}});
  auto ids = [&](const Corpus& c) {
    return keras::data::Dataset::from_tensor_slices({keras::constant(c.text), keras::constant(c.label)})
        .map([&](const keras::Tensor& s, const keras::Tensor& y) {
          return keras::data::Element{vectorize->call_ragged(ops::reshape(s, {1})).flat_values(), y};
        });
  };
  auto h2 = head->fit(ids(train).shuffle(256, {.seed = 4}).ragged_batch(16).prefetch(2), {.epochs = 8, .verbose = 0});
  CHECK(h2.history.at("loss").back() < h2.history.at("loss").front());
  CHECK(head->evaluate(ids(test).ragged_batch(16), {.verbose = 0}).at("accuracy") >= 0.95);
}

namespace {
// The fit/evaluate/predict check below, with either ragged pooling.
void check_traced_ragged_fit(bool max_pooling) {
  CAPTURE(max_pooling);
  auto build = [max_pooling](bool eager) {
    ops::set_random_seed(11);
    auto in = keras::Input({-1}, {.dtype = keras::DType::int64, .ragged = true});
    keras::KerasTensor h = layers::Embedding(9, 4)(in);
    h = max_pooling ? layers::GlobalMaxPooling1D()(h) : layers::GlobalAveragePooling1D()(h);
    auto model = keras::Functional({in}, {layers::Dense(3, {.activation = "softmax"})(h)});
    model->compile({.optimizer = "sgd", .loss = "sparse_categorical_crossentropy", .metrics = {"accuracy"},
                    .run_eagerly = eager});
    return model;
  };
  // 11 samples of 1 to 6 ids: batches of 4, 4 and 3 rows, each with other row lengths.
  const std::vector<std::vector<int64_t>> rows = {{1, 2, 3}, {4}, {5, 6, 7, 8, 0, 1}, {2}, {5}, {3, 3}, {8, 7, 6, 5},
                                                  {1}, {2, 4, 6}, {0, 0, 0, 0, 0, 0}, {7, 1}};
  const keras::Tensor x = ragged::constant(rows).as_tensor();
  const keras::Tensor y = keras::constant(std::vector<int32_t>{0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1});
  const keras::Tensor x_val = ragged::constant(std::vector<std::vector<int64_t>>{{1, 1}, {2, 3, 4}, {5}}).as_tensor();
  const keras::Tensor y_val = keras::constant(std::vector<int32_t>{2, 1, 0});
  auto traced = build(false), eager = build(true);
  REQUIRE(same_bits(traced->get_weights(), eager->get_weights()));
  const keras::FitOptions fo{.batch_size = 4, .epochs = 3, .verbose = 0, .validation_data = {x_val, y_val},
                             .shuffle = false};
  const auto ht = traced->fit(x, y, fo), he = eager->fit(x, y, fo);
  for (const char* k : {"loss", "accuracy", "val_loss", "val_accuracy"}) {
    CAPTURE(k);
    CHECK(ht.history.at(k) == he.history.at(k));
  }
  CHECK(same_bits(traced->get_weights(), eager->get_weights()));
  CHECK(traced->evaluate(x, y, {.batch_size = 5, .verbose = 0}) == eager->evaluate(x, y, {.batch_size = 5, .verbose = 0}));
  CHECK(same_bits({traced->predict(x, {.batch_size = 3, .verbose = 0})}, {eager->predict(x, {.batch_size = 3, .verbose = 0})}));
  // One trace each, whatever the batch sizes and row lengths (as Keras 3 on TensorFlow,
  // whose ragged batch spec has batch dimension None: one train_step trace for this fit).
  REQUIRE(traced->train_function() != nullptr);
  CHECK(traced->train_function()->tracing_count() == 1);
  CHECK(traced->test_function()->tracing_count() == 1);
  CHECK(eager->train_function() == nullptr);
}
}  // namespace

TEST_CASE("fit, evaluate and predict on ragged x run one traced step for every batch, equal to run_eagerly bit for bit") {
  check_traced_ragged_fit(false);
  check_traced_ragged_fit(true);
}

TEST_CASE("a layer that does not take ragged input says so") {
  const keras::Tensor x = ragged::constant<double>({{1.0, 2.0}, {3.0}}).as_tensor();
  auto dense = layers::Dense(2, {.name = "dense_r"});
  const std::string msg = error_of([&] { dense(x); });
  CHECK(msg.find("dense_r: layer Dense does not take RaggedTensor inputs, but input 0 is a RaggedTensor "
                 "(bounding shape (2, 2), float32)") != std::string::npos);
  // In a model: the error comes from the layer when the model runs. x: (2, None, 2).
  const keras::Tensor steps =
      RaggedTensor::from_row_splits(ops::ones({3, 2}), keras::constant(std::vector<int64_t>{0, 2, 3})).as_tensor();
  auto in = keras::Input({-1, 2}, {.ragged = true});
  auto model = keras::Functional({in}, {layers::Dense(1, {.name = "dense_m"})(in)});
  // (predict's traced step: the ragged dimensions are open there, as in TensorFlow's spec)
  CHECK(error_of([&] { model->predict(steps, {.verbose = 0}); })
            .find("dense_m: layer Dense does not take RaggedTensor inputs, but input 0 is a RaggedTensor "
                  "(shape (None, None, 2), float32)") != std::string::npos);
  model->compile({.loss = "mse", .run_eagerly = true});
  CHECK(error_of([&] { model->predict(steps, {.verbose = 0}); })
            .find("dense_m: layer Dense does not take RaggedTensor inputs, but input 0 is a RaggedTensor "
                  "(bounding shape (2, 2, 2), float32)") != std::string::npos);
  // GlobalAveragePooling2D takes no ragged input either.
  CHECK(error_of([&] { layers::GlobalAveragePooling2D()(x); }).find("does not take RaggedTensor") != std::string::npos);
}
