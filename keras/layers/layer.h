// layer.h - the Layer base class and Ref<T> (symbolic tensors and call arguments:
// keras_tensor.h).
//
// Layer::operator() is a template method (Keras's Layer.__call__): it (1) checks the
// inputs against the layer's input spec, (2) builds the layer once from the real input
// shapes, (3) runs call(), and (4) for symbolic inputs records a Node so functional
// models can replay the graph. Subclasses override only build, call,
// compute_output_shape and get_config.
//
// Layers are shared: built-in layers are created by functions named after the Keras
// class (`keras::layers::Dense(64, {.activation = "relu"})`), which return a Ref (a
// shared_ptr that can be called); user subclasses are created with
// `keras::layers::make<MyLayer>(args...)`.
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/autodiff.h"
#include "core/tensor.h"
#include "keras/config.h"
#include "keras/layers/keras_tensor.h"
#include "keras/layers/layer_options.h"
#include "keras/layers/weight_budget.h"
#include "keras/mixed_precision.h"

namespace keras {
using core::DType;
using core::Shape;
using core::Tensor;
using core::Variable;

struct RematMode;
namespace initializers { class Initializer; }
namespace regularizers { class Regularizer; }
namespace constraints { class Constraint; }

namespace layers {

class SeedGenerator;

/// A shared layer (or model) that can be called like the object itself.
template <class T>
class Ref : public std::shared_ptr<T> {
 public:
  Ref() = default;
  /// Wraps a shared_ptr (implicit).
  Ref(std::shared_ptr<T> p) : std::shared_ptr<T>(std::move(p)) {}
  /// Converts from a Ref of a derived class (Ref<Dense> to Ref<Layer>).
  template <class U, class = std::enable_if_t<std::is_convertible_v<U*, T*>>>
  Ref(const Ref<U>& o) : std::shared_ptr<T>(o) {}
  ///@{
  /// The calls of Layer, spelled out so braced lists work: layer({a, b}), layer(x, {.mask = m}).
  decltype(auto) operator()(const Tensor& x) const { return (**this)(x); }
  decltype(auto) operator()(const Tensor& x, bool training) const { return (**this)(x, training); }
  decltype(auto) operator()(const Tensor& x, const CallArgs& args) const { return (**this)(x, args); }
  decltype(auto) operator()(const std::vector<Tensor>& xs) const { return (**this)(xs); }
  decltype(auto) operator()(const std::vector<Tensor>& xs, bool training) const { return (**this)(xs, training); }
  decltype(auto) operator()(const std::vector<Tensor>& xs, const CallArgs& args) const { return (**this)(xs, args); }
  decltype(auto) operator()(const KerasTensor& x) const { return (**this)(x); }
  decltype(auto) operator()(const KerasTensor& x, const CallArgs& args) const { return (**this)(x, args); }
  decltype(auto) operator()(const std::vector<KerasTensor>& xs) const { return (**this)(xs); }
  decltype(auto) operator()(const std::vector<KerasTensor>& xs, const CallArgs& args) const {
    return (**this)(xs, args);
  }
  template <class... A>
  decltype(auto) operator()(A&&... a) const {
    return (**this)(std::forward<A>(a)...);
  }
  ///@}
};

/// Creates a user-defined layer: `make<MyLayer>(args...)` is
/// `Ref<MyLayer>(std::make_shared<MyLayer>(args...))`.
template <class T, class... A>
Ref<T> make(A&&... args) {
  return Ref<T>(std::make_shared<T>(std::forward<A>(args)...));
}

/// What a layer accepts: rank bounds and fixed sizes of some axes (checked before call).
struct InputSpec {
  ///@{
  /// Required rank, or minimum rank (-1: no constraint).
  int64_t ndim = -1, min_ndim = -1;
  ///@}
  std::map<int64_t, int64_t> axes;  ///< axis (negative from the end) -> required size
};

/// What Layer::stateless_call returns.
struct StatelessCallResult {
  std::vector<Tensor> outputs;  ///< the call's outputs
  /// The non-trainable variables' values after the call, 1:1 with
  /// non_trainable_variables() (BatchNormalization's moving statistics when training, a
  /// seeded Dropout's advanced generator state).
  std::vector<Tensor> non_trainable_variables;
  std::vector<Tensor> losses;  ///< the layer's losses of the call (with return_losses only)
};

/// The base class of layers and models (Keras `keras.layers.Layer`): weights, sublayers,
/// losses, masks and the call protocol. Subclasses override build, call,
/// compute_output_shape and get_config.
class Layer : public std::enable_shared_from_this<Layer> {
 public:
  /// class_name is the Keras class name (used in configs and for the default name).
  Layer(std::string class_name, const LayerOptions& options = {});
  virtual ~Layer();
  Layer(const Layer&) = delete;
  Layer& operator=(const Layer&) = delete;

