// py_dataset.h - keras.utils.PyDataset: a dataset of batches that user code makes by
// index (read files, decode, augment), fetched ahead on worker threads. Model::fit,
// evaluate and predict take one as they take a Dataset; they call its epoch hooks, and fit
// shuffles the order of its batches at each epoch (its `shuffle` option).
//
//   class Batches : public keras::utils::PyDataset {
//    public:
//     Batches(keras::Tensor x, keras::Tensor y, int64_t batch_size)
//         : PyDataset({.workers = 4}), x_(x), y_(y), b_(batch_size) {}
//     std::optional<int64_t> num_batches() const override { return (x_.shape()[0] + b_ - 1) / b_; }
//     keras::data::Element get_item(int64_t i) override {   // called on the workers
//       const int64_t lo = i * b_, n = std::min(b_, x_.shape()[0] - lo);
//       return {augment(ops::slice(x_, {lo, 0}, {n, 3})), ops::slice(y_, {lo, 0}, {n, 1})};
//     }
//   };
//   model->fit(std::make_shared<Batches>(x, y, 32), {.epochs = 3});
//
// The name and the API are Keras's (PyDataset replaced keras.utils.Sequence); there is no
// multiprocessing: workers are threads.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>

#include "keras/data/dataset.h"

namespace keras::utils {

/// Options of PyDataset (keras.utils.PyDataset's keyword arguments).
struct PyDatasetOptions {
  /// Threads that call get_item: 1 (the default) calls it on the thread that takes the
  /// batches, one batch at a time; n > 1 calls it on n worker threads, ahead of the
  /// consumer (get_item must then be safe to call concurrently). 0 is taken as 1.
  int64_t workers = 1;
  /// With workers > 1, the most batches fetched ahead and not yet taken.
  int64_t max_queue_size = 10;
};

/// keras.utils.PyDataset: subclass it, override num_batches() and get_item(), and pass a
/// std::shared_ptr to it to fit / evaluate / predict (or keep it as a data::Dataset:
/// data::Dataset::from_py_dataset, or the implicit conversion).
class PyDataset {
 public:
  /// A negative workers or a max_queue_size < 1 throws std::invalid_argument.
  explicit PyDataset(const PyDatasetOptions& options = {});
  virtual ~PyDataset() = default;
  PyDataset(const PyDataset&) = delete;
  PyDataset& operator=(const PyDataset&) = delete;

  /// The number of batches (Keras's `num_batches`, `__len__`); nullopt: infinite (fit then
  /// needs steps_per_epoch, evaluate and predict `steps`). Read at each pass.
  virtual std::optional<int64_t> num_batches() const = 0;
  /// Batch `index` (0 <= index < num_batches(); Keras's `__getitem__`): an Element x,
  /// {x, y} or {x, y, sample_weight} (or a dict naming the model's inputs and targets),
  /// each tensor with the batch as its first axis. The last batch may be smaller.
  virtual data::Element get_item(int64_t index) = 0;
  /// Called at the start of each epoch of fit (and of each evaluate / predict pass),
  /// before the first get_item of the pass.
  virtual void on_epoch_begin() {}
  /// Called at the end of each epoch of fit (before its validation), and of each
  /// evaluate / predict pass: where a dataset reshuffles or re-augments its data.
  virtual void on_epoch_end() {}

  /// The worker threads (PyDatasetOptions::workers).
  int64_t workers() const { return workers_; }
  /// Sets workers (read when a pass starts); negative throws std::invalid_argument.
  void set_workers(int64_t workers);
  /// The most batches fetched ahead (PyDatasetOptions::max_queue_size).
  int64_t max_queue_size() const { return max_queue_size_; }
  /// Sets max_queue_size (read when a pass starts); < 1 throws std::invalid_argument.
  void set_max_queue_size(int64_t size);

 private:
  int64_t workers_ = 1;
  int64_t max_queue_size_ = 10;
};

}  // namespace keras::utils
