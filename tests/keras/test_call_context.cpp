// test_call_context.cpp - the layer call context: the training flag inherited from the
// enclosing call, masks carried by tensors (Masking, Embedding(mask_zero), masked
// Softmax, merge layers, masked losses), call keyword arguments, the central activity
// regularizer, build() then set_weights(), and summary(line_length). The expected
// numbers come from Keras 3.15 on the same inputs.
#include <cmath>

#include "helpers.h"
#include "keras/keras.h"

namespace layers = keras::layers;
using keras::core::Shape;
using keras::core::Tensor;
using th::check_values;

namespace {
Tensor bools(std::vector<float> v, Shape shape) {
  return keras::ops::cast(keras::core::constant(std::move(v), std::move(shape)), keras::core::DType::bool_);
}

// Counts the calls that ran in training mode.
class TrainingProbe : public layers::Layer {
 public:
  TrainingProbe() : Layer("TrainingProbe") {}
  Tensor call(const Tensor& x, bool training) override {
    (training ? trained : inferred)++;
    return x;
  }
  int trained = 0, inferred = 0;
};

// A subclassed model whose call() uses its layers without passing `training`.
class DropoutModel : public keras::Model {
 public:
  DropoutModel() {
    dense = track(layers::Dense(4, {.kernel_initializer = "ones"}));
    dropout = track(layers::Dropout(0.5, {.seed = 3}));
    probe = track(layers::make<TrainingProbe>());
    out = track(layers::Dense(1));
  }
  Tensor call(const Tensor& x, bool) override { return (*out)((*probe)((*dropout)((*dense)(x)))); }
  layers::Ref<layers::DenseLayer> dense, out;
  layers::Ref<layers::DropoutLayer> dropout;
  layers::Ref<TrainingProbe> probe;
};
}  // namespace

TEST_CASE("call context: layers called without `training` inherit it from the enclosing call") {
  auto m = layers::make<DropoutModel>();
  const Tensor x = keras::core::constant({{1.0f, 2.0f}, {3.0f, 4.0f}});
  // Inherited true: the dropout zeroes some of the 8 activations and scales the rest by 2.
  (*m)(x, true);
  CHECK(m->probe->trained == 1);
  const Tensor h = (*m->dropout)((*m->dense)(x), true);
  int zeros = 0;
  for (float v : h.to_vector<float>()) zeros += v == 0.0f;
  CHECK(zeros > 0);
  // Inherited false (and the default without any enclosing call): nothing dropped.
  (*m)(x, false);
  (*m)(x);
  CHECK(m->probe->inferred == 2);
  // An explicit flag on the inner call wins over the context.
  auto probe = layers::make<TrainingProbe>();
  auto outer = layers::Lambda([&](const Tensor& t) { return (*probe)(t, false); });
  (*outer)(x, true);
  CHECK(probe->inferred == 1);
  // fit() trains the subclassed model in training mode all the way down.
  m->compile({.optimizer = "sgd", .loss = "mse"});
  m->fit(x, keras::core::constant({{1.0f}, {2.0f}}), {.epochs = 2, .verbose = 0, .seed = 1});
  CHECK(m->probe->trained >= 2);
}

TEST_CASE("masks: Masking zeroes the masked steps and the loss ignores them (Keras numbers)") {
  const Tensor x = keras::core::constant(std::vector<float>{1, 2, 0, 0, 3, 1, 0, 0, 2, 2, 1, -1}, Shape{2, 3, 2});
  const Tensor y = keras::core::constant(std::vector<float>{1, 5, 2, 7, 3, 1}, Shape{2, 3, 1});
  auto m = keras::Sequential({layers::Masking({.input_shape = {3, 2}}),
                              layers::Dense(1, {.use_bias = false, .kernel_initializer = "ones"})});
  m->compile({.optimizer = "sgd", .loss = "mse"});
  check_values(m->predict(x), std::vector<float>{3, 0, 4, 0, 4, 0});
  const Tensor out = (*m)(x);
  REQUIRE(out.keras_mask().defined());
  CHECK(out.keras_mask().to_vector<bool>() == std::vector<bool>{true, false, true, false, true, true});
  // Keras 3.15: 2.5 (the masked steps count for nothing; an unmasked mean would be 7.33)
  CHECK(m->evaluate(x, y, {.verbose = 0}).at("loss") == doctest::Approx(2.5));
}

