// dataset.cpp - Element, Iterator and the Dataset API. The sources are in sources.cpp,
// the transformations in transformations.cpp, batching.cpp, threaded_nodes.cpp,
// enumerate.cpp, rebatch.cpp and window_dataset.cpp.
#include "keras/data/dataset.h"

#include <algorithm>
#include <mutex>
#include <stdexcept>

#include "core/ops.h"
#include "core/ragged.h"
#include "core/sparse.h"
#include "keras/data/dataset_impl.h"

namespace keras::data {
namespace ops = core::ops;
using detail::IteratorImpl;
using detail::IteratorPtr;
using detail::Node;
using detail::NodePtr;

namespace {
std::string tensor_spec(const Tensor& t) {
  if (!t.defined()) return "undefined";
  return std::string(core::dtype_name(t.dtype())) + " " + t.shape().str();
}
std::string quoted_keys(const std::vector<std::string>& names) {
  std::string s;
  for (const std::string& n : names) s += (s.empty() ? "'" : ", '") + n + "'";
  return s;
}
}  // namespace

// ---- Element ----------------------------------------------------------------------------------
Element::Element(Tensor t) : components_{std::move(t)} {}
Element::Element(std::initializer_list<Tensor> components) : components_(components) {}
Element::Element(std::vector<Tensor> components) : components_(std::move(components)) {}
Element::Element(const std::map<std::string, Tensor>& named) {
  for (const auto& [k, v] : named) {
    names_.push_back(k);
    components_.push_back(v);
  }
}
Element::Element(std::initializer_list<std::pair<const std::string, Tensor>> named) {
  std::map<std::string, Tensor> m;
  for (const auto& [k, v] : named)
    if (!m.emplace(k, v).second) throw std::invalid_argument("Element: the key '" + k + "' appears twice");
  *this = Element(m);
}
Element::Element(std::vector<Tensor> components, std::vector<std::string> names)
    : components_(std::move(components)), names_(std::move(names)) {
  if (!names_.empty() && names_.size() != components_.size())
    throw std::invalid_argument("Element: expected one name per component (" + std::to_string(components_.size()) +
                                "), but received " + std::to_string(names_.size()) + " names");
  for (size_t i = 0; i < names_.size(); ++i)  // few names: no allocation per element
    for (size_t j = 0; j < i; ++j)
      if (names_[i] == names_[j]) throw std::invalid_argument("Element: the key '" + names_[i] + "' appears twice");
}

const Tensor& Element::component(int64_t i) const {
  if (i < 0 || size_t(i) >= components_.size())
    throw std::out_of_range("Element: index " + std::to_string(i) + " is out of range for an element with " +
                            std::to_string(components_.size()) + " components " + spec());
  return components_[size_t(i)];
}

const Tensor& Element::operator[](const std::string& key) const {
  if (names_.empty())
    throw std::out_of_range("Element: no component named '" + key + "': the element is a tuple of " +
                            std::to_string(components_.size()) + " components " + spec() + " (index it by position)");
  for (size_t i = 0; i < names_.size(); ++i)
    if (names_[i] == key) return components_[i];
  throw std::out_of_range("Element: no component named '" + key + "'; the keys are " + quoted_keys(names_));
}

bool Element::contains(const std::string& key) const {
  return std::find(names_.begin(), names_.end(), key) != names_.end();
}

std::string Element::spec() const {
  std::string s = names_.empty() ? "(" : "{";
  for (size_t i = 0; i < components_.size(); ++i) {
    if (i) s += ", ";
    if (!names_.empty()) s += "'" + names_[i] + "': ";
    s += tensor_spec(components_[i]);
  }
  if (names_.empty() && components_.size() == 1) s += ",";
  return s + (names_.empty() ? ")" : "}");
}

namespace detail {
void throw_arity(const char* what, size_t arity, const Element& e) {
  throw std::invalid_argument(std::string(what) + ": the function takes " + std::to_string(arity) +
                              " tensor argument" + (arity == 1 ? "" : "s") + ", but the element has " +
                              std::to_string(e.size()) + " components " + e.spec() +
                              " (take a const Element& to receive any structure)");
}

bool predicate_value(const Tensor& t) {
  if (!t.defined() || t.dtype() != DType::bool_ || t.size() != 1)
    throw std::invalid_argument("filter: the predicate must return a bool or a scalar bool tensor, but returned " +
                                tensor_spec(t));
  return t.item<bool>();
}

Tensor rows_of(const Tensor& t, int64_t begin, int64_t count, bool squeeze) {
  std::vector<int64_t> dims = t.shape().dims();
  if (core::ragged::is_ragged(t)) {  // a ragged component (RaggedTensor::as_tensor): its rows
    std::vector<int64_t> idx(static_cast<size_t>(count));
    for (int64_t i = 0; i < count; ++i) idx[size_t(i)] = begin + i;
    const core::RaggedTensor r = core::ragged::gather(core::ragged::ragged_of(t), core::constant(idx));
    return (squeeze ? r.values() : r).as_tensor();  // one row: its values, one ragged level less
  }
  if (core::sparse::is_sparse(t)) {  // a sparse component (SparseTensor::as_tensor): sparse rows
    std::vector<int64_t> b(dims.size(), 0), sz = dims;
    b[0] = begin;
    sz[0] = count;
    core::SparseTensor r = core::sparse::slice(core::sparse::sparse_of(t), b, sz);
    if (squeeze) r = core::sparse::reshape(r, std::vector<int64_t>(dims.begin() + 1, dims.end()));
    return r.as_tensor();
  }
  if (t.device().is_cpu() && t.dtype() != DType::string) {  // (string elements are no bytes)
    const int64_t row_elems = dims[0] > 0 ? t.size() / dims[0] : 0;
    const char* base = static_cast<const char*>(t.raw_data());
    dims[0] = count;
    if (squeeze) dims.erase(dims.begin());
    const char* src = base ? base + size_t(begin * row_elems) * core::dtype_size(t.dtype()) : nullptr;
    return core::from_buffer(src, Shape(dims), t.dtype());
  }
  std::vector<int64_t> b(dims.size(), 0), sz = dims;
  b[0] = begin;
  sz[0] = count;
  Tensor r = ops::slice(t, b, sz);
  if (!squeeze) return r;
  dims.erase(dims.begin());
  return ops::reshape(r, dims);
}

Rows::Rows(Element tensors) : tensors_(std::move(tensors)) {
  n_ = tensors_.empty() ? 0 : tensors_[0].shape()[0];
  for (const Tensor& t : tensors_) {
    std::vector<int64_t> dims(t.shape().dims().begin() + 1, t.shape().dims().end());
    row_shapes_.emplace_back(dims);
    row_bytes_.push_back(size_t(row_shapes_.back().num_elements()) * core::dtype_size(t.dtype()));
  }
}

Element Rows::row(int64_t i) const {
  std::vector<Tensor> cs;
  cs.reserve(tensors_.size());
  for (size_t c = 0; c < tensors_.size(); ++c) {
    const Tensor& t = tensors_.components()[c];
    if (t.device().is_cpu() && !core::sparse::is_sparse(t) && !core::ragged::is_ragged(t) && t.dtype() != DType::string)  // one copy of the row's bytes
      cs.push_back(core::from_buffer(static_cast<const char*>(t.raw_data()) + size_t(i) * row_bytes_[c], row_shapes_[c], t.dtype()));
    else
      cs.push_back(rows_of(t, i, 1, true));
  }
  return Element(std::move(cs), tensors_.names());
}

bool IteratorImpl::next_index(int64_t&) {
  throw std::logic_error("dataset iterator: index mode on a node without rows_source()");
}

}  // namespace detail

namespace {

// The top of every iteration: stays at the end once there, and releases the pipeline
// (and its threads) as soon as it is exhausted. next() may be called from several
// threads at once (tf.data's get_next is thread-safe): calls are serialized, so each
// element goes to exactly one caller and every caller sees the end; the pipeline's own
// threads (prefetch, parallel map) keep working ahead meanwhile.
class RootIterator : public IteratorImpl {
 public:
  RootIterator(NodePtr node, IteratorPtr it) : node_(std::move(node)), it_(std::move(it)) {}
  ~RootIterator() override { it_.reset(); }  // before the node it refers to
  bool next(Element& out) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (!it_) return false;
    if (it_->next(out)) return true;
    it_.reset();
    return false;
  }

