// keras::utils::plot_model (DOT text, and Graphviz's dot when installed) and plot_history
// (SVG).
#include <doctest/doctest.h>

#include <filesystem>

#include "../files.h"
#include "../helpers.h"
#include "keras/keras.h"

namespace {
namespace layers = keras::layers;
size_t count(const std::string& s, const std::string& what) {
  size_t n = 0;
  for (size_t p = s.find(what); p != std::string::npos; p = s.find(what, p + 1)) ++n;
  return n;
}
}  // namespace

TEST_CASE("plot_model: a node per layer and an edge per connection, with Keras's options") {
  auto a = keras::Input({5}, {.name = "wide"});
  auto b = keras::Input({6}, {.name = "deep"});
  auto h = layers::Dense(30, {.activation = "relu", .name = "hidden"})(b);
  auto out = layers::Dense(1, {.name = "out"})(layers::Concatenate(-1, {.name = "concat"})({a, h}));
  auto model = keras::Functional({a, b}, {out});
  const std::string dot = keras::utils::model_to_dot(*model, {.show_shapes = true, .show_layer_names = true,
                                                              .show_layer_activations = true, .show_trainable = true});
  CHECK(dot.rfind("digraph ", 0) == 0);
  CHECK(count(dot, " -> ") == 4);  // wide -> concat, deep -> hidden, hidden -> concat, concat -> out
  CHECK(dot.find("\"deep\" -> \"hidden\"") != std::string::npos);
  CHECK(dot.find("\"hidden\" -> \"concat\"") != std::string::npos);
  CHECK(dot.find("\"wide\" -> \"concat\"") != std::string::npos);
  CHECK(dot.find("\"concat\" -> \"out\"") != std::string::npos);
  CHECK(dot.find("hidden (Dense)") != std::string::npos);
  CHECK(dot.find("Output shape: (None, 30)") != std::string::npos);
  CHECK(dot.find("deep (InputLayer)\nOutput shape: (None, 6)") != std::string::npos);
  CHECK(dot.find("Activation: relu") != std::string::npos);
  CHECK(dot.find("Trainable: True") != std::string::npos);
  // Keras's defaults: class names only.
  const std::string plain = keras::utils::model_to_dot(*model);
  CHECK(plain.find("hidden (Dense)") == std::string::npos);
  CHECK(plain.find("label=\"Dense\"") != std::string::npos);
  CHECK(plain.find("Output shape") == std::string::npos);

  // Sequential: a chain; a subclassed model: one node.
  auto seq = keras::Sequential({layers::Dense(4, {.input_shape = {3}}), layers::Dense(2)});
  CHECK(count(keras::utils::model_to_dot(*seq), " -> ") == 1);
  struct Sub : keras::Model {
    keras::Tensor call(const keras::Tensor& x, bool) override { return x; }
  };
  auto sub = keras::make<Sub>();
  const std::string sub_dot = keras::utils::model_to_dot(*sub);
  CHECK(count(sub_dot, " -> ") == 0);
  CHECK(count(sub_dot, "[label=") == 1);

  th::TempDir dir;
  keras::utils::plot_model(*model, dir.file("m.dot"), {.rankdir = "LR"});
  CHECK(th::read_bytes(dir.file("m.dot")).find("rankdir=LR") != std::string::npos);
  CHECK_THROWS_MSG(keras::utils::plot_model(*model, dir.file("m.jpeg")), std::invalid_argument,
                   "expected a path ending in .dot, .png, .svg or .pdf, but received");
  CHECK_THROWS_MSG(keras::utils::model_to_dot(*model, {.rankdir = "BT"}), std::invalid_argument,
                   "rankdir must be \"TB\" or \"LR\", but received \"BT\"");
  // .png goes through Graphviz's dot: written when it is installed, a clear error otherwise.
  try {
    keras::utils::plot_model(*model, dir.file("m.png"));
    CHECK(th::read_bytes(dir.file("m.png")).substr(1, 3) == "PNG");
  } catch (const std::runtime_error& e) {
    CHECK(std::string(e.what()).find("needs Graphviz's `dot` program (apt-get install graphviz)") != std::string::npos);
  }
  CHECK(!std::filesystem::exists(dir.file("m.png.tmp.dot")));
}

TEST_CASE("plot_history: an SVG panel per metric, training solid and validation dashed, over the epochs") {
  keras::callbacks::History h;
  h.history["loss"] = {0.9, 0.6, 0.45, 0.4};
  h.history["val_loss"] = {0.95, 0.7, 0.5, 0.48};
  h.history["accuracy"] = {0.6, 0.75, 0.8, 0.82};
  h.history["val_accuracy"] = {0.58, 0.72, 0.78, 0.79};
  const std::string svg = keras::utils::history_to_svg(h, {.title = "training <curves>"});
  CHECK(svg.rfind("<svg xmlns=\"http://www.w3.org/2000/svg\"", 0) == 0);
  CHECK(svg.find("</svg>") != std::string::npos);
  CHECK(count(svg, "<polyline") == 4);
  CHECK(count(svg, "stroke-dasharray") == 4);  // two validation lines and their legend keys
  CHECK(count(svg, "<circle") == 16);
  CHECK(svg.find(">val_accuracy</text>") != std::string::npos);
  CHECK(svg.find("training &lt;curves&gt;") != std::string::npos);
  // "loss" is the first panel.
  CHECK(svg.find(">loss</text>") < svg.find(">accuracy</text>"));
  // A NaN epoch leaves a gap in the points, not a broken file.
  h.history["loss"][1] = std::nan("");
  CHECK(count(keras::utils::history_to_svg(h), "<circle") == 15);

  th::TempDir dir;
  keras::utils::plot_history(h, dir.file("curves.svg"));
  CHECK(th::read_bytes(dir.file("curves.svg")).find("<polyline") != std::string::npos);
  CHECK_THROWS_MSG(keras::utils::plot_history(h, dir.file("curves.png")), std::invalid_argument,
                   "expected a path ending in .svg");
  CHECK_THROWS_MSG(keras::utils::history_to_svg(keras::callbacks::History{}), std::invalid_argument,
                   "the history is empty");
}
