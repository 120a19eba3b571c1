// regularizers.h - Keras 3's weight regularizers (keras.regularizers): a penalty added to
// the loss, computed from a weight tensor.
//
//   using namespace keras::regularizers;
//   Tensor penalty = L2(0.01)(w);           // 0.01 * sum(w^2), a scalar of w's dtype
//   RegularizerPtr r = get("l1_l2");        // L1L2() with l1 = l2 = 0
//   keras::Config cfg = serialize(L1L2({.l1 = 0.01, .l2 = 0.02}));
//
// The penalties are written with core ops, so they are differentiable.
#pragma once
#include <concepts>
#include <functional>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

#include "core/tensor.h"
#include "keras/config.h"

namespace keras::regularizers {

using core::Tensor;

/// The base of the regularizers (keras.regularizers.Regularizer): a loss penalty computed
/// from a weight.
class Regularizer {
 public:
  virtual ~Regularizer();
  /// The penalty for weight w: a scalar tensor of w's dtype.
  virtual Tensor operator()(const Tensor& w) const = 0;
  /// The name serialize() writes and deserialize() looks up ("L2").
  virtual std::string class_name() const = 0;
  virtual keras::Config get_config() const;  ///< {} here
};
/// A shared, immutable regularizer, as layers hold them.
using RegularizerPtr = std::shared_ptr<const Regularizer>;

/// l1 * sum(|w|). l1 must be a non-negative finite number.
class L1 : public Regularizer {
 public:
  /// keras.regularizers.L1(l1=0.01); a negative or non-finite l1 throws
  /// std::invalid_argument.
  explicit L1(double l1 = 0.01);
  Tensor operator()(const Tensor& w) const override;
  /// "L1".
  std::string class_name() const override { return "L1"; }
  keras::Config get_config() const override;  ///< {"l1"}
  /// The L1 factor.
  double l1() const { return l1_; }

 private:
  double l1_;
};

/// l2 * sum(w^2).
class L2 : public Regularizer {
 public:
  /// keras.regularizers.L2(l2=0.01); a negative or non-finite l2 throws
  /// std::invalid_argument.
  explicit L2(double l2 = 0.01);
  Tensor operator()(const Tensor& w) const override;
  /// "L2".
  std::string class_name() const override { return "L2"; }
  keras::Config get_config() const override;  ///< {"l2"}
  /// The L2 factor.
  double l2() const { return l2_; }

 private:
  double l2_;
};

/// Options of L1L2 (keras.regularizers.L1L2's arguments).
struct L1L2Options {
  /// The L1 factor (Keras `l1`, default 0).
  double l1 = 0.0;
  /// The L2 factor (Keras `l2`, default 0).
  double l2 = 0.0;
};

/// l1 * sum(|w|) + l2 * sum(w^2); a term whose factor is 0 is left out.
class L1L2 : public Regularizer {
 public:
  /// keras.regularizers.L1L2(l1=0.0, l2=0.0); negative or non-finite factors throw
  /// std::invalid_argument.
  explicit L1L2(double l1 = 0.0, double l2 = 0.0);
  /// The same from options (L1L2({.l2 = 0.01})).
  explicit L1L2(const L1L2Options& o) : L1L2(o.l1, o.l2) {}
  Tensor operator()(const Tensor& w) const override;
  /// "L1L2".
  std::string class_name() const override { return "L1L2"; }
  keras::Config get_config() const override;  ///< {"l1", "l2"}
  /// The L1 factor.
  double l1() const { return l1_; }
  /// The L2 factor.
  double l2() const { return l2_; }

