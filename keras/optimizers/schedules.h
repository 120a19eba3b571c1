// schedules.h - the learning-rate schedules (keras.optimizers.schedules) and LearningRate,
// a number or a schedule, as every optimizer takes it.
//
//   auto opt = keras::optimizers::SGD({.learning_rate = keras::optimizers::CosineDecay(0.1, 1000)});
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <type_traits>

#include "core/autodiff.h"
#include "keras/config.h"

namespace keras::optimizers {
using core::Tensor;
using core::Variable;
// ---- learning-rate schedules ----------------------------------------------------------
/// The base of the learning-rate schedules
/// (keras.optimizers.schedules.LearningRateSchedule): the rate as a function of the
/// iteration count.
class LearningRateSchedule {
 public:
  virtual ~LearningRateSchedule();
  /// The learning rate at iteration `step` (0 for the first step).
  virtual double operator()(int64_t step) const = 0;
  /// The rate at `step` (an int64 scalar tensor) as a float64 scalar tensor, computed with
  /// ops so a traced train step follows the schedule. The built-in schedules override it;
  /// the default reads the step on the host and calls the number version (such a schedule
  /// cannot be traced: override this too).
  virtual Tensor operator()(const Tensor& step) const;
  /// The name serialize_schedule() writes and deserialize_schedule() looks up
  /// ("CosineDecay").
  virtual std::string class_name() const = 0;
  /// The constructor arguments (Keras's get_config()), "name" included.
  virtual Config get_config() const = 0;
};
/// A shared, immutable schedule, as LearningRate holds it.
using SchedulePtr = std::shared_ptr<const LearningRateSchedule>;

/// Keras 3's built-in schedules (keras.optimizers.schedules), evaluated at the optimizer's
/// iteration count (0 for the first step). Bad arguments throw std::invalid_argument.
namespace schedules {

/// initial_learning_rate * decay_rate ^ (step / decay_steps)  (staircase: floor of the ratio)
struct ExponentialDecayOptions {
  /// Whether the exponent step / decay_steps is floored (Keras `staircase`, default false).
  bool staircase = false;
  /// The schedule's name (Keras `name`).
  std::string name = "ExponentialDecay";
};
/// keras.optimizers.schedules.ExponentialDecay (see ExponentialDecayOptions).
class ExponentialDecay : public LearningRateSchedule {
 public:
  /// Needs decay_steps > 0 and finite arguments (else std::invalid_argument).
  ExponentialDecay(double initial_learning_rate, double decay_steps, double decay_rate,
                   const ExponentialDecayOptions& o = {});
  double operator()(int64_t step) const override;
  Tensor operator()(const Tensor& step) const override;
  std::string class_name() const override { return "ExponentialDecay"; }
  Config get_config() const override;

 private:
  double initial_learning_rate_, decay_steps_, decay_rate_;
  ExponentialDecayOptions o_;
};

/// values[0] while step <= boundaries[0], values[i] while boundaries[i-1] < step <=
/// boundaries[i], values.back() once step > boundaries.back().
struct PiecewiseConstantDecayOptions {
  /// The schedule's name (Keras `name`).
  std::string name = "PiecewiseConstant";
};
/// keras.optimizers.schedules.PiecewiseConstantDecay (see PiecewiseConstantDecayOptions).
class PiecewiseConstantDecay : public LearningRateSchedule {
 public:
  /// values has one more element than boundaries, which increase strictly; otherwise
  /// std::invalid_argument.
  PiecewiseConstantDecay(std::vector<int64_t> boundaries, std::vector<double> values,
                         const PiecewiseConstantDecayOptions& o = {});
  double operator()(int64_t step) const override;
  Tensor operator()(const Tensor& step) const override;
  std::string class_name() const override { return "PiecewiseConstantDecay"; }
  Config get_config() const override;

 private:
  std::vector<int64_t> boundaries_;
  std::vector<double> values_;
  PiecewiseConstantDecayOptions o_;
};

/// (initial - end) * (1 - min(step, decay_steps) / decay_steps) ^ power + end;
/// cycle: decay_steps grows to the first multiple of itself >= step (1 at step 0).
struct PolynomialDecayOptions {
  /// The rate reached after decay_steps (Keras `end_learning_rate`, default 0.0001).
  double end_learning_rate = 0.0001;
  /// The exponent of the polynomial (Keras `power`, default 1: linear).
  double power = 1.0;
  /// Whether the decay restarts with a longer period after decay_steps (Keras `cycle`,
  /// default false).
  bool cycle = false;
  /// The schedule's name (Keras `name`).
  std::string name = "PolynomialDecay";
};
/// keras.optimizers.schedules.PolynomialDecay (see PolynomialDecayOptions).
class PolynomialDecay : public LearningRateSchedule {
 public:
  /// decay_steps > 0; bad arguments throw std::invalid_argument.
  PolynomialDecay(double initial_learning_rate, double decay_steps, const PolynomialDecayOptions& o = {});
  double operator()(int64_t step) const override;
  Tensor operator()(const Tensor& step) const override;
  std::string class_name() const override { return "PolynomialDecay"; }
  Config get_config() const override;

