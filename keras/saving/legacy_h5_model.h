// legacy_h5_model.h - (private to keras/saving) whole models in the legacy HDF5 format:
// `model.save("x.h5")` of Keras 2 (tf.keras, tf_keras) and of Keras 3 (its legacy writer).
// The root holds the attributes `model_config` (the architecture as JSON), `training_config`
// (compile's loss, metrics, loss_weights and optimizer_config), `keras_version` and
// `backend`; the weights are Keras 2's layout in the `model_weights` group (legacy_h5.h),
// and the optimizer state in `optimizer_weights` (attribute `weight_names`): Keras 2 names
// each variable, Keras 3 (keras_version 3.x) lists its optimizer.variables in order.
#pragma once
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "keras/config.h"
#include "keras/models/model.h"
#include "keras/saving/h5_file.h"

namespace keras::saving::detail {

// The keras_version keras-cpp's legacy files record: Keras 3's layout (the optimizer state
// in the order of Keras 3's optimizer.variables), as for .keras files.
inline constexpr const char* kLegacyH5KerasVersion = "3.0.0";

// Whether the HDF5 file is a whole model (a `model_config` attribute at its root).
bool is_legacy_h5_model(const H5Contents& file);

// A Keras 2 model config in the form Keras 3's config.json has, as Keras 3's
// legacy_h5_format reads it: "Model" is "Functional"; an InputLayer's batch_input_shape is
// its batch_shape (another layer's is dropped; a Sequential model without an InputLayer
// gets one from its first layer's, as Keras 2 built it); a one-item axis list is its item;
// a mixed-precision "Policy" is its name; Embedding's input_length (a check only) is
// dropped, and the recurrent layers' implementation (1 or 2: the same results) and
// time_major=false, MultiHeadAttention's build shapes, the groups=1 and unused kernel
// options that separable, depthwise and transposed convolutions inherited; LeakyReLU's
// alpha is negative_slope; the activation "swish" is "silu"; Bidirectional's layer is named
// forward_<name> as Keras 3 names it; written by Keras 2, a "hard_sigmoid" activation is
// "keras2_hard_sigmoid" (Keras 2's slope 0.2, not Keras 3's 1/6). Nested models and
// wrapped layers are converted too.
Value keras2_model_config(const Value& model_config, bool written_by_keras2 = true);

// A Lambda layer's config from Keras (2 or 3): a function given as Python code (Keras 2's
// marshaled bytecode, Keras 3's "__lambda__" entry) becomes the layer's name, under which
// keras::layers::register_lambda gives its C++ stand-in (an unregistered one raises at the
// rebuild, saying to register it); Keras 2's bookkeeping of the Python function is dropped,
// and arguments for the Python function raise std::invalid_argument. A config whose
// function is already a name is returned as it is.
Value lambda_layer_config(const Value& config);

// A Keras 2 TFOpLambda entry (a TensorFlow function called in a functional model:
// tf.nn.relu, x * 2.0, tf.reduce_mean, tf.concat, tf.reshape, ...) as the Keras 3 entry of
// the keras.ops call computing the same (module keras.src.ops, its node's args holding
// __keras_tensor__ references); a function keras-cpp does not map, or an argument it
// does not read, raises std::invalid_argument naming the layer (legacy_h5_tfop.cpp).
Value tf_op_lambda_entry(const Value& entry);

// A Keras 2 training_config as the compile_config restore_compile takes: the optimizer
// without Keras 2's keys that change nothing (jit_compile, is_legacy_optimizer, a zero
// decay; "Custom>Adam" is Adam, lr is learning_rate); losses and loss weights given by
// output name in the model's output order; a loss's reduction "auto" is
// "sum_over_batch_size"; Keras 2's metric entries (one list per output) named as Keras 2
// logged them. What has no Keras 3 form (a non-zero legacy decay, the legacy Nadam) raises
// std::invalid_argument naming it.
Value keras2_compile_config(const Value& training_config, const Model& model);

// load_model of a legacy HDF5 model file: the architecture (each option checked, as for
// .keras files), the weights, and with `compile` the training configuration and the
// optimizer state (Keras 2's `optimizer_weights`, by the names of its variables) when
// keras-cpp can honour them; otherwise a warning names what it cannot and the model comes
// back uncompiled, or compiled with fresh optimizer variables.
std::shared_ptr<Model> load_legacy_h5_model(const H5Contents& file, const std::string& source, bool compile);

// save_model(model, "m.h5"), as Keras 3's legacy writer: the root attributes keras_version
// and model_config (the Keras 3 config of a Sequential or Functional model; a subclassed one
// raises), `model_weights` (layer_names in Keras's order of model.layers, each layer's
// trainable then non-trainable weights under its name, named by their paths), and when
// compiled training_config (Keras 3's compile_config with the optimizer as
// optimizer_config) and `optimizer_weights` (Keras 3's optimizer.variables in order).
// Written atomically.
void save_legacy_h5_model(const Model& model, const std::string& path);

}  // namespace keras::saving::detail
