// py_dataset.cpp - PyDataset's options, and its dataset: a node that makes, at each
// pass, a map of get_item over the batch indices (on the workers when there are several).
#include "keras/utils/py_dataset.h"

#include <limits>
#include <numeric>
#include <stdexcept>
#include <string>

#include "keras/data/dataset_impl.h"
#include "keras/utils/py_dataset_internal.h"

namespace keras::utils {

namespace {
void check_workers(int64_t workers) {
  if (workers < 0)
    throw std::invalid_argument("PyDataset: expected workers >= 0, but received " + std::to_string(workers));
}
void check_queue(int64_t size) {
  if (size < 1)
    throw std::invalid_argument("PyDataset: expected max_queue_size >= 1, but received " + std::to_string(size));
}
}  // namespace

PyDataset::PyDataset(const PyDatasetOptions& options) {
  set_workers(options.workers);
  set_max_queue_size(options.max_queue_size);
}

void PyDataset::set_workers(int64_t workers) {
  check_workers(workers);
  workers_ = workers;
}

void PyDataset::set_max_queue_size(int64_t size) {
  check_queue(size);
  max_queue_size_ = size;
}

namespace {

// The number of batches of a pass, checked.
std::optional<int64_t> batches_of(const PyDataset& py) {
  const std::optional<int64_t> n = py.num_batches();
  if (n && *n < 0)
    throw std::invalid_argument("PyDataset: num_batches() must be >= 0 (or nullopt for an infinite dataset), but it "
                                "returned " + std::to_string(*n));
  return n;
}

// One pass: the indices as a source (the order given, 0..n-1, or 0, 1, ... forever), and
// get_item mapped over them, on the consumer's thread or on the workers.
data::detail::NodePtr pass_node(const std::shared_ptr<PyDataset>& py,
                                const std::optional<std::vector<int64_t>>& order) {
  data::detail::NodePtr indices;
  if (order) {
    indices = data::detail::make_slices_node(
        data::Element(core::constant(*order, core::Shape{static_cast<int64_t>(order->size())})));
  } else if (const std::optional<int64_t> n = batches_of(*py)) {
    indices = data::detail::make_range_node(0, *n, 1);
  } else {
    indices = data::detail::make_range_node(0, std::numeric_limits<int64_t>::max(), 1);
  }
  data::MapFn get = [py](const data::Element& e) {
    const int64_t i = e[0].item<int64_t>();
    data::Element batch = py->get_item(i);
    if (batch.empty())
      throw std::invalid_argument("PyDataset: get_item(" + std::to_string(i) +
                                  ") returned an empty element; expected x, {x, y} or {x, y, sample_weight}");
    return batch;
  };
  if (py->workers() <= 1) return data::detail::make_map_node(std::move(indices), std::move(get));
  return data::detail::make_parallel_map_node(std::move(indices), std::move(get), py->workers(),
                                              std::max(py->workers(), py->max_queue_size()));
}

// The dataset's node: a pass made at each iteration (num_batches and workers read then).
class PyDatasetNode : public data::detail::Node {
 public:
  // root: from_py_dataset's own node (what py_dataset() reports), not a trainer's pass.
  PyDatasetNode(std::shared_ptr<PyDataset> py, std::optional<std::vector<int64_t>> order, bool root)
      : py_(std::move(py)), order_(std::move(order)), root_(root) {}
  int64_t cardinality() const override {
    if (order_) return static_cast<int64_t>(order_->size());
    const std::optional<int64_t> n = batches_of(*py_);
    return n ? *n : data::INFINITE_CARDINALITY;
  }
  data::detail::IteratorPtr make_iterator() const override {
    data::detail::NodePtr node = pass_node(py_, order_);
    data::detail::IteratorPtr it = node->make_iterator();
    return std::make_unique<It>(std::move(node), std::move(it));
  }
  std::shared_ptr<PyDataset> py_dataset() const override { return root_ ? py_ : nullptr; }

 private:
  // The pass's iterator, with the nodes it reads kept alive.
  class It : public data::detail::IteratorImpl {
   public:
    It(data::detail::NodePtr node, data::detail::IteratorPtr it) : node_(std::move(node)), it_(std::move(it)) {}
    bool next(data::Element& out) override { return it_->next(out); }

   private:
    data::detail::NodePtr node_;
    data::detail::IteratorPtr it_;
  };
  std::shared_ptr<PyDataset> py_;
  std::optional<std::vector<int64_t>> order_;
  bool root_;
};

}  // namespace

namespace detail {

std::shared_ptr<PyDataset> py_dataset_of(const data::Dataset& ds) {
  return data::detail::DatasetAccess::node(ds)->py_dataset();
}

data::Dataset py_dataset_pass(const std::shared_ptr<PyDataset>& py, std::optional<std::vector<int64_t>> order) {
  return data::detail::DatasetAccess::make(std::make_shared<PyDatasetNode>(py, std::move(order), false));
}

}  // namespace detail
}  // namespace keras::utils

namespace keras::data {

Dataset Dataset::from_py_dataset(std::shared_ptr<utils::PyDataset> py_dataset) {
  if (!py_dataset) throw std::invalid_argument("from_py_dataset: expected a PyDataset, but received a null pointer");
  return detail::DatasetAccess::make(std::make_shared<utils::PyDatasetNode>(std::move(py_dataset), std::nullopt, true));
}

}  // namespace keras::data
