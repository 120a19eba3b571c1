// test_more_losses.cpp - CategoricalFocalCrossentropy, Dice, Tversky,
// CategoricalGeneralizedCrossEntropy, Circle and CTC: each case of
// tests/data/npz/make_loss_fixtures.py rebuilt from Keras 3's own config
// (tests/data/losses/configs.json) and checked against Keras's loss and gradient
// (tests/data/losses/*.npz); configs equal to Keras's and round-tripping; the functional
// forms; float64 gradients against finite differences; errors.
#include <cmath>
#include <functional>
#include <map>
#include <tuple>
#include <stdexcept>

#include "files.h"
#include "helpers.h"
#include "core/npy.h"
#include "keras/keras.h"
#include "test_data_dir.h"

using namespace th;
namespace losses = keras::losses;

namespace {

std::string fixture(const std::string& name) { return std::string(KERAS_TEST_DATA_DIR) + "/losses/" + name; }

const keras::Value& keras_configs() {
  static const keras::Value v = keras::Value::from_json(read_bytes(fixture("configs.json")));
  return v;
}

std::map<std::string, Tensor> load_case(const std::string& name) {
  std::map<std::string, Tensor> a;
  for (auto& [k, v] : core::load_npz(fixture(name + ".npz"))) a[k] = v;
  return a;
}

// Central finite differences of a scalar function of y_pred (float64) against the tape.
void check_gradient_fd(const std::function<Tensor(const Tensor&)>& f, const Tensor& p32) {
  Tensor p = ops::cast(p32, DType::float64);
  core::GradientTape tape;
  tape.watch(p);
  Tensor l = f(p);
  REQUIRE(l.rank() == 0);
  Tensor g = tape.gradient(l, p);
  REQUIRE(g.defined());
  std::vector<double> gv = values(g), p0 = values(p);
  const double h = 1e-6;
  for (size_t i = 0; i < p0.size(); ++i) {
    std::vector<double> up = p0, down = p0;
    up[i] += h;
    down[i] -= h;
    const double fd = (f(make(up, p.shape(), DType::float64)).item<double>() -
                       f(make(down, p.shape(), DType::float64)).item<double>()) / (2 * h);
    CHECK_MESSAGE(std::fabs(gv[i] - fd) <= 1e-5 * (1 + std::fabs(fd)),
                  "element " << i << ": tape " << gv[i] << " vs finite difference " << fd);
  }
}

// The same keys with equal values, in any order (Config objects keep their key order).
bool same_object(const keras::Value& a, const keras::Value& b) {
  if (a.items().size() != b.items().size()) return false;
  for (const auto& [k, v] : a.items())
    if (!b.contains(k) || !(b.at(k) == v)) return false;
  return true;
}

}  // namespace

TEST_CASE("more losses: Keras 3's values and gradients, each loss built from Keras's config") {
  int n = 0;
  for (const auto& [name, entry] : keras_configs().items()) {
    CAPTURE(name);
    keras::Config c = keras::Config::object();
    c["class_name"] = entry.at("class_name");
    c["config"] = entry.at("config");
    losses::LossPtr loss = losses::deserialize(c);
    CHECK(loss->class_name() == entry.at("class_name").as_string());
    auto a = load_case(name);
    Tensor sw = a.count("sample_weight") ? a.at("sample_weight") : Tensor();
    Tensor p = a.at("y_pred");
    core::GradientTape tape;
    tape.watch(p);
    Tensor value = (*loss)(a.at("y_true"), p, sw);
    REQUIRE(value.shape() == a.at("loss").shape());
    std::vector<double> want = values(a.at("loss"));
    std::vector<double> got = values(value);
    for (size_t i = 0; i < want.size(); ++i)
      CHECK_MESSAGE(std::fabs(got[i] - want[i]) <= 2e-5 * (1 + std::fabs(want[i])), i << ": " << got[i] << " vs " << want[i]);
    Tensor grad = tape.gradient(ops::sum(value), p);
    REQUIRE(grad.defined());
    std::vector<double> gw = values(a.at("grad")), gg = values(grad);
    for (size_t i = 0; i < gw.size(); ++i)
      CHECK_MESSAGE(std::fabs(gg[i] - gw[i]) <= 1e-4 * (1 + std::fabs(gw[i])), i << ": " << gg[i] << " vs " << gw[i]);
    ++n;
  }
  CHECK(n >= 20);
}

