// dataset_impl.h - (private to keras/data) the node graph behind Dataset: a Node per
// source or transformation (immutable, shared between datasets), and the state of one
// pass over it (IteratorImpl, created fresh by every make_iterator()).
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "keras/data/dataset.h"

namespace keras::data::detail {

// The tensors of from_tensor_slices, seen as rows along their first axis.
class Rows {
 public:
  explicit Rows(Element tensors);
  const Element& tensors() const { return tensors_; }
  int64_t size() const { return n_; }
  // Row i of each component (a copy), names kept.
  Element row(int64_t i) const;

 private:
  Element tensors_;
  int64_t n_ = 0;
  std::vector<Shape> row_shapes_;  // each component's shape without the first axis
  std::vector<size_t> row_bytes_;
};

class IteratorImpl {
 public:
  virtual ~IteratorImpl() = default;
  // The next element into `out`; false at the end.
  virtual bool next(Element& out) = 0;
  // Index mode, for iterators of nodes with a rows_source(): the index of the next row
  // of those tensors instead of the row itself; false at the end.
  virtual bool next_index(int64_t& row);
};
using IteratorPtr = std::unique_ptr<IteratorImpl>;

// The file list a dataset's source reads, and how to make the dataset again (the source
// and the transformations after it) from some of those files (shard.h's auto_shard).
struct FileSource {
  using Rebuild = std::function<Dataset(const std::vector<std::string>&)>;
  std::vector<std::string> files;
  Rebuild rebuild;
};

class Node {
 public:
  virtual ~Node() = default;
  virtual int64_t cardinality() const = 0;
  virtual IteratorPtr make_iterator() const = 0;
  // Nodes whose elements are rows of fixed tensors (from_tensor_slices, and shuffle,
  // take, skip, repeat over it) return those tensors: their iterators then also work in
  // index mode, so shuffle buffers row indices and batch gathers a batch with one
  // operation per component instead of stacking elements.
  virtual const Rows* rows_source() const { return nullptr; }
  // The batch size when the elements are batches made by batch() (seen through a host
  // prefetch()), else 0: split_dataset splits their rows and batches its splits again.
  virtual int64_t batch_size() const { return 0; }
  // The PyDataset when this node is from_py_dataset's own (what fit, evaluate and predict
  // call the epoch hooks of), else null.
  virtual std::shared_ptr<utils::PyDataset> py_dataset() const { return nullptr; }
  // The file list of the source under this node, when it reads one (shard.h's
  // auto_shard); set right after the node is made, before it is shared.
  mutable std::shared_ptr<const FileSource> files;
};
using NodePtr = std::shared_ptr<const Node>;

// sources.cpp
NodePtr make_slices_node(Element tensors);
NodePtr make_tensors_node(Element tensors);
NodePtr make_generator_node(GeneratorFactory f);
NodePtr make_range_node(int64_t start, int64_t stop, int64_t step);
// transformations.cpp
NodePtr make_shuffle_node(NodePtr input, int64_t buffer_size, uint64_t seed, bool reshuffle_each_iteration);
NodePtr make_map_node(NodePtr input, MapFn f);
NodePtr make_filter_node(NodePtr input, PredicateFn f);
NodePtr make_repeat_node(NodePtr input, int64_t count);
NodePtr make_take_node(NodePtr input, int64_t count);
NodePtr make_skip_node(NodePtr input, int64_t count);
NodePtr make_zip_node(std::vector<NodePtr> inputs);
NodePtr make_concatenate_node(NodePtr a, NodePtr b);
NodePtr make_cache_node(NodePtr input);
// batching.cpp
NodePtr make_batch_node(NodePtr input, int64_t batch_size, bool drop_remainder);
NodePtr make_padded_batch_node(NodePtr input, int64_t batch_size, const PaddedBatchOptions& o);
NodePtr make_unbatch_node(NodePtr input);
// ragged_batch.cpp
NodePtr make_ragged_batch_node(NodePtr input, int64_t batch_size, bool drop_remainder);
// enumerate.cpp
NodePtr make_enumerate_node(NodePtr input, int64_t start);
// rebatch.cpp
NodePtr make_rebatch_node(NodePtr input, int64_t batch_size, bool drop_remainder);
// window_dataset.cpp
NodePtr make_flat_map_node(NodePtr input, FlatMapFn f);
std::shared_ptr<const WindowSource> make_window_source(NodePtr input, int64_t size, const WindowOptions& o);
// threaded_nodes.cpp
// window: the most elements in flight or waiting (0: twice the threads).
NodePtr make_parallel_map_node(NodePtr input, MapFn f, int64_t threads, int64_t window = 0);
// What prefetch_to_device adds around prefetch's queue: `produce` runs on the producer
// thread (starts the element's copies to the device, replacing its tensors with the
// device's, and returns what keeps the copies alive), `take` on the consumer's when the
// element leaves the queue (orders the device's later kernels after its copies).
struct PrefetchStage {
  virtual ~PrefetchStage() = default;
  virtual std::shared_ptr<void> produce(Element& e) const = 0;
  virtual void take(Element& e, const std::shared_ptr<void>& ticket) const = 0;
};
NodePtr make_prefetch_node(NodePtr input, int64_t buffer_size, std::shared_ptr<const PrefetchStage> stage = nullptr);
// device_prefetch.cpp: prefetch's stage for `device`
std::shared_ptr<const PrefetchStage> make_device_stage(Device device);

// Lets the node code wrap a node as a Dataset, and reach the node of a Dataset that a
// user function returned.
struct DatasetAccess {
  static Dataset make(NodePtr node) { return Dataset(std::move(node)); }
  // `d` (just made by a file source such as TextLineDataset) with its file list.
  static Dataset with_files(Dataset d, std::vector<std::string> files, FileSource::Rebuild rebuild);
  // A dataset made from `from` with `node` (a transformation of it): when `from` reads a
  // file list, the node keeps it, with `again` (the same transformation) to apply to the
  // source made over other files.
  static Dataset derive(const Dataset& from, NodePtr node, std::function<Dataset(const Dataset&)> again);
  static const NodePtr& node(const Dataset& d) { return d.node_; }
};

// Rows [begin, begin + count) of t along axis 0 (a copy); with squeeze (count 1) the
// row itself, without the first axis.
Tensor rows_of(const Tensor& t, int64_t begin, int64_t count, bool squeeze);

}  // namespace keras::data::detail