 private:
  double l1_, l2_;
};

/// Options of OrthogonalRegularizer (keras.regularizers.OrthogonalRegularizer's arguments).
struct OrthogonalRegularizerOptions {
  /// The penalty's factor (Keras `factor`, default 0.01, non-negative).
  double factor = 0.01;
  std::string mode = "rows";  ///< "rows" or "columns"
};

/// Encourages the rows (or columns) of a 2-D weight to be orthogonal: with the rows
/// (columns) scaled to unit L2 norm, factor * 0.5 * sum |off-diagonal entries of their
/// Gram matrix| / (size * (size - 1) / 2).
class OrthogonalRegularizer : public Regularizer {
 public:
  /// The regularizer with the given options; a bad factor or mode throws
  /// std::invalid_argument.
  explicit OrthogonalRegularizer(const OrthogonalRegularizerOptions& o = {});
  Tensor operator()(const Tensor& w) const override;
  /// "OrthogonalRegularizer".
  std::string class_name() const override { return "OrthogonalRegularizer"; }
  keras::Config get_config() const override;  ///< {"factor", "mode"}
  /// The penalty's factor.
  double factor() const { return factor_; }
  /// "rows" or "columns".
  const std::string& mode() const { return mode_; }

 private:
  double factor_;
  std::string mode_;
};

/// A callable regularizer: w -> scalar penalty.
using Function = std::function<Tensor(const Tensor&)>;

/// By name ("l1", "l2", "l1_l2", "orthogonal_regularizer", the class names, registered
/// classes) with default arguments; unknown names throw std::invalid_argument listing
/// the known ones.
RegularizerPtr get(const std::string& name);
/// Wraps a callable w -> scalar penalty; class_name() is `name`.
RegularizerPtr get(Function fn, std::string name = "custom");
/// What get() accepts (built-in names, class names and registered classes), sorted.
std::vector<std::string> names();

/// {"class_name": "L2", "config": {"l2": 0.01}}
keras::Config serialize(const Regularizer& regularizer);
/// From serialize()'s form or a name; unknown classes and config keys throw.
RegularizerPtr deserialize(const keras::Config& config);

/// Builds a registered class from its config (see register_regularizer).
using Factory = std::function<RegularizerPtr(const keras::Config& config)>;
/// Makes deserialize()/get() build a user class from its config (Keras's
/// register_keras_serializable). Built-in class names cannot be replaced
/// (std::invalid_argument).
void register_regularizer(const std::string& class_name, Factory factory);

/// What a layer option of type "regularizer" accepts: a name, an object or pointer, a
/// Config, a callable, or nothing (nullptr / default: no regularization).
class RegularizerArg {
 public:
  RegularizerArg() = default;
  /// No regularization.
  RegularizerArg(std::nullptr_t) {}
  /// By name, as get() (unknown names throw std::invalid_argument).
  RegularizerArg(const char* name) : ptr_(get(name)) {}
  /// By name, as get().
  RegularizerArg(const std::string& name) : ptr_(get(name)) {}
  /// From serialize()'s form, as deserialize().
  RegularizerArg(const keras::Config& config) : ptr_(deserialize(config)) {}
  /// A regularizer pointer.
  template <class T>
    requires std::derived_from<T, Regularizer>
  RegularizerArg(std::shared_ptr<T> p) : ptr_(std::move(p)) {}
  /// A regularizer object (copied).
  template <class T>
    requires std::derived_from<std::remove_cvref_t<T>, Regularizer>
  RegularizerArg(T&& object)
      : ptr_(std::make_shared<std::remove_cvref_t<T>>(std::forward<T>(object))) {}
  /// A callable w -> scalar penalty (as get(Function)).
  template <class F>
    requires(std::is_invocable_r_v<Tensor, const F&, const Tensor&> &&
             !std::derived_from<std::remove_cvref_t<F>, Regularizer> &&
             !std::same_as<std::remove_cvref_t<F>, RegularizerArg>)
  RegularizerArg(F f) : ptr_(get(Function(std::move(f)))) {}

  /// The regularizer, or null for none.
  const RegularizerPtr& ptr() const { return ptr_; }
  /// Converts to the regularizer pointer (null for none).
  operator const RegularizerPtr&() const { return ptr_; }
  /// Whether a regularizer was given.
  explicit operator bool() const { return ptr_ != nullptr; }

 private:
  RegularizerPtr ptr_;
};

}  // namespace keras::regularizers
