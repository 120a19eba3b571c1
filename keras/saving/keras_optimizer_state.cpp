// keras_optimizer_state.cpp - the optimizer state of Keras 3's `.keras` files
// ("optimizer/vars/<i>" in model.weights.h5, in the order of Keras's optimizer.variables):
// read into a compiled model's optimizer, so training resumes where Keras left it.
#include <cstdio>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/ops.h"
#include "keras/models/model.h"
#include "keras/optimizers.h"
#include "keras/saving/h5_file.h"
#include "keras/saving/keras_file.h"
#include "keras/saving/keras_weights.h"

namespace keras::saving::detail {
namespace {
namespace ops = core::ops;

// One of Keras's optimizer variables, as keras-cpp holds it: its shape and dtype, and how
// a value is put in place.
struct KerasSlot {
  core::Shape shape;
  core::DType dtype;
  std::function<void(const Tensor&)> set;
  std::function<Tensor()> get;
};

KerasSlot of(Variable v) {
  return {v.shape(), v.dtype(), [v](const Tensor& t) mutable { v.assign(t); }, [v] { return v.value(); }};
}
// A scalar Keras holds that keras-cpp does not (written as `value`, ignored when read).
KerasSlot placeholder(core::DType dtype, double value = 0.0) {
  return {core::Shape{}, dtype, [](const Tensor&) {}, [dtype, value] { return ops::fill({}, value, dtype); }};
}

bool has_schedule(const optimizers::Optimizer& opt) { return opt.get_config().at("learning_rate").is_object(); }

// Keras's build order of the slots beyond the base ones (the moving averages, then the
// gradient accumulators, each for every variable): groups of kinds, each group made for
// every variable in turn, kinds interleaved. keras-cpp makes some interleaved where Keras
// does not; unlisted classes make theirs in Keras's order already.
const std::map<std::string, std::vector<std::vector<std::string>>>& keras_phases() {
  static const std::map<std::string, std::vector<std::vector<std::string>>> phases = {
      {"Adam", {{"momentum", "velocity"}, {"velocity_hat"}}},
      {"AdamW", {{"momentum", "velocity"}, {"velocity_hat"}}},
      {"RMSprop", {{"velocity"}, {"momentum"}, {"average_gradient"}}},
      {"Nadam", {{"momentum", "velocity"}}},  // then u_product
      {"Adafactor", {{"r", "c", "velocity"}}},  // r and c: scalar placeholders for rank < 2
  };
  return phases;
}

// Keras's optimizer.variables for `opt` updating `vars`: iteration, learning_rate (unless
// a schedule), then the slots in Keras's order.
void plain_slots(optimizers::Optimizer& opt, const std::vector<Variable>& vars, std::vector<KerasSlot>& out) {
  out.push_back(of(opt.iterations_variable()));
  if (!has_schedule(opt))
    out.push_back({core::Shape{}, core::DType::float32,
                   [&opt](const Tensor& t) { opt.set_learning_rate(ops::cast(t, core::DType::float64).item<double>()); },
                   [&opt] { return ops::fill({}, opt.learning_rate(), core::DType::float32); }});
  const std::vector<Variable> all = opt.variables();
  std::vector<Variable> slots(all.begin() + 1, all.end());
  std::vector<bool> taken(slots.size(), false);
  auto add = [&](size_t i) {
    taken[i] = true;
    out.push_back(of(slots[i]));
  };
  auto find = [&](const Variable& var, const std::string& kind) -> std::optional<size_t> {
    const std::string name = opt.name() + "/" + var.name() + "_" + kind;
    for (size_t i = 0; i < slots.size(); ++i)
      if (!taken[i] && slots[i].name() == name) return i;
    return std::nullopt;
  };
  std::vector<std::vector<std::string>> phases = {{"average"}, {"gradient_accumulator"}};
  auto it_class = keras_phases().find(opt.class_name());
  if (it_class != keras_phases().end()) phases.insert(phases.end(), it_class->second.begin(), it_class->second.end());
  const bool placeholders = opt.class_name() == "Adafactor";
  for (const auto& phase : phases)
    for (const Variable& var : vars)
      for (const std::string& kind : phase) {
        if (auto i = find(var, kind)) add(*i);
        else if (placeholders && (kind == "r" || kind == "c"))  // Keras's unfactored r / c
          out.push_back(placeholder(var.dtype()));
      }
  for (size_t i = 0; i < slots.size(); ++i)
    if (!taken[i]) add(i);  // the rest in keras-cpp's order (Nadam's u_product)
}

// The slots of the model's optimizer, built for its trainable weights, and for a
// MultiOptimizer each optimizer it holds (a LossScaleOptimizer its inner one) with its own
// (Keras also saves them apart); false
// for an optimizer whose Keras layout keras-cpp does not mirror (a MultiOptimizer without
// an OptimizerMap).
bool keras_slots(const Model& model, std::vector<KerasSlot>& out,
                 std::vector<std::pair<std::string, std::vector<KerasSlot>>>* inner_out = nullptr) {
  optimizers::Optimizer& opt = *model.optimizer();
  const std::vector<Variable> trainable = model.trainable_weights();
  if (auto* lso = dynamic_cast<optimizers::LossScaleOptimizer*>(&opt)) {
    // Keras's: its iteration, its (unused) learning rate, step_counter, dynamic_scale,
    // then the inner optimizer's variables.
    lso->build_variables(trainable);
    lso->inner_optimizer()->build_variables(trainable);
    const std::vector<Variable> own = lso->variables();
    out.push_back(of(own[0]));
    out.push_back(placeholder(core::DType::float32));
    for (size_t i = 1; i < own.size(); ++i) out.push_back(of(own[i]));
    std::vector<KerasSlot> inner;
    plain_slots(*lso->inner_optimizer(), trainable, inner);
    out.insert(out.end(), inner.begin(), inner.end());
    if (inner_out) inner_out->emplace_back("inner_optimizer", std::move(inner));  // Keras's attribute name
    return true;
  }
  if (auto* multi = dynamic_cast<optimizers::MultiOptimizer*>(&opt)) {
    if (!multi->optimizer_map()) return false;
    multi->state_variables(trainable);  // assigns and builds
    out.push_back(of(multi->iterations_variable()));
    out.push_back(placeholder(core::DType::float32));  // its unused learning rate
    for (const auto& inner : multi->optimizers()) {
      std::vector<Variable> mine;
      for (const Variable& v : trainable)
        if ((*multi->optimizer_map())(v) == inner) mine.push_back(v);
      std::vector<KerasSlot> own;
      plain_slots(*inner, mine, own);
      out.insert(out.end(), own.begin(), own.end());
      if (inner_out) inner_out->emplace_back(inner->name(), std::move(own));
    }
    return true;
  }
  opt.build_variables(trainable);
  plain_slots(opt, trainable, out);
  return true;
}
}  // namespace

void restore_keras_optimizer_state(const Model& model, const H5Contents& weights, const std::string& source) {
  if (!model.compiled() || !model.optimizer()) return;
  std::vector<const Tensor*> saved;
  for (size_t i = 0;; ++i) {
    auto it = weights.datasets.find("optimizer/vars/" + std::to_string(i));
    if (it == weights.datasets.end()) break;
    saved.push_back(&it->second);
  }
  restore_keras_optimizer_values(model, saved, source);
}

void restore_keras_optimizer_values(const Model& model, const std::vector<const Tensor*>& saved,
                                    const std::string& source) {
  if (!model.compiled() || !model.optimizer()) return;
  if (saved.empty()) return;  // saved without its optimizer state (keras-cpp's files, or uncompiled)
  const std::string name = model.optimizer()->name();
  std::vector<KerasSlot> slots;
  auto skip = [&](const std::string& why) {
    std::fprintf(stderr, "UserWarning: %s: skipping the optimizer state of '%s' (%s); training resumes with fresh "
                 "optimizer variables\n", source.c_str(), name.c_str(), why.c_str());
  };
  if (!keras_slots(model, slots)) return skip("keras-cpp does not read this optimizer's Keras state");
  // Keras saves an optimizer that has not trained yet (compiled, then saved) with its
  // iteration and learning rate alone: those load, the slots stay fresh (Keras skips the
  // two with a warning, to the same state).
  const optimizers::Optimizer& opt = *model.optimizer();
  const bool plain = !dynamic_cast<const optimizers::LossScaleOptimizer*>(&opt) &&
                     !dynamic_cast<const optimizers::MultiOptimizer*>(&opt);
  const size_t base = plain && has_schedule(opt) ? 1 : 2;
  if (plain && saved.size() == base && slots.size() > base) {
    for (size_t i = 0; i < base; ++i)
      if (saved[i]->shape() != slots[i].shape)
        return skip("variable " + std::to_string(i) + " has shape " + slots[i].shape.str() + ", the file's " +
                    saved[i]->shape().str());
    for (size_t i = 0; i < base; ++i) slots[i].set(ops::cast(*saved[i], slots[i].dtype));
    return;
  }
  if (slots.size() != saved.size())
    return skip("it has " + std::to_string(slots.size()) + " variables, the file " + std::to_string(saved.size()));
  for (size_t i = 0; i < slots.size(); ++i)
    if (saved[i]->shape() != slots[i].shape)
      return skip("variable " + std::to_string(i) + " has shape " + slots[i].shape.str() + ", the file's " +
                  saved[i]->shape().str());
  for (size_t i = 0; i < slots.size(); ++i) slots[i].set(ops::cast(*saved[i], slots[i].dtype));
}

}  // namespace keras::saving::detail