TEST_CASE("more losses: get_config equals Keras 3's, and serialize/deserialize round-trips") {
  for (const auto& [name, entry] : keras_configs().items()) {
    CAPTURE(name);
    keras::Config c = keras::Config::object();
    c["class_name"] = entry.at("class_name");
    c["config"] = entry.at("config");
    losses::LossPtr loss = losses::deserialize(c);
    CHECK_MESSAGE(same_object(loss->get_config(), entry.at("config")), loss->get_config().to_json() << " vs Keras " << entry.at("config").to_json());
    keras::Config again = keras::Value::from_json(losses::serialize(*loss).to_json());
    CHECK(losses::deserialize(again)->get_config() == loss->get_config());
  }
  // Keras's default names, and get() by class and function name.
  for (auto [key, cls, default_name] : std::vector<std::tuple<const char*, const char*, const char*>>{
           {"categorical_focal_crossentropy", "CategoricalFocalCrossentropy", "categorical_focal_crossentropy"},
           {"CategoricalFocalCrossentropy", "CategoricalFocalCrossentropy", "categorical_focal_crossentropy"},
           {"dice", "Dice", "dice"},
           {"Tversky", "Tversky", "tversky"},
           {"categorical_generalized_cross_entropy", "CategoricalGeneralizedCrossEntropy",
            "categorical_generalized_cross_entropy"},
           {"circle", "Circle", "circle"},
           {"ctc", "CTC", "ctc"}}) {
    CAPTURE(key);
    losses::LossPtr l = losses::get(key);
    CHECK(l->class_name() == cls);
    CHECK(l->name() == default_name);
  }
  CHECK(losses::Dice({.axis = {1, 2}}).get_config().at("axis") == keras::Value(std::vector<int64_t>{1, 2}));
  CHECK(losses::Tversky({.axis = {-1}}).get_config().at("axis").as_int() == -1);
  CHECK(losses::Circle({.gamma = 3, .name = "c"}).get_config().at("name").as_string() == "c");
}

TEST_CASE("more losses: the functional forms equal the classes without reduction") {
  auto a = load_case("cfce_logits_smoothing");
  check_values(losses::categorical_focal_crossentropy(a.at("y_true"), a.at("y_pred"), 0.25, 2.0, true, 0.1),
               values(losses::CategoricalFocalCrossentropy({.from_logits = true, .label_smoothing = 0.1,
                                                           .reduction = "none"})(a.at("y_true"), a.at("y_pred"))),
               1e-6);
  a = load_case("dice_axes_1_2_none");
  check_values(losses::dice(a.at("y_true"), a.at("y_pred"), {1, 2}), values(a.at("loss")), 2e-5);
  a = load_case("tversky_axes_none");
  check_values(losses::tversky(a.at("y_true"), a.at("y_pred"), 0.2, 0.8, {1, 2}), values(a.at("loss")), 2e-5);
  a = load_case("cgce_3d_none");
  check_values(losses::categorical_generalized_cross_entropy(a.at("y_true"), a.at("y_pred"), 0.2),
               values(a.at("loss")), 2e-5);
  a = load_case("circle_none");
  check_values(losses::circle(a.at("y_true"), a.at("y_pred"), Tensor(), Tensor(), true, 30.0), values(a.at("loss")),
               2e-4);
  // Reference embeddings and labels: the batch against itself, given explicitly, with
  // the diagonal kept, is the same as remove_diagonal = false.
  check_values(losses::circle(a.at("y_true"), a.at("y_pred"), a.at("y_true"), a.at("y_pred"), false, 30.0),
               values(losses::circle(a.at("y_true"), a.at("y_pred"), Tensor(), Tensor(), false, 30.0)), 1e-6);
  a = load_case("ctc_repeats_none");
  check_values(losses::ctc(a.at("y_true"), a.at("y_pred")), values(a.at("loss")), 2e-5);
  // Tversky(0.5, 0.5) is Dice.
  a = load_case("dice_default");
  check_values(losses::tversky(a.at("y_true"), a.at("y_pred")), values(losses::dice(a.at("y_true"), a.at("y_pred"))),
               1e-6);
  // A loss given by name to compile() takes the functional form's name.
  losses::LossArg arg = losses::dice;
  CHECK(arg->name() == "dice");
}

