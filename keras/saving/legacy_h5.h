// legacy_h5.h - (private to keras/saving) Keras 2's HDF5 weight layout (`model.save_weights
// ("x.h5")` in Keras 2, the ImageNet weight files of keras.applications, the
// `model_weights` group of a Keras 2 `.h5` model): root attribute `layer_names`, one group
// per layer with attribute `weight_names`, the weights at `<layer>/<weight name>`.
#pragma once
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "keras/models/model.h"
#include "keras/saving/h5_file.h"

namespace keras::saving::detail {

// A string attribute of a group, also when Keras split a long one into `name0`, `name1`,
// ... (its save_attributes_to_hdf5_group does past HDF5's 64 KiB header limit).
std::optional<std::vector<std::string>> legacy_attribute(const H5Contents& file, const std::string& group,
                                                         const std::string& name);

// Whether the file has Keras 2's layout (a `layer_names` attribute at its root or in its
// `model_weights` group).
bool is_legacy_h5(const H5Contents& file);
// Keras 3's legacy_h5_format.load_weights_from_hdf5_group: the layers with weights, in
// Keras's order of model.layers (keras_ordered_layers), take the saved layers with weights, in order (their names may
// differ), each its weights in the file's `weight_names` order against the layer's trainable then non-trainable
// weights. Counts, shapes and dtypes (floating values convert) are checked before anything is assigned; a mismatch
// raises std::invalid_argument naming the layer, a malformed file format::FormatError. With `assigned`, each variable
// that took a value with the name the file gives it (its `weight_names` entry, as "dense/kernel:0").
void assign_legacy_weights(Model& model, const H5Contents& file, const std::string& source,
                           std::vector<std::pair<Variable, std::string>>* assigned = nullptr);

}  // namespace keras::saving::detail