 private:
  NodePtr node_;  // keeps the graph alive while the iterator exists
  std::mutex mu_;
  IteratorPtr it_;
};

void check_count(const char* what, int64_t count) {
  if (count < -1)
    throw std::invalid_argument(std::string(what) + ": expected count >= -1 (-1: all), but received " + std::to_string(count));
}

}  // namespace

// ---- Iterator -----------------------------------------------------------------------------------
Iterator::Iterator(std::shared_ptr<detail::IteratorImpl> impl) : impl_(std::move(impl)), at_end_(false) {}

std::optional<Element> Iterator::next() {
  if (!impl_) return std::nullopt;
  Element e;
  if (!impl_->next(e)) return std::nullopt;
  return e;
}

Iterator& Iterator::operator++() {
  std::optional<Element> e = next();
  if (e) {
    current_ = std::move(*e);
  } else {
    current_ = Element();
    at_end_ = true;
  }
  return *this;
}

// ---- Dataset ------------------------------------------------------------------------------------
Dataset Dataset::from_tensor_slices(const Element& tensors) {
  if (tensors.empty()) throw std::invalid_argument("from_tensor_slices: expected at least one tensor, but received none");
  auto label = [&](size_t i) {
    return "component " + std::to_string(i) + (tensors.named() ? " ('" + tensors.names()[i] + "')" : std::string());
  };
  for (size_t i = 0; i < tensors.size(); ++i) {
    if (!tensors[i].defined()) throw std::invalid_argument("from_tensor_slices: " + label(i) + " is an undefined tensor");
    if (tensors[i].rank() == 0)
      throw std::invalid_argument("from_tensor_slices: " + label(i) + " is a scalar; slicing needs a first axis");
    if (tensors[i].shape()[0] != tensors[0].shape()[0])
      throw std::invalid_argument("from_tensor_slices: all components must have the same first dimension, but " + label(0) +
                                  " has shape " + tensors[0].shape().str() + " and " + label(i) + " has shape " +
                                  tensors[i].shape().str());
  }
  return Dataset(detail::make_slices_node(tensors));
}

