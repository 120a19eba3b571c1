// dataset.h - keras::data::Dataset, tf.data's input pipeline: sources
// (from_tensor_slices, from_tensors, from_generator, range), transformations (batch,
// padded_batch, unbatch, rebatch, shuffle, map, flat_map, interleave, filter, repeat, take, skip,
// zip, concatenate, enumerate, window, cache, prefetch), cardinality and range-for
// iteration.
//
//   auto ds = keras::data::Dataset::from_tensor_slices({images, labels})
//                 .shuffle(60000, {.seed = 42})
//                 .map([](const Tensor& x, const Tensor& y) {
//                   return keras::data::Element{ops::cast(x, DType::float32) / 255.0, y};
//                 }, {.num_parallel_calls = keras::data::AUTOTUNE})
//                 .batch(32)
//                 .prefetch(keras::data::AUTOTUNE);
//   for (const keras::data::Element& batch : ds) use(batch[0], batch[1]);
//   model->fit(ds, {.epochs = 10});
//
// A Dataset is an immutable, cheap-to-copy handle to a graph of nodes; every iteration
// (begin() or make_iterator()) builds a fresh iterator state, so a dataset can be
// iterated many times. Threads (parallel map, prefetch) belong to an iterator and are
// stopped and joined when its last copy is destroyed.
#pragma once
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <iterator>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "core/tensor.h"

namespace keras::utils {
class PyDataset;  // py_dataset.h
}  // namespace keras::utils

namespace keras::data {
using core::Device;
using core::DType;
using core::Shape;
using core::Tensor;

/// Dataset::cardinality() values besides a count (tf.data.INFINITE_CARDINALITY,
/// tf.data.UNKNOWN_CARDINALITY).
inline constexpr int64_t INFINITE_CARDINALITY = -1;
/// tf.data.UNKNOWN_CARDINALITY: the count is not known without iterating (from_generator,
/// filter, flat_map).
inline constexpr int64_t UNKNOWN_CARDINALITY = -2;
/// num_parallel_calls / prefetch buffer_size chosen by the library (tf.data.AUTOTUNE):
/// one map thread per core; a prefetch buffer of 4 elements.
inline constexpr int64_t AUTOTUNE = -1;

/// One element of a dataset: a small structure of tensors. Positional components (a
/// tuple; a single tensor is a 1-tuple) with optional names (a dict; keys are kept
/// sorted, as tf.nest orders dict keys).
class Element {
 public:
  Element() = default;
  /// A single tensor (a 1-tuple).
  Element(Tensor t);                                  // NOLINT: a single tensor
  Element(std::initializer_list<Tensor> components);  ///< a tuple: Element{x, y}
  /// A tuple of the components, in order.
  Element(std::vector<Tensor> components);            // NOLINT
  /// A dict: the components ordered by key.
  Element(const std::map<std::string, Tensor>& named);  // NOLINT: a dict
  Element(std::initializer_list<std::pair<const std::string, Tensor>> named);  ///< {{"x", x}}
  /// Components with their names (one per component, unique; empty for a tuple);
  /// std::invalid_argument otherwise.
  Element(std::vector<Tensor> components, std::vector<std::string> names);

  /// The number of components.
  size_t size() const { return components_.size(); }
  /// Whether the element has no component.
  bool empty() const { return components_.empty(); }
  /// Component i (any integer type, so e[0] is not mistaken for a key); throws
  /// std::out_of_range naming the element's size.
  template <class I>
    requires std::is_integral_v<I>
  const Tensor& operator[](I i) const {
    return component(static_cast<int64_t>(i));
  }
  /// Component i, as operator[](i).
  const Tensor& component(int64_t i) const;
  /// The component named `key`; throws std::out_of_range listing the keys.
  const Tensor& operator[](const std::string& key) const;
  /// Whether a component is named `key`.
  bool contains(const std::string& key) const;
  /// The components, in order (a dict's in key order).
  const std::vector<Tensor>& components() const { return components_; }
  const std::vector<std::string>& names() const { return names_; }  ///< empty for a tuple
  /// Whether the element is a dict (has names).
  bool named() const { return !names_.empty(); }
  /// Iteration over the components, in order.
  std::vector<Tensor>::const_iterator begin() const { return components_.begin(); }
  /// The end of the components.
  std::vector<Tensor>::const_iterator end() const { return components_.end(); }
  /// "(float32 (28, 28), int32 ())", or "{'image': float32 (28, 28), 'label': int32 ()}".
  std::string spec() const;

