// test_saving.cpp - model.save / load_model, save_weights / load_weights (.npz too),
// checkpoints, the serializable registry, and atomic writes.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <stdexcept>

#include "core/npy.h"
#include "files.h"
#include "helpers.h"
#include "keras/keras.h"
#include "keras/saving/saving.h"

using namespace th;
namespace fs = std::filesystem;
namespace layers = keras::layers;
namespace saving = keras::saving;

namespace {

std::pair<Tensor, Tensor> regression_data(int64_t n) {
  auto xv = uniform(n * 3, -1, 1, 11);
  std::vector<double> yv(size_t(n * 2));
  for (int64_t i = 0; i < n; ++i) {
    yv[size_t(2 * i)] = xv[size_t(3 * i)] - 2 * xv[size_t(3 * i + 1)];
    yv[size_t(2 * i + 1)] = xv[size_t(3 * i + 2)] * 0.5 + 0.1;
  }
  return {make(xv, Shape{n, 3}), make(yv, Shape{n, 2})};
}

keras::Ref<keras::SequentialModel> small_mlp() {
  return keras::Sequential({layers::Dense(8, {.activation = "tanh", .input_shape = {3}}), layers::Dense(2)});
}

std::vector<std::vector<double>> weight_values(const keras::Model& m) {
  std::vector<std::vector<double>> out;
  for (const Tensor& t : m.get_weights()) out.push_back(values(t));
  return out;
}

// A user loss with a hyperparameter: squared errors below `threshold` count 0.
class MyHuber : public keras::losses::Loss {
 public:
  static constexpr const char* serializable_name = "MyHuber";
  explicit MyHuber(double threshold = 1.0, const keras::losses::LossOptions& o = {}) : Loss(o), threshold_(threshold) {}
  Tensor call(const Tensor& y_true, const Tensor& y_pred) const override {
    Tensor e = ops::square(y_true - y_pred);
    return ops::mean(ops::where(e < threshold_, ops::zeros_like(e), e), {-1});
  }
  std::string class_name() const override { return "MyHuber"; }
  keras::Config get_config() const override {
    keras::Config c = Loss::get_config();
    c["threshold"] = threshold_;
    return c;
  }
  static std::shared_ptr<MyHuber> from_config(const keras::Config& c) {
    return std::make_shared<MyHuber>(c.at("threshold").as_double(), keras::losses::LossOptions::from_config(c));
  }
  double threshold() const { return threshold_; }

 private:
  double threshold_;
};

// Same, under another class name, registered only through custom_objects.
class OtherHuber : public MyHuber {
 public:
  using MyHuber::MyHuber;
  std::string class_name() const override { return "OtherHuber"; }
  static std::shared_ptr<OtherHuber> from_config(const keras::Config& c) {
    return std::make_shared<OtherHuber>(c.at("threshold").as_double(), keras::losses::LossOptions::from_config(c));
  }
};

// A subclassed model; registered (as "TwoDense") in one test, not in another.
class TwoDense : public keras::Model {
 public:
  explicit TwoDense(int64_t hidden, const keras::LayerOptions& o = {}, std::string cls = "TwoDense")
      : Model(o, std::move(cls)), hidden_units(hidden) {
    a = track(layers::Dense(hidden, {.activation = "relu"}));
    b = track(layers::Dense(1));
  }
  Tensor call(const Tensor& x, bool training) override { return (*b)((*a)(x, training), training); }
  keras::Config get_config() const override {
    keras::Config c = Model::get_config();
    c["hidden"] = static_cast<long long>(hidden_units);
    return c;
  }
  static std::shared_ptr<TwoDense> from_config(const keras::Config& c) {
    keras::LayerOptions o;
    o.name = c.at("name").as_string();
    if (c.contains("input_shape")) o.input_shape = keras::ShapeSpec(c.at("input_shape").as_ints());
    return keras::make<TwoDense>(c.at("hidden").as_int(), o);
  }
  int64_t hidden_units;
  keras::Ref<layers::DenseLayer> a, b;
};

}  // namespace