TEST_CASE("masks: Embedding(mask_zero) masks id 0 through Dense into the loss (Keras numbers)") {
  auto m = keras::Sequential(
      {layers::Embedding(4, 2, {.embeddings_initializer = keras::initializers::Constant(0.5), .mask_zero = true,
                                .input_shape = {3}}),
       layers::Dense(1, {.use_bias = false, .kernel_initializer = "ones"})});
  m->compile({.optimizer = "sgd", .loss = "mse"});
  const Tensor ids = keras::core::constant(std::vector<int32_t>{1, 2, 0, 3, 0, 0}, Shape{2, 3});
  const Tensor y = keras::core::constant(std::vector<float>{1, 2, 9, 3, 9, 9}, Shape{2, 3, 1});
  CHECK(m->evaluate(ids, y, {.verbose = 0}).at("loss") == doctest::Approx(1.6666667));  // Keras 3.15
  // Without mask_zero every step counts.
  auto plain = keras::Sequential({layers::Embedding(4, 2, {.embeddings_initializer = keras::initializers::Constant(0.5),
                                                           .input_shape = {3}}),
                                  layers::Dense(1, {.use_bias = false, .kernel_initializer = "ones"})});
  plain->compile({.optimizer = "sgd", .loss = "mse"});
  CHECK(plain->evaluate(ids, y, {.verbose = 0}).at("loss") == doctest::Approx((0 + 1 + 64 + 4 + 64 + 64) / 6.0));
}

TEST_CASE("masks: Softmax, merge layers, explicit masks and layers that drop them") {
  auto s = layers::Softmax();
  const Tensor x = keras::core::constant({{1.0f, 2.0f, 3.0f}});
  const Tensor mask = bools({1, 0, 1}, Shape{1, 3});
  check_values((*s)(x, {.masks = {mask}}), std::vector<float>{0.11920291f, 0.0f, 0.88079703f});  // Keras 3.15
  // Merge layers (Keras 3.15): the inputs' masks ORed when all have one, else none.
  const Tensor a = keras::ops::ones(Shape{1, 2, 3}), b = keras::ops::ones(Shape{1, 2, 3});
  const Tensor ma = bools({1, 0}, Shape{1, 2});
  const Tensor mb = bools({1, 1}, Shape{1, 2});
  CHECK((*layers::Add())({a, b}, {.masks = {ma, mb}})[0].keras_mask().to_vector<bool>() == std::vector<bool>{true, true});
  CHECK_FALSE((*layers::Add())({a, b}, {.masks = {ma, Tensor()}})[0].keras_mask().defined());
  // Their values: Multiply reads a masked position as 1, Maximum and Minimum as the other
  // input's value, Add ignores masks (Keras 3.15 through Masking(0.0) on both inputs, in
  // either order).
  const Tensor x1 = keras::core::constant(std::vector<float>{1, 2, 3, 0, 0, 0}, Shape{1, 2, 3});
  const Tensor x2 = keras::core::constant(std::vector<float>{3, -1, 2, 4, 5, -6}, Shape{1, 2, 3});
  const Tensor m1 = bools({1, 0}, Shape{1, 2}), m2 = bools({1, 1}, Shape{1, 2});
  auto merged = [&](layers::LayerPtr layer, bool swap) {
    return (*layer)(swap ? std::vector<Tensor>{x2, x1} : std::vector<Tensor>{x1, x2},
                    {.masks = swap ? std::vector<Tensor>{m2, m1} : std::vector<Tensor>{m1, m2}})[0];
  };
  for (bool swap : {false, true}) {
    CAPTURE(swap);
    check_values(merged(layers::Add(), swap), std::vector<float>{4, 1, 5, 4, 5, -6});
    check_values(merged(layers::Multiply(), swap), std::vector<float>{3, -2, 6, 4, 5, -6});
    check_values(merged(layers::Maximum(), swap), std::vector<float>{3, 2, 3, 4, 5, -6});
    check_values(merged(layers::Minimum(), swap), std::vector<float>{1, -1, 2, 4, 5, -6});
  }
  // Concatenate on the last axis: ones for the unmasked input, then any() over that axis.
  CHECK((*layers::Concatenate())({a, b}, {.masks = {ma, Tensor()}})[0].keras_mask().to_vector<bool>() ==
        std::vector<bool>{true, true});
  // A layer without masking support drops the mask.
  const Tensor flat = (*layers::Flatten())(a, {.masks = {ma}});
  CHECK_FALSE(flat.keras_mask().defined());
  // A wrong number of masks is refused.
  CHECK_THROWS_AS((*layers::Add())({a, b}, {.masks = {ma}}), std::invalid_argument);
}

namespace {
// A layer reading a keyword argument of its call.
class Scale : public layers::Layer {
 public:
  Scale() : Layer("Scale") {}
  std::vector<Tensor> call(const std::vector<Tensor>& xs, const layers::CallContext& ctx) override {
    return {xs[0] * ctx.kwargs.get("factor", 1.0).as_double()};
  }
};
}  // namespace

