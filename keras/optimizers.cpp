#include "keras/optimizers.h"

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
  // Build slots for variables seen for the first time.
  std::vector<Variable> fresh;
  for (const Variable& x : v) {
    bool known = false;
    for (const Variable& b : built_) known = known || b.same_as(x);
    if (!known) fresh.push_back(x);
  }
  if (!fresh.empty()) {
    built_.insert(built_.end(), fresh.begin(), fresh.end());
    build(fresh);
  }
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
    Config s = Config::object();
    s["class_name"] = options_.learning_rate.schedule->class_name();
    s["config"] = options_.learning_rate.schedule->get_config();
    c["learning_rate"] = s;
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

std::shared_ptr<SGDOptimizer> SGD(const SGDOptions& o) { return std::make_shared<SGDOptimizer>(o); }
std::shared_ptr<AdamOptimizer> Adam(const AdamOptions& o) { return std::make_shared<AdamOptimizer>(o); }
std::shared_ptr<AdamOptimizer> AdamW(const AdamWOptions& o) {
  AdamOptions a{o.learning_rate, o.beta_1, o.beta_2, o.epsilon, o.amsgrad, o.weight_decay,
                o.clipnorm, o.clipvalue, o.global_clipnorm, o.name};
  return std::make_shared<AdamOptimizer>(a, "AdamW");
}

// ---- registry ------------------------------------------------------------------------------
namespace {
std::optional<double> opt_from(const Config& c, const char* key) {
  const Value* v = c.find(key);
  if (!v || v->is_null()) return std::nullopt;
  return v->as_double();
}
LearningRate lr_from(const Config& c, double fallback);

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
      return SGD({lr_from(c, 0.01), c.get("momentum", 0.0).as_double(), c.get("nesterov", false).as_bool(),
                  opt_from(c, "weight_decay"), opt_from(c, "clipnorm"), opt_from(c, "clipvalue"),
                  opt_from(c, "global_clipnorm"), c.get("name", "").as_string()});
    };
    auto adam_like = [](const Config& c, const std::string& cls) -> OptimizerPtr {
      AdamOptions a{lr_from(c, 0.001), c.get("beta_1", 0.9).as_double(), c.get("beta_2", 0.999).as_double(),
                    c.get("epsilon", 1e-7).as_double(), c.get("amsgrad", false).as_bool(), opt_from(c, "weight_decay"),
                    opt_from(c, "clipnorm"), opt_from(c, "clipvalue"), opt_from(c, "global_clipnorm"),
                    c.get("name", "").as_string()};
      return std::make_shared<AdamOptimizer>(a, cls);
    };
    f["Adam"] = [adam_like](const Config& c) { return adam_like(c, "Adam"); };
    f["AdamW"] = [adam_like](const Config& c) { return adam_like(c, "AdamW"); };
  });
}

LearningRate lr_from(const Config& c, double fallback) {
  const Value* v = c.find("learning_rate");
  if (!v || v->is_null()) return LearningRate(fallback);
  if (v->is_object())
    throw std::invalid_argument("optimizer config: learning-rate schedules cannot be rebuilt yet (" +
                                v->to_json() + ")");
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
  static const std::map<std::string, std::string> aliases = {{"sgd", "SGD"}, {"adam", "Adam"}, {"adamw", "AdamW"}};
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