  // ---- calling (the template method) ----
  ///@{
  /// The training flag, masks and keyword arguments are resolved as CallArgs says; the
  /// outputs get the masks compute_mask() gives (when the layer supports masking).
  Tensor operator()(const Tensor& x) { return (*this)(x, CallArgs{}); }
  Tensor operator()(const Tensor& x, bool training) { return (*this)(x, CallArgs{.training = training}); }
  Tensor operator()(const Tensor& x, const CallArgs& args);
  Tensors operator()(const std::vector<Tensor>& xs) { return (*this)(xs, CallArgs{}); }
  Tensors operator()(const std::vector<Tensor>& xs, bool training) {
    return (*this)(xs, CallArgs{.training = training});
  }
  Tensors operator()(const std::vector<Tensor>& xs, const CallArgs& args);
  KerasTensor operator()(const KerasTensor& x, const CallArgs& args = {});
  KerasTensors operator()(const std::vector<KerasTensor>& xs, const CallArgs& args = {});
  ///@}

  // ---- what subclasses override ----
  ///@{
  /// Called once, before the first call, with the input shapes (batch may be -1).
  virtual void build(const std::vector<ShapeSpec>& input_shapes);
  virtual void build(const ShapeSpec& input_shape);
  ///@}
  ///@{
  /// The computation. Single-input layers override the first; multi-input (merge)
  /// layers the second; layers that read masks or keyword arguments the third (its
  /// default calls the second with ctx.training).
  virtual Tensor call(const Tensor& x, bool training);
  virtual std::vector<Tensor> call(const std::vector<Tensor>& xs, bool training);
  virtual std::vector<Tensor> call(const std::vector<Tensor>& xs, const CallContext& ctx);
  ///@}
  /// Keras's compute_mask: the masks of the outputs, given the inputs and their masks
  /// (one per input, undefined where none). Only asked when supports_masking(); the
  /// default passes the first input's mask on to every output.
  virtual std::vector<Tensor> compute_mask(const std::vector<Tensor>& inputs, const std::vector<Tensor>& masks);
  /// Output shapes for symbolic inputs. The default runs call() on zeros (unknown
  /// dimensions taken as 1) and marks the batch axis unknown again.
  virtual std::vector<ShapeSpec> compute_output_shape(const std::vector<ShapeSpec>& input_shapes);
  /// The dtype of the layer's outputs, as symbolic calls (and a dynamic layer's node in a
  /// traced function) give them: compute_dtype() unless a layer says otherwise (Keras's
  /// compute_output_spec: Discretization's int32 indices under a float32 policy).
  virtual DType output_dtype() const { return compute_dtype(); }
  /// The dtype of output `index` (output_dtype() unless a layer's outputs differ, as
  /// keras.ops.top_k's values and indices).
  virtual DType output_dtype_of(size_t index) const {
    (void)index;
    return output_dtype();
  }
  /// Keras's config: name, trainable, dtype, dynamic; subclasses add their arguments.
  virtual Config get_config() const;
  /// The state of the layer's own random generator (Keras's SeedGenerator: the number of
  /// draws a seeded Dropout or GaussianNoise has made), saved by BackupAndRestore so a
  /// resumed run draws the same numbers; 0 for layers without one.
  /// Layers with one return it from seed_generator().
  uint64_t seed_generator_state() const;
  /// Restores the state seed_generator_state() returned (no-op for layers without a
  /// generator).
  void set_seed_generator_state(uint64_t state);
  ///@{
  /// The layer's random generator, or nullptr (the default) for layers that draw no random
  /// numbers.
  virtual const SeedGenerator* seed_generator() const { return nullptr; }
  SeedGenerator* seed_generator() { return const_cast<SeedGenerator*>(std::as_const(*this).seed_generator()); }
  ///@}

  /// Keras's stateless_call: the call with the variables read as the given values (1:1
  /// with trainable_variables() and non_trainable_variables(), the latter holding the
  /// random generators' states) inside a StatelessScope, so no variable changes; returns
  /// the outputs, the non-trainable variables' new values (moving statistics, advanced
  /// generator states: pass them to the next call for new random numbers) and, with
  /// return_losses, losses(). Gradients flow to the given tensors (a GradientTape that
  /// watches them). Raises std::invalid_argument when the layer is not built or a list's
  /// length differs from the weights'.
  StatelessCallResult stateless_call(const std::vector<Tensor>& trainable_variables,
                                     const std::vector<Tensor>& non_trainable_variables,
                                     const std::vector<Tensor>& inputs, const CallArgs& args = {},
                                     bool return_losses = false);

