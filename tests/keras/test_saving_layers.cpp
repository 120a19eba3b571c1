// test_saving_layers.cpp - models with layers that keep state besides trainable weights
// (BatchNormalization's moving statistics, an Embedding on integer inputs, an adapted
// Normalization) save and load with that state: the loaded model predicts the same, in
// inference and in training mode, and trains on identically.
#include "files.h"
#include "helpers.h"
#include "keras/keras.h"

using namespace th;
namespace layers = keras::layers;

namespace {
std::vector<std::vector<double>> weight_values(const keras::Model& m) {
  std::vector<std::vector<double>> out;
  for (const Tensor& w : m.get_weights()) out.push_back(values(w));
  return out;
}
}  // namespace

TEST_CASE("saving: Embedding + BatchNormalization keep the embeddings and moving statistics") {
  TempDir dir;
  const int64_t n = 32;
  std::vector<int> ids;
  for (int64_t i = 0; i < n * 4; ++i) ids.push_back(int((i * 7 + i / 5) % 10));
  Tensor x = ops::reshape(core::constant(ids), {n, 4});
  Tensor y = make(uniform(n, -1, 1, 3), Shape{n, 1});
  auto in = keras::Input({4}, {.dtype = DType::int32});
  auto emb = layers::Embedding(10, 3);
  auto bn = layers::BatchNormalization({.momentum = 0.5});
  auto h = bn(layers::Dense(5)(layers::Flatten()(emb(in))));
  auto model = keras::Functional({in}, {layers::Dense(1)(h)});
  model->compile({.optimizer = keras::optimizers::Adam({.learning_rate = 0.01}), .loss = "mse"});
  model->fit(x, y, {.batch_size = 8, .epochs = 2, .verbose = 0, .shuffle = false});
  // The state the test is about has moved away from its initial values.
  for (double m : values(bn->moving_mean.value())) CHECK(m != 0.0);
  for (double v : values(bn->moving_variance.value())) CHECK(v != 1.0);

  const std::string path = dir.file("emb_bn.kcpp");
  model->save(path);
  keras::ModelPtr loaded = keras::models::load_model(path);
  CHECK(weight_values(*loaded) == weight_values(*model));
  CHECK(values(loaded->predict(x, {.batch_size = n})) == values(model->predict(x, {.batch_size = n})));
  // Training mode: the batch statistics, the same on both.
  CHECK(values((*loaded)(x, true)) == values((*model)(x, true)));
  // Training on from the loaded model: the same weights as training on the original.
  loaded->fit(x, y, {.batch_size = 8, .epochs = 1, .verbose = 0, .shuffle = false});
  model->fit(x, y, {.batch_size = 8, .epochs = 1, .verbose = 0, .shuffle = false});
  CHECK(weight_values(*loaded) == weight_values(*model));
}

TEST_CASE("saving: an adapted Normalization keeps its mean, variance and count") {
  TempDir dir;
  const int64_t n = 20;
  const auto xv = uniform(n * 3, -5, 5, 8);
  Tensor x = make(xv, Shape{n, 3});
  auto norm = layers::Normalization();
  norm->adapt(x);
  // Outputs: the normalized inputs, and a Dense layer on them.
  auto in = keras::Input({3});
  auto z_out = norm(in);
  auto model = keras::Functional({in}, {z_out, layers::Dense(2)(z_out)});
  model->compile({.optimizer = "sgd", .loss = {"mse", "mse"}});
  const std::string path = dir.file("norm.kcpp");
  model->save(path);
  keras::ModelPtr loaded = keras::models::load_model(path);
  auto before = model->predict(std::vector<Tensor>{x}), after = loaded->predict(std::vector<Tensor>{x});
  REQUIRE(after.size() == 2);
  CHECK(values(after[0]) == values(before[0]));
  CHECK(values(after[1]) == values(before[1]));
  // The loaded layer normalizes with the data's mean and (population) variance per column.
  Tensor z = after[0];
  std::vector<double> want(size_t(n * 3));
  for (int c = 0; c < 3; ++c) {
    double mean = 0, var = 0;
    for (int64_t i = 0; i < n; ++i) mean += xv[size_t(i * 3 + c)] / double(n);
    for (int64_t i = 0; i < n; ++i) var += (xv[size_t(i * 3 + c)] - mean) * (xv[size_t(i * 3 + c)] - mean) / double(n);
    for (int64_t i = 0; i < n; ++i) want[size_t(i * 3 + c)] = (xv[size_t(i * 3 + c)] - mean) / std::sqrt(var);
  }
  check_values(z, want, 1e-5);

  // Given mean and variance round-trip through the config.
  auto gin = keras::Input({2});
  auto given = keras::Functional({gin}, {layers::Normalization({.mean = {1, -1}, .variance = {4, 0.25}})(gin)});
  given->save(dir.file("given.kcpp"));
  keras::ModelPtr g = keras::models::load_model(dir.file("given.kcpp"));
  check_values(g->predict(core::constant({{3.0f, 0.0f}})), std::vector<double>{1.0, 2.0}, 1e-6);
}

TEST_CASE("saving: TextVectorization and IntegerLookup keep their adapted vocabularies") {
  TempDir dir;
  const Tensor text = core::constant({{"the cat sat"}, {"a dog ran"}, {"the dog sat"}, {"cats and dogs"}});
  auto tv = layers::TextVectorization({.max_tokens = 50, .output_sequence_length = 5});
  tv->adapt(text);
  auto in = keras::Input({1}, {.dtype = DType::string});
  auto ids = tv(in);
  auto out = layers::Dense(2)(layers::GlobalAveragePooling1D()(layers::Embedding(50, 4)(ids)));
  auto model = keras::Functional({in}, {ids, out});
  const std::string path = dir.file("text.kcpp");
  model->save(path);
  keras::ModelPtr loaded = keras::models::load_model(path);
  auto before = model->predict(std::vector<Tensor>{text}), after = loaded->predict(std::vector<Tensor>{text});
  REQUIRE(after.size() == 2);
  CHECK(after[0].dtype() == DType::int64);
  CHECK(after[0].to_vector<int64_t>() == before[0].to_vector<int64_t>());
  CHECK(values(after[1]) == values(before[1]));
  // The ids are the adapted vocabulary's: "the", "sat", "dog" are the most frequent.
  CHECK(tv->get_vocabulary(false) == std::vector<std::string>{"the", "sat", "dog", "ran", "dogs", "cats", "cat", "and", "a"});
  check_values(after[0], tv(text).to_vector<int64_t>());

  auto lookup = layers::IntegerLookup({.output_mode = "multi_hot"});
  lookup->adapt(core::constant({7, 7, 3, 9, 3, 7}, DType::int64));
  auto iin = keras::Input({2}, {.dtype = DType::int64});
  auto imodel = keras::Functional({iin}, {lookup(iin)});
  imodel->save(dir.file("lookup.kcpp"));
  keras::ModelPtr iloaded = keras::models::load_model(dir.file("lookup.kcpp"));
  const Tensor x = core::constant({{7, 9}, {5, 3}}, DType::int64);
  check_values(iloaded->predict(x), std::vector<int>{0, 1, 0, 1, 1, 0, 1, 0});  // [UNK], 7, 3, 9
}