TEST_CASE("call kwargs reach call(), and a functional model replays them") {
  auto scale = layers::make<Scale>();
  keras::Config kw = keras::Config::object();
  kw["factor"] = 3.0;
  check_values((*scale)(keras::core::constant({1.0f, 2.0f}), {.kwargs = kw}), std::vector<float>{3, 6});
  auto in = keras::Input({2});
  auto model = keras::Functional({in}, {(*scale)(in, {.kwargs = kw})});
  check_values((*model)(keras::core::constant({{1.0f, 2.0f}})), std::vector<float>{3, 6});
}

TEST_CASE("activity regularizer: applied by the base layer, divided by the batch size (Keras number)") {
  const Tensor x = keras::core::constant(std::vector<float>{0, 1, 2, 3, 4, 5, 6, 7}, Shape{4, 2});
  const Tensor y = keras::core::constant({{1.0f}, {0.0f}, {2.0f}, {3.0f}});
  auto m = keras::Sequential({layers::Dense(1, {.kernel_initializer = "ones",
                                                .activity_regularizer = keras::regularizers::L2(0.1),
                                                .input_shape = {2}})});
  m->compile({.optimizer = "sgd", .loss = "mse"});
  CHECK(m->evaluate(x, y, {.batch_size = 4, .verbose = 0}).at("loss") == doctest::Approx(50.4));  // Keras 3.15
}

TEST_CASE("build() then set_weights() keeps the weights for the first call") {
  auto d = layers::Dense(2, {.use_bias = false});
  d->build(keras::ShapeSpec{-1, 3});
  CHECK(d->built());
  d->set_weights({keras::ops::ones(Shape{3, 2})});
  check_values((*d)(keras::core::constant({{1.0f, 2.0f, 3.0f}})), std::vector<float>{6, 6});
  CHECK(d->weights().size() == 1);
}

TEST_CASE("summary(line_length): the table is that wide, long names wrapped or cut") {
  auto m = keras::Sequential({layers::Dense(300, {.name = "a_rather_long_dense_layer_name", .input_shape = {784}}),
                              layers::Dense(10, {.name = "out"})});
  const std::string s = m->summary_string(50);
  size_t lines = 0;
  for (size_t start = 0; start < s.size();) {
    const size_t end = s.find('\n', start);
    const std::string line = s.substr(start, end - start);
    size_t width = 0;
    for (unsigned char c : line) width += (c & 0xC0) != 0x80;
    if (line.rfind("┏", 0) == 0 || line.rfind("│", 0) == 0 || line.rfind("└", 0) == 0) {
      CHECK(width == 50);
      ++lines;
    }
    start = end + 1;
  }
  CHECK(lines >= 5);
  CHECK(s.find("│ a_rather_long_den… │") != std::string::npos);  // cut, as Keras's table does
  CHECK(s.find("(Dense)") != std::string::npos);               // wrapped to the next line
  CHECK_THROWS_AS(m->summary_string(10), std::invalid_argument);
}

namespace {
// Records in_symbolic_scope() at each call and counts the calls in a variable.
class SymbolicProbe : public layers::Layer {
 public:
  explicit SymbolicProbe(bool dynamic) : Layer("SymbolicProbe", {.dynamic = dynamic}) {}
  void build(const keras::ShapeSpec&) override {
    calls = add_weight("calls", Shape{}, {.initializer = keras::initializers::get("zeros"), .trainable = false});
  }
  Tensor call(const Tensor& x, bool) override {
    seen.push_back(keras::in_symbolic_scope());
    calls.assign_add(keras::core::constant(1.0f));
    return keras::ops::multiply(x, keras::ops::scalar_like(x, 2.0));
  }
  keras::Variable calls;
  std::vector<bool> seen;
};
}  // namespace

TEST_CASE("SymbolicScope: open while a symbolic call infers shapes, whose assignments are dropped (Keras 3)") {
  CHECK_FALSE(keras::in_symbolic_scope());
  {
    keras::SymbolicScope outer;
    CHECK(keras::in_symbolic_scope());
    {
      keras::SymbolicScope inner;
      CHECK(keras::in_symbolic_scope());
    }
    CHECK(keras::in_symbolic_scope());
  }
  CHECK_FALSE(keras::in_symbolic_scope());
  // Keras 3.15 (a layer calling in_symbolic_scope() and assign_add in call, in a Functional
  // model): calls 0 and [True] after building, 1 and [True, False] after predict.
  for (bool dynamic : {false, true}) {
    INFO("dynamic " << dynamic);
    auto probe = std::make_shared<SymbolicProbe>(dynamic);
    auto in = keras::Input({3});
    auto model = keras::Functional({in}, {(*probe)(in)});
    CHECK(probe->calls.value().item<float>() == 0.0f);
    CHECK(probe->seen == std::vector<bool>{true});
    model->predict(keras::ops::ones({2, 3}));
    CHECK(probe->calls.value().item<float>() == 1.0f);
    CHECK(probe->seen == std::vector<bool>{true, false});
  }
}
