// constraints.h - Keras 3's weight constraints (keras.constraints): a projection applied
// to a weight after each optimizer update.
//
//   using namespace keras::constraints;
//   Tensor w2 = MaxNorm({.max_value = 3, .axis = 0})(w);
//   ConstraintPtr c = get("non_neg");
//   keras::Config cfg = serialize(UnitNorm({.axis = {0, 1}}));
//
// The norms are L2 norms over `axis` (one axis or several), and the formulas are
// Keras 3's, with its epsilon 1e-7:
//   MaxNorm:    w * clip(n, 0, max_value) / (1e-7 + n)
//   MinMaxNorm: w * (rate * clip(n, min_value, max_value) + (1 - rate) * n) / (1e-7 + n)
//   UnitNorm:   w / (1e-7 + n)
//   NonNeg:     w * (w >= 0)
#pragma once
#include <concepts>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

#include "core/tensor.h"
#include "keras/config.h"

namespace keras::constraints {

using core::Tensor;

class Constraint {
 public:
  virtual ~Constraint();
  /// The projected weight (same shape and dtype as w).
  virtual Tensor operator()(const Tensor& w) const = 0;
  virtual std::string class_name() const = 0;
  virtual keras::Config get_config() const;  ///< {} here
};
using ConstraintPtr = std::shared_ptr<const Constraint>;

/// One axis (`.axis = 0`) or several (`.axis = {0, 1}`), as Keras's int-or-list argument.
/// Serializes as an int when it holds one axis, a list otherwise.
struct Axis {
  std::vector<int64_t> axes;
  Axis(int64_t axis) : axes{axis} {}
  Axis(int axis) : axes{axis} {}
  Axis(std::initializer_list<int64_t> list) : axes(list) {}
  Axis(std::vector<int64_t> list) : axes(std::move(list)) {}
  keras::Value to_value() const;
  static Axis from_value(const keras::Value& v);  ///< an int or a list of ints
};

struct MaxNormOptions {
  double max_value = 2.0;
  Axis axis = 0;
};

class MaxNorm : public Constraint {
 public:
  explicit MaxNorm(const MaxNormOptions& o = {});
  Tensor operator()(const Tensor& w) const override;
  std::string class_name() const override { return "MaxNorm"; }
  keras::Config get_config() const override;  ///< {"max_value", "axis"}
  double max_value() const { return max_value_; }
  const Axis& axis() const { return axis_; }

 private:
  double max_value_;
  Axis axis_;
};

struct MinMaxNormOptions {
  double min_value = 0.0;
  double max_value = 1.0;
  double rate = 1.0;
  Axis axis = 0;
};

class MinMaxNorm : public Constraint {
 public:
  explicit MinMaxNorm(const MinMaxNormOptions& o = {});
  Tensor operator()(const Tensor& w) const override;
  std::string class_name() const override { return "MinMaxNorm"; }
  keras::Config get_config() const override;  ///< {"min_value", "max_value", "rate", "axis"}
  double min_value() const { return min_value_; }
  double max_value() const { return max_value_; }
  double rate() const { return rate_; }
  const Axis& axis() const { return axis_; }

 private:
  double min_value_, max_value_, rate_;
  Axis axis_;
};

class NonNeg : public Constraint {
 public:
  Tensor operator()(const Tensor& w) const override;
  std::string class_name() const override { return "NonNeg"; }
};

struct UnitNormOptions {
  Axis axis = 0;
};

class UnitNorm : public Constraint {
 public:
  explicit UnitNorm(const UnitNormOptions& o = {});
  Tensor operator()(const Tensor& w) const override;
  std::string class_name() const override { return "UnitNorm"; }
  keras::Config get_config() const override;  ///< {"axis"}
  const Axis& axis() const { return axis_; }

 private:
  Axis axis_;
};

using Function = std::function<Tensor(const Tensor&)>;

/// By name ("max_norm", "min_max_norm", "non_neg", "unit_norm", the class names,
/// registered classes) with default arguments; unknown names throw std::invalid_argument
/// listing the known ones.
ConstraintPtr get(const std::string& name);
/// Wraps a callable w -> projected w; class_name() is `name`.
ConstraintPtr get(Function fn, std::string name = "custom");
std::vector<std::string> names();

/// {"class_name": "MaxNorm", "config": {"max_value": 2.0, "axis": 0}}
keras::Config serialize(const Constraint& constraint);
/// From serialize()'s form or a name; unknown classes and config keys throw.
ConstraintPtr deserialize(const keras::Config& config);

using Factory = std::function<ConstraintPtr(const keras::Config& config)>;
void register_constraint(const std::string& class_name, Factory factory);

/// What a layer option of type "constraint" accepts: a name, an object or pointer, a
/// Config, a callable, or nothing (nullptr / default: no constraint).
class ConstraintArg {
 public:
  ConstraintArg() = default;
  ConstraintArg(std::nullptr_t) {}
  ConstraintArg(const char* name) : ptr_(get(name)) {}
  ConstraintArg(const std::string& name) : ptr_(get(name)) {}
  ConstraintArg(const keras::Config& config) : ptr_(deserialize(config)) {}
  template <class T>
    requires std::derived_from<T, Constraint>
  ConstraintArg(std::shared_ptr<T> p) : ptr_(std::move(p)) {}
  template <class T>
    requires std::derived_from<std::remove_cvref_t<T>, Constraint>
  ConstraintArg(T&& object)
      : ptr_(std::make_shared<std::remove_cvref_t<T>>(std::forward<T>(object))) {}
  template <class F>
    requires(std::is_invocable_r_v<Tensor, const F&, const Tensor&> &&
             !std::derived_from<std::remove_cvref_t<F>, Constraint> &&
             !std::same_as<std::remove_cvref_t<F>, ConstraintArg>)
  ConstraintArg(F f) : ptr_(get(Function(std::move(f)))) {}

  const ConstraintPtr& ptr() const { return ptr_; }
  operator const ConstraintPtr&() const { return ptr_; }
  explicit operator bool() const { return ptr_ != nullptr; }

 private:
  ConstraintPtr ptr_;
};

}  // namespace keras::constraints
