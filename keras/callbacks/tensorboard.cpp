// tensorboard.cpp - the TensorBoard callback (Keras 3's keras/src/callbacks/tensorboard.py
// semantics; the files are written by event_file.cpp).
#include "keras/callbacks/tensorboard.h"

#include <chrono>
#include <filesystem>
#include <stdexcept>
#include <vector>

#include "core/ops.h"
#include "keras/callbacks/event_file.h"
#include "keras/models/model.h"
#include "keras/optimizers.h"

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

detail::EventFile& TensorBoard::train() {
  if (!train_) train_ = std::make_unique<detail::EventFile>((std::filesystem::path(options_.log_dir) / "train").string());
  return *train_;
}
detail::EventFile& TensorBoard::validation() {
  if (!validation_)
    validation_ = std::make_unique<detail::EventFile>((std::filesystem::path(options_.log_dir) / "validation").string());
  return *validation_;
}
std::string TensorBoard::train_event_file() const { return train_ ? train_->path() : ""; }
std::string TensorBoard::validation_event_file() const { return validation_ ? validation_->path() : ""; }

void TensorBoard::on_train_begin(const Logs&) {
  if (!is_chief()) return;  // distributed: the chief writes the logs
  global_batch_ = 0;
  in_fit_ = true;
  graph_pending_ = options_.write_graph;
}

void TensorBoard::on_train_end(const Logs&) {
  in_fit_ = false;
  if (train_) train_->flush();
  if (validation_) validation_->flush();
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
    if (fn && !fn->graph_nodes().empty()) train().graph(fn->graph_nodes());
  }
  const int64_t every = options_.update_freq.every;
  if (every == 0 || global_batch_ % every != 0) return;
  if (options_.write_steps_per_second)
    train().scalar("batch_steps_per_second", 1.0 / std::max(now() - batch_start_, 1e-9), global_batch_);
  for (const auto& [name, value] : logs) train().scalar("batch_" + name, value, global_batch_);
}

void TensorBoard::on_test_end(const Logs& logs) {
  if (!is_chief()) return;  // distributed: the chief writes the logs
  if (!in_fit_ || !model() || !model()->optimizer()) return;
  const int64_t step = model()->optimizer()->iterations();
  for (const auto& [name, value] : logs) validation().scalar("evaluation_" + name + "_vs_iterations", value, step);
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
  for (const auto& [name, value] : train_logs) train().scalar("epoch_" + name, value, epoch);
  for (const auto& [name, value] : val_logs) validation().scalar("epoch_" + name, value, epoch);
  if (options_.histogram_freq > 0 && epoch % options_.histogram_freq == 0 && model()) {
    for (const Variable& w : model()->weights()) {
      const Tensor v = core::ops::cast(w.value(), DType::float64);
      std::vector<double> values = v.to_vector<double>();
      std::string name = w.name();
      for (char& c : name)
        if (c == ':') c = '_';
      train().histogram(name + "/histogram", values, epoch);
    }
  }
  train().flush();
  if (validation_) validation_->flush();
}

}  // namespace keras::callbacks