Dataset Dataset::from_tensors(const Element& tensors) {
  for (size_t i = 0; i < tensors.size(); ++i)
    if (!tensors[i].defined())
      throw std::invalid_argument("from_tensors: component " + std::to_string(i) + " is an undefined tensor");
  return Dataset(detail::make_tensors_node(tensors));
}

Dataset Dataset::from_generator(GeneratorFactory make_generator) {
  if (!make_generator) throw std::invalid_argument("from_generator: expected a generator factory, but received an empty function");
  return Dataset(detail::make_generator_node(std::move(make_generator)));
}

Dataset Dataset::range(int64_t stop) { return range(0, stop, 1); }
Dataset Dataset::range(int64_t start, int64_t stop, int64_t step) {
  if (step == 0) throw std::invalid_argument("range: step must not be 0");
  return Dataset(detail::make_range_node(start, stop, step));
}

Dataset Dataset::zip(const std::vector<Dataset>& datasets) {
  if (datasets.empty()) throw std::invalid_argument("zip: expected at least one dataset, but received none");
  std::vector<NodePtr> nodes;
  for (const Dataset& d : datasets) nodes.push_back(d.node_);
  return Dataset(detail::make_zip_node(std::move(nodes)));
}

Dataset Dataset::batch(int64_t batch_size, const BatchOptions& o) const {
  return detail::DatasetAccess::derive(*this, detail::make_batch_node(node_, batch_size, o.drop_remainder),
                [batch_size, o](const Dataset& d) { return d.batch(batch_size, o); });
}

Dataset Dataset::padded_batch(int64_t batch_size, const PaddedBatchOptions& o) const {
  return detail::DatasetAccess::derive(*this, detail::make_padded_batch_node(node_, batch_size, o),
                [batch_size, o](const Dataset& d) { return d.padded_batch(batch_size, o); });
}

Dataset Dataset::ragged_batch(int64_t batch_size, const BatchOptions& o) const {
  return detail::DatasetAccess::derive(*this, detail::make_ragged_batch_node(node_, batch_size, o.drop_remainder),
                [batch_size, o](const Dataset& d) { return d.ragged_batch(batch_size, o); });
}

Dataset Dataset::unbatch() const {
  return detail::DatasetAccess::derive(*this, detail::make_unbatch_node(node_), [](const Dataset& d) { return d.unbatch(); });
}