  // ---- weights and sublayers ----
  /// Creates a weight (Keras `add_weight`) tracked by this layer, initialized by
  /// options.initializer (default glorot_uniform); throws std::runtime_error past a
  /// WeightBudget, core::OutOfMemoryError when it cannot be allocated.
  Variable add_weight(const std::string& name, const Shape& shape, const WeightOptions& options = {});
  /// Tracks a sublayer: its weights and losses become this layer's too.
  template <class T>
  Ref<T> track(Ref<T> layer) {
    track_layer(layer);
    return layer;
  }
  /// Tracks a sublayer (no-op if already tracked); throws std::invalid_argument for a null
  /// layer or the layer itself.
  void track_layer(const std::shared_ptr<Layer>& layer);
  /// Stops tracking a sublayer (no-op if it is not tracked).
  void untrack_layer(const std::shared_ptr<Layer>& layer);
  /// The tracked sublayers, in tracking order.
  const std::vector<std::shared_ptr<Layer>>& sublayers() const { return sublayers_; }

  std::vector<Variable> weights() const;  ///< own weights, then sublayers' (deduplicated)
  /// The trainable ones of weights() (Keras `trainable_weights`).
  std::vector<Variable> trainable_weights() const;
  /// The non-trainable ones of weights() (Keras `non_trainable_weights`).
  std::vector<Variable> non_trainable_weights() const;
  /// Keras's `variables`: weights() plus the state of each random generator (a seeded
  /// Dropout's draw counter), in Keras's order: a layer's own weights, its generator's
  /// state, then its sublayers' variables (deduplicated).
  std::vector<Variable> variables() const;
  /// The trainable ones of variables() (Keras `trainable_variables`; the same list as
  /// trainable_weights()).
  std::vector<Variable> trainable_variables() const;
  /// The non-trainable ones of variables() (Keras `non_trainable_variables`): the
  /// non-trainable weights and the generators' states, what stateless_call takes and
  /// returns.
  std::vector<Variable> non_trainable_variables() const;
  /// The number of scalars in weights() (Keras `count_params`).
  int64_t count_params() const;
  /// The values of weights(), in order (Keras `get_weights`).
  std::vector<Tensor> get_weights() const;
  void set_weights(const std::vector<Tensor>& values);  ///< shapes and dtypes checked

  // ---- quantization, and the weights a file stores ----
  /// Keras's quantize(mode): replaces the layer's float weights by quantized ones and its
  /// policy by "int8_from_<policy>". Dense, EinsumDense and Embedding take "int8"; the
  /// default raises core::NotImplementedError naming the class (Model::quantize warns and
  /// skips such layers). A mode other than "int8" raises std::invalid_argument.
  virtual void quantize(const std::string& mode);
  /// The policy's quantization mode ("int8" once quantized); empty otherwise.
  const std::string& quantization_mode() const { return policy_.quantization_mode(); }
  /// One weight as a Keras weights file (.keras, .weights.h5) stores it.
  struct StoredWeight {
    Variable variable;  ///< what loading assigns
    Tensor value;       ///< what saving writes
  };
  /// Keras's save_own_variables / load_own_variables: the weights a weights file holds
  /// for this layer, in the file's order, with the values saving writes. The default:
  /// weights() and their values. A layer with LoRA enabled stores its kernel with the
  /// low-rank update merged in, and not the two factors.
  virtual std::vector<StoredWeight> stored_weights() const;
  /// Called after loading assigned stored_weights() from a file (a layer with LoRA enabled
  /// zeroes its factors, whose update the stored kernel holds); the default does nothing.
  virtual void stored_weights_loaded() {}
  /// Keras's save_own_variables entries stored by name rather than as numbered weights (a
  /// tf_idf lookup's idf weights): each with its path under the layer's group
  /// ("vars/idf_weights"). The default: none.
  virtual std::vector<std::pair<std::string, Tensor>> stored_named_tensors() const { return {}; }
  /// Whether a weights file's entry at `path` (under the layer's group) is one of those.
  virtual bool stores_named_tensor(const std::string& /*path*/) const { return false; }
  /// load_own_variables for those entries (paths that stores_named_tensor() accepts); may
  /// raise std::invalid_argument for a value the layer cannot take. The default: nothing.
  virtual void load_stored_named_tensors(const std::vector<std::pair<std::string, Tensor>>&) {}

