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

/// The base of the constraints (keras.constraints.Constraint): a projection applied to a
/// weight after each optimizer update.
class Constraint {
 public:
  virtual ~Constraint();
  /// The projected weight (same shape and dtype as w).
  virtual Tensor operator()(const Tensor& w) const = 0;
  /// The name serialize() writes and deserialize() looks up ("MaxNorm").
  virtual std::string class_name() const = 0;
  virtual keras::Config get_config() const;  ///< {} here
};
/// A shared, immutable constraint, as layers hold them.
using ConstraintPtr = std::shared_ptr<const Constraint>;

/// One axis (`.axis = 0`) or several (`.axis = {0, 1}`), as Keras's int-or-list argument.
/// Serializes as an int when it holds one axis, a list otherwise.
struct Axis {
  /// The axes, in the order given.
  std::vector<int64_t> axes;
  ///@{
  /// Implicit from one axis or a list of axes.
  Axis(int64_t axis) : axes{axis} {}
  Axis(int axis) : axes{axis} {}
  Axis(std::initializer_list<int64_t> list) : axes(list) {}
  Axis(std::vector<int64_t> list) : axes(std::move(list)) {}
  ///@}
  /// An int for one axis, a list of ints otherwise (serialize()'s form).
  keras::Value to_value() const;
  static Axis from_value(const keras::Value& v);  ///< an int or a list of ints
};

/// Options of MaxNorm (keras.constraints.MaxNorm's arguments).
struct MaxNormOptions {
  /// The largest allowed norm (Keras `max_value`, default 2).
  double max_value = 2.0;
  /// The axes the norm is computed over (Keras `axis`, default 0).
  Axis axis = 0;
};

/// keras.constraints.MaxNorm: scales each slice whose L2 norm exceeds max_value down to it.
class MaxNorm : public Constraint {
 public:
  /// The constraint with the given options.
  explicit MaxNorm(const MaxNormOptions& o = {});
  Tensor operator()(const Tensor& w) const override;
  /// "MaxNorm".
  std::string class_name() const override { return "MaxNorm"; }
  keras::Config get_config() const override;  ///< {"max_value", "axis"}
  /// The largest allowed norm.
  double max_value() const { return max_value_; }
  /// The axes of the norm.
  const Axis& axis() const { return axis_; }

 private:
  double max_value_;
  Axis axis_;
};

/// Options of MinMaxNorm (keras.constraints.MinMaxNorm's arguments).
struct MinMaxNormOptions {
  /// The smallest allowed norm (Keras `min_value`, default 0).
  double min_value = 0.0;
  /// The largest allowed norm (Keras `max_value`, default 1).
  double max_value = 1.0;
  /// How far toward the clipped norm each update moves (Keras `rate`, default 1: all the
  /// way).
  double rate = 1.0;
  /// The axes the norm is computed over (Keras `axis`, default 0).
  Axis axis = 0;
};

/// keras.constraints.MinMaxNorm: moves each slice's L2 norm into [min_value, max_value] (at
/// `rate`).
class MinMaxNorm : public Constraint {
 public:
  /// The constraint with the given options.
  explicit MinMaxNorm(const MinMaxNormOptions& o = {});
  Tensor operator()(const Tensor& w) const override;
  /// "MinMaxNorm".
  std::string class_name() const override { return "MinMaxNorm"; }
  keras::Config get_config() const override;  ///< {"min_value", "max_value", "rate", "axis"}
  /// The smallest allowed norm.
  double min_value() const { return min_value_; }
  /// The largest allowed norm.
  double max_value() const { return max_value_; }
  /// The rate toward the clipped norm.
  double rate() const { return rate_; }
  /// The axes of the norm.
  const Axis& axis() const { return axis_; }

 private:
  double min_value_, max_value_, rate_;
  Axis axis_;
};

/// keras.constraints.NonNeg: negative weights become zero.
class NonNeg : public Constraint {
 public:
  Tensor operator()(const Tensor& w) const override;
  /// "NonNeg".
  std::string class_name() const override { return "NonNeg"; }
};

