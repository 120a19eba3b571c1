// feature_space_file.h - a FeatureSpace in a Keras 3 `.keras` file (Keras's
// FeatureSpace.save and keras.saving.load_model for it): its config, the adapted state of
// its preprocessors (Normalization's statistics in model.weights.h5, vocabularies in the
// config or, in Keras's files, as assets), read and written in Keras's layout.
#pragma once
#include <string>
#include <string_view>

#include "keras/utils/feature_space.h"

namespace keras::saving {

/// Writes the FeatureSpace (adapted or not) to a `.keras` file that Keras 3 loads with
/// keras.saving.load_model, crash-safely (an existing file is replaced only once the new
/// one is complete).
void save_feature_space(const utils::FeatureSpace& feature_space, const std::string& path);

/// Reads a FeatureSpace from a `.keras` file written by save_feature_space or by Keras 3's
/// FeatureSpace.save. A file that is not one (a model's, a corrupt or hostile one) raises
/// format::FormatError or std::invalid_argument naming the file and what is wrong.
utils::FeatureSpace load_feature_space(const std::string& path);
/// The same from the file's bytes; `source` names them in messages.
utils::FeatureSpace load_feature_space_from_memory(std::string_view bytes, const std::string& source);

}  // namespace keras::saving
