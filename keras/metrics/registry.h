// registry.h - metrics by name, serialization, and MetricArg (what compile() accepts).
//
//   MetricPtr m = keras::metrics::get("auc");            // a fresh AUC()
//   keras::Config cfg = keras::metrics::serialize(*m);   // {"class_name": "AUC", "config": {...}}
//   MetricPtr again = keras::metrics::deserialize(cfg);
//   keras::metrics::register_metric("Hits", [](const keras::Config& c) { ... });
//
// get() knows Keras's names: the class names ("Precision"), their snake_case forms
// ("precision", "top_k_categorical_accuracy", "mean_io_u" needs num_classes and is not
// constructible by name) and the aliases "mse", "mae", "mape", "bce", "acc", "logcosh"
// (upper case too). "accuracy" / "acc" give Accuracy() here, as keras.metrics.get does;
// compile() should instead resolve them with resolve_accuracy(), as Keras's compile does.
#pragma once
#include <concepts>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "keras/metrics/metric.h"
#include "keras/metrics/reduction_metrics.h"

namespace keras::metrics {

/// A fresh metric with default arguments; an unknown name throws std::invalid_argument
/// listing the known names.
MetricPtr get(const std::string& name);
std::vector<std::string> names();  ///< what get() accepts, sorted

/// {"class_name": ..., "config": get_config()}
keras::Config serialize(const Metric& metric);
/// From serialize()'s form or from a name as get() takes. Unknown class names and
/// unexpected config keys throw std::invalid_argument naming them.
MetricPtr deserialize(const keras::Config& config);

/// Makes deserialize()/get() build a user metric class from its config (Keras's
/// register_keras_serializable). Built-in class names cannot be replaced.
using MetricFactory = std::function<MetricPtr(const keras::Config& config)>;
/// Registers a class under class_name; a built-in or empty name throws
/// std::invalid_argument.
void register_metric(const std::string& class_name, MetricFactory factory);
/// Makes a MeanMetricWrapper config {"fn": name} deserializable.
void register_metric_function(const std::string& name, MetricFunction fn);
/// A built-in ("mean_squared_error", "binary_accuracy", ...) or registered function;
/// unknown names throw.
MetricFunction get_function(const std::string& name);

/// Keras's compile() resolution of "accuracy" / "acc" (the metric keeps that name):
/// - a cross-entropy loss decides: "binary_crossentropy" / "bce" -> BinaryAccuracy,
///   "categorical_crossentropy" / "cce" -> CategoricalAccuracy,
///   "sparse_categorical_crossentropy" -> SparseCategoricalAccuracy (class names such as
///   "BinaryCrossentropy" work too);
/// - otherwise the shapes decide, as Keras 3's compile_utils: y_pred's last axis of
///   size 1 -> BinaryAccuracy; y_true of lower rank than y_pred, or y_true's last axis 1
///   and y_pred's > 1 -> SparseCategoricalAccuracy; else CategoricalAccuracy;
/// - with neither, CategoricalAccuracy.
MetricPtr resolve_accuracy(const std::string& loss_name,
                           const std::optional<Shape>& y_true_shape = std::nullopt,
                           const std::optional<Shape>& y_pred_shape = std::nullopt,
                           const std::string& name = "accuracy");

/// What compile(metrics=...) accepts for one metric: a name ("auc", "accuracy"), a metric
/// object (copied into a shared_ptr, so pass temporaries: Precision({.top_k = 1})), a
/// shared_ptr to one, a Config, or a callable (y_true, y_pred) -> Tensor (wrapped in a
/// MeanMetricWrapper named "mean_metric_wrapper"). Names are kept: "accuracy" / "acc"
/// are resolved by resolve(), so the trainer can pick the accuracy matching the loss.
class MetricArg {
 public:
  MetricArg() = default;
  /// No metric.
  MetricArg(std::nullptr_t) {}
  /// By name, as the std::string form.
  MetricArg(const char* name) : MetricArg(std::string(name)) {}
  /// By name: "accuracy" / "acc" are kept for resolve(), other names are looked up with
  /// get() (unknown ones throw std::invalid_argument).
  MetricArg(const std::string& name);
  /// From serialize()'s form, as deserialize().
  MetricArg(const keras::Config& config) : ptr_(deserialize(config)) {}
  /// A metric pointer (shared, not copied).
  template <class T>
    requires std::derived_from<T, Metric>
  MetricArg(std::shared_ptr<T> p) : ptr_(std::move(p)) {}
  /// A metric object, moved or copied into a new shared_ptr.
  template <class T>
    requires(std::derived_from<std::remove_cvref_t<T>, Metric> &&
             std::is_constructible_v<std::remove_cvref_t<T>, T &&>)
  MetricArg(T&& object)
      : ptr_(std::make_shared<std::remove_cvref_t<T>>(std::forward<T>(object))) {}
  /// A callable (y_true, y_pred) -> per-sample values, wrapped in a MeanMetricWrapper.
  template <class F>
    requires(std::is_invocable_r_v<Tensor, const F&, const Tensor&, const Tensor&> &&
             !std::derived_from<std::remove_cvref_t<F>, Metric> &&
             !std::same_as<std::remove_cvref_t<F>, MetricArg> &&
             !std::is_convertible_v<const F&, std::string>)
  MetricArg(F f) : ptr_(std::make_shared<MeanMetricWrapper>(MetricFunction(std::move(f)))) {}

  /// Whether a metric or a name was given.
  explicit operator bool() const { return ptr_ != nullptr || !name_.empty(); }
  /// The name given ("" when built from an object).
  const std::string& identifier() const { return name_; }
  /// True for "accuracy" / "acc" (any case), which need resolve().
  bool is_accuracy_alias() const;
  /// The metric: for an accuracy alias, resolve_accuracy(loss_name, shapes, alias);
  /// otherwise the held metric (the same object on every call).
  MetricPtr resolve(const std::string& loss_name = "",
                    const std::optional<Shape>& y_true_shape = std::nullopt,
                    const std::optional<Shape>& y_pred_shape = std::nullopt) const;
  /// The held metric (nullptr for an unresolved accuracy alias).
  const MetricPtr& ptr() const { return ptr_; }

 private:
  std::string name_;
  MetricPtr ptr_;
};

}  // namespace keras::metrics
