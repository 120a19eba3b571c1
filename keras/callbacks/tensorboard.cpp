// tensorboard.cpp - the TensorBoard callback (Keras 3's keras/src/callbacks/tensorboard.py
// semantics), written through keras::summary.
#include "keras/callbacks/tensorboard.h"

#include <chrono>
#include <filesystem>
#include <stdexcept>
#include <vector>

#include "core/ops.h"
#include "keras/models/model.h"
#include "keras/optimizers.h"
#include "keras/settings.h"

namespace keras::callbacks {

namespace {
double now() {
  using namespace std::chrono;
  return duration<double>(steady_clock::now().time_since_epoch()).count();
}
}  // namespace

UpdateFreq::UpdateFreq(const char* s) {
  const std::string v = s ? s : "";
  if (v == "epoch") every = 0;
  else if (v == "batch") every = 1;
  else throw std::invalid_argument("TensorBoard: update_freq must be \"epoch\", \"batch\" or a number of batches >= 1, but received \"" + v + "\"");
}

UpdateFreq::UpdateFreq(int n) : every(n) {
  if (n < 1)
    throw std::invalid_argument("TensorBoard: update_freq must be \"epoch\", \"batch\" or a number of batches >= 1, but received " + std::to_string(n));
}

TensorBoard::TensorBoard(const TensorBoardOptions& options) : options_(options) {
  if (options_.histogram_freq < 0)
    throw std::invalid_argument("TensorBoard: histogram_freq must be >= 0, but received " +
                                std::to_string(options_.histogram_freq));
}
TensorBoard::~TensorBoard() = default;
TensorBoard::TensorBoard(TensorBoard&&) noexcept = default;

namespace {
// Writes `logs` as scalars "<prefix><name><suffix>" at `step` to `writer`.
void write_scalars(const summary::SummaryWriter& writer, const Logs& logs, int64_t step, const std::string& prefix,
                   const std::string& suffix = "") {
  auto scope = writer.as_default();
  for (const auto& [name, value] : logs) summary::scalar(prefix + name + suffix, value, step);
}
}  // namespace

const summary::SummaryWriter& TensorBoard::train() {
  if (train_.path().empty())
    train_ = summary::create_file_writer((std::filesystem::path(options_.log_dir) / "train").string());
  return train_;
}
const summary::SummaryWriter& TensorBoard::validation() {
  if (validation_.path().empty())
    validation_ = summary::create_file_writer((std::filesystem::path(options_.log_dir) / "validation").string());
  return validation_;
}
std::string TensorBoard::train_event_file() const { return train_.path(); }
std::string TensorBoard::validation_event_file() const { return validation_.path(); }

void TensorBoard::on_train_begin(const Logs&) {
  if (!is_chief()) return;  // distributed: the chief writes the logs
  global_batch_ = 0;
  in_fit_ = true;
  graph_pending_ = options_.write_graph;
}

void TensorBoard::on_train_end(const Logs&) {
  in_fit_ = false;
  train_.flush();
  validation_.flush();
}

void TensorBoard::on_epoch_begin(int, const Logs&) {
  if (!is_chief()) return;  // distributed: the chief writes the logs
  if (!options_.write_steps_per_second) return;  // (iterations() reads the variable on the host)
  epoch_start_ = now();
  if (model() && model()->optimizer()) epoch_start_iterations_ = model()->optimizer()->iterations();
}

void TensorBoard::on_train_batch_begin(int64_t, const Logs&) {
  ++global_batch_;
  batch_start_ = now();
}

void TensorBoard::on_train_batch_end(int64_t, const Logs& logs) {
  if (!is_chief()) return;  // distributed: the chief writes the logs
  if (graph_pending_) {
    graph_pending_ = false;
    const Model::StepFunction* fn = model() ? model()->train_function() : nullptr;
    if (fn && !fn->graph_nodes().empty()) {
      auto scope = train().as_default();
      summary::graph(*fn);
    }
  }
  const int64_t every = options_.update_freq.every;
  if (every == 0 || global_batch_ % every != 0) return;
  Logs batch_logs = logs;
  if (options_.write_steps_per_second) batch_logs["steps_per_second"] = 1.0 / std::max(now() - batch_start_, 1e-9);
  write_scalars(train(), batch_logs, global_batch_, "batch_");
}

void TensorBoard::on_test_end(const Logs& logs) {
  if (!is_chief()) return;  // distributed: the chief writes the logs
  if (!in_fit_ || !model() || !model()->optimizer()) return;
  const int64_t step = model()->optimizer()->iterations();
  write_scalars(validation(), logs, step, "evaluation_", "_vs_iterations");
}

void TensorBoard::on_epoch_end(int epoch, const Logs& logs) {
  if (!is_chief()) return;  // distributed: the chief writes the logs
  Logs train_logs, val_logs;
  for (const auto& [name, value] : logs) {
    if (name.rfind("val_", 0) == 0) val_logs[name.substr(4)] = value;
    else train_logs[name] = value;
  }
  if (model() && model()->optimizer()) {
    const auto& opt = model()->optimizer();
    if (!dynamic_cast<const optimizers::MultiOptimizer*>(opt.get()))  // (it has no learning rate of its own)
      train_logs["learning_rate"] = opt->learning_rate();
    if (options_.write_steps_per_second)
      train_logs["steps_per_second"] =
          double(opt->iterations() - epoch_start_iterations_) / std::max(now() - epoch_start_, 1e-9);
  }
  write_scalars(train(), train_logs, epoch, "epoch_");
  if (!val_logs.empty()) write_scalars(validation(), val_logs, epoch, "epoch_");
  if (options_.histogram_freq > 0 && epoch % options_.histogram_freq == 0 && model()) log_weights(epoch);
}

void TensorBoard::log_weights(int epoch) {
  auto scope = train().as_default();
  for (const LayerPtr& layer : model()->layers())
    for (const Variable& w : layer->weights()) {
      std::string name = w.path();
      for (char& c : name)
        if (c == ':') c = '_';
      summary::histogram(name + "/histogram", w.value(), epoch);
      if (options_.write_images) log_weight_as_image(w.value(), name + "/image", epoch);
    }
  train_.flush();
}

// Keras 3's _log_weight_as_image: the squeezed weight as [k, height, width, 1] images; a
// weight of another rank is left out.
void TensorBoard::log_weight_as_image(const Tensor& weight, const std::string& tag, int epoch) {
  namespace ops = core::ops;
  Tensor w = ops::squeeze(weight);
  if (w.rank() == 1) {  // a bias
    w = ops::reshape(w, {1, w.shape()[0], 1, 1});
  } else if (w.rank() == 2) {  // a Dense kernel, its shorter axis as the height
    if (w.shape()[0] > w.shape()[1]) w = ops::transpose(w);
    w = ops::reshape(w, {1, w.shape()[0], w.shape()[1], 1});
  } else if (w.rank() == 3) {  // a convolution kernel: one image per output channel
    if (config::image_data_format() == "channels_last") w = ops::transpose(w, {2, 0, 1});
    w = ops::reshape(w, {w.shape()[0], w.shape()[1], w.shape()[2], 1});
  }
  if (w.rank() == 4 && (w.shape()[3] == 1 || w.shape()[3] == 3 || w.shape()[3] == 4)) summary::image(tag, w, epoch);
}

}  // namespace keras::callbacks