namespace keras::saving::detail {

namespace {
std::string lso_inner_name(const Model& model) {
  return static_cast<const optimizers::LossScaleOptimizer&>(*model.optimizer()).inner_optimizer()->name();
}
}  // namespace

std::vector<std::pair<std::string, Tensor>> keras_optimizer_values(const Model& model) {
  std::vector<std::pair<std::string, Tensor>> out;
  if (!model.compiled() || !model.optimizer()) return out;
  std::vector<KerasSlot> slots;
  if (!keras_slots(model, slots)) return out;
  const std::string prefix = model.optimizer()->name() + "/";
  for (size_t i = 0; i < slots.size(); ++i) out.emplace_back(prefix + std::to_string(i), slots[i].get());
  return out;
}

bool keras_optimizer_datasets(const Model& model, std::vector<std::pair<std::string, std::string>>& groups,
                              std::vector<std::pair<std::string, Tensor>>& datasets) {
  if (!model.compiled() || !model.optimizer()) return false;
  // A layer that stores other weights than it trains (LoRA factors merged into the kernel)
  // loads with other trainable weights: the state would not fit them.
  size_t stored = 0;
  for (const auto& [path, layer] : keras_layer_paths(model)) stored += layer->stored_weights().size();
  if (stored != model.weights().size()) return false;
  std::vector<KerasSlot> slots;
  std::vector<std::pair<std::string, std::vector<KerasSlot>>> inner;
  if (!keras_slots(model, slots, &inner)) return false;
  auto write = [&](const std::string& prefix, const std::string& name, const std::vector<KerasSlot>& list) {
    groups.emplace_back(prefix + "vars", name);
    for (size_t i = 0; i < list.size(); ++i) datasets.emplace_back(prefix + "vars/" + std::to_string(i), list[i].get());
  };
  groups.emplace_back("optimizer", "");
  write("optimizer/", model.optimizer()->name(), slots);
  const bool lso = dynamic_cast<const optimizers::LossScaleOptimizer*>(model.optimizer().get()) != nullptr;
  for (const auto& [name, list] : inner) {
    if (lso) write("optimizer/inner_optimizer/", lso_inner_name(model), list);
    else write("optimizer/optimizers/" + name + "/", name, list);
  }
  return true;
}

}  // namespace keras::saving::detail
