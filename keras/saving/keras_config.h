// keras_config.h - (private to keras/saving) the model config of Keras 3's `.keras` files
// (config.json) and keras-cpp's own, each way: module / registered_name entries, dtype
// policies, Sequential's InputLayer, functional inbound nodes ({"args", "kwargs"} with
// "__keras_tensor__" references), and the order Keras gives a functional model's layers.
#pragma once
#include <string>
#include <vector>

#include "keras/config.h"
#include "keras/models/model.h"

namespace keras::saving::detail {

// Keras's naming.to_snake_case: "BatchNormalization" -> "batch_normalization",
// "Conv2D" -> "conv2d", "PReLU" -> "p_re_lu" (the names of the weight file's groups).
std::string snake_case(const std::string& class_name);

// v[key] when v is an object holding key, else a null value (never raises).
const Value& field(const Value& v, const char* key);
// field(v, key) when it is a string, else fallback.
std::string string_field(const Value& v, const char* key, const std::string& fallback = "");

// A Keras 3 model entry ({"module", "class_name": "Sequential" | "Functional", "config",
// ...}) as the {"class_name", "config"} that keras::layers::deserialize reads. A class
// keras-cpp lacks raises std::invalid_argument naming the class and the layer.
Config keras_to_cpp(const Value& keras_entry, const std::string& source);

// A Keras 3 layer entry as the {"class_name", "config"} that keras::layers::deserialize
// reads (a class keras-cpp lacks raises std::invalid_argument naming it); and a layer as a
// Keras 3 layer entry.
Config keras_layer_to_cpp(const Value& keras_entry, const std::string& source);
Value keras_layer_entry(const layers::Layer& layer);
// {"module", "class_name", "config", "registered_name"}: how Keras 3 writes an object.
Value keras_entry(const char* module, const std::string& cls, Config config, Value registered = Value());

// Keras's {"module", "class_name", "config", "registered_name"} objects (in any value) as
// keras-cpp's {"class_name", "config"}, dtype policies as their dtype's name.
Value keras_value_to_cpp(const Value& v);

// The first option of `keras_config` that `mine` (the get_config() of what keras-cpp
// built from it) does not honour, as "key=value", or "" when every one is honoured (see
// check_honoured for the rule).
std::string unhonoured_option(const Value& keras_config, const Value& mine);

// Raises std::invalid_argument naming the layer class, the layer and the option when a
// layer of `model` (rebuilt from `keras_entry`) does not report an option of the Keras
// config with the same value, and the option is not one keras-cpp may leave out (an
// option left at null / false, or one that changes no prediction).
void check_honoured(const Value& keras_entry, const Model& model, const std::string& source);

// The model as a Keras 3 model entry (Sequential or Functional; nested models too). A
// subclassed model raises std::invalid_argument.
Value cpp_to_keras(const Model& model);

// The names of a functional model's layers in the order Keras 3 gives them (its
// map_graph: deepest first, ties by first visit of a depth-first walk from the outputs),
// from keras-cpp's functional config ("layers" with "inbound_nodes" lists,
// "input_layers", "output_layers").
std::vector<std::string> keras_layer_order(const Config& functional_config);

}  // namespace keras::saving::detail