TEST_CASE("saving: a compiled Sequential model round-trips with weights, compile and optimizer state") {
  TempDir dir;
  auto [x, y] = regression_data(64);
  auto model = small_mlp();
  model->compile({.optimizer = keras::optimizers::Adam({.learning_rate = 0.01}), .loss = "mse", .metrics = {"mae"}});
  model->fit(x, y, {.batch_size = 16, .epochs = 1, .verbose = 0, .shuffle = false});
  const std::string path = dir.file("m.kcpp");
  model->save(path);

  keras::ModelPtr loaded = keras::models::load_model(path);
  CHECK(loaded->class_name() == "Sequential");
  CHECK(loaded->name() == model->name());
  CHECK(weight_values(*loaded) == weight_values(*model));
  CHECK(values(loaded->predict(x)) == values(model->predict(x)));
  REQUIRE(loaded->compiled());
  CHECK(loaded->optimizer()->class_name() == "Adam");
  CHECK(loaded->optimizer()->iterations() == 4);
  CHECK(loaded->optimizer()->learning_rate() == doctest::Approx(0.01));
  std::vector<std::vector<double>> a, b;
  for (const auto& v : model->optimizer()->variables()) a.push_back(values(v.value()));
  for (const auto& v : loaded->optimizer()->variables()) b.push_back(values(v.value()));
  CHECK(a.size() == 9);  // iterations + (m, v) for 4 weights
  CHECK(a == b);
  keras::Logs r1 = model->evaluate(x, y, {.verbose = 0}), r2 = loaded->evaluate(x, y, {.verbose = 0});
  CHECK(r2.size() == 2);  // loss and the metric
  CHECK(r1 == r2);

  // compile = false: architecture and weights only.
  keras::ModelPtr plain = saving::load_model(path, {.compile = false});
  CHECK_FALSE(plain->compiled());
  CHECK(weight_values(*plain) == weight_values(*model));
}

TEST_CASE("saving: a model compiled but never trained saves and loads its (zero) optimizer state") {
  TempDir dir;
  auto model = small_mlp();
  model->compile({.optimizer = "adam", .loss = "mse"});
  const std::string path = dir.file("fresh.kcpp");
  model->save(path);
  keras::ModelPtr loaded = keras::models::load_model(path);
  REQUIRE(loaded->compiled());
  CHECK(loaded->optimizer()->iterations() == 0);
  CHECK(loaded->optimizer()->variables().size() == 9);
  CHECK(weight_values(*loaded) == weight_values(*model));
  auto [x, y] = regression_data(32);
  model->fit(x, y, {.batch_size = 16, .epochs = 1, .verbose = 0, .shuffle = false});
  loaded->fit(x, y, {.batch_size = 16, .epochs = 1, .verbose = 0, .shuffle = false});
  CHECK(weight_values(*loaded) == weight_values(*model));
}

TEST_CASE("saving: train 2 epochs, save, load, train 1 more == 3 epochs uninterrupted, bit for bit") {
  TempDir dir;
  auto [x, y] = regression_data(48);
  auto make_model = [](const std::vector<Tensor>& w) {
    auto m = small_mlp();
    if (!w.empty()) m->set_weights(w);
    m->compile({.optimizer = keras::optimizers::Adam({.learning_rate = 0.02}), .loss = "mse"});
    return m;
  };
  auto first = make_model({});
  const std::vector<Tensor> init = first->get_weights();
  first->fit(x, y, {.batch_size = 8, .epochs = 3, .verbose = 0, .shuffle = false, .seed = 3});

  auto second = make_model(init);
  second->fit(x, y, {.batch_size = 8, .epochs = 2, .verbose = 0, .shuffle = false, .seed = 3});
  second->save(dir.file("two.kcpp"));
  keras::ModelPtr resumed = keras::models::load_model(dir.file("two.kcpp"));
  CHECK(resumed->optimizer()->iterations() == 12);
  resumed->fit(x, y, {.batch_size = 8, .epochs = 1, .verbose = 0, .shuffle = false, .seed = 3});
  CHECK(resumed->optimizer()->iterations() == 18);
  CHECK(weight_values(*resumed) == weight_values(*first));
}

