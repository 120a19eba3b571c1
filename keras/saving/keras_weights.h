// keras_weights.h - (private to keras/saving) where Keras 3 keeps each layer's weights in
// its HDF5 weight file: "layers/<snake_case class>[_N]/vars/<i>" in the order Keras lists
// the model's layers, nested models under their own "layers/", and the sublayers of
// recurrent layers ("cell"), Bidirectional ("forward_layer/cell", "backward_layer/cell"),
// TimeDistributed ("layer") and MultiHeadAttention ("query_dense", ...).
#pragma once
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "keras/models/model.h"
#include "keras/saving/h5_file.h"

namespace keras::saving::detail {

// Checks every layer's weights in `file` against the model (count, shape, dtype; a
// message names the layer and the file's group) and then assigns them all; nothing is
// changed when anything mismatches. Groups of layers the model lacks raise; "optimizer/"
// (Keras's optimizer state) is not read.
void assign_keras_weights(Model& model, const H5Contents& file, const std::string& source);

// Each (non-model) layer of the model with its path in Keras's saving layout
// ("layers/string_lookup", nested models' layers under theirs): where its weights and
// its assets ("assets/<path>/vocabulary.txt") are.
std::vector<std::pair<std::string, LayerPtr>> keras_layer_paths(const Model& model);

// The model's layers in the order Keras's `model.layers` lists them (a functional model's
// map_graph order, deepest first; a Sequential's own order); a subclassed model raises.
std::vector<LayerPtr> keras_ordered_layers(const Model& model);

// The bytes of the HDF5 weight file Keras 3 writes for the model (with `extra_groups` and
// `extra_datasets` after the layers', as the optimizer state).
std::string keras_weights_file(const Model& model, std::vector<std::pair<std::string, std::string>> extra_groups = {},
                               const std::vector<std::pair<std::string, Tensor>>& extra_datasets = {});

// The same for any object Keras saves (a FeatureSpace): its layers at their paths, with
// `groups` (each (path, name)) written before theirs.
std::string keras_weights_file(const std::vector<std::pair<std::string, LayerPtr>>& layers,
                               std::vector<std::pair<std::string, std::string>> groups);
// assign_keras_weights for the layers at their paths; `owner` (what they belong to) names
// the object in messages.
void assign_keras_weights(const std::vector<std::pair<std::string, LayerPtr>>& layers, const H5Contents& file,
                          const std::string& source, const std::string& owner);

}  // namespace keras::saving::detail