 private:
  std::vector<Tensor> components_;
  std::vector<std::string> names_;
};

namespace detail {
class Node;
class IteratorImpl;
struct DatasetAccess;
}  // namespace detail

/// One pass over a dataset. Copies share the same state (like a Python iterator). Also
/// an input iterator for range-for: `for (const Element& e : dataset)`.
class Iterator {
 public:
  Iterator() = default;
  /// The next element, or nullopt at the end. An exception raised by a map function, a
  /// predicate or a generator (on any thread) is rethrown here as the original exception.
  /// Thread-safe, as tf.data's get_next: several threads may call next() on one iterator
  /// (or its copies); each element goes to exactly one of them and all see the end. (The
  /// range-for members below keep a current element per copy: one copy per thread.)
  std::optional<Element> next();

  /// Range-for interface (Dataset::begin() fetches the first element).
  const Element& operator*() const { return current_; }
  /// Member access to the current element.
  const Element* operator->() const { return &current_; }
  /// Fetches the next element (the iterator then compares equal to end() if there is none).
  Iterator& operator++();
  /// Whether the pass has ended (compares with Dataset::end()).
  bool operator==(std::default_sentinel_t) const { return at_end_; }

 private:
  friend class Dataset;
  explicit Iterator(std::shared_ptr<detail::IteratorImpl> impl);
  std::shared_ptr<detail::IteratorImpl> impl_;
  Element current_;
  bool at_end_ = true;
};

/// Dataset::batch's and rebatch's options (tf.data's keyword arguments).
struct BatchOptions {
  bool drop_remainder = false;  ///< drop a last batch smaller than batch_size
};

/// Dataset::padded_batch's options (tf.data's keyword arguments).
struct PaddedBatchOptions {
  /// One shape per component (without the batch axis); -1 pads that axis to the longest
  /// in the batch. Empty: every axis to the longest in the batch.
  std::vector<std::vector<int64_t>> padded_shapes{};
  /// One value for every component, or one per component (default 0).
  std::vector<double> padding_values{};
  /// Drop a last batch smaller than batch_size.
  bool drop_remainder = false;
};

/// Dataset::shuffle's options (tf.data's keyword arguments).
struct ShuffleOptions {
  int64_t seed = -1;  ///< -1 draws a seed from core's global generator (ops::set_random_seed)
  /// Draw a new order at each iteration (tf.data's default); false gives every iteration
  /// the same order.
  bool reshuffle_each_iteration = true;
};

/// Dataset::map's options.
struct MapOptions {
  /// 0: run on the consumer's thread; n >= 1: on n threads owned by the iterator (the
  /// output order is the input order); AUTOTUNE: one thread per core.
  int64_t num_parallel_calls = 0;
};

/// map_fn's function: an element to an element.
using MapFn = std::function<Element(const Element&)>;
/// filter_fn's predicate: whether to keep an element.
using PredicateFn = std::function<bool(const Element&)>;
/// A generator yields elements until it returns nullopt; from_generator calls the
/// factory once per iteration, as tf.data calls a Python generator function.
using Generator = std::function<std::optional<Element>()>;
/// from_generator's argument: makes a new generator for each iteration.
using GeneratorFactory = std::function<Generator()>;
class Dataset;
/// flat_map's function: an element to a dataset, whose elements are output in turn.
using FlatMapFn = std::function<Dataset(const Element&)>;

/// Dataset::interleave's options (tf.data.Dataset.interleave's keyword arguments; the
/// inputs are read on the calling thread, in tf.data's deterministic order).
struct InterleaveOptions {
  /// How many of f's datasets are read at once (AUTOTUNE: one per core, as tf.data).
  int64_t cycle_length = AUTOTUNE;
  /// How many consecutive elements each of them gives before the next one's turn.
  int64_t block_length = 1;
};

/// Dataset::list_files's options.
struct ListFilesOptions {
  /// Shuffle the names (tf.data's default; again at each iteration); false: sorted.
  bool shuffle = true;
  int64_t seed = -1;  ///< the shuffle's seed, as ShuffleOptions::seed
};

/// Dataset::window's options (tf.data.Dataset.window's keyword arguments).
struct WindowOptions {
  std::optional<int64_t> shift{};  ///< input elements between window starts (default: size)
  int64_t stride = 1;              ///< input elements between the elements of a window
  bool drop_remainder = false;     ///< drop the last windows if they have fewer than size elements
};
class WindowDataset;  ///< window_dataset.h (included at the end of this header)

namespace detail {
[[noreturn]] void throw_arity(const char* what, size_t arity, const Element& e);
bool predicate_value(const Tensor& t);

/// Calls f with the element, or with its components unpacked when f takes tensors
/// (f(x, y) for a 2-tuple), as tf.data unpacks tuples into arguments.
template <class F, size_t... I>
decltype(auto) call_unpacked(const char* what, F& f, const Element& e, std::index_sequence<I...>) {
  if (e.size() != sizeof...(I)) throw_arity(what, sizeof...(I), e);
  return f(e[I]...);
}
template <class F>
decltype(auto) call_with(const char* what, F& f, const Element& e) {
  if constexpr (std::is_invocable_v<F&, const Element&>)
    return f(e);
  else if constexpr (std::is_invocable_v<F&, const Tensor&>)
    return call_unpacked(what, f, e, std::make_index_sequence<1>());
  else if constexpr (std::is_invocable_v<F&, const Tensor&, const Tensor&>)
    return call_unpacked(what, f, e, std::make_index_sequence<2>());
  else if constexpr (std::is_invocable_v<F&, const Tensor&, const Tensor&, const Tensor&>)
    return call_unpacked(what, f, e, std::make_index_sequence<3>());
  else if constexpr (std::is_invocable_v<F&, const Tensor&, const Tensor&, const Tensor&, const Tensor&>)
    return call_unpacked(what, f, e, std::make_index_sequence<4>());
  else
    static_assert(std::is_invocable_v<F&, const Element&>,
                  "the function must take an Element, or 1 to 4 Tensors (the components)");
}
}  // namespace detail

/// tf.data.Dataset: an immutable, cheap-to-copy input pipeline of sources and
/// transformations, iterated with range-for or make_iterator() and accepted by Model::fit /
/// evaluate / predict.
class Dataset {
 public:
  // ---- sources ----
  /// The slices of the tensors along their first axis: from_tensor_slices(x),
  /// from_tensor_slices({x, y}) (tuples), from_tensor_slices({{"image", x}, {"label", y}})
  /// (dicts). Every component's first dimension must agree.
  static Dataset from_tensor_slices(const Element& tensors);
  /// One element: the tensors themselves.
  static Dataset from_tensors(const Element& tensors);
  /// Elements produced by C++ code; cardinality unknown.
  static Dataset from_generator(GeneratorFactory make_generator);
  /// The batches of a keras::utils::PyDataset (keras/utils/py_dataset.h): get_item(0),
  /// get_item(1), ... (num_batches() of them, or forever), fetched ahead on its workers.
  /// Model::fit, evaluate and predict given this dataset (or the PyDataset itself) call
  /// its epoch hooks, and fit shuffles its batch order. A null pointer throws
  /// std::invalid_argument.
  static Dataset from_py_dataset(std::shared_ptr<utils::PyDataset> py_dataset);
  /// from_py_dataset, implicitly: `model->fit(std::make_shared<MyBatches>(...))`, as
  /// Keras's fit takes a PyDataset.
  template <class T>
    requires std::is_base_of_v<utils::PyDataset, T>
  Dataset(std::shared_ptr<T> py_dataset)  // NOLINT: implicit, as Keras's fit(x=py_dataset)
      : Dataset(from_py_dataset(std::shared_ptr<utils::PyDataset>(std::move(py_dataset)))) {}
  /// int64 scalars start, start + step, ... up to (excluding) stop (tf.data.Dataset.range).
  static Dataset range(int64_t stop);
  /// From start to stop (excluded) by step, which may be negative; step 0 throws
  /// std::invalid_argument.
  static Dataset range(int64_t start, int64_t stop, int64_t step = 1);
  /// Elements of every dataset side by side: the components of each, concatenated (names
  /// are kept when every dataset has names and none repeats). Stops with the shortest.
  static Dataset zip(const std::vector<Dataset>& datasets);
  /// tf.data.Dataset.list_files: the names of the files matching `pattern` (a shell
  /// pattern: *, ?, [...], as glob(3) reads it), as scalar string tensors, shuffled or
  /// sorted. The pattern is matched when the dataset is made; no match raises
  /// std::invalid_argument ("No files matched pattern: ...", as tf.data).
  static Dataset list_files(const std::string& pattern, const ListFilesOptions& options = {});
  /// The files matching any of `patterns` (sorted together, then shuffled or not).
  static Dataset list_files(const std::vector<std::string>& patterns, const ListFilesOptions& options = {});

