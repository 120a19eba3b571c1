// batch_sources.h - (internal to keras/trainers/) where fit, evaluate and predict take
// their batches from: arrays (sliced, or gathered in a shuffled order) or a Dataset's
// iterator, behind one interface.
#pragma once
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "keras/models/model.h"

namespace keras::detail {

// The batch size of x (its first dimension; 1 for a scalar or no tensor) as a float32
// tensor of shape (1,), read when the step runs: the loss trackers' weight, so that one
// traced step serves every batch size.
Tensor batch_size_weight(const Tensor& x);

// from arrays (sliced, or gathered in a shuffled order) or from a Dataset's iterator.
struct Batch {
  std::vector<Tensor> x, y;
  Tensor sample_weight;
  int64_t size = 0;
  // Input sharded by file (file_sharded_source): x and y are this replica's own part of
  // the global step (possibly none), whose rows over all the replicas are global_rows.
  // -1: a global batch, of which each replica takes its rows (the other sources).
  int64_t global_rows = -1;
};

class BatchSource {
 public:
  virtual ~BatchSource() = default;
  // Batches per pass, or -1 when unknown (a Dataset of unknown cardinality).
  virtual int64_t steps() const = 0;
  // Starts a pass (an epoch; `seed` orders a shuffled epoch).
  virtual void begin_pass(int epoch, uint64_t seed) = 0;
  // Whether the pass has another batch (a Dataset reads it ahead here).
  virtual bool has_next() = 0;
  virtual Batch next() = 0;
  // Skips n batches (a resumed epoch).
  virtual void skip(int64_t n) {
    for (int64_t i = 0; i < n && has_next(); ++i) next();
  }
  // A Dataset continued across epochs (steps_per_epoch) that ran out of data.
  virtual bool ran_out() const { return false; }
  // Ends a pass (a PyDataset's on_epoch_end).
  virtual void end_pass() {}
};

// Checks that every array has the same number of samples (Keras's cardinality error);
// returns it.
int64_t cardinality(const std::vector<Tensor>& x, const std::vector<Tensor>& y, const char* fn);
// Rows [begin, end) of each array.
std::vector<Tensor> rows(const std::vector<Tensor>& ts, int64_t begin, int64_t end);
// Sample weights from class weights (by the class id of each sample's label).
Tensor class_weights_for(const Tensor& y, const std::map<int64_t, double>& cw);

// max_steps lowered to config::max_steps_per_epoch() when that is set and max_steps is
// unset (<= 0) or larger, with a warning naming `fn` (if any; Keras's EpochIterator).
int64_t capped_steps(int64_t max_steps, const char* fn);
// The shuffling seed of one epoch, mixed from fit()'s seed and the epoch number.
uint64_t epoch_seed(uint64_t seed, int epoch);
// Arrays with n samples, in batches of batch_size (shuffled per epoch when asked); at
// most max_steps batches a pass when max_steps > 0.
std::unique_ptr<BatchSource> array_source(std::vector<Tensor> x, std::vector<Tensor> y, Tensor sample_weight,
                                          int64_t n, int64_t batch_size, bool shuffle, int64_t max_steps);
// A Dataset's elements as the model's batches (see Model::fit on a Dataset); steps_option
// names the option that sets max_steps, for the error messages. A dataset that gives no
// batch raises unless may_be_empty (one replica's file shard). A PyDataset's dataset gets
// py_dataset_source (`shuffle`: its batch order is shuffled at each new pass).
std::unique_ptr<BatchSource> dataset_source(data::Dataset ds, const Model& model, const char* fn, bool with_targets,
                                            int64_t max_steps, const char* steps_option,
                                            std::map<int64_t, double> class_weight = {}, bool may_be_empty = false,
                                            bool shuffle = false);
// A PyDataset's batches (py_dataset_source.cpp): its epoch hooks called at each pass, its
// batch order shuffled (with `shuffle`) whenever a pass starts over its batches.
std::unique_ptr<BatchSource> py_dataset_source(std::shared_ptr<utils::PyDataset> py, const Model& model, const char* fn,
                                               bool with_targets, int64_t max_steps, const char* steps_option,
                                               std::map<int64_t, double> class_weight, bool shuffle);
// {x_val, y_val} or {x_val, y_val, sample_weight}.
std::unique_ptr<BatchSource> validation_arrays(const std::string& model, const std::vector<Tensor>& v,
                                               int64_t batch_size);

}  // namespace keras::detail
