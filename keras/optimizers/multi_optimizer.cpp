// multi_optimizer.cpp - MultiOptimizer: one optimizer per group of variables (Wide & Deep
// with two optimizers), used by compile() like any optimizer.
#include <stdexcept>
#include <string>

#include "keras/optimizers.h"

namespace keras::optimizers {

// ---- MultiOptimizer --------------------------------------------------------------------------
MultiOptimizer::MultiOptimizer(std::vector<Group> groups, std::string name)
    : Optimizer("MultiOptimizer", OptimizerOptions{.learning_rate = LearningRate(0.0), .name = name}), groups_(std::move(groups)) {
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

void MultiOptimizer::set_replicas(distribute::CrossReplicaPtr replicas) {
  for (auto& group : groups_) group.optimizer->set_replicas(replicas);
}

void MultiOptimizer::finalize_variable_values(const std::vector<Variable>& vars) {
  for (auto& group : groups_) group.optimizer->finalize_variable_values(vars);
}
bool MultiOptimizer::swap_ema_weights() {
  bool any = false;
  for (auto& group : groups_) any = group.optimizer->swap_ema_weights() || any;
  return any;
}
void MultiOptimizer::reset_ema_to_variables() {
  for (auto& group : groups_) group.optimizer->reset_ema_to_variables();
}
bool MultiOptimizer::uses_ema() const {
  return std::any_of(groups_.begin(), groups_.end(), [](const Group& g) { return g.optimizer->uses_ema(); });
}

void MultiOptimizer::update_step(const Tensor&, Variable& var, const Tensor&) {
  throw std::logic_error(name() + ": update_step is done by the group optimizers (variable '" + var.name() + "')");
}

std::shared_ptr<MultiOptimizer> make_multi_optimizer(std::vector<MultiOptimizer::Group> groups) {
  return std::make_shared<MultiOptimizer>(std::move(groups));
}

}  // namespace keras::optimizers