  // ---- transformations (each returns a new dataset) ----
  /// Stacks batch_size consecutive elements along a new first axis; every component
  /// must have one shape across the batch.
  Dataset batch(int64_t batch_size, const BatchOptions& options = {}) const;
  /// Batches elements of varying shapes, padding each component to the longest in the
  /// batch (or to padded_shapes) with padding_values.
  Dataset padded_batch(int64_t batch_size, const PaddedBatchOptions& options = {}) const;
  /// tf.data's ragged_batch: batches elements whose components differ in length along
  /// their first axis. A scalar component is stacked into a dense (batch,) tensor; a
  /// component of rank >= 1 becomes a RaggedTensor (as_tensor() handle) whose rows are the
  /// elements' components (the axes after the first must agree within a batch); a ragged
  /// component gains an outer ragged dimension. TensorFlow makes every axis of unknown
  /// static size ragged; keras-cpp has no static shapes, so only the first axis is.
  Dataset ragged_batch(int64_t batch_size, const BatchOptions& options = {}) const;
  /// Splits each element along its first axis (the inverse of batch).
  Dataset unbatch() const;
  /// Keeps a buffer of buffer_size elements and outputs one drawn at random, replacing it
  /// with the next input. The order depends only on the seed and on how many times the
  /// dataset has been iterated (when reshuffle_each_iteration).
  Dataset shuffle(int64_t buffer_size, const ShuffleOptions& options = {}) const;
  /// f(element) or f(component, ...): returns an Element, a Tensor or a list of tensors.
  template <class F>
  Dataset map(F f, const MapOptions& options = {}) const {
    return map_fn(MapFn([f = std::move(f)](const Element& e) mutable -> Element {
                    return Element(detail::call_with("map", f, e));
                  }),
                  options);
  }
  /// map() with a function on Elements, without the unpacking; an empty f or
  /// num_parallel_calls < AUTOTUNE throws std::invalid_argument.
  Dataset map_fn(MapFn f, const MapOptions& options = {}) const;
  /// f(element) or f(component, ...) returns a Dataset; the output is the elements of
  /// each of those datasets in turn (cardinality unknown, as tf.data reports).
  template <class F>
  Dataset flat_map(F f) const {
    return flat_map_fn(FlatMapFn([f = std::move(f)](const Element& e) mutable -> Dataset {
      return detail::call_with("flat_map", f, e);
    }));
  }
  /// flat_map() with a function on Elements, without the unpacking; an empty f throws
  /// std::invalid_argument.
  Dataset flat_map_fn(FlatMapFn f) const;
  /// tf.data's interleave: f(element) or f(component, ...) returns a Dataset; the output
  /// takes `block_length` elements in turn from each of `cycle_length` of those datasets
  /// at once, opening the next input element's dataset where one ends (tf.data's order:
  /// cycle_length 1 is flat_map). The common use reads several files together:
  /// `list_files("train-*.tfrecord").interleave([](const Tensor& f) { return
  /// TFRecordDataset(f.item<std::string>()); }, {.cycle_length = 4})`. Cardinality unknown.
  template <class F>
  Dataset interleave(F f, const InterleaveOptions& options = {}) const {
    return interleave_fn(FlatMapFn([f = std::move(f)](const Element& e) mutable -> Dataset {
                           return detail::call_with("interleave", f, e);
                         }),
                         options);
  }
  /// interleave() with a function on Elements; an empty f, a cycle_length below 1 (but
  /// AUTOTUNE) or a block_length below 1 throw std::invalid_argument.
  Dataset interleave_fn(FlatMapFn f, const InterleaveOptions& options = {}) const;
  /// Keeps the elements for which f(element) or f(component, ...) is true (a bool, or a
  /// scalar bool tensor).
  template <class F>
  Dataset filter(F f) const {
    return filter_fn(PredicateFn([f = std::move(f)](const Element& e) mutable -> bool {
      auto r = detail::call_with("filter", f, e);
      if constexpr (std::is_same_v<std::decay_t<decltype(r)>, Tensor>)
        return detail::predicate_value(r);
      else
        return static_cast<bool>(r);
    }));
  }
  /// filter() with a predicate on Elements, without the unpacking; an empty f throws
  /// std::invalid_argument.
  Dataset filter_fn(PredicateFn f) const;
  /// count times (-1: forever).
  Dataset repeat(int64_t count = -1) const;
  /// The first count elements (-1: all).
  Dataset take(int64_t count) const;
  /// All but the first count elements (-1: none).
  Dataset skip(int64_t count) const;
  /// This dataset's elements, then other's; the structures (component count, dtypes)
  /// must match.
  Dataset concatenate(const Dataset& other) const;
  /// Keeps the elements in memory after the first complete iteration; later iterations
  /// read them from memory (a partial iteration caches nothing).
  Dataset cache() const;
  /// (index, element): an int64 scalar counting from start, followed by the element's
  /// components (a flat tuple, as zip makes; a dict's keys are not kept). Indices run up to
  /// int64's maximum - 1, as with tf.data (range(start, max)): a finite dataset ends there,
  /// an infinite one raises std::overflow_error.
  Dataset enumerate(int64_t start = 0) const;
  /// Re-slices the batches (every component has a first axis) into batches of batch_size
  /// rows, across input batch boundaries: unbatch().batch(batch_size) in one copy.
  /// Cardinality unknown (as tf.data reports).
  Dataset rebatch(int64_t batch_size, const BatchOptions& options = {}) const;
  /// Windows of input elements: window k holds the elements k * shift + i * stride for
  /// i < size (fewer at the end, unless drop_remainder). Each window is a Dataset of
  /// whole elements, so `ds.window(3).flat_map([](Dataset w) { return w.batch(3); })`.
  WindowDataset window(int64_t size, const WindowOptions& options = {}) const;
  /// Produces up to buffer_size elements ahead on a background thread.
  Dataset prefetch(int64_t buffer_size = AUTOTUNE) const;
  /// Prefetches up to buffer_size elements (AUTOTUNE: 2) onto `device`, as TensorFlow's
  /// `tf.data.experimental.prefetch_to_device` (the last transformation of a pipeline):
  /// on a GPU, a background thread stages each element's tensors in page-locked host
  /// memory and copies them on the device's own copy stream, overlapped with the kernels
  /// of the steps before; the elements arrive as GPU tensors that the device's later
  /// kernels wait for (the host does not). String tensors stay on the CPU. With the CPU
  /// as `device`, prefetch() that also brings tensors from other devices back. Throws
  /// std::invalid_argument naming the device when it does not exist.
  Dataset prefetch_to_device(Device device, int64_t buffer_size = AUTOTUNE) const;

  /// The number of elements, INFINITE_CARDINALITY or UNKNOWN_CARDINALITY.
  int64_t cardinality() const;

  // ---- iteration ----
  /// A new pass over the dataset, before its first element (call next()).
  Iterator make_iterator() const;
  Iterator begin() const;  ///< fetches the first element
  /// The end of a range-for over the dataset.
  std::default_sentinel_t end() const { return {}; }

 private:
  friend struct detail::DatasetAccess;
  explicit Dataset(std::shared_ptr<const detail::Node> node) : node_(std::move(node)) {}
  std::shared_ptr<const detail::Node> node_;
};

}  // namespace keras::data

#include "keras/data/window_dataset.h"  // IWYU pragma: export
