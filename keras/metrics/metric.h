// metric.h - the base of Keras 3's streaming metrics (keras.metrics.Metric).
//
//   class Hits : public keras::metrics::Metric {
//    public:
//     Hits() : Metric("hits") { hits_ = add_variable("hits", {}); }
//     void update_state(const Tensor& y_true, const Tensor& y_pred,
//                       const Tensor& sample_weight = Tensor()) override {
//       hits_.assign_add(ops::sum(ops::cast(detach(y_true) == detach(y_pred), dtype())));
//     }
//     Tensor result() const override { return hits_.value(); }
//     std::string class_name() const override { return "Hits"; }
//    private:
//     Variable hits_;
//   };
//
// A metric keeps its state in non-trainable core::Variable objects created with
// add_variable(); update_state() accumulates a batch, result() reads the value over
// everything seen since the last reset_state(). Updates are never recorded on gradient
// tapes: subclasses read their inputs through detach() (core::stop_gradient) and
// Variable::assign/assign_add store values the tape does not see through.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "core/autodiff.h"
#include "core/dtype.h"
#include "core/shape.h"
#include "core/tensor.h"
#include "keras/config.h"

namespace keras::metrics {

using core::DType;
using core::Shape;
using core::Tensor;
using core::Variable;

/// The base of the streaming metrics (keras.metrics.Metric; see above).
class Metric {
 public:
  /// name: the metric's name (what training logs show); dtype: the dtype of the state
  /// and of result() (floating point).
  explicit Metric(std::string name, DType dtype = DType::float32);
  /// Tag of the constructor below.
  struct IntegerStateAllowed {};
  /// For metrics whose state may also be integer counts (the IoU family, whose Keras
  /// default dtype is "int"): dtype floating point or integer.
  Metric(std::string name, DType dtype, IntegerStateAllowed);
  virtual ~Metric();
  /// Not copyable (a copy would share the state variables); movable, so a temporary
  /// can be handed to MetricArg.
  Metric(const Metric&) = delete;
  Metric& operator=(const Metric&) = delete;
  /// Moves the metric with its state.
  Metric(Metric&&) = default;
  /// Moves the metric with its state.
  Metric& operator=(Metric&&) = default;

  /// Accumulates one batch. sample_weight (optional) weights the samples, as in Keras.
  virtual void update_state(const Tensor& y_true, const Tensor& y_pred,
                            const Tensor& sample_weight = Tensor()) = 0;
  /// The value over everything seen since the last reset_state().
  virtual Tensor result() const = 0;
  /// Puts every state variable back to zeros.
  virtual void reset_state();
  /// Keras's stateless_update_state: update_state with the state variables read as
  /// `metric_variables` (1:1 with variables()) inside a StatelessScope; returns their new
  /// values (the metric's own variables are unchanged). A list of another length raises
  /// std::invalid_argument.
  std::vector<Tensor> stateless_update_state(const std::vector<Tensor>& metric_variables, const Tensor& y_true,
                                             const Tensor& y_pred, const Tensor& sample_weight = Tensor());
  /// Keras's stateless_result: result() of the state `metric_variables`.
  Tensor stateless_result(const std::vector<Tensor>& metric_variables) const;
  /// Keras's stateless_reset_state: the state variables' values after reset_state(),
  /// without resetting them.
  std::vector<Tensor> stateless_reset_state();
  /// {"name", "dtype"} plus the hyperparameters (Keras's get_config()).
  virtual keras::Config get_config() const;
  /// The registered class name ("Precision"), what serialize() writes.
  virtual std::string class_name() const = 0;

  /// update_state() then result() (Keras's Metric.__call__).
  Tensor operator()(const Tensor& y_true, const Tensor& y_pred,
                    const Tensor& sample_weight = Tensor());

  /// The name training logs show.
  const std::string& name() const { return name_; }
  /// Renames the metric (what logs show; compile() names a metric given as a string after
  /// that string, as Keras).
  void set_name(std::string name) { name_ = std::move(name); }
  /// The dtype of the state and of result().
  DType dtype() const { return dtype_; }
  /// The state variables, in the order add_variable() created them.
  const std::vector<Variable>& variables() const { return variables_; }

 protected:
  /// A new non-trainable state variable of zeros, named "<metric name>/<name>".
  Variable add_variable(const std::string& name, const Shape& shape,
                        DType dtype = DType::float32);
  /// x with gradients stopped, on the device where this metric's state lives (its first
  /// variable's; x's own when it has none; undefined stays undefined): read inputs through
  /// this so that no update is recorded on a tape. A metric whose state is on the device
  /// of its inputs (a model and its metrics on one GPU) copies nothing, so a traced train
  /// step does not wait for the host.
  Tensor detach(const Tensor& x) const;

 private:
  std::string name_;
  DType dtype_;
  std::vector<Variable> variables_;
};

/// A shared metric, as compile() holds them (not const: updates change its state).
using MetricPtr = std::shared_ptr<Metric>;

}  // namespace keras::metrics
