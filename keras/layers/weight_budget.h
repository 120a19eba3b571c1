// weight_budget.h - WeightBudget: a per-thread cap on the bytes Layer::add_weight may
// allocate (model loading sets it from the file's size). Included by layer.h.
#pragma once
#include <cstdint>
#include <string>

#include "core/tensor.h"

namespace keras::layers {

/// A cap, for the current thread, on the bytes that add_weight() may allocate while it is
/// alive (nested caps restore the outer one). Loading a model sets it to the bytes of the
/// weights its file holds, so an architecture read from a file cannot make loading
/// allocate much more weight memory than the file carries data for.
class WeightBudget {
 public:
  /// context ends the error message ("while loading m.keras (...)").
  WeightBudget(int64_t bytes, std::string context);
  ~WeightBudget();
  WeightBudget(const WeightBudget&) = delete;
  WeightBudget& operator=(const WeightBudget&) = delete;
  /// Called by add_weight(): throws std::runtime_error naming the weight, its shape and
  /// the budget when the weight does not fit in what is left.
  static void charge(const std::string& weight, const core::Shape& shape, core::DType dtype);

 private:
  int64_t left_;
  std::string context_;
  WeightBudget* outer_;
};

}  // namespace keras::layers