  // ---- losses ----
  void add_loss(const Tensor& loss);  ///< from call(): activity regularization and co.
  /// Losses of the last call (this layer and sublayers) plus the weight regularizers.
  std::vector<Tensor> losses() const;

  // ---- attributes ----
  /// The layer's unique name (LayerOptions::name or a generated one).
  const std::string& name() const { return name_; }
  /// Keras 3's layer.path: the name scopes open when the layer was built, then its name
  /// ("sequential/dense"; keras/name_scope.h); empty until it is built. Its weights'
  /// paths (Variable::path) are "<path>/<weight>".
  const std::string& path() const { return path_; }
  /// The Keras class name ("Dense"), used in configs.
  const std::string& class_name() const { return class_name_; }
  /// Whether the layer's weights are trained (see set_trainable).
  bool trainable() const { return trainable_; }
  void set_trainable(bool t);  ///< freezes / unfreezes every weight, sublayers included
  /// Whether the layer always runs eagerly (LayerOptions::dynamic).
  bool dynamic() const { return dynamic_; }
  /// Whether the layer's outputs carry masks (compute_mask); a layer that does not drops
  /// its inputs' masks, with a warning (Keras's supports_masking).
  bool supports_masking() const { return supports_masking_; }
  /// Whether the layer takes RaggedTensor inputs (RaggedTensor::as_tensor() handles):
  /// Embedding, GlobalAveragePooling1D / GlobalMaxPooling1D, models and InputLayer. Any
  /// other layer given one raises std::invalid_argument naming the layer and the input.
  bool supports_ragged() const { return supports_ragged_; }
  /// Whether build() has run (by the first call or called directly).
  bool built() const { return built_ || built_by_direct_build_; }
  /// Builds the layer for `input_shapes` unless it is built, as its first call would:
  /// inside its name scope (Keras's build wrapper), so the weights of the layers it holds
  /// get Keras's paths. Wrappers build their inner layers with it.
  void build_if_needed(const std::vector<ShapeSpec>& input_shapes) { maybe_build(input_shapes); }
  /// The dtype of the layer's variables (Keras's `layer.dtype`; variable_dtype()).
  DType dtype() const { return policy_.variable_dtype(); }
  /// The layer's dtype policy (LayerOptions::dtype, or the global policy at construction).
  /// Given a DTypePolicyMap, the map's policy for the layer's path() once it is built (the
  /// map's default before).
  const mixed_precision::DTypePolicy& dtype_policy() const { return policy_; }
  /// The DTypePolicyMap the layer was given (LayerOptions::dtype or set_dtype_policy),
  /// which its config saves and its sublayers share; null without one.
  const mixed_precision::DTypePolicyMap* dtype_policy_map() const { return policy_given_.policy_map(); }
  /// What sublayers made by this layer take as their policy: the DTypePolicyMap it was
  /// given, else dtype_policy().
  const mixed_precision::DTypePolicy& sublayer_dtype_policy() const {
    return policy_given_.policy_map() ? policy_given_ : policy_;
  }
  /// Replaces the policy (Keras's dtype_policy setter; a DTypePolicyMap too);
  /// std::logic_error once the layer has weights.
  void set_dtype_policy(const mixed_precision::DTypePolicy& policy);
  /// The dtype of the computations and of floating outputs (the policy's compute dtype).
  DType compute_dtype() const { return policy_.compute_dtype(); }
  /// The dtype weights are created in (the policy's variable dtype).
  DType variable_dtype() const { return policy_.variable_dtype(); }
  /// Whether floating inputs and variables are cast to compute_dtype() in calls
  /// (LayerOptions::autocast).
  bool autocast() const { return autocast_; }
  /// LayerOptions::input_shape (empty when not given).
  const ShapeSpec& declared_input_shape() const { return input_shape_; }
  /// Input and output shapes of the first symbolic call (for summary()).
  const std::vector<ShapeSpec>& output_shapes() const { return output_shapes_; }
  /// The RematScope's mode when the layer was made (keras/remat.h), which decides what its
  /// calls rematerialize; null outside any scope.
  const RematMode* remat_mode() const { return remat_mode_.get(); }