 private:
  double initial_learning_rate_, decay_steps_;
  PolynomialDecayOptions o_;
};

/// initial_learning_rate / (1 + decay_rate * step / decay_steps)  (staircase: floor of the ratio)
struct InverseTimeDecayOptions {
  /// Whether step / decay_steps is floored (Keras `staircase`, default false).
  bool staircase = false;
  /// The schedule's name (Keras `name`).
  std::string name = "InverseTimeDecay";
};
/// keras.optimizers.schedules.InverseTimeDecay (see InverseTimeDecayOptions).
class InverseTimeDecay : public LearningRateSchedule {
 public:
  /// decay_steps > 0; bad arguments throw std::invalid_argument.
  InverseTimeDecay(double initial_learning_rate, double decay_steps, double decay_rate,
                   const InverseTimeDecayOptions& o = {});
  double operator()(int64_t step) const override;
  Tensor operator()(const Tensor& step) const override;
  std::string class_name() const override { return "InverseTimeDecay"; }
  Config get_config() const override;

 private:
  double initial_learning_rate_, decay_steps_, decay_rate_;
  InverseTimeDecayOptions o_;
};

/// Without warmup_target: initial * ((1 - alpha) * 0.5 (1 + cos(pi min(step, decay_steps) /
/// decay_steps)) + alpha). With it: a linear ramp from initial to warmup_target over
/// warmup_steps, then the cosine decay from warmup_target over decay_steps.
struct CosineDecayOptions {
  /// The final rate as a fraction of the initial one (Keras `alpha`, default 0).
  double alpha = 0.0;
  /// The rate the linear warmup reaches (Keras `warmup_target`; none: no warmup).
  std::optional<double> warmup_target{};
  /// The length of the warmup (Keras `warmup_steps`, default 0).
  double warmup_steps = 0;
  /// The schedule's name (Keras `name`).
  std::string name = "CosineDecay";
};
/// keras.optimizers.schedules.CosineDecay (see CosineDecayOptions).
class CosineDecay : public LearningRateSchedule {
 public:
  /// decay_steps > 0; bad arguments throw std::invalid_argument.
  CosineDecay(double initial_learning_rate, double decay_steps, const CosineDecayOptions& o = {});
  double operator()(int64_t step) const override;
  Tensor operator()(const Tensor& step) const override;
  std::string class_name() const override { return "CosineDecay"; }
  Config get_config() const override;

 private:
  double initial_learning_rate_, decay_steps_;
  CosineDecayOptions o_;
};

/// SGDR: cosine decay over first_decay_steps, then restarts; period i lasts
/// first_decay_steps * t_mul^i steps and starts at initial * m_mul^i.
struct CosineDecayRestartsOptions {
  /// The factor by which each period is longer than the previous one (Keras `t_mul`,
  /// default 2).
  double t_mul = 2.0;
  /// The factor of each restart's initial rate (Keras `m_mul`, default 1).
  double m_mul = 1.0;
  /// The final rate of each period as a fraction of its initial one (Keras `alpha`, default
  /// 0).
  double alpha = 0.0;
  /// The schedule's name (Keras `name`).
  std::string name = "SGDRDecay";
};
/// keras.optimizers.schedules.CosineDecayRestarts (see CosineDecayRestartsOptions).
class CosineDecayRestarts : public LearningRateSchedule {
 public:
  /// first_decay_steps > 0; bad arguments throw std::invalid_argument.
  CosineDecayRestarts(double initial_learning_rate, double first_decay_steps,
                      const CosineDecayRestartsOptions& o = {});
  double operator()(int64_t step) const override;
  Tensor operator()(const Tensor& step) const override;
  std::string class_name() const override { return "CosineDecayRestarts"; }
  Config get_config() const override;

 private:
  double initial_learning_rate_, first_decay_steps_;
  CosineDecayRestartsOptions o_;
};

}  // namespace schedules
using schedules::CosineDecay;
using schedules::CosineDecayRestarts;
using schedules::ExponentialDecay;
using schedules::InverseTimeDecay;
using schedules::PiecewiseConstantDecay;
using schedules::PolynomialDecay;

/// {"class_name": ..., "config": ...}; deserialize_schedule rebuilds built-in schedules and
/// those registered with register_schedule (user subclasses).
Config serialize_schedule(const LearningRateSchedule& s);
/// A schedule from serialize_schedule()'s form; an unknown class throws
/// std::invalid_argument.
SchedulePtr deserialize_schedule(const Config& c);
/// Builds a registered schedule class from its config.
using ScheduleFactory = std::function<SchedulePtr(const Config&)>;
/// Makes deserialize_schedule() build a user schedule class from its config.
void register_schedule(const std::string& class_name, ScheduleFactory f);

/// A learning rate: a number or a schedule of the iteration count.
struct LearningRate {
  /// The constant rate (used when no schedule is set; default 0.001).
  double value = 0.001;
  /// The schedule, if any (it takes precedence over value).
  SchedulePtr schedule{};
  LearningRate() = default;
  /// A constant rate.
  LearningRate(double v) : value(v) {}
  /// A schedule.
  LearningRate(SchedulePtr s) : schedule(std::move(s)) {}
  /// A schedule object (copied).
  template <class S, class = std::enable_if_t<std::is_base_of_v<LearningRateSchedule, S>>>
  LearningRate(const S& s) : schedule(std::make_shared<S>(s)) {}
  /// The rate at iteration `step`.
  double at(int64_t step) const { return schedule ? (*schedule)(step) : value; }
};

}  // namespace keras::optimizers
