// remat.h - Keras's rematerialization API: keras::remat(f) and RematScope (gradient
// checkpointing: intermediate values are computed again in the backward pass instead of
// kept, trading compute for memory). Built on core::remat_call (core/remat.h), which says
// what a second run sees.
//
//   auto block = keras::remat([&](const Tensor& x) { return dense2(dense1(x)); });
//   Tensor y = block(x);            // under a GradientTape: keeps x and y, not dense1's output
//
//   {
//     keras::RematScope scope("full");    // layers made here rematerialize their calls
//     auto model = keras::models::Sequential({Dense(4096, {.activation = "relu"}), ...});
//   }
//   model->fit(x, y);                     // eager or traced, the same gradients, less memory
#pragma once
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "core/remat.h"

namespace keras {

/// What a RematScope applies (Keras's RematMode): its mode ("full", "activations",
/// "larger_than", "list_of_layers"; nullopt disables), the output size threshold of
/// "larger_than" and the layer names of "list_of_layers".
struct RematMode {
  std::optional<std::string> mode = "full";  ///< nullopt: no rematerialization
  int64_t output_size_threshold = 1024;      ///< "larger_than": outputs of more elements
  std::vector<std::string> layer_names{};    ///< "list_of_layers": these layers' calls
  bool operator==(const RematMode&) const = default;  ///< field by field
};

/// Keras's RematScope: layers made while it is the innermost scope on this thread
/// rematerialize their calls (the mode is taken when a layer is made and applied when it
/// is called under a GradientTape, eager or traced):
/// - "full": the whole call of every layer (a model made in the scope too, around its
///   layers' own);
/// - "activations": the activation function of layers that have one (Dense, Conv*,
///   EinsumDense, Activation, ...);
/// - "larger_than": the call of layers whose outputs hold more than output_size_threshold
///   elements in all;
/// - "list_of_layers": the calls of the layers named in layer_names;
/// - nullopt: none (an inner scope that switches an outer one off).
/// Another mode throws std::invalid_argument listing these.
class RematScope {
 public:
  /// Opens the scope on this thread (closed by the destructor, innermost first).
  explicit RematScope(std::optional<std::string> mode = "full", int64_t output_size_threshold = 1024,
                      std::vector<std::string> layer_names = {});
  ~RematScope();
  RematScope(const RematScope&) = delete;
  RematScope& operator=(const RematScope&) = delete;
  /// The scope's mode.
  const RematMode& remat_mode() const { return mode_; }

 private:
  RematMode mode_;
  RematScope* outer_;
};

/// The innermost RematScope's mode on this thread (Keras's get_current_remat_mode), or
/// nullopt outside any scope.
std::optional<RematMode> get_current_remat_mode();

/// Keras's remat(f): a function computing f whose intermediate values are computed again
/// in the backward pass (core::remat_call). f takes a Tensor and returns one, or takes and
/// returns a std::vector<Tensor>; it is copied into the result.
template <class F>
auto remat(F f) {
  if constexpr (std::is_invocable_r_v<core::Tensor, const F&, const core::Tensor&>) {
    return [f = std::move(f)](const core::Tensor& x) -> core::Tensor {
      return core::remat_call([f](const std::vector<core::Tensor>& in) { return std::vector<core::Tensor>{f(in[0])}; },
                              {x})[0];
    };
  } else {
    static_assert(std::is_invocable_r_v<std::vector<core::Tensor>, const F&, const std::vector<core::Tensor>&>,
                  "keras::remat: expected a function Tensor(const Tensor&) or "
                  "std::vector<Tensor>(const std::vector<Tensor>&)");
    return [f = std::move(f)](const std::vector<core::Tensor>& xs) -> std::vector<core::Tensor> {
      return core::remat_call(f, xs);
    };
  }
}

namespace detail {
/// (keras-internal) While one lives, activations (activations::Activation) applied on this
/// thread are rematerialized: a layer made in a RematScope("activations") holds one
/// during its call.
struct RematActivations {
  explicit RematActivations(bool on);
  ~RematActivations();
  RematActivations(const RematActivations&) = delete;
  RematActivations& operator=(const RematActivations&) = delete;

 private:
  bool saved_;
};
/// Whether activations are rematerialized now (RematActivations).
bool remat_activations();
/// Whether a layer named `layer` made under `mode` rematerializes its whole call (Keras's
/// Operation.rematerialized_call): "full"; "list_of_layers" naming it; "larger_than" when
/// the outputs (output_shapes(), called only then) hold more elements than the threshold.
bool remat_whole_call(const RematMode& mode, const std::string& layer,
                      const std::function<std::vector<std::vector<int64_t>>()>& output_shapes);
}  // namespace detail

}  // namespace keras
