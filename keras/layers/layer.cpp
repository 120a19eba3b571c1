#include "keras/layers/layer.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <unordered_map>

#include "core/autocast.h"
#include "core/control_flow.h"
#include "core/ops.h"
#include "core/function.h"
#include "core/ragged.h"
#include "core/sparse.h"
#include "core/stateless_scope.h"
#include "keras/constraints.h"
#include "keras/initializers.h"
#include "keras/layers/seed_generator.h"
#include "keras/name_scope.h"
#include "keras/name_scope_internal.h"
#include "keras/regularizers.h"
#include "keras/remat.h"
#include "keras/symbolic_scope.h"

namespace keras::layers {
namespace ops = core::ops;

namespace {
// A DTypePolicyMap's default (what a layer uses until its path is known); other policies as given.
mixed_precision::DTypePolicy map_default(const mixed_precision::DTypePolicy& p) {
  return p.policy_map() ? p.policy_map()->default_policy() : p;
}
}  // namespace

// ---- Layer --------------------------------------------------------------------------------
Layer::Layer(std::string class_name, const LayerOptions& o)
    : class_name_(std::move(class_name)),
      name_(o.name.empty() ? unique_name(snake_case(class_name_)) : o.name),
      trainable_(o.trainable),
      dynamic_(o.dynamic),
      autocast_(o.autocast),
      policy_(map_default(o.dtype ? *o.dtype : mixed_precision::global_policy())),
      policy_given_(o.dtype ? *o.dtype : policy_),
      input_shape_(o.input_shape),
      activity_regularizer_(o.activity_regularizer) {
  if (name_.empty() || name_.find('/') != std::string::npos)  // it names a scope of every path
    throw std::invalid_argument(class_name_ + ": expected a layer name without the character '/', but received name='" +
                                name_ + "'");
  if (std::optional<RematMode> m = get_current_remat_mode(); m && m->mode)  // Keras's Operation.__init__
    remat_mode_ = std::make_shared<const RematMode>(*m);
}

Layer::~Layer() = default;


namespace {
// Keras's DTypePolicy.convert_input: floating inputs cast to the compute dtype (integer,
// bool, sparse and ragged inputs untouched).
std::vector<Tensor> autocast_inputs(const std::vector<Tensor>& xs, bool autocast, DType compute) {
  if (!autocast || !core::is_floating(compute)) return xs;
  std::vector<Tensor> out = xs;
  for (Tensor& x : out)
    if (x.defined() && core::is_floating(x.dtype()) && x.dtype() != compute && !core::ragged::is_ragged(x) &&
        !core::sparse::is_sparse(x)) {
      Tensor mask = x.keras_mask();
      x = ops::cast(x, compute);
      if (mask.defined()) x.set_keras_mask(mask);
    }
  return out;
}

// The AutocastScope Keras's Layer.__call__ opens for its call: variables read in the
// compute dtype when the policy is mixed, an outer scope changed or turned off to match.
struct LayerAutocast {
  std::optional<core::autocast::Scope> scope;
  LayerAutocast(bool autocast, const mixed_precision::DTypePolicy& p) {
    const std::optional<DType> current = core::autocast::current();
    if (!autocast || !core::is_floating(p.compute_dtype())) {
      if (current) scope.emplace(std::nullopt);
    } else if (current ? *current != p.compute_dtype() : p.is_mixed()) {
      scope.emplace(p.compute_dtype());
    }
  }
};
}  // namespace

void Layer::build(const std::vector<ShapeSpec>& shapes) {
  if (shapes.size() == 1) build(shapes[0]);
}
void Layer::build(const ShapeSpec&) {}

Tensor Layer::call(const Tensor&, bool) {
  throw std::logic_error(name_ + ": layer class " + class_name_ +
                         " does not implement call() for a single input");
}

std::vector<Tensor> Layer::call(const std::vector<Tensor>& xs, bool training) {
  if (xs.size() != 1)
    throw std::invalid_argument(name_ + ": expected 1 input, but received " +
                                std::to_string(xs.size()) + " inputs");
  return {call(xs[0], training)};
}

void Layer::maybe_build(const std::vector<ShapeSpec>& shapes) {
  if (built_) return;
  if (built_by_direct_build_) {  // the user called build() (Keras's build wrapper marks it built)
    built_ = true;
    return;
  }
  core::InitScope init;  // weights are created and initialized once, outside any trace
  building_ = true;
  try {
    in_build_scope([&] { build(shapes); });  // Keras's build wrapper
  } catch (...) {
    building_ = false;
    throw;
  }
  building_ = false;
  built_ = true;
}

void Layer::clear_call_losses() {
  call_losses_.clear();
  for (auto& l : sublayers_) l->clear_call_losses();
}

Tensor Layer::operator()(const Tensor& x, const CallArgs& args) {
  std::vector<Tensor> out = (*this)(std::vector<Tensor>{x}, args);
  if (out.size() != 1)
    throw std::invalid_argument(name_ + ": the layer returned " + std::to_string(out.size()) +
                                " outputs; call it with a list to get them all");
  return out[0];
}

namespace {
// The training flag of the layer call in progress on this thread (Keras's call context):
// what a nested call without an explicit flag inherits.
thread_local std::optional<bool> t_training;

struct TrainingScope {
  std::optional<bool> saved;
  explicit TrainingScope(bool training) : saved(t_training) { t_training = training; }
  ~TrainingScope() { t_training = saved; }
};
}  // namespace

namespace {
// A ragged input's bounding shape; inside a traced step (the rows and values are graph
// values, their numbers open) its shape with the ragged dimensions as None, as TensorFlow's
// RaggedTensorSpec shows it.
std::string ragged_shape_str(const Tensor& x) {
  if (!core::is_tracing()) return "bounding shape " + x.shape().str();
  const int64_t ragged_rank = core::ragged::ragged_of(x).ragged_rank();
  std::string s = "shape (";
  for (int64_t d = 0; d < x.rank(); ++d)
    s += (d ? ", " : "") + (d <= ragged_rank ? std::string("None") : std::to_string(x.shape()[d]));
  return s + (x.rank() == 1 ? ",)" : ")");
}
}  // namespace

namespace {
// An outermost eager call's inputs on the device of the layer's weights: a CPU batch fed
// to a model placed on a GPU is copied there, as TensorFlow copies an op's inputs to the
// op's device. Only where a GPU is visible (elsewhere everything is on the CPU); string,
// sparse and ragged inputs stay where they are.
std::vector<Tensor> on_weights_device(const std::vector<Tensor>& xs, const std::vector<Variable>& weights) {
  if (weights.empty()) return xs;
  const core::Device d = weights.front().value().device();
  std::vector<Tensor> out = xs;
  for (Tensor& t : out)
    if (t.device() != d && t.dtype() != DType::string && !core::ragged::is_ragged(t) && !core::sparse::is_sparse(t))
      t = t.to(d);
  return out;
}
}  // namespace

Tensors Layer::operator()(const std::vector<Tensor>& xs_in, const CallArgs& args) {
  // (t_training is set inside any layer's call: only the outermost call places.)
  std::vector<Tensor> placed;
  if (built_ && !t_training.has_value() && core::cuda_device_count() > 0 && !core::is_tracing())
    placed = on_weights_device(xs_in, weights());
  const std::vector<Tensor>& xs = placed.empty() ? xs_in : placed;
  std::vector<ShapeSpec> shapes;
  for (size_t i = 0; i < xs.size(); ++i) {
    if (!xs[i].defined())
      throw std::invalid_argument(name_ + ": input " + std::to_string(i) + " is undefined");
    if (!supports_ragged_ && core::ragged::is_ragged(xs[i]))
      throw std::invalid_argument(name_ + ": layer " + class_name_ + " does not take RaggedTensor inputs, but input " +
                                  std::to_string(i) + " is a RaggedTensor (" + ragged_shape_str(xs[i]) + ", " +
                                  core::dtype_name(xs[i].dtype()) + "); convert it with RaggedTensor::to_tensor, or "
                                  "reduce it first (GlobalAveragePooling1D / GlobalMaxPooling1D)");
    shapes.push_back(spec_of(xs[i].shape()));
  }
  if (!args.masks.empty() && args.masks.size() != xs.size())
    throw std::invalid_argument(name_ + ": expected one mask per input (" + std::to_string(xs.size()) +
                                "), but received " + std::to_string(args.masks.size()) + " masks");
  if (!parent_path_) parent_path_ = current_path();  // Keras's _open_name_scope: the first one wins
  keras::detail::LayerScope name_scope(name_, this, &*parent_path_);
  if (built_) check_inputs(shapes);
  maybe_build(shapes);
  check_inputs(shapes);
  if (call_depth_ == 0) clear_call_losses();
  struct Depth {
    int& d;
    explicit Depth(int& x) : d(x) { ++d; }
    ~Depth() { --d; }
  } depth(call_depth_);
  CallContext ctx{.training = args.training.value_or(t_training.value_or(false)), .masks = args.masks,
                  .kwargs = args.kwargs};
  if (ctx.masks.empty()) {
    bool any = false;
    for (const Tensor& x : xs) any = any || x.keras_mask().defined();
    if (any)
      for (const Tensor& x : xs) ctx.masks.push_back(x.keras_mask());
  }
  TrainingScope scope(ctx.training);
  const std::vector<Tensor> in = autocast_inputs(xs, autocast_, compute_dtype());
  LayerAutocast cast_variables(autocast_, policy_);
  std::vector<Tensor> out;
  if (dynamic_ && core::is_tracing()) {
    // A dynamic layer inside a traced function: one host_function node that runs call()
    // on values at every run of the graph (its output shapes from compute_output_shape).
    std::vector<ShapeSpec> out_shapes = compute_output_shape(shapes);
    std::vector<core::TensorSpec> specs;
    for (size_t i = 0; i < out_shapes.size(); ++i) specs.push_back({out_shapes[i], output_dtype_of(i)});
    out = core::ops::host_function(
        [this, ctx](const std::vector<Tensor>& values) {
          TrainingScope inner(ctx.training);
          LayerAutocast cast_variables(autocast_, policy_);
          return call(values, ctx);
        },
        in, specs);
  } else {
    // A layer made in a RematScope: its activation recomputed ("activations", through this
    // thread's flag, off in every other layer's call), or its whole call.
    keras::detail::RematActivations activations(remat_mode_ && remat_mode_->mode == "activations");
    if (remat_mode_ && core::tape_is_recording() &&
        keras::detail::remat_whole_call(*remat_mode_, name_, [&] { return compute_output_shape(shapes); })) {
      // Run again for the gradient, in this call's context (the tape's node keeps the layer
      // alive until then).
      out = core::remat_call(
          [this, keep = weak_from_this().lock(), ctx](const std::vector<Tensor>& values) {
            TrainingScope inner(ctx.training);
            LayerAutocast cast_variables(autocast_, policy_);
            return call(values, ctx);
          },
          in);
    } else {
      out = call(in, ctx);
    }
  }
  finish_call(in, ctx, out);
  return out;
}

void Layer::finish_call(const std::vector<Tensor>& xs, const CallContext& ctx, const std::vector<Tensor>& out) {
  if (activity_regularizer_)
    for (const Tensor& y : out) {
      // Keras 3: the penalty of each output, divided by its batch size (no-NaN on an
      // empty batch).
      Tensor loss = (*activity_regularizer_)(y);
      if (y.rank() > 0) {
        const int64_t n = y.shape()[0];
        loss = n > 0 ? ops::divide(loss, ops::scalar_like(loss, double(n))) : ops::zeros_like(loss);
      }
      add_loss(loss);
    }
  bool any_mask = false;
  for (const Tensor& m : ctx.masks) any_mask = any_mask || m.defined();
  if (supports_masking_) {
    std::vector<Tensor> masks = compute_mask(xs, ctx.masks);
    for (size_t i = 0; i < out.size() && i < masks.size(); ++i)
      if (masks[i].defined() && masks[i].impl() != out[i].impl()) out[i].set_keras_mask(masks[i]);
  } else if (any_mask && !warned_mask_) {
    warned_mask_ = true;
    std::fprintf(stderr,
                 "Warning: layer '%s' (of type %s) was passed an input with a mask attached to it, but it does not "
                 "support masking and will drop the mask information; downstream layers will not see the mask.\n",
                 name_.c_str(), class_name_.c_str());
  }
}

std::vector<Tensor> Layer::call(const std::vector<Tensor>& xs, const CallContext& ctx) { return call(xs, ctx.training); }

std::vector<Tensor> Layer::compute_mask(const std::vector<Tensor>&, const std::vector<Tensor>& masks) {
  return std::vector<Tensor>(std::max<size_t>(1, output_shapes_.size()), masks.empty() ? Tensor() : masks[0]);
}

KerasTensor Layer::operator()(const KerasTensor& x, const CallArgs& args) {
  KerasTensors out = (*this)(std::vector<KerasTensor>{x}, args);
  if (out.size() != 1)
    throw std::invalid_argument(name_ + ": the layer returned " + std::to_string(out.size()) +
                                " outputs; call it with a list to get them all");
  return out[0];
}

namespace {
thread_local const std::vector<KerasTensor>* t_symbolic_inputs = nullptr;
thread_local const CallArgs* t_symbolic_args = nullptr;  // the keyword arguments of that call
}  // namespace

const std::vector<KerasTensor>* Layer::symbolic_call_inputs() { return t_symbolic_inputs; }

const Tensor& Tensors::single() const {
  if (size() != 1)
    throw std::invalid_argument("Tensors: expected the single output of a layer, but the call has " +
                                std::to_string(size()) + " outputs (index them)");
  return front();
}

const KerasTensor& KerasTensors::single() const {
  if (size() != 1)
    throw std::invalid_argument("KerasTensors: expected the single output of a layer, but the call has " +
                                std::to_string(size()) + " outputs (index them)");
  return front();
}

KerasTensors Layer::operator()(const std::vector<KerasTensor>& xs, const CallArgs& args) {
  std::shared_ptr<Layer> self;
  try {
    self = shared_from_this();
  } catch (const std::bad_weak_ptr&) {
    throw std::invalid_argument(
        name_ + ": a layer used in a functional model must be shared: create it with "
        "keras::layers::" + class_name_ + "(...) or keras::layers::make<T>(...)");
  }
  std::vector<ShapeSpec> shapes;
  for (size_t i = 0; i < xs.size(); ++i) {
    if (!xs[i].defined())
      throw std::invalid_argument(name_ + ": symbolic input " + std::to_string(i) + " is undefined");
    shapes.push_back(xs[i].shape());
  }
  if (!parent_path_) parent_path_ = current_path();  // Keras's _open_name_scope: the first one wins
  keras::detail::LayerScope name_scope(name_, this, &*parent_path_);
  if (built_) check_inputs(shapes);
  maybe_build(shapes);
  check_inputs(shapes);
  struct Symbolic {  // what compute_output_shape's probe call sees
    const std::vector<KerasTensor>* inputs;
    const CallArgs* args;
    Symbolic(const std::vector<KerasTensor>* i, const CallArgs* a) : inputs(t_symbolic_inputs), args(t_symbolic_args) {
      t_symbolic_inputs = i;
      t_symbolic_args = a;
    }
    ~Symbolic() {
      t_symbolic_inputs = inputs;
      t_symbolic_args = args;
    }
  } symbolic(&xs, &args);
  std::vector<ShapeSpec> out_shapes = compute_output_shape(shapes);
  if (output_shapes_.empty()) output_shapes_ = out_shapes;
  if (!args.masks.empty())
    throw std::invalid_argument(name_ + ": masks cannot be given to a symbolic call (they flow with the values when the model runs)");
  auto node = std::make_shared<Node>(Node{self, xs, static_cast<int>(out_shapes.size()), args});
  KerasTensors out;
  for (size_t i = 0; i < out_shapes.size(); ++i)
    out.emplace_back(out_shapes[i], output_dtype_of(i), node, static_cast<int>(i));
  return out;
}

std::vector<ShapeSpec> Layer::compute_output_shape(const std::vector<ShapeSpec>& shapes) {
  // Call the layer symbolically (its ops traced, not run; unknown dimensions taken as 1)
  // and read the shapes. A dynamic layer, whose C++ reads values, runs eagerly on zeros.
  core::InitScope outside_traces;  // a shape question, not part of any traced graph
  TrainingScope inference(false);
  // As Keras's compute_output_spec: in_symbolic_scope() for the call, and a dynamic layer's
  // assignments (run eagerly here) kept in a scope that is dropped.
  SymbolicScope symbolic;
  std::optional<core::StatelessScope> no_updates;
  if (dynamic_) no_updates.emplace();
  std::vector<Tensor> probes;
  for (size_t i = 0; i < shapes.size(); ++i) {
    ShapeSpec d = shapes[i];
    for (auto& v : d) v = v < 0 ? 1 : v;
    DType dt = t_symbolic_inputs && i < t_symbolic_inputs->size() ? (*t_symbolic_inputs)[i].dtype()
                                                                   : compute_dtype();
    probes.push_back(ops::zeros(Shape(d), dt));
  }
  probes = autocast_inputs(probes, autocast_, compute_dtype());
  LayerAutocast cast_variables(autocast_, policy_);
  const CallContext ctx{.training = false, .kwargs = t_symbolic_args ? t_symbolic_args->kwargs : Config::object()};
  std::vector<Tensor> out = dynamic_ ? call(probes, ctx)
                                    : core::symbolic_call([&](const std::vector<Tensor>& in) { return call(in, ctx); },
                                                          probes);
  call_losses_.clear();
  std::vector<ShapeSpec> specs;
  bool batch_unknown = !shapes.empty() && !shapes[0].empty() && shapes[0][0] < 0;
  for (const Tensor& t : out) {
    ShapeSpec s = spec_of(t.shape());
    if (batch_unknown && !s.empty()) s[0] = -1;
    specs.push_back(s);
  }
  return specs;
}

}  // namespace keras::layers