TEST_CASE("more losses: float64 gradients match finite differences") {
  for (const char* name : {"cfce_default", "cfce_logits_smoothing", "cfce_alpha_gamma_weighted", "dice_axis1_weighted",
                           "dice_default", "tversky_alpha_beta_axis", "cgce_q07_weighted_sum",
                           "circle_gamma_margin_weighted", "circle_sum", "ctc_default", "ctc_weighted_sum"}) {
    CAPTURE(name);
    const keras::Value& entry = keras_configs().at(name);
    keras::Config c = keras::Config::object();
    c["class_name"] = entry.at("class_name");
    c["config"] = entry.at("config");
    losses::LossPtr loss = losses::deserialize(c);
    auto a = load_case(name);
    Tensor sw = a.count("sample_weight") ? ops::cast(a.at("sample_weight"), DType::float64) : Tensor();
    Tensor t = a.at("y_true");
    check_gradient_fd([&](const Tensor& p) { return (*loss)(t, p, sw); }, a.at("y_pred"));
  }
}

TEST_CASE("more losses: bad arguments and inputs raise errors naming the loss") {
  Tensor p = core::constant({{0.2f, 0.8f}, {0.6f, 0.4f}});
  CHECK_THROWS_MSG(losses::CategoricalGeneralizedCrossEntropy({.q = 1.0}), std::invalid_argument,
                   "expected q in the interval (0, 1), but received q=1");
  CHECK_THROWS_MSG(losses::CategoricalGeneralizedCrossEntropy()(core::constant({0, 2}), p), std::invalid_argument,
                   "categorical_generalized_cross_entropy: expected class labels in [0, 2)");
  CHECK_THROWS_MSG(losses::CategoricalGeneralizedCrossEntropy()(core::constant({0, 1, 1}), p), std::invalid_argument,
                   "expected y_true to have shape (2,)");
  CHECK_THROWS_MSG(losses::CategoricalFocalCrossentropy({.label_smoothing = 2}), std::invalid_argument,
                   "label_smoothing in [0, 1]");
  CHECK_THROWS_MSG(losses::CategoricalFocalCrossentropy()(core::constant({{1.0f, 0.0f, 0.0f}}), p),
                   std::invalid_argument, "categorical_focal_crossentropy: expected y_true and y_pred to have the same shape");
  CHECK_THROWS_MSG(losses::Dice({.axis = {2}})(p, p), std::invalid_argument, "dice");
  CHECK_THROWS_MSG(losses::Tversky({.axis = {1, -1}})(p, p), std::invalid_argument, "given twice");
  CHECK_THROWS_MSG(losses::Circle()(core::constant({0, 1, 1}), p), std::invalid_argument,
                   "circle: expected y_true of shape (2,) or (2, 1)");
  CHECK_THROWS_MSG(losses::Circle()(core::constant({0, 1}), core::constant({0.2f, 0.8f})), std::invalid_argument,
                   "circle: expected y_pred of shape (batch, dim)");
  CHECK_THROWS_MSG(losses::circle(core::constant({0, 1}), p, core::constant({0, 1, 2}), ops::ones({3, 3})),
                   std::invalid_argument, "expected ref_embeddings of shape (n, 2)");
  Tensor logits = ops::zeros({2, 4, 3});
  CHECK_THROWS_MSG(losses::CTC()(core::constant({1, 2}), logits), std::invalid_argument,
                   "ctc: expected y_true of shape (batch_size, max_length)");
  CHECK_THROWS_MSG(losses::CTC()(core::constant({{1, 2}, {2, 1}}), ops::zeros({2, 3})), std::invalid_argument,
                   "ctc: expected y_pred (logits) of shape (batch_size, max_length, num_classes)");
  CHECK_THROWS_MSG(losses::CTC()(core::constant({{1, 0, 2}, {2, 1, 0}}), logits), std::invalid_argument,
                   "received label 0 at position (0, 1)");
  CHECK_THROWS_MSG(losses::CTC()(core::constant({{1, 2}, {2, 3}}), logits), std::invalid_argument,
                   "received label 3 at position (1, 1)");
  CHECK_THROWS_MSG(losses::deserialize(keras::Value::from_json(R"({"class_name": "Dice", "config": {"alpha": 1}})")),
                   std::invalid_argument, "unexpected key 'alpha' in the config of Dice");
}