TEST_CASE("saving: a Functional model with two inputs round-trips") {
  TempDir dir;
  auto wide = keras::Input({2}, {.name = "wide"});
  auto deep = keras::Input({3}, {.name = "deep"});
  auto h = layers::Dense(4, {.activation = "relu"})(deep);
  auto out = layers::Dense(1)(layers::Concatenate()({wide, h}));
  auto model = keras::Functional({wide, deep}, {out});
  model->compile({.optimizer = "sgd", .loss = "mse"});
  model->save(dir.file("f.kcpp"));
  keras::ModelPtr loaded = keras::models::load_model(dir.file("f.kcpp"));
  CHECK(loaded->class_name() == "Functional");
  Tensor a = make(uniform(10, -1, 1, 2), Shape{5, 2}), b = make(uniform(15, -1, 1, 3), Shape{5, 3});
  CHECK(values(loaded->predict(std::vector<Tensor>{a, b})[0]) == values(model->predict(std::vector<Tensor>{a, b})[0]));
  CHECK(loaded->optimizer()->class_name() == "SGD");
}

TEST_CASE("saving: a custom loss round-trips with its threshold (register_serializable and custom_objects)") {
  TempDir dir;
  auto [x, y] = regression_data(16);
  saving::register_serializable<MyHuber>();
  auto model = small_mlp();
  model->compile({.optimizer = "sgd", .loss = MyHuber(0.25, {.reduction = "sum"})});
  model->fit(x, y, {.batch_size = 8, .epochs = 1, .verbose = 0, .shuffle = false});
  model->save(dir.file("h.kcpp"));
  keras::ModelPtr loaded = keras::models::load_model(dir.file("h.kcpp"));
  const auto& loss = loaded->compile_options().loss.at(0).ptr();
  REQUIRE(dynamic_cast<const MyHuber*>(loss.get()) != nullptr);
  CHECK(dynamic_cast<const MyHuber*>(loss.get())->threshold() == 0.25);
  CHECK(loss->reduction() == "sum");

  // A class that is not registered: a clear error naming it and saying how to register.
  auto other = small_mlp();
  other->compile({.optimizer = "sgd", .loss = OtherHuber(0.75)});
  other->save(dir.file("o.kcpp"));
  CHECK_THROWS_MSG(keras::models::load_model(dir.file("o.kcpp")), std::invalid_argument, "OtherHuber");
  CHECK_THROWS_MSG(keras::models::load_model(dir.file("o.kcpp")), std::invalid_argument, "register_serializable");
  // Passing it explicitly works.
  keras::ModelPtr with = keras::models::load_model(dir.file("o.kcpp"), {.custom_objects = {{"OtherHuber", OtherHuber::from_config}}});
  const auto* oh = dynamic_cast<const OtherHuber*>(with->compile_options().loss.at(0).ptr().get());
  REQUIRE(oh != nullptr);
  CHECK(oh->threshold() == 0.75);
  // ... for that call only, as Keras scopes custom_objects: afterwards the name is unknown again.
  CHECK_THROWS_MSG(keras::models::load_model(dir.file("o.kcpp")), std::invalid_argument, "OtherHuber");
  {  // Keras's custom_object_scope: known while the scope lives, on this thread
    keras::saving::CustomObjectScope scope({{"OtherHuber", OtherHuber::from_config}});
    CHECK(keras::models::load_model(dir.file("o.kcpp")) != nullptr);
    CHECK(keras::losses::deserialize(keras::losses::serialize(OtherHuber(0.5))) != nullptr);
  }
  CHECK_THROWS_AS(keras::losses::deserialize(keras::losses::serialize(OtherHuber(0.5))), std::invalid_argument);
}

namespace {
// No serializable_name: register_serializable takes the name from class_name().
class HalfMse : public keras::losses::Loss {
 public:
  using Loss::Loss;
  Tensor call(const Tensor& y_true, const Tensor& y_pred) const override {
    return ops::mean(ops::square(y_true - y_pred), {-1}) * 0.5;
  }
  std::string class_name() const override { return "HalfMse"; }
  static std::shared_ptr<HalfMse> from_config(const keras::Config& c) {
    return std::make_shared<HalfMse>(keras::losses::LossOptions::from_config(c));
  }
};
}  // namespace

TEST_CASE("saving: register_serializable names a class by class_name() and refuses built-in names") {
  CHECK_THROWS_MSG(keras::losses::deserialize(keras::Config::from_json(R"({"class_name": "HalfMse", "config": {}})")),
                   std::invalid_argument, "HalfMse");
  saving::register_serializable<HalfMse>();
  auto loss = keras::losses::deserialize(keras::Config::from_json(R"({"class_name": "HalfMse", "config": {"name": "h"}})"));
  REQUIRE(dynamic_cast<const HalfMse*>(loss.get()) != nullptr);
  CHECK(loss->name() == "h");
  CHECK_THROWS_MSG(saving::register_serializable<HalfMse>("MeanSquaredError"), std::invalid_argument,
                   "cannot be replaced");
}

