// window_dataset.h - keras::data::WindowDataset, what Dataset::window returns: a dataset
// whose elements are datasets (tf.data's dataset of windows). Each window is a Dataset
// of whole elements (tf.data gives one dataset per component; in C++ a window keeps the
// element's structure), so it composes with flat_map as in TensorFlow:
//
//   auto frames = Dataset::range(10).window(3, {.shift = 1, .drop_remainder = true})
//                     .flat_map([](const Dataset& w) { return w.batch(3); });
//   // [0 1 2], [1 2 3], ..., [7 8 9]
//   for (const Dataset& w : Dataset::range(5).window(2)) use(w);  // 3 windows
//
// Included by dataset.h.
#pragma once
#include <cstdint>
#include <functional>
#include <iterator>
#include <memory>
#include <optional>

#include "keras/data/dataset.h"

namespace keras::data {

namespace detail {
class WindowSource;
class WindowIteratorState;
}  // namespace detail

/// What Dataset::window returns: a dataset of windows, each a Dataset of whole elements
/// (tf.data's dataset of windows). Iterate it or flat_map it.
class WindowDataset {
 public:
  /// One pass over the windows; copies share the state. next() is thread-safe, as
  /// Iterator::next is.
  class Iterator {
   public:
    Iterator() = default;
    /// The next window (a dataset with a known cardinality, iterable many times), or
    /// nullopt at the end.
    std::optional<Dataset> next();
    /// The current window (after ++ or begin(); not at the end).
    const Dataset& operator*() const { return *current_; }
    /// Member access to the current window.
    const Dataset* operator->() const { return &*current_; }
    /// Advances to the next window (the end when there is none).
    Iterator& operator++();
    /// Whether the iteration has ended (compares with end()).
    bool operator==(std::default_sentinel_t) const { return !current_; }

   private:
    friend class WindowDataset;
    explicit Iterator(std::shared_ptr<detail::WindowIteratorState> state) : state_(std::move(state)) {}
    std::shared_ptr<detail::WindowIteratorState> state_;
    std::optional<Dataset> current_;
  };

  /// The number of windows (as tf.data counts them), INFINITE_CARDINALITY or
  /// UNKNOWN_CARDINALITY.
  int64_t cardinality() const;
  /// f(window) returns a dataset; the output is the elements of each in turn.
  Dataset flat_map(std::function<Dataset(const Dataset&)> f) const;

  /// A fresh pass over the windows, before the first (call next() or ++).
  Iterator make_iterator() const;
  Iterator begin() const;  ///< fetches the first window
  /// The end of a range-for over the windows.
  std::default_sentinel_t end() const { return {}; }

 private:
  friend class Dataset;
  explicit WindowDataset(std::shared_ptr<const detail::WindowSource> source) : source_(std::move(source)) {}
  std::shared_ptr<const detail::WindowSource> source_;
};

}  // namespace keras::data