TEST_CASE("more losses: a sequence model trains with CTC (traced step), and Dice / Circle train too") {
  namespace layers = keras::layers;
  // 16 sequences of 6 steps x 3 features; the label of each is 1-2 classes in 1..3 (0 pads).
  Tensor x = make(uniform(16 * 6 * 3, -1, 1, 21), Shape{16, 6, 3});
  std::vector<double> lab;
  for (int i = 0; i < 16; ++i) {
    lab.push_back(1 + i % 3);
    lab.push_back(i % 2 ? 0 : 1 + (i / 2) % 3);
  }
  Tensor y = make(lab, Shape{16, 2}, DType::int32);
  auto model = keras::Sequential({layers::Dense(16, {.activation = "tanh", .input_shape = {6, 3}}), layers::Dense(4)});
  model->compile({.optimizer = "adam", .loss = losses::CTC()});
  keras::callbacks::History h = model->fit(x, y, {.batch_size = 8, .epochs = 20, .verbose = 0, .seed = 1});
  REQUIRE(h.history["loss"].size() == 20);
  CHECK(std::isfinite(h.history["loss"].back()));
  CHECK(h.history["loss"].back() < 0.95 * h.history["loss"].front());

  Tensor masks = make(std::vector<double>(16 * 4, 0.0), Shape{16, 4});
  masks = ops::cast(ops::greater(make(uniform(16 * 4, 0, 1, 5), Shape{16, 4}), ops::scalar_like(masks, 0.5)), DType::float32);
  auto seg = keras::Sequential({layers::Dense(4, {.activation = "sigmoid", .input_shape = {4}})});
  seg->compile({.optimizer = "adam", .loss = "dice"});
  keras::callbacks::History hd = seg->fit(make(uniform(16 * 4, -1, 1, 6), Shape{16, 4}), masks,
                                          {.batch_size = 16, .epochs = 30, .verbose = 0, .seed = 1});
  CHECK(hd.history["loss"].back() < hd.history["loss"].front());

  auto embed = keras::Sequential({layers::Dense(5, {.input_shape = {3}}), layers::UnitNormalization()});
  embed->compile({.optimizer = "adam", .loss = losses::Circle({.gamma = 10})});
  Tensor pts = make(uniform(16 * 3, -1, 1, 8), Shape{16, 3});
  Tensor ids = ops::mod(ops::range(16), ops::fill({16}, 4, DType::int32));
  keras::callbacks::History hc = embed->fit(pts, ids, {.batch_size = 16, .epochs = 30, .verbose = 0, .seed = 1});
  CHECK(hc.history["loss"].back() < hc.history["loss"].front());
}