TEST_CASE("saving: subclassed models: weights always, architecture when registered") {
  TempDir dir;
  Tensor x = make(uniform(12, -1, 1, 5), Shape{4, 3});
  // Not registered ("Unregistered" is no registered class): save() writes the weights;
  // load_model explains, load_weights reads them.
  auto plain = keras::make<TwoDense>(5, keras::LayerOptions{}, "Unregistered");
  Tensor expected = (*plain)(x);
  plain->save(dir.file("u.kcpp"));
  CHECK_THROWS_MSG(keras::models::load_model(dir.file("u.kcpp")), std::invalid_argument,
                   "subclassed class 'Unregistered', which was not registered");
  CHECK_THROWS_MSG(keras::models::load_model(dir.file("u.kcpp")), std::invalid_argument, "load_weights");
  auto again = keras::make<TwoDense>(5, keras::LayerOptions{}, "Unregistered");
  (*again)(x);
  again->load_weights(dir.file("u.kcpp"));
  CHECK(values((*again)(x)) == values(expected));

  // Registered, with an input shape: rebuilt from its config, built, weights loaded.
  saving::register_serializable<TwoDense>("TwoDense");
  auto reg = keras::make<TwoDense>(6, keras::LayerOptions{.input_shape = {3}});
  Tensor want = (*reg)(x);
  reg->save(dir.file("r.kcpp"));
  keras::ModelPtr loaded = keras::models::load_model(dir.file("r.kcpp"));
  auto* two = dynamic_cast<TwoDense*>(loaded.get());
  REQUIRE(two != nullptr);
  CHECK(two->hidden_units == 6);
  CHECK(values((*loaded)(x)) == values(want));
}

TEST_CASE("saving: save_weights / load_weights check the architecture") {
  TempDir dir;
  auto a = small_mlp();
  a->save_weights(dir.file("a.weights"));
  auto b = small_mlp();
  b->load_weights(dir.file("a.weights"));
  CHECK(weight_values(*b) == weight_values(*a));
  // A model file's weights load too.
  a->save(dir.file("a.kcpp"));
  auto c = small_mlp();
  c->load_weights(dir.file("a.kcpp"));
  CHECK(weight_values(*c) == weight_values(*a));

  auto wider = keras::Sequential({layers::Dense(9, {.activation = "tanh", .input_shape = {3}}), layers::Dense(2)});
  const std::string kernel = wider->get_layer(0)->name() + "/kernel";
  const std::string want = "weights 0 of the model '" + wider->name() + "': expected '" + kernel +
                           "' with shape (3, 9) float32, but the file has '" + a->get_layer(0)->name() +
                           "/kernel' with shape (3, 8) float32";
  CHECK_THROWS_MSG(wider->load_weights(dir.file("a.weights")), std::invalid_argument, want.c_str());
  auto deeper = keras::Sequential({layers::Dense(8, {.input_shape = {3}}), layers::Dense(8), layers::Dense(2)});
  CHECK_THROWS_MSG(deeper->load_weights(dir.file("a.weights")), std::invalid_argument, "has 6 weights, but the file has 4");
  // A failed load changes nothing.
  const auto before = weight_values(*wider);
  CHECK_THROWS(wider->load_weights(dir.file("a.weights")));
  CHECK(weight_values(*wider) == before);
  // A weights file is not a model.
  CHECK_THROWS_MSG(keras::models::load_model(dir.file("a.weights")), std::invalid_argument,
                   "expected a model file (save_model), but this is a weights file");
}

