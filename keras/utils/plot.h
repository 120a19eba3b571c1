// plot.h - pictures of a model and of its training: keras::utils::plot_model (Keras's
// plot_model / model_to_dot: Graphviz DOT, rendered to PNG/SVG/PDF by Graphviz's `dot`
// program when it is installed) and keras::utils::plot_history (the loss and metrics per
// epoch, training and validation, as an SVG file).
//
//   keras::utils::plot_model(*model, "model.png", {.show_shapes = true});
//   keras::utils::plot_history(history, "curves.svg");
#pragma once
#include <string>

#include "keras/callbacks.h"

namespace keras {
class Model;
}

namespace keras::utils {

/// Keras 3's plot_model options and defaults.
struct PlotModelOptions {
  bool show_shapes = false;  ///< Add each layer's output shape.
  bool show_dtype = false;  ///< Add each layer's dtype.
  bool show_layer_names = false;  ///< Label a node "name (Class)" instead of the class only.
  std::string rankdir = "TB";  ///< "TB" (top to bottom) or "LR"
  bool show_layer_activations = false;  ///< Add the activation of layers that have one.
  bool show_trainable = false;  ///< Add whether each layer is trainable.
  int dpi = 200;  ///< The image resolution given to Graphviz; must be > 0.
};

/// The model as Graphviz DOT text: a node per layer (an unbuilt or subclassed model is one
/// node, as in Keras), an edge per connection of a Sequential or Functional model.
std::string model_to_dot(const Model& model, const PlotModelOptions& options = {});
/// Writes model_to_dot's text to `path`: as it is for a ".dot" path; for ".png", ".svg"
/// or ".pdf" through Graphviz's `dot` program (std::runtime_error naming it when it is
/// missing or fails). Other extensions raise std::invalid_argument.
void plot_model(const Model& model, const std::string& path, const PlotModelOptions& options = {});

/// plot_history's and history_to_svg's options.
struct PlotHistoryOptions {
  int width = 640;         ///< pixels per panel
  int panel_height = 300;  ///< one panel per metric: "loss", then the others by name
  std::string title;       ///< above the first panel (none when empty)
};
/// Training curves as an SVG file (`path` must end in ".svg"): one panel per metric of
/// history.history (the key without "val_"), the training values as a solid line and the
/// validation ones ("val_<name>") as a dashed line, over the epochs (from 1), with axes,
/// ticks and a legend. An empty history raises std::invalid_argument.
void plot_history(const callbacks::History& history, const std::string& path, const PlotHistoryOptions& options = {});
/// plot_history's SVG text, without writing a file; width < 200 or panel_height < 120
/// throws std::invalid_argument.
std::string history_to_svg(const callbacks::History& history, const PlotHistoryOptions& options = {});

}  // namespace keras::utils