 protected:
  /// Inside compute_output_shape of a symbolic call: that call's KerasTensor inputs (their
  /// dtypes); null otherwise.
  static const std::vector<KerasTensor>* symbolic_call_inputs();
  InputSpec input_spec;  ///< set in the constructor or build()
  bool supports_masking_ = false;  ///< set by layers that propagate or produce masks
  bool supports_ragged_ = false;   ///< set by layers whose call() takes ragged handles
  /// Marks the layer built (for subclasses that build without the first call).
  void set_built() { built_ = true; }
  /// Runs `build` inside the layer's name scope and records path() (Keras's build wrapper),
  /// for subclasses that build outside a call (Sequential, at construction).
  void in_build_scope(const std::function<void()>& build);
  /// Replaces the activity regularizer (LayerOptions::activity_regularizer).
  void set_activity_regularizer(std::shared_ptr<const regularizers::Regularizer> r) {
    activity_regularizer_ = std::move(r);
  }
  /// The same options as the ones this layer was made with (for get_config overrides).
  Config base_config() const;
  /// Replaces a weight of this layer by a new one in the same place of weights() (the
  /// int8 kernel that quantize() puts where the float one was); throws std::logic_error
  /// when `old` is not one of this layer's own weights.
  Variable replace_weight(const Variable& old, const std::string& name, const Shape& shape,
                          const WeightOptions& options);
  /// Moves one of this layer's own weights right after `after` (to the front when `after`
  /// is undefined) in weights(): quantize() after enable_lora() puts the scale where a
  /// layer built from the same config has it.
  void move_weight_after(const Variable& weight, const Variable& after);
  /// Freezes (or unfreezes) one of this layer's own weights for good: set_trainable(true)
  /// on the layer keeps it as set here (enable_lora() freezes the kernel).
  void set_weight_trainable(const Variable& weight, bool trainable);
  /// Sets the policy of a built layer (quantize(): "int8_from_<policy>").
  void set_quantized_policy(const mixed_precision::DTypePolicy& policy);

 private:
  void check_inputs(const std::vector<ShapeSpec>& shapes) const;
  void maybe_build(const std::vector<ShapeSpec>& shapes);
  // Keras's _open_name_scope: the layer's scope, under the path it was first used in.
  std::optional<std::string> parent_path_;
  std::string path_;
  std::string open_scope_parent();
  // After call(): the activity regularizer's losses and the outputs' masks.
  void finish_call(const std::vector<Tensor>& xs, const CallContext& ctx, const std::vector<Tensor>& out);
  void clear_call_losses();
  void collect_weights(std::vector<Variable>& out, std::vector<const Layer*>& seen, bool with_seed_states = false) const;

  std::string class_name_, name_;
  bool trainable_, dynamic_, autocast_;
  mixed_precision::DTypePolicy policy_;
  mixed_precision::DTypePolicy policy_given_;  // a DTypePolicyMap, else the same as policy_
  ShapeSpec input_shape_;
  bool built_ = false;
  std::vector<Variable> weights_;
  std::vector<bool> weight_trainable_;  // as created (set_trainable(true) restores these)
  std::vector<std::pair<Variable, std::shared_ptr<const regularizers::Regularizer>>> regularized_;
  std::vector<std::pair<Variable, std::shared_ptr<const constraints::Constraint>>> constrained_;
  std::vector<std::shared_ptr<Layer>> sublayers_;
  std::vector<Tensor> call_losses_;
  std::vector<ShapeSpec> output_shapes_;
  std::shared_ptr<const regularizers::Regularizer> activity_regularizer_;
  int call_depth_ = 0;
  bool building_ = false;             // inside maybe_build()
  bool built_by_direct_build_ = false;  // weights were added by a build() the user called
  bool warned_mask_ = false;
  std::shared_ptr<const RematMode> remat_mode_;  // the RematScope's mode at construction

 public:
  /// Constraints to apply after an optimizer step: (variable, constraint) pairs of this
  /// layer and its sublayers.
  std::vector<std::pair<Variable, std::shared_ptr<const constraints::Constraint>>> constraints() const;
};

/// A shared handle to any layer.
using LayerPtr = Ref<Layer>;

/// A unique default name: "dense", "dense_1", ... per snake_case base name.
std::string unique_name(const std::string& base);
/// Keras's to_snake_case of a class name ("Conv2D" -> "conv2d", "PReLU" -> "p_re_lu").
std::string snake_case(const std::string& class_name);
void reset_uids();  ///< for tests: names start again at "dense"
/// Keras's get_uid(prefix): the next count of `prefix` (from 1), shared with unique_name.
int64_t next_uid(const std::string& prefix);

}  // namespace layers
}  // namespace keras
