// layer_weights.cpp - a layer's weights (add_weight and the budget that bounds it while
// loading, get/set_weights, trainable), its losses, constraints and seed generator state.
#include <algorithm>
#include <stdexcept>
#include <string>

#include "core/autocast.h"
#include "core/variable_options.h"
#include "core/errors.h"
#include "core/function.h"
#include "core/ops.h"
#include "keras/constraints.h"
#include "keras/initializers.h"
#include "keras/layers/layer.h"
#include "keras/name_scope.h"
#include "keras/name_scope_internal.h"
#include "keras/layers/seed_generator.h"
#include "keras/regularizers.h"

namespace keras::layers {

// ---- weights ---------------------------------------------------------------------------
namespace {
thread_local WeightBudget* t_weight_budget = nullptr;
}

uint64_t Layer::seed_generator_state() const {
  const SeedGenerator* g = seed_generator();
  return g ? g->state() : 0;
}

void Layer::set_seed_generator_state(uint64_t state) {
  if (SeedGenerator* g = seed_generator()) g->set_state(state);
}

WeightBudget::WeightBudget(int64_t bytes, std::string context)
    : left_(bytes), context_(std::move(context)), outer_(t_weight_budget) {
  t_weight_budget = this;
}

WeightBudget::~WeightBudget() { t_weight_budget = outer_; }

void WeightBudget::charge(const std::string& weight, const Shape& shape, DType dtype) {
  WeightBudget* b = t_weight_budget;
  if (!b) return;
  const int64_t n = shape.num_elements();
  const int64_t size = static_cast<int64_t>(core::dtype_size(dtype));
  const bool fits = n <= b->left_ / size;  // n * size <= left_, without overflow
  if (!fits)
    throw std::runtime_error("the architecture asks for the weight '" + weight + "' of shape " + shape.str() + " " +
                             core::dtype_name(dtype) + ", but only " + std::to_string(b->left_) +
                             " more bytes of weights may be allocated " + b->context_);
  b->left_ -= n * size;
}

Variable Layer::add_weight(const std::string& name, const Shape& shape, const WeightOptions& o) {
  const DType dtype = o.dtype.value_or(variable_dtype());  // Keras: weights in the variable dtype
  WeightBudget::charge(name_ + "/" + name, shape, dtype);
  auto init = o.initializer ? o.initializer : initializers::get("glorot_uniform");
  Tensor value;
  try {
    value = (*init)(shape, dtype);
  } catch (const std::bad_alloc& e) {  // name the weight (core's message has shape and bytes)
    throw core::OutOfMemoryError(name_ + "/" + name + ": cannot create the weight of shape " +
                                 shape.str() + " and dtype " + core::dtype_name(dtype) + ": " + e.what());
  }
  if (value.shape() != shape || value.dtype() != dtype)
    throw std::logic_error(name_ + "/" + name + ": the initializer returned shape " +
                           value.shape().str() + " " + core::dtype_name(value.dtype()) +
                           ", expected " + shape.str() + " " + core::dtype_name(dtype));
  // A weight made after construction but not by maybe_build(): build() was called
  // directly, which builds the layer (layer->build(shape) then set_weights() must hold).
  if (!building_ && !weak_from_this().expired()) built_by_direct_build_ = true;
  Variable v(value, name_ + "/" + name, o.trainable && trainable_);
  {
    // Keras's add_weight: the variable's path under the layer's scope (under the path the
    // layer was first used in, once it has been).
    keras::detail::LayerScope scope(name_, this, parent_path_ ? &*parent_path_ : nullptr);
    if (path_.empty()) path_ = current_path();  // a build() the user called directly
    v.set_path(current_path() + "/" + name);
  }
  weights_.push_back(v);
  weight_trainable_.push_back(o.trainable);
  if (!o.autocast) core::autocast::set_enabled(v, false);
  if (o.overwrite_with_gradient) core::variable_options::set_overwrite_with_gradient(v, true);
  if (o.regularizer) regularized_.emplace_back(v, o.regularizer);
  if (o.constraint) {
    constrained_.emplace_back(v, o.constraint);
    v.set_constraint([c = o.constraint](const Tensor& t) { return (*c)(t); });  // applied by optimizers
  }
  return v;
}

namespace {
size_t own_index(const std::vector<Variable>& ws, const Variable& v, const std::string& layer, const char* what) {
  for (size_t i = 0; i < ws.size(); ++i)
    if (ws[i].same_as(v)) return i;
  throw std::logic_error(layer + ": " + what + ": '" + (v.defined() ? v.name() : std::string("undefined")) +
                         "' is not one of this layer's own weights");
}
}  // namespace

Variable Layer::replace_weight(const Variable& old, const std::string& name, const Shape& shape,
                               const WeightOptions& options) {
  const size_t at = own_index(weights_, old, name_, "replace_weight");
  const bool was_building = building_;
  building_ = true;  // not a direct build() of the user's
  Variable v;
  try {
    v = add_weight(name, shape, options);
  } catch (...) {
    building_ = was_building;
    throw;
  }
  building_ = was_building;
  // add_weight appended it: move it into the old one's place.
  weights_.pop_back();
  const bool trainable = weight_trainable_.back();
  weight_trainable_.pop_back();
  weights_[at] = v;
  weight_trainable_[at] = trainable;
  auto drop = [&](auto& pairs) {
    pairs.erase(std::remove_if(pairs.begin(), pairs.end(), [&](const auto& p) { return p.first.same_as(old); }),
                pairs.end());
  };
  drop(regularized_);
  drop(constrained_);
  return v;
}

void Layer::move_weight_after(const Variable& weight, const Variable& after) {
  const size_t from = own_index(weights_, weight, name_, "move_weight_after");
  const Variable w = weights_[from];
  const bool trainable = weight_trainable_[from];
  weights_.erase(weights_.begin() + std::ptrdiff_t(from));
  weight_trainable_.erase(weight_trainable_.begin() + std::ptrdiff_t(from));
  const size_t to = after.defined() ? own_index(weights_, after, name_, "move_weight_after") + 1 : 0;
  weights_.insert(weights_.begin() + std::ptrdiff_t(to), w);
  weight_trainable_.insert(weight_trainable_.begin() + std::ptrdiff_t(to), trainable);
}

void Layer::set_weight_trainable(const Variable& weight, bool trainable) {
  const size_t at = own_index(weights_, weight, name_, "set_weight_trainable");
  weight_trainable_[at] = trainable;
  weights_[at].set_trainable(trainable && trainable_);
}

// weights()' order (own weights, then each sublayer's), each sublayer storing its own way
// (a LoRA projection inside MultiHeadAttention stores its merged kernel).
std::vector<Layer::StoredWeight> Layer::stored_weights() const {
  std::vector<StoredWeight> out;
  auto add = [&out](StoredWeight w) {
    for (const StoredWeight& o : out)
      if (o.variable.same_as(w.variable)) return;
    out.push_back(std::move(w));
  };
  for (const Variable& v : weights_) add({v, v.value()});
  for (const auto& l : sublayers_)
    for (StoredWeight& w : l->stored_weights()) add(std::move(w));
  return out;
}

void Layer::quantize(const std::string& mode) {
  throw core::NotImplementedError("Layer " + class_name_ + " ('" + name_ + "') does not have a `quantize()` method "
                                  "implemented (mode '" + mode + "'); Dense, EinsumDense and Embedding take \"int8\"");
}

void Layer::track_layer(const std::shared_ptr<Layer>& layer) {
  if (!layer) throw std::invalid_argument(name_ + ": cannot track an undefined layer");
  if (layer.get() == this) throw std::invalid_argument(name_ + ": a layer cannot track itself");
  if (std::find(sublayers_.begin(), sublayers_.end(), layer) == sublayers_.end())
    sublayers_.push_back(layer);
}

void Layer::untrack_layer(const std::shared_ptr<Layer>& layer) {
  sublayers_.erase(std::remove(sublayers_.begin(), sublayers_.end(), layer), sublayers_.end());
}

void Layer::collect_weights(std::vector<Variable>& out, std::vector<const Layer*>& seen, bool with_seed_states) const {
  if (std::find(seen.begin(), seen.end(), this) != seen.end()) return;
  seen.push_back(this);
  auto add = [&out](const Variable& v) {
    for (const Variable& w : out)
      if (w.same_as(v)) return;
    out.push_back(v);
  };
  for (const Variable& v : weights_) add(v);
  if (with_seed_states)
    if (const SeedGenerator* g = seed_generator()) add(g->state_variable());
  for (const auto& l : sublayers_) l->collect_weights(out, seen, with_seed_states);
}

namespace {
// The variables of `vs` that are (or are not) trainable, in order.
std::vector<Variable> with_trainable(const std::vector<Variable>& vs, bool trainable) {
  std::vector<Variable> out;
  for (const Variable& v : vs)
    if (v.trainable() == trainable) out.push_back(v);
  return out;
}
}  // namespace

std::vector<Variable> Layer::weights() const {
  std::vector<Variable> out;
  std::vector<const Layer*> seen;
  collect_weights(out, seen);
  return out;
}
std::vector<Variable> Layer::trainable_weights() const { return with_trainable(weights(), true); }
std::vector<Variable> Layer::non_trainable_weights() const { return with_trainable(weights(), false); }

std::vector<Variable> Layer::variables() const {
  std::vector<Variable> out;
  std::vector<const Layer*> seen;
  collect_weights(out, seen, true);
  return out;
}
std::vector<Variable> Layer::trainable_variables() const { return with_trainable(variables(), true); }
std::vector<Variable> Layer::non_trainable_variables() const { return with_trainable(variables(), false); }

int64_t Layer::count_params() const {
  int64_t n = 0;
  for (const Variable& v : weights()) n += v.shape().num_elements();
  return n;
}

std::vector<Tensor> Layer::get_weights() const {
  std::vector<Tensor> out;
  for (const Variable& v : weights()) out.push_back(v.value());
  return out;
}

void Layer::set_weights(const std::vector<Tensor>& values) {
  std::vector<Variable> ws = weights();
  if (values.size() != ws.size())
    throw std::invalid_argument(name_ + ": set_weights expected " + std::to_string(ws.size()) +
                                " arrays, but received " + std::to_string(values.size()));
  // A value of another real dtype is converted to the weight's, as Keras assigns NumPy
  // arrays (a float32 array into a float64 or bfloat16 weight).
  auto convertible = [](DType from, DType to) {
    auto real = [](DType d) { return core::is_floating(d) || core::is_integer(d) || d == DType::bool_; };
    return from == to || (real(from) && real(to));
  };
  for (size_t i = 0; i < ws.size(); ++i)
    if (!values[i].defined() || values[i].shape() != ws[i].shape() || !convertible(values[i].dtype(), ws[i].dtype()))
      throw std::invalid_argument(
          name_ + ": set_weights: weight " + std::to_string(i) + " ('" + ws[i].name() +
          "') expects shape " + ws[i].shape().str() + " and dtype " + core::dtype_name(ws[i].dtype()) +
          ", but received " + (values[i].defined() ? values[i].shape().str() + " " +
                                                         core::dtype_name(values[i].dtype())
                                                   : std::string("an undefined tensor")));
  for (size_t i = 0; i < ws.size(); ++i)
    ws[i].assign(values[i].dtype() == ws[i].dtype() ? values[i] : core::ops::cast(values[i], ws[i].dtype()));
}

void Layer::set_trainable(bool t) {
  trainable_ = t;
  for (size_t i = 0; i < weights_.size(); ++i) weights_[i].set_trainable(t && weight_trainable_[i]);
  for (auto& l : sublayers_) l->set_trainable(t);
}

// ---- losses and constraints ----------------------------------------------------------------
void Layer::add_loss(const Tensor& loss) {
  if (!loss.defined()) throw std::invalid_argument(name_ + ": add_loss received an undefined tensor");
  call_losses_.push_back(loss);
}

std::vector<Tensor> Layer::losses() const {
  std::vector<Tensor> out = call_losses_;
  for (const auto& [v, reg] : regularized_) out.push_back((*reg)(v.value()));
  for (const auto& l : sublayers_)
    for (const Tensor& t : l->losses()) out.push_back(t);
  return out;
}

std::vector<std::pair<Variable, std::shared_ptr<const constraints::Constraint>>> Layer::constraints() const {
  auto out = constrained_;
  for (const auto& l : sublayers_)
    for (auto& p : l->constraints()) out.push_back(p);
  return out;
}

}  // namespace keras::layers
