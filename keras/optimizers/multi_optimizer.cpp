// multi_optimizer.cpp - OptimizerMap (variable paths -> optimizers) and MultiOptimizer:
// one optimizer per group of variables (Wide & Deep), used by compile() like any optimizer.
#include <algorithm>
#include <stdexcept>
#include <string>

#include "core/ops.h"
#include "keras/optimizers.h"
#include "keras/optimizers/optimizer_util.h"
#include "keras/path_match.h"

namespace keras::optimizers {

// ---- OptimizerMap ------------------------------------------------------------------------------
OptimizerMap::OptimizerMap(OptimizerPtr default_optimizer,
                           const std::vector<std::pair<std::string, OptimizerPtr>>& optimizer_map)
    : default_(std::move(default_optimizer)) {
  if (!default_) throw std::invalid_argument("OptimizerMap: expected a default optimizer, but received null");
  for (const auto& [key, opt] : optimizer_map) set(key, opt);
}

const OptimizerPtr& OptimizerMap::operator[](const std::string& path) const {
  const auto i = keras::detail::match_path(entries_, path, "OptimizerMap",
                                    "multiple optimizers assigned to variable '" + path + "', by keys");
  return i ? entries_[*i].second : default_;
}

void OptimizerMap::set(const std::string& key, OptimizerPtr optimizer) {
  if (contains(key))
    throw std::invalid_argument("OptimizerMap: '" + key + "' is already a key (optimizer '" + (*this)[key]->name() +
                                "'); keys may not repeat");
  if (!optimizer) throw std::invalid_argument("OptimizerMap: the optimizer of '" + key + "' is null");
  if (dynamic_cast<const LossScaleOptimizer*>(optimizer.get()))
    throw std::invalid_argument("OptimizerMap: the optimizer of '" + key + "' cannot be a LossScaleOptimizer");
  if (dynamic_cast<const MultiOptimizer*>(optimizer.get()))
    throw std::invalid_argument("OptimizerMap: the optimizer of '" + key + "' cannot be a MultiOptimizer");
  keras::detail::check_path_key("OptimizerMap", key);
  entries_.emplace_back(key, std::move(optimizer));
}

bool OptimizerMap::erase(const std::string& key) {
  auto it = std::find_if(entries_.begin(), entries_.end(), [&](const auto& e) { return e.first == key; });
  if (it == entries_.end()) return false;
  entries_.erase(it);
  return true;
}

bool OptimizerMap::contains(const std::string& key) const {
  return std::any_of(entries_.begin(), entries_.end(), [&](const auto& e) { return e.first == key; });
}

namespace {
// An optimizer from Keras's form or serialize()'s.
OptimizerPtr from_entry(const Value& v, const std::string& what) {
  if (!v.is_object() || !v.contains("class_name"))
    throw std::invalid_argument("OptimizerMap: expected " + what + " to be a serialized optimizer {\"class_name\": ..., "
                                "\"config\": {...}}, but received " + v.to_json());
  Config c = Config::object();
  c["class_name"] = v.at("class_name");
  c["config"] = v.get("config", Config::object());
  return deserialize(c);
}
}  // namespace

Config OptimizerMap::get_config() const {
  Config map = Config::object();
  for (const auto& [key, opt] : entries_) map[key] = detail::keras_entry(*opt);
  Config c = Config::object();
  c["default_optimizer"] = detail::keras_entry(*default_);
  c["optimizer_map"] = map;
  return c;
}

OptimizerMap OptimizerMap::from_config(const Config& config) {
  if (!config.is_object() || !config.contains("default_optimizer"))
    throw std::invalid_argument("OptimizerMap: expected a config with \"default_optimizer\" and \"optimizer_map\", but "
                                "received " + config.to_json());
  OptimizerMap out(from_entry(config.at("default_optimizer"), "default_optimizer"));
  const Value& map = config.get("optimizer_map", Config::object());
  if (!map.is_null() && !map.is_object())
    throw std::invalid_argument("OptimizerMap: expected optimizer_map to be an object, but received " + map.to_json());
  if (map.is_object())
    for (const auto& [key, entry] : map.items()) out.set(key, from_entry(entry, "optimizer_map['" + key + "']"));
  return out;
}

// ---- MultiOptimizer --------------------------------------------------------------------------
namespace {
OptimizerOptions multi_options(const std::string& name, std::optional<double> loss_scale_factor = std::nullopt) {
  return OptimizerOptions{.learning_rate = LearningRate(0.0), .loss_scale_factor = loss_scale_factor, .name = name};
}
}  // namespace

MultiOptimizer::MultiOptimizer(std::vector<Group> groups, std::string name)
    : Optimizer("MultiOptimizer", multi_options(name)), groups_(std::move(groups)) {
  if (groups_.empty()) throw std::invalid_argument(this->name() + ": expected at least one (optimizer, variables) group");
  for (size_t i = 0; i < groups_.size(); ++i) {
    if (!groups_[i].optimizer)
      throw std::invalid_argument(this->name() + ": group " + std::to_string(i) + " has no optimizer");
    optimizers_.push_back(groups_[i].optimizer);  // one per group, even when groups share one
  }
}

MultiOptimizer::MultiOptimizer(OptimizerMap map, std::optional<double> loss_scale_factor, std::string name)
    : Optimizer("MultiOptimizer", multi_options(name, loss_scale_factor)), map_(std::move(map)) {
  for (const auto& [key, opt] : map_->entries()) add_optimizer(opt);
  add_optimizer(map_->default_optimizer());
}

MultiOptimizer::MultiOptimizer(Selector selector, std::optional<double> loss_scale_factor, std::string name)
    : Optimizer("MultiOptimizer", multi_options(name, loss_scale_factor)), selector_(std::move(selector)) {
  if (!selector_) throw std::invalid_argument(this->name() + ": expected a selector, but received an empty function");
}

void MultiOptimizer::add_optimizer(const OptimizerPtr& opt) {
  if (std::any_of(optimizers_.begin(), optimizers_.end(), [&](const OptimizerPtr& o) { return o == opt; })) return;
  opt->set_loss_scale_factor(options().loss_scale_factor);  // Keras: the MultiOptimizer's factor governs
  if (replicas()) opt->set_replicas(replicas());
  optimizers_.push_back(opt);
}

size_t MultiOptimizer::optimizer_index(const Variable& var) {
  for (const auto& [v, k] : assigned_)
    if (v.same_as(var)) return k;
  size_t k = 0;
  if (!groups_.empty()) {
    while (k < groups_.size() && std::none_of(groups_[k].variables.begin(), groups_[k].variables.end(),
                                               [&](const Variable& x) { return x.same_as(var); }))
      ++k;
    if (k == groups_.size())
      throw std::invalid_argument(name() + ": variable '" + var.name() + "' belongs to no optimizer group");
  } else {
    OptimizerPtr opt = map_ ? (*map_)(var) : selector_(var);
    if (!opt)
      throw std::invalid_argument(name() + ": the selector gave no optimizer for variable '" + var.path() + "'");
    if (dynamic_cast<const LossScaleOptimizer*>(opt.get()))
      throw std::invalid_argument(name() + ": a LossScaleOptimizer cannot be used inside a MultiOptimizer (variable '" +
                                  var.path() + "')");
    if (dynamic_cast<const MultiOptimizer*>(opt.get()))
      throw std::invalid_argument(name() + ": a MultiOptimizer cannot be used inside a MultiOptimizer (variable '" +
                                  var.path() + "')");
    add_optimizer(opt);
    while (optimizers_[k] != opt) ++k;
  }
  assigned_.emplace_back(var, k);
  return k;
}

void MultiOptimizer::apply_gradients(const std::vector<Tensor>& grads, const std::vector<Variable>& vars) {
  if (grads.size() != vars.size())
    throw std::invalid_argument(name() + ": apply_gradients received " + std::to_string(grads.size()) +
                                " gradients for " + std::to_string(vars.size()) + " variables");
  std::vector<size_t> which;
  for (const Variable& v : vars) which.push_back(optimizer_index(v));
  std::vector<std::vector<Tensor>> g(optimizers_.size());
  std::vector<std::vector<Variable>> v(optimizers_.size());
  for (size_t i = 0; i < vars.size(); ++i) {
    g[which[i]].push_back(grads[i]);
    v[which[i]].push_back(vars[i]);
  }
  for (size_t k = 0; k < optimizers_.size(); ++k)
    if (!v[k].empty()) optimizers_[k]->apply_gradients(g[k], v[k]);
  Variable it = iterations_variable();
  it.assign_add(core::ops::ones({}, core::DType::int64));
}

std::vector<Variable> MultiOptimizer::state_variables(const std::vector<Variable>& vars) {
  std::vector<std::vector<Variable>> mine(optimizers_.size());
  for (const Variable& v : vars) {
    if (!groups_.empty() && std::none_of(groups_.begin(), groups_.end(), [&](const Group& g) {
          return std::any_of(g.variables.begin(), g.variables.end(), [&](const Variable& x) { return x.same_as(v); });
        }))
      continue;  // in no group: no state (applying a gradient to it raises)
    const size_t k = optimizer_index(v);
    mine.resize(optimizers_.size());
    mine[k].push_back(v);
  }
  std::vector<Variable> out;
  if (groups_.empty()) out.push_back(iterations_variable());  // Keras's order: its own count first
  for (size_t k = 0; k < optimizers_.size(); ++k) {
    optimizers_[k]->build_variables(mine[k]);
    for (const Variable& v : optimizers_[k]->variables()) out.push_back(v);
  }
  return out;
}

Config MultiOptimizer::get_config() const {
  if (!map_)
    throw std::invalid_argument(name() + ": a MultiOptimizer made from " +
                                std::string(groups_.empty() ? "a selector" : "groups of variables") +
                                " has no config (make it from an OptimizerMap to save it)");
  Config c = Config::object();
  c["optimizer_map"] = Config::object();
  c["optimizer_map"]["module"] = "keras.optimizers";
  c["optimizer_map"]["class_name"] = "OptimizerMap";
  c["optimizer_map"]["config"] = map_->get_config();
  c["optimizer_map"]["registered_name"] = nullptr;
  c["loss_scale_factor"] = options().loss_scale_factor ? Value(*options().loss_scale_factor) : Value();
  c["name"] = name();
  return c;
}

void MultiOptimizer::set_replicas(distribute::CrossReplicaPtr replicas) {
  Optimizer::set_replicas(replicas);
  for (auto& opt : optimizers_) opt->set_replicas(replicas);
}

void MultiOptimizer::finalize_variable_values(const std::vector<Variable>& vars) {
  std::vector<std::vector<Variable>> mine(optimizers_.size());
  for (const Variable& v : vars) {
    const size_t k = optimizer_index(v);
    mine.resize(optimizers_.size());
    mine[k].push_back(v);
  }
  for (size_t k = 0; k < optimizers_.size(); ++k)
    if (!mine[k].empty()) optimizers_[k]->finalize_variable_values(mine[k]);
}
bool MultiOptimizer::swap_ema_weights() {
  bool any = false;
  for (auto& opt : optimizers_) any = opt->swap_ema_weights() || any;
  return any;
}
void MultiOptimizer::reset_ema_to_variables() {
  for (auto& opt : optimizers_) opt->reset_ema_to_variables();
}
bool MultiOptimizer::uses_ema() const {
  return std::any_of(optimizers_.begin(), optimizers_.end(), [](const OptimizerPtr& o) { return o->uses_ema(); });
}

void MultiOptimizer::update_step(const Tensor&, Variable& var, const Tensor&) {
  throw std::logic_error(name() + ": update_step is done by the optimizers it holds (variable '" + var.name() + "')");
}

std::shared_ptr<MultiOptimizer> make_multi_optimizer(std::vector<MultiOptimizer::Group> groups) {
  return std::make_shared<MultiOptimizer>(std::move(groups));
}

}  // namespace keras::optimizers