Dataset Dataset::shuffle(int64_t buffer_size, const ShuffleOptions& o) const {
  if (buffer_size < 1) throw std::invalid_argument("shuffle: expected buffer_size >= 1, but received " + std::to_string(buffer_size));
  uint64_t seed = o.seed >= 0 ? uint64_t(o.seed)
                              : uint64_t(ops::random_uniform({}, {.minval = 0, .maxval = 9e15, .dtype = DType::float64}).item<double>());
  const ShuffleOptions same{.seed = int64_t(seed), .reshuffle_each_iteration = o.reshuffle_each_iteration};
  return detail::DatasetAccess::derive(*this, detail::make_shuffle_node(node_, buffer_size, seed, o.reshuffle_each_iteration),
                [buffer_size, same](const Dataset& d) { return d.shuffle(buffer_size, same); });
}

Dataset Dataset::map_fn(MapFn f, const MapOptions& o) const {
  if (!f) throw std::invalid_argument("map: expected a function, but received an empty one");
  if (o.num_parallel_calls < AUTOTUNE)
    throw std::invalid_argument("map: expected num_parallel_calls >= 0 or AUTOTUNE (-1), but received " +
                                std::to_string(o.num_parallel_calls));
  auto again = [f, o](const Dataset& d) { return d.map_fn(f, o); };
  if (o.num_parallel_calls == 0) return detail::DatasetAccess::derive(*this, detail::make_map_node(node_, f), again);
  return detail::DatasetAccess::derive(*this, detail::make_parallel_map_node(node_, f, o.num_parallel_calls), again);
}

Dataset Dataset::filter_fn(PredicateFn f) const {
  if (!f) throw std::invalid_argument("filter: expected a predicate, but received an empty function");
  return detail::DatasetAccess::derive(*this, detail::make_filter_node(node_, f), [f](const Dataset& d) { return d.filter_fn(f); });
}

Dataset Dataset::repeat(int64_t count) const {
  check_count("repeat", count);
  return detail::DatasetAccess::derive(*this, detail::make_repeat_node(node_, count), [count](const Dataset& d) { return d.repeat(count); });
}

Dataset Dataset::take(int64_t count) const {
  check_count("take", count);
  return detail::DatasetAccess::derive(*this, detail::make_take_node(node_, count), [count](const Dataset& d) { return d.take(count); });
}

Dataset Dataset::skip(int64_t count) const {
  check_count("skip", count);
  return detail::DatasetAccess::derive(*this, detail::make_skip_node(node_, count), [count](const Dataset& d) { return d.skip(count); });
}

Dataset Dataset::concatenate(const Dataset& other) const {
  return Dataset(detail::make_concatenate_node(node_, other.node_));
}

Dataset Dataset::flat_map_fn(FlatMapFn f) const {
  if (!f) throw std::invalid_argument("flat_map: expected a function, but received an empty one");
  return detail::DatasetAccess::derive(*this, detail::make_flat_map_node(node_, f), [f](const Dataset& d) { return d.flat_map_fn(f); });
}

Dataset Dataset::enumerate(int64_t start) const {
  return detail::DatasetAccess::derive(*this, detail::make_enumerate_node(node_, start), [start](const Dataset& d) { return d.enumerate(start); });
}

Dataset Dataset::rebatch(int64_t batch_size, const BatchOptions& o) const {
  return detail::DatasetAccess::derive(*this, detail::make_rebatch_node(node_, batch_size, o.drop_remainder),
                [batch_size, o](const Dataset& d) { return d.rebatch(batch_size, o); });
}

WindowDataset Dataset::window(int64_t size, const WindowOptions& o) const {
  return WindowDataset(detail::make_window_source(node_, size, o));
}

Dataset Dataset::cache() const {
  return detail::DatasetAccess::derive(*this, detail::make_cache_node(node_), [](const Dataset& d) { return d.cache(); });
}

Dataset Dataset::prefetch(int64_t buffer_size) const {
  if (buffer_size < AUTOTUNE)
    throw std::invalid_argument("prefetch: expected buffer_size >= 0 or AUTOTUNE (-1), but received " + std::to_string(buffer_size));
  if (buffer_size == 0) return *this;
  return detail::DatasetAccess::derive(*this, detail::make_prefetch_node(node_, buffer_size == AUTOTUNE ? 4 : buffer_size),
                [buffer_size](const Dataset& d) { return d.prefetch(buffer_size); });
}

int64_t Dataset::cardinality() const { return node_->cardinality(); }

Iterator Dataset::make_iterator() const {
  return Iterator(std::make_shared<RootIterator>(node_, node_->make_iterator()));
}

Iterator Dataset::begin() const {
  Iterator it = make_iterator();
  ++it;
  return it;
}

}  // namespace keras::data
