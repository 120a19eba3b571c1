#include "keras/optimizers.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <mutex>
#include <stdexcept>

#include "core/ops.h"
#include "core/training.h"
#include "keras/layers/layer.h"

namespace keras::optimizers {
namespace ops = core::ops;
using core::DType;
using core::Shape;

LearningRateSchedule::~LearningRateSchedule() = default;

// ---- schedules ----------------------------------------------------------------------------
namespace schedules {
namespace {
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
std::optional<double> opt_from(const Config& c, const char* key) {
  const Value* v = c.find(key);
  if (!v || v->is_null()) return std::nullopt;
  return v->as_double();
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
          CosineDecayOptions{c.get("alpha", 0.0).as_double(), opt_from(c, "warmup_target"),
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
  ScheduleFactory f;
  {
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

// ---- Optimizer --------------------------------------------------------------------------
Optimizer::Optimizer(std::string class_name, const OptimizerOptions& o)
    : class_name_(std::move(class_name)),
      name_(o.name.empty() ? layers::snake_case(class_name_) : o.name),
      options_(o),
      iterations_(ops::zeros({}, DType::int64), name_ + "/iteration", false) {
  auto check = [&](const std::optional<double>& v, const char* what) {
    if (v && !(*v >= 0.0 && std::isfinite(*v)))
      throw std::invalid_argument(name_ + ": expected " + what + " >= 0, but received " + std::to_string(*v));
  };
  check(o.weight_decay, "weight_decay");
  check(o.clipnorm, "clipnorm");
  check(o.clipvalue, "clipvalue");
  check(o.global_clipnorm, "global_clipnorm");
  if (o.clipnorm && o.global_clipnorm)
    throw std::invalid_argument(name_ + ": only one of clipnorm and global_clipnorm can be set");
  if (!o.learning_rate.schedule && !(o.learning_rate.value >= 0))
    throw std::invalid_argument(name_ + ": expected learning_rate >= 0, but received " +
                                std::to_string(o.learning_rate.value));
}

Optimizer::~Optimizer() = default;

int64_t Optimizer::iterations() const { return iterations_.value().item<int64_t>(); }
double Optimizer::learning_rate() const { return options_.learning_rate.at(iterations()); }
void Optimizer::set_learning_rate(double lr) { options_.learning_rate = LearningRate(lr); }

std::vector<Variable> Optimizer::variables() const {
  std::vector<Variable> out = {iterations_};
  out.insert(out.end(), slots_.begin(), slots_.end());
  return out;
}

void Optimizer::build(const std::vector<Variable>&) {}

void Optimizer::build_variables(const std::vector<Variable>& vars) {
  std::vector<Variable> fresh;
  for (const Variable& x : vars) {
    bool known = false;
    for (const Variable& b : built_) known = known || b.same_as(x);
    for (const Variable& b : fresh) known = known || b.same_as(x);
    if (!known) fresh.push_back(x);
  }
  if (!fresh.empty()) {
    built_.insert(built_.end(), fresh.begin(), fresh.end());
    build(fresh);
  }
}

void Optimizer::set_iterations(int64_t n) {
  if (n < 0) throw std::invalid_argument(name_ + ": expected iterations >= 0, but received " + std::to_string(n));
  iterations_.assign(ops::fill({}, double(n), DType::int64));
}

Variable Optimizer::add_variable_from_reference(const Variable& ref, const std::string& name) {
  Variable v(ops::zeros_like(ref.value()), name_ + "/" + ref.name() + "_" + name, false);
  slots_.push_back(v);
  return v;
}

size_t Optimizer::index_of(const Variable& var) const {
  for (size_t i = 0; i < built_.size(); ++i)
    if (built_[i].same_as(var)) return i;
  throw std::logic_error(name_ + ": variable '" + var.name() + "' was not built");
}

void Optimizer::apply_gradients(const std::vector<Tensor>& grads, const std::vector<Variable>& vars) {
  if (grads.size() != vars.size())
    throw std::invalid_argument(name_ + ": apply_gradients received " + std::to_string(grads.size()) +
                                " gradients for " + std::to_string(vars.size()) + " variables");
  std::vector<Tensor> g;
  std::vector<Variable> v;
  for (size_t i = 0; i < grads.size(); ++i) {
    if (!grads[i].defined()) continue;
    if (grads[i].shape() != vars[i].shape())
      throw std::invalid_argument(name_ + ": the gradient for variable '" + vars[i].name() + "' has shape " +
                                  grads[i].shape().str() + ", expected " + vars[i].shape().str());
    g.push_back(grads[i]);
    v.push_back(vars[i]);
  }
  if (g.empty() && !grads.empty())
    throw std::invalid_argument(name_ + ": no gradients provided for any variable (" +
                                std::to_string(vars.size()) + " variables)");
  build_variables(v);  // slots for variables seen for the first time
  // Clipping (Keras order: clipnorm per gradient, global_clipnorm, clipvalue).
  if (options_.clipnorm)
    for (Tensor& t : g) {
      double n = std::sqrt(ops::sum(ops::square(t)).item<double>());
      if (n > *options_.clipnorm) t = ops::multiply(t, ops::scalar_like(t, *options_.clipnorm / n));
    }
  if (options_.global_clipnorm) {
    double total = 0;
    for (const Tensor& t : g) total += ops::sum(ops::square(t)).item<double>();
    double n = std::sqrt(total);
    if (n > *options_.global_clipnorm)
      for (Tensor& t : g) t = ops::multiply(t, ops::scalar_like(t, *options_.global_clipnorm / n));
  }
  if (options_.clipvalue)
    for (Tensor& t : g) t = ops::clip(t, -*options_.clipvalue, *options_.clipvalue);

  const double lr = learning_rate();
  for (size_t i = 0; i < g.size(); ++i) {
    if (options_.weight_decay && *options_.weight_decay > 0 &&
        !core::training::apply_weight_decay(v[i], lr, *options_.weight_decay))
      v[i].assign_sub(ops::multiply(v[i].value(), ops::scalar_like(v[i].value(), lr * *options_.weight_decay)));
    update_step(g[i], v[i], lr);
  }
  iterations_.assign(ops::fill({}, double(iterations() + 1), DType::int64));
}

Config Optimizer::base_config() const {
  Config c = Config::object();
  c["name"] = name_;
  if (options_.learning_rate.schedule) {
    c["learning_rate"] = serialize_schedule(*options_.learning_rate.schedule);
  } else {
    c["learning_rate"] = options_.learning_rate.value;
  }
  auto opt = [](const std::optional<double>& v) { return v ? Value(*v) : Value(); };
  c["weight_decay"] = opt(options_.weight_decay);
  c["clipnorm"] = opt(options_.clipnorm);
  c["clipvalue"] = opt(options_.clipvalue);
  c["global_clipnorm"] = opt(options_.global_clipnorm);
  return c;
}

Config Optimizer::get_config() const { return base_config(); }

// ---- SGD --------------------------------------------------------------------------------
namespace {
OptimizerOptions base_of(const LearningRate& lr, std::optional<double> wd, std::optional<double> cn,
                         std::optional<double> cv, std::optional<double> gcn, const std::string& name) {
  return OptimizerOptions{lr, wd, cn, cv, gcn, name};
}
}  // namespace

SGDOptimizer::SGDOptimizer(const SGDOptions& o)
    : Optimizer("SGD", base_of(o.learning_rate, o.weight_decay, o.clipnorm, o.clipvalue, o.global_clipnorm, o.name)),
      o_(o) {
  if (!(o.momentum >= 0 && o.momentum <= 1))
    throw std::invalid_argument(name() + ": expected momentum in [0, 1], but received " + std::to_string(o.momentum));
}

void SGDOptimizer::build(const std::vector<Variable>& vars) {
  if (o_.momentum == 0) return;
  for (const Variable& v : vars) momentums_.push_back(add_variable_from_reference(v, "momentum"));
}

void SGDOptimizer::update_step(const Tensor& g, Variable& var, double lr) {
  Variable* m = o_.momentum != 0 ? &momentums_[index_of(var)] : nullptr;
  if (core::training::apply_sgd(var, g, lr, o_.momentum, o_.nesterov, m)) return;
  Tensor glr = ops::multiply(g, ops::scalar_like(g, lr));
  if (!m) return var.assign_sub(glr);
  Tensor mv = ops::subtract(ops::multiply(m->value(), ops::scalar_like(g, o_.momentum)), glr);
  m->assign(mv);
  if (o_.nesterov)
    var.assign_add(ops::subtract(ops::multiply(mv, ops::scalar_like(g, o_.momentum)), glr));
  else
    var.assign_add(mv);
}

Config SGDOptimizer::get_config() const {
  Config c = base_config();
  c["momentum"] = o_.momentum;
  c["nesterov"] = o_.nesterov;
  return c;
}

// ---- Adam / AdamW -------------------------------------------------------------------------
AdamOptimizer::AdamOptimizer(const AdamOptions& o, std::string class_name)
    : Optimizer(std::move(class_name),
                base_of(o.learning_rate, o.weight_decay, o.clipnorm, o.clipvalue, o.global_clipnorm, o.name)),
      o_(o) {
  if (!(o.beta_1 >= 0 && o.beta_1 < 1) || !(o.beta_2 >= 0 && o.beta_2 < 1) || !(o.epsilon >= 0))
    throw std::invalid_argument(name() + ": expected 0 <= beta_1, beta_2 < 1 and epsilon >= 0, but received beta_1=" +
                                std::to_string(o.beta_1) + ", beta_2=" + std::to_string(o.beta_2) +
                                ", epsilon=" + std::to_string(o.epsilon));
}

void AdamOptimizer::build(const std::vector<Variable>& vars) {
  for (const Variable& v : vars) {
    m_.push_back(add_variable_from_reference(v, "momentum"));
    v_.push_back(add_variable_from_reference(v, "velocity"));
    if (o_.amsgrad) vhat_.push_back(add_variable_from_reference(v, "velocity_hat"));
  }
}

void AdamOptimizer::update_step(const Tensor& g, Variable& var, double lr) {
  const size_t i = index_of(var);
  Variable &m = m_[i], &v = v_[i];
  Variable* vh = o_.amsgrad ? &vhat_[i] : nullptr;
  const int64_t t = iterations() + 1;
  if (core::training::apply_adam(var, g, m, v, vh, lr, o_.beta_1, o_.beta_2, o_.epsilon, t)) return;
  auto k = [&](double x) { return ops::scalar_like(g, x); };
  const double alpha = lr * std::sqrt(1 - std::pow(o_.beta_2, double(t))) / (1 - std::pow(o_.beta_1, double(t)));
  m.assign_add(ops::multiply(ops::subtract(g, m.value()), k(1 - o_.beta_1)));
  v.assign_add(ops::multiply(ops::subtract(ops::square(g), v.value()), k(1 - o_.beta_2)));
  Tensor vv = v.value();
  if (vh) {
    vh->assign(ops::maximum(vh->value(), vv));
    vv = vh->value();
  }
  var.assign_sub(ops::divide(ops::multiply(m.value(), k(alpha)), ops::add(ops::sqrt(vv), k(o_.epsilon))));
}

Config AdamOptimizer::get_config() const {
  Config c = base_config();
  c["beta_1"] = o_.beta_1;
  c["beta_2"] = o_.beta_2;
  c["epsilon"] = o_.epsilon;
  c["amsgrad"] = o_.amsgrad;
  return c;
}

// ---- helpers for the optimizers below ----------------------------------------------------
namespace {
template <class O>
OptimizerOptions common(const O& o, const char* default_name) {
  return OptimizerOptions{o.learning_rate, o.weight_decay,     o.clipnorm,
                          o.clipvalue,     o.global_clipnorm, o.name.empty() ? std::string(default_name) : o.name};
}
// Throws "<optimizer>: expected <what>, but received <arg>=<v>" unless ok.
void expect(bool ok, const std::string& opt, const char* what, const char* arg, double v) {
  if (!ok)
    throw std::invalid_argument(opt + ": expected " + what + ", but received " + arg + "=" + Value(v).to_json());
}
bool finite_nonneg(double v) { return std::isfinite(v) && v >= 0; }
bool unit_open(double v) { return v >= 0 && v < 1; }  // [0, 1)
}  // namespace

// ---- RMSprop ------------------------------------------------------------------------------
RMSpropOptimizer::RMSpropOptimizer(const RMSpropOptions& o) : Optimizer("RMSprop", common(o, "rmsprop")), o_(o) {
  expect(o.rho >= 0 && o.rho <= 1, name(), "rho in [0, 1]", "rho", o.rho);
  expect(finite_nonneg(o.momentum), name(), "momentum >= 0", "momentum", o.momentum);
  expect(finite_nonneg(o.epsilon), name(), "epsilon >= 0", "epsilon", o.epsilon);
}

void RMSpropOptimizer::build(const std::vector<Variable>& vars) {
  for (const Variable& v : vars) {
    velocities_.push_back(add_variable_from_reference(v, "velocity"));
    if (o_.momentum > 0) momentums_.push_back(add_variable_from_reference(v, "momentum"));
    if (o_.centered) average_grads_.push_back(add_variable_from_reference(v, "average_gradient"));
  }
}

void RMSpropOptimizer::update_step(const Tensor& g, Variable& var, double lr) {
  const size_t i = index_of(var);
  auto k = [&](double x) { return ops::scalar_like(g, x); };
  Variable& vel = velocities_[i];
  vel.assign(ops::add(ops::multiply(vel.value(), k(o_.rho)), ops::multiply(ops::square(g), k(1 - o_.rho))));
  Tensor denominator;
  if (o_.centered) {
    Variable& avg = average_grads_[i];
    avg.assign(ops::add(ops::multiply(avg.value(), k(o_.rho)), ops::multiply(g, k(1 - o_.rho))));
    denominator = ops::add(ops::subtract(vel.value(), ops::square(avg.value())), k(o_.epsilon));
  } else {
    denominator = ops::add(vel.value(), k(o_.epsilon));
  }
  Tensor increment = ops::divide(ops::multiply(g, k(lr)), ops::sqrt(denominator));
  if (o_.momentum > 0) {
    Variable& m = momentums_[i];
    m.assign(ops::add(ops::multiply(m.value(), k(o_.momentum)), increment));
    var.assign_sub(m.value());
  } else {
    var.assign_sub(increment);
  }
}

Config RMSpropOptimizer::get_config() const {
  Config c = base_config();
  c["rho"] = o_.rho;
  c["momentum"] = o_.momentum;
  c["epsilon"] = o_.epsilon;
  c["centered"] = o_.centered;
  return c;
}

// ---- Nadam --------------------------------------------------------------------------------
NadamOptimizer::NadamOptimizer(const NadamOptions& o) : Optimizer("Nadam", common(o, "nadam")), o_(o) {
  expect(unit_open(o.beta_1), name(), "beta_1 in [0, 1)", "beta_1", o.beta_1);
  expect(unit_open(o.beta_2), name(), "beta_2 in [0, 1)", "beta_2", o.beta_2);
  expect(finite_nonneg(o.epsilon), name(), "epsilon >= 0", "epsilon", o.epsilon);
}

void NadamOptimizer::build(const std::vector<Variable>& vars) {
  for (const Variable& v : vars) {
    m_.push_back(add_variable_from_reference(v, "momentum"));
    v_.push_back(add_variable_from_reference(v, "velocity"));
  }
}

double NadamOptimizer::u_product(int64_t t) {
  if (t < u_step_) {
    u_step_ = 0;
    u_prod_ = 1.0;
  }
  for (; u_step_ < t; ++u_step_) u_prod_ *= o_.beta_1 * (1.0 - 0.5 * std::pow(0.96, double(u_step_ + 1)));
  return u_prod_;
}

void NadamOptimizer::update_step(const Tensor& g, Variable& var, double lr) {
  const size_t i = index_of(var);
  const int64_t t = iterations() + 1;
  const double b1 = o_.beta_1, b2 = o_.beta_2;
  const double u_t = b1 * (1.0 - 0.5 * std::pow(0.96, double(t)));
  const double u_t1 = b1 * (1.0 - 0.5 * std::pow(0.96, double(t + 1)));
  const double u_prod_t = u_product(t), u_prod_t1 = u_prod_t * u_t1;
  const double b2_power = std::pow(b2, double(t));
  auto k = [&](double x) { return ops::scalar_like(g, x); };
  Variable &m = m_[i], &v = v_[i];
  m.assign_add(ops::multiply(ops::subtract(g, m.value()), k(1 - b1)));
  v.assign_add(ops::multiply(ops::subtract(ops::square(g), v.value()), k(1 - b2)));
  Tensor m_hat = ops::add(ops::multiply(m.value(), k(u_t1 / (1 - u_prod_t1))), ops::multiply(g, k((1 - u_t) / (1 - u_prod_t))));
  Tensor v_hat = ops::multiply(v.value(), k(1 / (1 - b2_power)));
  var.assign_sub(ops::divide(ops::multiply(m_hat, k(lr)), ops::add(ops::sqrt(v_hat), k(o_.epsilon))));
}

Config NadamOptimizer::get_config() const {
  Config c = base_config();
  c["beta_1"] = o_.beta_1;
  c["beta_2"] = o_.beta_2;
  c["epsilon"] = o_.epsilon;
  return c;
}

// ---- Adagrad ------------------------------------------------------------------------------
AdagradOptimizer::AdagradOptimizer(const AdagradOptions& o) : Optimizer("Adagrad", common(o, "adagrad")), o_(o) {
  expect(finite_nonneg(o.initial_accumulator_value), name(), "initial_accumulator_value >= 0",
         "initial_accumulator_value", o.initial_accumulator_value);
  expect(finite_nonneg(o.epsilon), name(), "epsilon >= 0", "epsilon", o.epsilon);
}

void AdagradOptimizer::build(const std::vector<Variable>& vars) {
  for (const Variable& v : vars) {
    Variable acc = add_variable_from_reference(v, "accumulator");
    acc.assign(ops::full_like(v.value(), o_.initial_accumulator_value));
    accumulators_.push_back(acc);
  }
}

void AdagradOptimizer::update_step(const Tensor& g, Variable& var, double lr) {
  Variable& acc = accumulators_[index_of(var)];
  auto k = [&](double x) { return ops::scalar_like(g, x); };
  acc.assign_add(ops::square(g));
  var.assign_sub(ops::divide(ops::multiply(g, k(lr)), ops::sqrt(ops::add(acc.value(), k(o_.epsilon)))));
}

Config AdagradOptimizer::get_config() const {
  Config c = base_config();
  c["initial_accumulator_value"] = o_.initial_accumulator_value;
  c["epsilon"] = o_.epsilon;
  return c;
}

// ---- Adadelta -----------------------------------------------------------------------------
AdadeltaOptimizer::AdadeltaOptimizer(const AdadeltaOptions& o)
    : Optimizer("Adadelta", common(o, "adadelta")), o_(o) {
  expect(o.rho >= 0 && o.rho <= 1, name(), "rho in [0, 1]", "rho", o.rho);
  expect(finite_nonneg(o.epsilon), name(), "epsilon >= 0", "epsilon", o.epsilon);
}

void AdadeltaOptimizer::build(const std::vector<Variable>& vars) {
  for (const Variable& v : vars) {
    accumulated_grads_.push_back(add_variable_from_reference(v, "accumulated_grad"));
    accumulated_deltas_.push_back(add_variable_from_reference(v, "accumulated_delta_var"));
  }
}

void AdadeltaOptimizer::update_step(const Tensor& g, Variable& var, double lr) {
  const size_t i = index_of(var);
  auto k = [&](double x) { return ops::scalar_like(g, x); };
  auto rms = [&](const Tensor& x) { return ops::sqrt(ops::add(x, k(o_.epsilon))); };
  Variable &ag = accumulated_grads_[i], &ad = accumulated_deltas_[i];
  ag.assign(ops::add(ops::multiply(ag.value(), k(o_.rho)), ops::multiply(ops::square(g), k(1 - o_.rho))));
  Tensor delta = ops::neg(ops::divide(ops::multiply(rms(ad.value()), g), rms(ag.value())));
  ad.assign(ops::add(ops::multiply(ad.value(), k(o_.rho)), ops::multiply(ops::square(delta), k(1 - o_.rho))));
  var.assign_add(ops::multiply(delta, k(lr)));
}

Config AdadeltaOptimizer::get_config() const {
  Config c = base_config();
  c["rho"] = o_.rho;
  c["epsilon"] = o_.epsilon;
  return c;
}

// ---- Adamax -------------------------------------------------------------------------------
AdamaxOptimizer::AdamaxOptimizer(const AdamaxOptions& o) : Optimizer("Adamax", common(o, "adamax")), o_(o) {
  expect(unit_open(o.beta_1), name(), "beta_1 in [0, 1)", "beta_1", o.beta_1);
  expect(o.beta_2 >= 0 && o.beta_2 <= 1, name(), "beta_2 in [0, 1]", "beta_2", o.beta_2);
  expect(finite_nonneg(o.epsilon), name(), "epsilon >= 0", "epsilon", o.epsilon);
}

void AdamaxOptimizer::build(const std::vector<Variable>& vars) {
  for (const Variable& v : vars) {
    m_.push_back(add_variable_from_reference(v, "momentum"));
    u_.push_back(add_variable_from_reference(v, "norm"));
  }
}

void AdamaxOptimizer::update_step(const Tensor& g, Variable& var, double lr) {
  const size_t i = index_of(var);
  const int64_t t = iterations() + 1;
  auto k = [&](double x) { return ops::scalar_like(g, x); };
  Variable &m = m_[i], &u = u_[i];
  m.assign_add(ops::multiply(ops::subtract(g, m.value()), k(1 - o_.beta_1)));
  u.assign(ops::maximum(ops::multiply(u.value(), k(o_.beta_2)), ops::abs(g)));
  const double scale = lr / (1 - std::pow(o_.beta_1, double(t)));
  var.assign_sub(ops::divide(ops::multiply(m.value(), k(scale)), ops::add(u.value(), k(o_.epsilon))));
}

Config AdamaxOptimizer::get_config() const {
  Config c = base_config();
  c["beta_1"] = o_.beta_1;
  c["beta_2"] = o_.beta_2;
  c["epsilon"] = o_.epsilon;
  return c;
}

// ---- Ftrl ---------------------------------------------------------------------------------
FtrlOptimizer::FtrlOptimizer(const FtrlOptions& o) : Optimizer("Ftrl", common(o, "ftrl")), o_(o) {
  expect(finite_nonneg(o.initial_accumulator_value), name(), "initial_accumulator_value >= 0",
         "initial_accumulator_value", o.initial_accumulator_value);
  expect(std::isfinite(o.learning_rate_power) && o.learning_rate_power <= 0, name(), "learning_rate_power <= 0",
         "learning_rate_power", o.learning_rate_power);
  expect(finite_nonneg(o.l1_regularization_strength), name(), "l1_regularization_strength >= 0",
         "l1_regularization_strength", o.l1_regularization_strength);
  expect(finite_nonneg(o.l2_regularization_strength), name(), "l2_regularization_strength >= 0",
         "l2_regularization_strength", o.l2_regularization_strength);
  expect(finite_nonneg(o.l2_shrinkage_regularization_strength), name(), "l2_shrinkage_regularization_strength >= 0",
         "l2_shrinkage_regularization_strength", o.l2_shrinkage_regularization_strength);
  expect(finite_nonneg(o.beta), name(), "beta >= 0", "beta", o.beta);
}

void FtrlOptimizer::build(const std::vector<Variable>& vars) {
  for (const Variable& v : vars) {
    Variable acc = add_variable_from_reference(v, "accumulator");
    acc.assign(ops::full_like(v.value(), o_.initial_accumulator_value));
    accumulators_.push_back(acc);
    linears_.push_back(add_variable_from_reference(v, "linear"));
  }
}

void FtrlOptimizer::update_step(const Tensor& g, Variable& var, double lr) {
  if (!(lr > 0))
    throw std::invalid_argument(name() + ": expected learning_rate > 0, but received " + Value(lr).to_json());
  const size_t i = index_of(var);
  auto k = [&](double x) { return ops::scalar_like(g, x); };
  Variable &acc = accumulators_[i], &linear = linears_[i];
  const double p = -o_.learning_rate_power;
  const double l2 = o_.l2_regularization_strength + o_.beta / (2.0 * lr);
  Tensor w = var.value();
  Tensor g_shrunk = ops::add(g, ops::multiply(w, k(2 * o_.l2_shrinkage_regularization_strength)));
  Tensor new_acc = ops::add(acc.value(), ops::square(g));
  Tensor new_acc_p = ops::power(new_acc, k(p));
  Tensor sigma = ops::multiply(ops::subtract(new_acc_p, ops::power(acc.value(), k(p))), k(1 / lr));
  linear.assign_add(ops::subtract(g_shrunk, ops::multiply(sigma, w)));
  Tensor quadratic = ops::add(ops::multiply(new_acc_p, k(1 / lr)), k(2 * l2));
  Tensor lin = linear.value();
  Tensor clipped = ops::clip(lin, -o_.l1_regularization_strength, o_.l1_regularization_strength);
  var.assign(ops::divide(ops::subtract(clipped, lin), quadratic));
  acc.assign(new_acc);
}

Config FtrlOptimizer::get_config() const {
  Config c = base_config();
  c["learning_rate_power"] = o_.learning_rate_power;
  c["initial_accumulator_value"] = o_.initial_accumulator_value;
  c["l1_regularization_strength"] = o_.l1_regularization_strength;
  c["l2_regularization_strength"] = o_.l2_regularization_strength;
  c["l2_shrinkage_regularization_strength"] = o_.l2_shrinkage_regularization_strength;
  c["beta"] = o_.beta;
  return c;
}

// ---- Lion ---------------------------------------------------------------------------------
LionOptimizer::LionOptimizer(const LionOptions& o) : Optimizer("Lion", common(o, "lion")), o_(o) {
  expect(o.beta_1 > 0 && o.beta_1 <= 1, name(), "beta_1 in (0, 1]", "beta_1", o.beta_1);
  expect(o.beta_2 >= 0 && o.beta_2 <= 1, name(), "beta_2 in [0, 1]", "beta_2", o.beta_2);
}

void LionOptimizer::build(const std::vector<Variable>& vars) {
  for (const Variable& v : vars) momentums_.push_back(add_variable_from_reference(v, "momentum"));
}

void LionOptimizer::update_step(const Tensor& g, Variable& var, double lr) {
  Variable& m = momentums_[index_of(var)];
  auto k = [&](double x) { return ops::scalar_like(g, x); };
  Tensor direction = ops::sign(ops::add(ops::multiply(m.value(), k(o_.beta_1)), ops::multiply(g, k(1 - o_.beta_1))));
  var.assign_sub(ops::multiply(direction, k(lr)));
  m.assign(ops::add(ops::multiply(m.value(), k(o_.beta_2)), ops::multiply(g, k(1 - o_.beta_2))));
}

Config LionOptimizer::get_config() const {
  Config c = base_config();
  c["beta_1"] = o_.beta_1;
  c["beta_2"] = o_.beta_2;
  return c;
}

std::shared_ptr<SGDOptimizer> SGD(const SGDOptions& o) { return std::make_shared<SGDOptimizer>(o); }
std::shared_ptr<AdamOptimizer> Adam(const AdamOptions& o) { return std::make_shared<AdamOptimizer>(o); }
std::shared_ptr<AdamOptimizer> AdamW(const AdamWOptions& o) {
  AdamOptions a{o.learning_rate, o.beta_1, o.beta_2, o.epsilon, o.amsgrad, o.weight_decay,
                o.clipnorm, o.clipvalue, o.global_clipnorm, o.name};
  return std::make_shared<AdamOptimizer>(a, "AdamW");
}
std::shared_ptr<RMSpropOptimizer> RMSprop(const RMSpropOptions& o) { return std::make_shared<RMSpropOptimizer>(o); }
std::shared_ptr<NadamOptimizer> Nadam(const NadamOptions& o) { return std::make_shared<NadamOptimizer>(o); }
std::shared_ptr<AdagradOptimizer> Adagrad(const AdagradOptions& o) { return std::make_shared<AdagradOptimizer>(o); }
std::shared_ptr<AdadeltaOptimizer> Adadelta(const AdadeltaOptions& o) { return std::make_shared<AdadeltaOptimizer>(o); }
std::shared_ptr<AdamaxOptimizer> Adamax(const AdamaxOptions& o) { return std::make_shared<AdamaxOptimizer>(o); }
std::shared_ptr<FtrlOptimizer> Ftrl(const FtrlOptions& o) { return std::make_shared<FtrlOptimizer>(o); }
std::shared_ptr<LionOptimizer> Lion(const LionOptions& o) { return std::make_shared<LionOptimizer>(o); }

// ---- MultiOptimizer --------------------------------------------------------------------------
MultiOptimizer::MultiOptimizer(std::vector<Group> groups, std::string name)
    : Optimizer("MultiOptimizer", OptimizerOptions{LearningRate(0.0), {}, {}, {}, {}, name}), groups_(std::move(groups)) {
  if (groups_.empty()) throw std::invalid_argument(this->name() + ": expected at least one (optimizer, variables) group");
  for (size_t i = 0; i < groups_.size(); ++i)
    if (!groups_[i].optimizer)
      throw std::invalid_argument(this->name() + ": group " + std::to_string(i) + " has no optimizer");
}

void MultiOptimizer::apply_gradients(const std::vector<Tensor>& grads, const std::vector<Variable>& vars) {
  if (grads.size() != vars.size())
    throw std::invalid_argument(name() + ": apply_gradients received " + std::to_string(grads.size()) +
                                " gradients for " + std::to_string(vars.size()) + " variables");
  std::vector<std::vector<Tensor>> g(groups_.size());
  std::vector<std::vector<Variable>> v(groups_.size());
  for (size_t i = 0; i < vars.size(); ++i) {
    size_t k = 0;
    while (k < groups_.size() && std::none_of(groups_[k].variables.begin(), groups_[k].variables.end(),
                                               [&](const Variable& x) { return x.same_as(vars[i]); }))
      ++k;
    if (k == groups_.size())
      throw std::invalid_argument(name() + ": variable '" + vars[i].name() + "' belongs to no optimizer group");
    g[k].push_back(grads[i]);
    v[k].push_back(vars[i]);
  }
  for (size_t k = 0; k < groups_.size(); ++k)
    if (!v[k].empty()) groups_[k].optimizer->apply_gradients(g[k], v[k]);
}

void MultiOptimizer::update_step(const Tensor&, Variable& var, double) {
  throw std::logic_error(name() + ": update_step is done by the group optimizers (variable '" + var.name() + "')");
}

std::shared_ptr<MultiOptimizer> make_multi_optimizer(std::vector<MultiOptimizer::Group> groups) {
  return std::make_shared<MultiOptimizer>(std::move(groups));
}

// ---- registry ------------------------------------------------------------------------------
namespace {
LearningRate lr_from(const Config& c, const LearningRate& fallback);
template <class O>
O read_common(const Config& c, O o) {
  o.learning_rate = lr_from(c, o.learning_rate);
  o.weight_decay = opt_from(c, "weight_decay");
  o.clipnorm = opt_from(c, "clipnorm");
  o.clipvalue = opt_from(c, "clipvalue");
  o.global_clipnorm = opt_from(c, "global_clipnorm");
  o.name = c.get("name", "").as_string();
  return o;
}
double num_or(const Config& c, const char* key, double fallback) { return c.get(key, fallback).as_double(); }

std::mutex g_mu;
std::map<std::string, Factory>& factories() {
  static auto* m = new std::map<std::string, Factory>();
  return *m;
}
void ensure_builtins() {
  static std::once_flag once;
  std::call_once(once, [] {
    auto& f = factories();
    f["SGD"] = [](const Config& c) -> OptimizerPtr {
      return SGD({lr_from(c, LearningRate(0.01)), c.get("momentum", 0.0).as_double(), c.get("nesterov", false).as_bool(),
                  opt_from(c, "weight_decay"), opt_from(c, "clipnorm"), opt_from(c, "clipvalue"),
                  opt_from(c, "global_clipnorm"), c.get("name", "").as_string()});
    };
    auto adam_like = [](const Config& c, const std::string& cls) -> OptimizerPtr {
      AdamOptions a{lr_from(c, LearningRate(0.001)), c.get("beta_1", 0.9).as_double(), c.get("beta_2", 0.999).as_double(),
                    c.get("epsilon", 1e-7).as_double(), c.get("amsgrad", false).as_bool(), opt_from(c, "weight_decay"),
                    opt_from(c, "clipnorm"), opt_from(c, "clipvalue"), opt_from(c, "global_clipnorm"),
                    c.get("name", "").as_string()};
      return std::make_shared<AdamOptimizer>(a, cls);
    };
    f["Adam"] = [adam_like](const Config& c) { return adam_like(c, "Adam"); };
    f["AdamW"] = [adam_like](const Config& c) { return adam_like(c, "AdamW"); };
    f["RMSprop"] = [](const Config& c) -> OptimizerPtr {
      RMSpropOptions o = read_common(c, RMSpropOptions{});
      o.rho = num_or(c, "rho", o.rho);
      o.momentum = num_or(c, "momentum", o.momentum);
      o.epsilon = num_or(c, "epsilon", o.epsilon);
      o.centered = c.get("centered", o.centered).as_bool();
      return RMSprop(o);
    };
    f["Nadam"] = [](const Config& c) -> OptimizerPtr {
      NadamOptions o = read_common(c, NadamOptions{});
      o.beta_1 = num_or(c, "beta_1", o.beta_1);
      o.beta_2 = num_or(c, "beta_2", o.beta_2);
      o.epsilon = num_or(c, "epsilon", o.epsilon);
      return Nadam(o);
    };
    f["Adagrad"] = [](const Config& c) -> OptimizerPtr {
      AdagradOptions o = read_common(c, AdagradOptions{});
      o.initial_accumulator_value = num_or(c, "initial_accumulator_value", o.initial_accumulator_value);
      o.epsilon = num_or(c, "epsilon", o.epsilon);
      return Adagrad(o);
    };
    f["Adadelta"] = [](const Config& c) -> OptimizerPtr {
      AdadeltaOptions o = read_common(c, AdadeltaOptions{});
      o.rho = num_or(c, "rho", o.rho);
      o.epsilon = num_or(c, "epsilon", o.epsilon);
      return Adadelta(o);
    };
    f["Adamax"] = [](const Config& c) -> OptimizerPtr {
      AdamaxOptions o = read_common(c, AdamaxOptions{});
      o.beta_1 = num_or(c, "beta_1", o.beta_1);
      o.beta_2 = num_or(c, "beta_2", o.beta_2);
      o.epsilon = num_or(c, "epsilon", o.epsilon);
      return Adamax(o);
    };
    f["Ftrl"] = [](const Config& c) -> OptimizerPtr {
      FtrlOptions o = read_common(c, FtrlOptions{});
      o.learning_rate_power = num_or(c, "learning_rate_power", o.learning_rate_power);
      o.initial_accumulator_value = num_or(c, "initial_accumulator_value", o.initial_accumulator_value);
      o.l1_regularization_strength = num_or(c, "l1_regularization_strength", o.l1_regularization_strength);
      o.l2_regularization_strength = num_or(c, "l2_regularization_strength", o.l2_regularization_strength);
      o.l2_shrinkage_regularization_strength =
          num_or(c, "l2_shrinkage_regularization_strength", o.l2_shrinkage_regularization_strength);
      o.beta = num_or(c, "beta", o.beta);
      return Ftrl(o);
    };
    f["Lion"] = [](const Config& c) -> OptimizerPtr {
      LionOptions o = read_common(c, LionOptions{});
      o.beta_1 = num_or(c, "beta_1", o.beta_1);
      o.beta_2 = num_or(c, "beta_2", o.beta_2);
      return Lion(o);
    };
  });
}

LearningRate lr_from(const Config& c, const LearningRate& fallback) {
  const Value* v = c.find("learning_rate");
  if (!v || v->is_null()) return fallback;
  if (v->is_object()) return LearningRate(deserialize_schedule(*v));
  return LearningRate(v->as_double());
}
}  // namespace

void register_optimizer(const std::string& class_name, Factory f) {
  ensure_builtins();
  std::lock_guard<std::mutex> lock(g_mu);
  factories()[class_name] = std::move(f);
}

OptimizerPtr deserialize(const Config& c) {
  ensure_builtins();
  const std::string cls = c.at("class_name").as_string();
  Factory f;
  {
    std::lock_guard<std::mutex> lock(g_mu);
    auto it = factories().find(cls);
    if (it == factories().end())
      throw std::invalid_argument("optimizers.deserialize: unknown optimizer class '" + cls +
                                  "'; register it with keras::optimizers::register_optimizer");
    f = it->second;
  }
  return f(c.get("config", Config::object()));
}

Config serialize(const Optimizer& o) {
  Config c = Config::object();
  c["class_name"] = o.class_name();
  c["config"] = o.get_config();
  return c;
}

OptimizerPtr get(const std::string& name) {
  static const std::map<std::string, std::string> aliases = {
      {"sgd", "SGD"},         {"adam", "Adam"},       {"adamw", "AdamW"},   {"rmsprop", "RMSprop"},
      {"nadam", "Nadam"},     {"adagrad", "Adagrad"}, {"adadelta", "Adadelta"}, {"adamax", "Adamax"},
      {"ftrl", "Ftrl"},       {"lion", "Lion"}};
  auto it = aliases.find(name);
  Config c = Config::object();
  c["class_name"] = it != aliases.end() ? it->second : name;
  c["config"] = Config::object();
  try {
    return deserialize(c);
  } catch (const std::invalid_argument&) {
    std::string known;
    ensure_builtins();
    for (auto& [k, f] : factories()) known += (known.empty() ? "" : ", ") + k;
    throw std::invalid_argument("optimizers.get: unknown optimizer '" + name + "' (known: " + known + ")");
  }
}

}  // namespace keras::optimizers