/// Options of UnitNorm (keras.constraints.UnitNorm's arguments).
struct UnitNormOptions {
  /// The axes the norm is computed over (Keras `axis`, default 0).
  Axis axis = 0;
};

/// keras.constraints.UnitNorm: divides each slice by its L2 norm.
class UnitNorm : public Constraint {
 public:
  /// The constraint with the given options.
  explicit UnitNorm(const UnitNormOptions& o = {});
  Tensor operator()(const Tensor& w) const override;
  /// "UnitNorm".
  std::string class_name() const override { return "UnitNorm"; }
  keras::Config get_config() const override;  ///< {"axis"}
  /// The axes of the norm.
  const Axis& axis() const { return axis_; }

 private:
  Axis axis_;
};

/// A callable constraint: w -> projected w.
using Function = std::function<Tensor(const Tensor&)>;

/// By name ("max_norm", "min_max_norm", "non_neg", "unit_norm", the class names,
/// registered classes) with default arguments; unknown names throw std::invalid_argument
/// listing the known ones.
ConstraintPtr get(const std::string& name);
/// Wraps a callable w -> projected w; class_name() is `name`.
ConstraintPtr get(Function fn, std::string name = "custom");
/// What get() accepts (built-in names, class names and registered classes), sorted.
std::vector<std::string> names();

/// {"class_name": "MaxNorm", "config": {"max_value": 2.0, "axis": 0}}
keras::Config serialize(const Constraint& constraint);
/// From serialize()'s form or a name; unknown classes and config keys throw.
ConstraintPtr deserialize(const keras::Config& config);

/// Builds a registered class from its config (see register_constraint).
using Factory = std::function<ConstraintPtr(const keras::Config& config)>;
/// Makes deserialize()/get() build a user class from its config (Keras's
/// register_keras_serializable). Built-in class names cannot be replaced
/// (std::invalid_argument).
void register_constraint(const std::string& class_name, Factory factory);

/// What a layer option of type "constraint" accepts: a name, an object or pointer, a
/// Config, a callable, or nothing (nullptr / default: no constraint).
class ConstraintArg {
 public:
  ConstraintArg() = default;
  /// No constraint.
  ConstraintArg(std::nullptr_t) {}
  /// By name, as get() (unknown names throw std::invalid_argument).
  ConstraintArg(const char* name) : ptr_(get(name)) {}
  /// By name, as get().
  ConstraintArg(const std::string& name) : ptr_(get(name)) {}
  /// From serialize()'s form, as deserialize().
  ConstraintArg(const keras::Config& config) : ptr_(deserialize(config)) {}
  /// A constraint pointer.
  template <class T>
    requires std::derived_from<T, Constraint>
  ConstraintArg(std::shared_ptr<T> p) : ptr_(std::move(p)) {}
  /// A constraint object (copied).
  template <class T>
    requires std::derived_from<std::remove_cvref_t<T>, Constraint>
  ConstraintArg(T&& object)
      : ptr_(std::make_shared<std::remove_cvref_t<T>>(std::forward<T>(object))) {}
  /// A callable w -> projected w (as get(Function)).
  template <class F>
    requires(std::is_invocable_r_v<Tensor, const F&, const Tensor&> &&
             !std::derived_from<std::remove_cvref_t<F>, Constraint> &&
             !std::same_as<std::remove_cvref_t<F>, ConstraintArg>)
  ConstraintArg(F f) : ptr_(get(Function(std::move(f)))) {}

  /// The constraint, or null for none.
  const ConstraintPtr& ptr() const { return ptr_; }
  /// Converts to the constraint pointer (null for none).
  operator const ConstraintPtr&() const { return ptr_; }
  /// Whether a constraint was given.
  explicit operator bool() const { return ptr_ != nullptr; }

 private:
  ConstraintPtr ptr_;
};

}  // namespace keras::constraints
