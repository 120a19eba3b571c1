// schedules.cpp - the learning-rate schedules (keras.optimizers.schedules) and their registry.
#include "keras/optimizers.h"
#include "keras/custom_object_scope.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <mutex>
#include <stdexcept>

#include "core/ops.h"
#include "core/training.h"
#include "keras/optimizers/optimizer_util.h"

namespace keras::optimizers {
namespace ops = core::ops;
using core::DType;
using core::Shape;

LearningRateSchedule::~LearningRateSchedule() = default;

Tensor LearningRateSchedule::operator()(const Tensor& step) const {
  // A schedule written only for host numbers reads the step (not traceable).
  return core::constant((*this)(step.item<int64_t>()), DType::float64);
}

// ---- schedules ----------------------------------------------------------------------------
namespace schedules {
namespace {
const double kPi = 3.14159265358979323846;
Tensor k(double x) { return core::constant(x, DType::float64); }
Tensor as_steps(const Tensor& step) { return ops::cast(step, DType::float64); }

// Throws "<schedule>: expected <what>, but received <received>" unless ok.
void require(bool ok, const std::string& schedule, const std::string& what, double received) {
  if (!ok) throw std::invalid_argument(schedule + ": expected " + what + ", but received " + Value(received).to_json());
}
void require_finite(double v, const std::string& schedule, const std::string& arg) {
  require(std::isfinite(v), schedule, arg + " to be finite", v);
}
Value doubles(const std::vector<double>& v) {
  std::vector<Value> out(v.begin(), v.end());
  return Value(std::move(out));
}
}  // namespace

ExponentialDecay::ExponentialDecay(double initial_learning_rate, double decay_steps, double decay_rate,
                                   const ExponentialDecayOptions& o)
    : initial_learning_rate_(initial_learning_rate), decay_steps_(decay_steps), decay_rate_(decay_rate), o_(o) {
  require_finite(initial_learning_rate, "ExponentialDecay", "initial_learning_rate");
  require(decay_steps > 0 && std::isfinite(decay_steps), "ExponentialDecay", "decay_steps > 0", decay_steps);
  require_finite(decay_rate, "ExponentialDecay", "decay_rate");
}
double ExponentialDecay::operator()(int64_t step) const {
  double p = double(step) / decay_steps_;
  if (o_.staircase) p = std::floor(p);
  return initial_learning_rate_ * std::pow(decay_rate_, p);
}
Tensor ExponentialDecay::operator()(const Tensor& step) const {
  Tensor p = ops::divide(as_steps(step), k(decay_steps_));
  if (o_.staircase) p = ops::floor(p);
  return ops::multiply(k(initial_learning_rate_), ops::power(k(decay_rate_), p));
}
Config ExponentialDecay::get_config() const {
  Config c = Config::object();
  c["initial_learning_rate"] = initial_learning_rate_;
  c["decay_steps"] = decay_steps_;
  c["decay_rate"] = decay_rate_;
  c["staircase"] = o_.staircase;
  c["name"] = o_.name;
  return c;
}

PiecewiseConstantDecay::PiecewiseConstantDecay(std::vector<int64_t> boundaries, std::vector<double> values,
                                               const PiecewiseConstantDecayOptions& o)
    : boundaries_(std::move(boundaries)), values_(std::move(values)), o_(o) {
  if (values_.empty() || boundaries_.size() != values_.size() - 1)
    throw std::invalid_argument("PiecewiseConstantDecay: expected values to have one more element than boundaries, "
                                "but received " + std::to_string(boundaries_.size()) + " boundaries and " +
                                std::to_string(values_.size()) + " values");
  for (size_t i = 1; i < boundaries_.size(); ++i)
    if (!(boundaries_[i] > boundaries_[i - 1]))
      throw std::invalid_argument("PiecewiseConstantDecay: expected strictly increasing boundaries, but received " +
                                  Value(boundaries_).to_json());
  for (double v : values_) require_finite(v, "PiecewiseConstantDecay", "every value");
}
double PiecewiseConstantDecay::operator()(int64_t step) const {
  for (size_t i = 0; i < boundaries_.size(); ++i)
    if (step <= boundaries_[i]) return values_[i];
  return values_.back();
}
Tensor PiecewiseConstantDecay::operator()(const Tensor& step) const {
  Tensor s = as_steps(step), lr = k(values_.back());
  for (size_t i = boundaries_.size(); i-- > 0;) lr = ops::where(ops::less_equal(s, k(double(boundaries_[i]))), k(values_[i]), lr);
  return lr;
}
Config PiecewiseConstantDecay::get_config() const {
  Config c = Config::object();
  c["boundaries"] = Value(boundaries_);
  c["values"] = doubles(values_);
  c["name"] = o_.name;
  return c;
}

PolynomialDecay::PolynomialDecay(double initial_learning_rate, double decay_steps, const PolynomialDecayOptions& o)
    : initial_learning_rate_(initial_learning_rate), decay_steps_(decay_steps), o_(o) {
  require_finite(initial_learning_rate, "PolynomialDecay", "initial_learning_rate");
  require(decay_steps > 0 && std::isfinite(decay_steps), "PolynomialDecay", "decay_steps > 0", decay_steps);
  require_finite(o.end_learning_rate, "PolynomialDecay", "end_learning_rate");
  require_finite(o.power, "PolynomialDecay", "power");
}
double PolynomialDecay::operator()(int64_t step) const {
  double s = double(step), d = decay_steps_;
  if (o_.cycle)
    d *= s == 0 ? 1.0 : std::ceil(s / decay_steps_);
  else
    s = std::min(s, d);
  return (initial_learning_rate_ - o_.end_learning_rate) * std::pow(1 - s / d, o_.power) + o_.end_learning_rate;
}
Tensor PolynomialDecay::operator()(const Tensor& step) const {
  Tensor s = as_steps(step), d = k(decay_steps_);
  if (o_.cycle)
    d = ops::multiply(d, ops::where(ops::equal(s, k(0)), k(1), ops::ceil(ops::divide(s, k(decay_steps_)))));
  else
    s = ops::minimum(s, d);
  Tensor frac = ops::subtract(k(1), ops::divide(s, d));
  return ops::add(ops::multiply(k(initial_learning_rate_ - o_.end_learning_rate), ops::power(frac, k(o_.power))),
                  k(o_.end_learning_rate));
}
Config PolynomialDecay::get_config() const {
  Config c = Config::object();
  c["initial_learning_rate"] = initial_learning_rate_;
  c["decay_steps"] = decay_steps_;
  c["end_learning_rate"] = o_.end_learning_rate;
  c["power"] = o_.power;
  c["cycle"] = o_.cycle;
  c["name"] = o_.name;
  return c;
}

InverseTimeDecay::InverseTimeDecay(double initial_learning_rate, double decay_steps, double decay_rate,
                                   const InverseTimeDecayOptions& o)
    : initial_learning_rate_(initial_learning_rate), decay_steps_(decay_steps), decay_rate_(decay_rate), o_(o) {
  require_finite(initial_learning_rate, "InverseTimeDecay", "initial_learning_rate");
  require(decay_steps > 0 && std::isfinite(decay_steps), "InverseTimeDecay", "decay_steps > 0", decay_steps);
  require_finite(decay_rate, "InverseTimeDecay", "decay_rate");
}
double InverseTimeDecay::operator()(int64_t step) const {
  double p = double(step) / decay_steps_;
  if (o_.staircase) p = std::floor(p);
  return initial_learning_rate_ / (1 + decay_rate_ * p);
}
Tensor InverseTimeDecay::operator()(const Tensor& step) const {
  Tensor p = ops::divide(as_steps(step), k(decay_steps_));
  if (o_.staircase) p = ops::floor(p);
  return ops::divide(k(initial_learning_rate_), ops::add(k(1), ops::multiply(k(decay_rate_), p)));
}
Config InverseTimeDecay::get_config() const {
  Config c = Config::object();
  c["initial_learning_rate"] = initial_learning_rate_;
  c["decay_steps"] = decay_steps_;
  c["decay_rate"] = decay_rate_;
  c["staircase"] = o_.staircase;
  c["name"] = o_.name;
  return c;
}

CosineDecay::CosineDecay(double initial_learning_rate, double decay_steps, const CosineDecayOptions& o)
    : initial_learning_rate_(initial_learning_rate), decay_steps_(decay_steps), o_(o) {
  require_finite(initial_learning_rate, "CosineDecay", "initial_learning_rate");
  require(decay_steps > 0 && std::isfinite(decay_steps), "CosineDecay", "decay_steps > 0", decay_steps);
  require_finite(o.alpha, "CosineDecay", "alpha");
  require(o.warmup_steps >= 0 && std::isfinite(o.warmup_steps), "CosineDecay", "warmup_steps >= 0", o.warmup_steps);
  if (o.warmup_target) require_finite(*o.warmup_target, "CosineDecay", "warmup_target");
}
double CosineDecay::operator()(int64_t step) const {
  const double pi = 3.14159265358979323846;
  auto decay = [&](double s, double from) {
    double cosine = 0.5 * (1.0 + std::cos(pi * s / decay_steps_));
    return from * ((1 - o_.alpha) * cosine + o_.alpha);
  };
  double s = double(step);
  if (!o_.warmup_target) return decay(std::min(s, decay_steps_), initial_learning_rate_);
  s = std::min(s, decay_steps_ + o_.warmup_steps);
  if (s < o_.warmup_steps)
    return (*o_.warmup_target - initial_learning_rate_) * (s / o_.warmup_steps) + initial_learning_rate_;
  return decay(s - o_.warmup_steps, *o_.warmup_target);
}
Tensor CosineDecay::operator()(const Tensor& step) const {
  auto decay = [&](const Tensor& s, double from) {
    Tensor cosine = ops::multiply(k(0.5), ops::add(k(1), ops::cos(ops::multiply(k(kPi / decay_steps_), s))));
    return ops::multiply(k(from), ops::add(ops::multiply(k(1 - o_.alpha), cosine), k(o_.alpha)));
  };
  Tensor s = as_steps(step);
  if (!o_.warmup_target) return decay(ops::minimum(s, k(decay_steps_)), initial_learning_rate_);
  s = ops::minimum(s, k(decay_steps_ + o_.warmup_steps));
  const double ws = o_.warmup_steps > 0 ? o_.warmup_steps : 1.0;
  Tensor warm = ops::add(ops::multiply(k(*o_.warmup_target - initial_learning_rate_), ops::divide(s, k(ws))),
                         k(initial_learning_rate_));
  return ops::where(ops::less(s, k(o_.warmup_steps)), warm, decay(ops::subtract(s, k(o_.warmup_steps)), *o_.warmup_target));
}
Config CosineDecay::get_config() const {
  Config c = Config::object();
  c["initial_learning_rate"] = initial_learning_rate_;
  c["decay_steps"] = decay_steps_;
  c["alpha"] = o_.alpha;
  c["name"] = o_.name;
  c["warmup_target"] = o_.warmup_target ? Value(*o_.warmup_target) : Value();
  c["warmup_steps"] = o_.warmup_steps;
  return c;
}

CosineDecayRestarts::CosineDecayRestarts(double initial_learning_rate, double first_decay_steps,
                                         const CosineDecayRestartsOptions& o)
    : initial_learning_rate_(initial_learning_rate), first_decay_steps_(first_decay_steps), o_(o) {
  require_finite(initial_learning_rate, "CosineDecayRestarts", "initial_learning_rate");
  require(first_decay_steps > 0 && std::isfinite(first_decay_steps), "CosineDecayRestarts", "first_decay_steps > 0",
          first_decay_steps);
  require(o.t_mul > 0 && std::isfinite(o.t_mul), "CosineDecayRestarts", "t_mul > 0", o.t_mul);
  require(o.m_mul >= 0 && std::isfinite(o.m_mul), "CosineDecayRestarts", "m_mul >= 0", o.m_mul);
  require_finite(o.alpha, "CosineDecayRestarts", "alpha");
}
double CosineDecayRestarts::operator()(int64_t step) const {
  const double pi = 3.14159265358979323846;
  const double t = o_.t_mul;
  double fraction = double(step) / first_decay_steps_, i_restart;
  if (t == 1.0) {
    i_restart = std::floor(fraction);
    fraction -= i_restart;
  } else {
    // Periods 1, t, t^2, ... (in units of first_decay_steps): restart i begins at
    // (1 - t^i) / (1 - t). Keras's closed form, corrected by one period where rounding
    // puts the step on the wrong side of a restart.
    auto start = [&](double i) { return (1.0 - std::pow(t, i)) / (1.0 - t); };
    i_restart = std::floor(std::log(1.0 - fraction * (1.0 - t)) / std::log(t));
    if (fraction < start(i_restart)) i_restart -= 1;
    else if (fraction >= start(i_restart + 1)) i_restart += 1;
    fraction = (fraction - start(i_restart)) / std::pow(t, i_restart);
  }
  double cosine = 0.5 * std::pow(o_.m_mul, i_restart) * (1.0 + std::cos(pi * fraction));
  return initial_learning_rate_ * ((1 - o_.alpha) * cosine + o_.alpha);
}
Tensor CosineDecayRestarts::operator()(const Tensor& step) const {
  const double t = o_.t_mul;
  Tensor fraction = ops::divide(as_steps(step), k(first_decay_steps_)), i_restart;
  if (t == 1.0) {
    i_restart = ops::floor(fraction);
    fraction = ops::subtract(fraction, i_restart);
  } else {  // as the host version: the closed form, corrected by one period at the edges
    auto start = [&](const Tensor& i) { return ops::divide(ops::subtract(k(1), ops::power(k(t), i)), k(1 - t)); };
    i_restart = ops::floor(ops::divide(ops::log(ops::subtract(k(1), ops::multiply(fraction, k(1 - t)))), k(std::log(t))));
    i_restart = ops::where(ops::less(fraction, start(i_restart)), ops::subtract(i_restart, k(1)),
                           ops::where(ops::greater_equal(fraction, start(ops::add(i_restart, k(1)))),
                                      ops::add(i_restart, k(1)), i_restart));
    fraction = ops::divide(ops::subtract(fraction, start(i_restart)), ops::power(k(t), i_restart));
  }
  Tensor cosine = ops::multiply(ops::multiply(k(0.5), ops::power(k(o_.m_mul), i_restart)),
                                ops::add(k(1), ops::cos(ops::multiply(k(kPi), fraction))));
  return ops::multiply(k(initial_learning_rate_), ops::add(ops::multiply(k(1 - o_.alpha), cosine), k(o_.alpha)));
}
Config CosineDecayRestarts::get_config() const {
  Config c = Config::object();
  c["initial_learning_rate"] = initial_learning_rate_;
  c["first_decay_steps"] = first_decay_steps_;
  c["t_mul"] = o_.t_mul;
  c["m_mul"] = o_.m_mul;
  c["alpha"] = o_.alpha;
  c["name"] = o_.name;
  return c;
}
}  // namespace schedules

namespace {
std::mutex g_schedule_mu;
std::map<std::string, ScheduleFactory>& schedule_factories() {
  static auto* m = new std::map<std::string, ScheduleFactory>();
  return *m;
}
void ensure_builtin_schedules() {
  static std::once_flag once;
  std::call_once(once, [] {
    using namespace schedules;
    auto& f = schedule_factories();
    auto str = [](const Config& c, const char* k, const char* d) { return c.get(k, d).as_string(); };
    f["ExponentialDecay"] = [str](const Config& c) -> SchedulePtr {
      return std::make_shared<ExponentialDecay>(
          c.at("initial_learning_rate").as_double(), c.at("decay_steps").as_double(), c.at("decay_rate").as_double(),
          ExponentialDecayOptions{c.get("staircase", false).as_bool(), str(c, "name", "ExponentialDecay")});
    };
    f["PiecewiseConstantDecay"] = [str](const Config& c) -> SchedulePtr {
      std::vector<int64_t> b;
      for (const Value& v : c.at("boundaries").as_list()) b.push_back(int64_t(std::floor(v.as_double())));
      std::vector<double> vals;
      for (const Value& v : c.at("values").as_list()) vals.push_back(v.as_double());
      return std::make_shared<PiecewiseConstantDecay>(
          std::move(b), std::move(vals), PiecewiseConstantDecayOptions{str(c, "name", "PiecewiseConstant")});
    };
    f["PolynomialDecay"] = [str](const Config& c) -> SchedulePtr {
      return std::make_shared<PolynomialDecay>(
          c.at("initial_learning_rate").as_double(), c.at("decay_steps").as_double(),
          PolynomialDecayOptions{c.get("end_learning_rate", 0.0001).as_double(), c.get("power", 1.0).as_double(),
                                 c.get("cycle", false).as_bool(), str(c, "name", "PolynomialDecay")});
    };
    f["InverseTimeDecay"] = [str](const Config& c) -> SchedulePtr {
      return std::make_shared<InverseTimeDecay>(
          c.at("initial_learning_rate").as_double(), c.at("decay_steps").as_double(), c.at("decay_rate").as_double(),
          InverseTimeDecayOptions{c.get("staircase", false).as_bool(), str(c, "name", "InverseTimeDecay")});
    };
    f["CosineDecay"] = [str](const Config& c) -> SchedulePtr {
      return std::make_shared<CosineDecay>(
          c.at("initial_learning_rate").as_double(), c.at("decay_steps").as_double(),
          CosineDecayOptions{c.get("alpha", 0.0).as_double(), detail::opt_from(c, "warmup_target"),
                             c.get("warmup_steps", 0.0).as_double(), str(c, "name", "CosineDecay")});
    };
    f["CosineDecayRestarts"] = [str](const Config& c) -> SchedulePtr {
      return std::make_shared<CosineDecayRestarts>(
          c.at("initial_learning_rate").as_double(), c.at("first_decay_steps").as_double(),
          CosineDecayRestartsOptions{c.get("t_mul", 2.0).as_double(), c.get("m_mul", 1.0).as_double(),
                                     c.get("alpha", 0.0).as_double(), str(c, "name", "SGDRDecay")});
    };
  });
}
}  // namespace

Config serialize_schedule(const LearningRateSchedule& s) {
  Config c = Config::object();
  c["class_name"] = s.class_name();
  c["config"] = s.get_config();
  return c;
}

SchedulePtr deserialize_schedule(const Config& c) {
  ensure_builtin_schedules();
  if (!c.is_object() || !c.contains("class_name"))
    throw std::invalid_argument("optimizers.deserialize_schedule: expected an object with a 'class_name', but received " +
                                c.to_json());
  const std::string cls = c.at("class_name").as_string();
  ScheduleFactory f = keras::detail::scoped<SchedulePtr>(Family::schedule, cls);
  if (!f) {
    std::lock_guard<std::mutex> lock(g_schedule_mu);
    auto it = schedule_factories().find(cls);
    if (it == schedule_factories().end())
      throw std::invalid_argument("optimizers.deserialize_schedule: unknown learning-rate schedule class '" + cls +
                                  "'; register it with keras::optimizers::register_schedule");
    f = it->second;
  }
  return f(c.get("config", Config::object()));
}

void register_schedule(const std::string& class_name, ScheduleFactory f) {
  ensure_builtin_schedules();
  std::lock_guard<std::mutex> lock(g_schedule_mu);
  schedule_factories()[class_name] = std::move(f);
}
}  // namespace keras::optimizers