TEST_CASE("saving: .npz weights use Keras-like names and load from NumPy archives") {
  TempDir dir;
  auto model = keras::Sequential({layers::Dense(4, {.name = "dense_in", .input_shape = {3}}), layers::Dense(2, {.name = "out"})});
  model->save_weights(dir.file("w.npz"));
  auto arrays = core::load_npz(dir.file("w.npz"));
  REQUIRE(arrays.size() == 4);
  CHECK(arrays[0].first == "dense_in/kernel");
  CHECK(arrays[1].first == "dense_in/bias");
  CHECK(arrays[2].first == "out/kernel");
  CHECK(arrays[3].first == "out/bias");
  CHECK(values(arrays[2].second) == values(model->get_layer("out")->get_weights()[0]));
  // An archive written elsewhere (names in another order) loads by name.
  std::vector<std::pair<std::string, Tensor>> reordered = {arrays[3], arrays[1], arrays[2], arrays[0]};
  core::save_npz(dir.file("r.npz"), reordered);
  auto other = keras::Sequential({layers::Dense(4, {.name = "dense_in", .input_shape = {3}}), layers::Dense(2, {.name = "out"})});
  other->load_weights(dir.file("r.npz"));
  CHECK(weight_values(*other) == weight_values(*model));
}

TEST_CASE("saving: checkpoints restore weights, optimizer slots and iterations, and return the metadata") {
  TempDir dir;
  auto [x, y] = regression_data(32);
  auto model = small_mlp();
  model->compile({.optimizer = keras::optimizers::SGD({.learning_rate = 0.05, .momentum = 0.9}), .loss = "mse"});
  model->fit(x, y, {.batch_size = 8, .epochs = 1, .verbose = 0, .shuffle = false});
  keras::Config meta = keras::Config::object();
  meta["epoch"] = 1;
  meta["best"] = 0.5;
  saving::save_checkpoint(*model, dir.file("c.ckpt"), meta);

  auto fresh = small_mlp();
  fresh->compile({.optimizer = keras::optimizers::SGD({.learning_rate = 0.05, .momentum = 0.9}), .loss = "mse"});
  keras::Config got = saving::load_checkpoint(*fresh, dir.file("c.ckpt"));
  CHECK(got == meta);
  CHECK(fresh->optimizer()->iterations() == 4);
  CHECK(weight_values(*fresh) == weight_values(*model));
  std::vector<std::vector<double>> a, b;
  for (const auto& v : model->optimizer()->variables()) a.push_back(values(v.value()));
  for (const auto& v : fresh->optimizer()->variables()) b.push_back(values(v.value()));
  CHECK(a == b);
  // Training on continues identically.
  model->fit(x, y, {.batch_size = 8, .epochs = 1, .verbose = 0, .shuffle = false});
  fresh->fit(x, y, {.batch_size = 8, .epochs = 1, .verbose = 0, .shuffle = false});
  CHECK(weight_values(*fresh) == weight_values(*model));
  // An optimizer with other slots is refused before anything changes.
  auto adam = small_mlp();
  adam->compile({.optimizer = "adam", .loss = "mse"});
  const auto before = weight_values(*adam);
  CHECK_THROWS_MSG(saving::load_checkpoint(*adam, dir.file("c.ckpt")), std::invalid_argument,
                   "has 9 state variables, but the file has 5");
  CHECK(weight_values(*adam) == before);
  // The iteration count can be set directly too.
  fresh->optimizer()->set_iterations(7);
  CHECK(fresh->optimizer()->iterations() == 7);
  CHECK_THROWS_MSG(fresh->optimizer()->set_iterations(-1), std::invalid_argument, "expected iterations >= 0");
}

TEST_CASE("saving: a failed save leaves the old file intact and no temporary file") {
  TempDir dir;
  const std::string path = dir.file("keep.kcpp");
  auto model = small_mlp();
  model->save(path);
  const std::string old = read_bytes(path);
  CHECK_THROWS_MSG(saving::write_file_atomically(path, [](std::ostream& out) {
                     out << "half a file";
                     throw std::runtime_error("disk on fire");
                   }),
                   std::runtime_error, "disk on fire");
  CHECK(read_bytes(path) == old);
  CHECK(std::distance(fs::directory_iterator(dir.path), fs::directory_iterator()) == 1);
  // A folder that does not exist.
  CHECK_THROWS_MSG(model->save(dir.file("missing/m.kcpp")), std::runtime_error, "cannot create the temporary file");
  // Saving another model over the file replaces it whole.
  auto other = keras::Sequential({layers::Dense(3, {.input_shape = {3}})});
  other->save(path);
  CHECK(read_bytes(path) != old);
  CHECK(keras::models::load_model(path)->count_params() == 12);
}
