// py_dataset_source.cpp - a PyDataset's batches for fit, evaluate and predict: its
// on_epoch_begin / on_epoch_end around every pass, and a new batch order (shuffled with
// fit's seed and the epoch) whenever a pass starts over its batches. A pass that
// steps_per_epoch cuts short leaves the rest of the order to the next epoch, as a
// Dataset's iterator continues.
#include <algorithm>
#include <numeric>
#include <random>

#include "keras/trainers/batch_sources.h"
#include "keras/utils/py_dataset_internal.h"

namespace keras::detail {
namespace {

class PyDatasetSource : public BatchSource {
 public:
  PyDatasetSource(std::shared_ptr<utils::PyDataset> py, const Model& model, const char* fn, bool with_targets,
                  int64_t max_steps, const char* steps_option, std::map<int64_t, double> class_weight, bool shuffle)
      : py_(std::move(py)), model_(model), fn_(fn), with_targets_(with_targets), max_steps_(max_steps),
        steps_option_(steps_option), class_weight_(std::move(class_weight)), shuffle_(shuffle) {
    const std::optional<int64_t> n = py_->num_batches();
    if (!n && max_steps_ <= 0)
      throw std::invalid_argument(std::string(fn_) + ": the PyDataset is infinite (num_batches() is nullopt); give " +
                                  steps_option_ + " to say how many batches make one pass");
    steps_ = max_steps_ > 0 ? max_steps_ : *n;
  }
  int64_t steps() const override { return steps_; }
  void begin_pass(int epoch, uint64_t seed) override {
    py_->on_epoch_begin();
    if (!inner_ || max_steps_ <= 0 || inner_->ran_out() || (count_ >= 0 && taken_ >= count_)) start(epoch, seed);
    inner_->begin_pass(epoch, seed);
  }
  bool has_next() override { return inner_->has_next(); }
  Batch next() override {
    ++taken_;
    return inner_->next();
  }
  bool ran_out() const override { return inner_->ran_out(); }
  void end_pass() override { py_->on_epoch_end(); }

 private:
  // A new pass over the batches (num_batches() read again).
  void start(int epoch, uint64_t seed) {
    const std::optional<int64_t> n = py_->num_batches();
    std::optional<std::vector<int64_t>> order;  // none: 0, 1, ... forever
    count_ = -1;
    if (n) {
      order.emplace(static_cast<size_t>(std::max<int64_t>(*n, 0)));
      std::iota(order->begin(), order->end(), 0);
      if (shuffle_) {
        std::mt19937_64 rng(epoch_seed(seed, epoch));
        std::shuffle(order->begin(), order->end(), rng);
      }
      count_ = *n;
    }
    taken_ = 0;
    inner_ = dataset_source(utils::detail::py_dataset_pass(py_, std::move(order)), model_, fn_, with_targets_,
                            max_steps_, steps_option_, class_weight_);
  }
  std::shared_ptr<utils::PyDataset> py_;
  const Model& model_;
  const char* fn_;
  bool with_targets_;
  int64_t max_steps_, steps_ = 0, count_ = -1, taken_ = 0;
  const char* steps_option_;
  std::map<int64_t, double> class_weight_;
  bool shuffle_;
  std::unique_ptr<BatchSource> inner_;
};

}  // namespace

std::unique_ptr<BatchSource> py_dataset_source(std::shared_ptr<utils::PyDataset> py, const Model& model, const char* fn,
                                               bool with_targets, int64_t max_steps, const char* steps_option,
                                               std::map<int64_t, double> class_weight, bool shuffle) {
  return std::make_unique<PyDatasetSource>(std::move(py), model, fn, with_targets, max_steps, steps_option,
                                           std::move(class_weight), shuffle);
}

}  // namespace keras::detail
