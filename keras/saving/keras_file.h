// keras_file.h - (private to keras/saving) Keras 3's files: `.keras` (a zip of
// metadata.json, config.json and model.weights.h5) and `.weights.h5`, read and written
// for Sequential and Functional models (saving.cpp chooses them by extension and content).
#pragma once
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "keras/config.h"
#include "keras/models/model.h"

namespace keras::saving::detail {

struct H5Contents;

// Gives the StringLookup, IntegerLookup and TextVectorization layers among `layers` (each
// at its path in Keras's layout) that have no vocabulary the one in the .keras archive
// `bytes` ("assets/<path>/vocabulary.txt"), where it has one; a tf_idf layer takes its idf
// weights from `weights` ("<path>/vars/idf_weights", Keras's save_own_variables).
void load_vocabulary_assets(const std::vector<std::pair<std::string, LayerPtr>>& layers, std::string_view bytes,
                            const H5Contents& weights, const std::string& source);

// The members of a .keras archive.
inline constexpr const char* kKerasConfig = "config.json";
inline constexpr const char* kKerasMetadata = "metadata.json";
inline constexpr const char* kKerasWeights = "model.weights.h5";
// The bytes of a .keras archive: metadata.json (the format's version as Keras reads it,
// the date, "saved_by" keras-cpp), the config (config.json) and the weight file.
std::string keras_archive(const Value& config, std::string weights);

bool is_zip(std::string_view bytes);   // starts like a zip archive ("PK\3\4")
bool is_hdf5(std::string_view bytes);  // starts with HDF5's signature

// A `.keras` file: the architecture from config.json (each layer's options checked), the
// weights from model.weights.h5, and with `compile` the compile configuration (optimizer,
// loss, metrics, loss_weights) when keras-cpp can honour all of it; otherwise a warning
// names what it cannot, and the model comes back uncompiled, as Keras does. Compiled, its
// optimizer takes the file's optimizer state (restore_keras_optimizer_state).
std::shared_ptr<Model> load_keras_model(std::string_view bytes, const std::string& source, bool compile = true);
// The model a Keras 3 model entry (config.json, model.to_json()) describes, with new
// weights; a malformed entry or a class keras-cpp lacks throws naming it (the options are
// checked with check_honoured separately).
std::shared_ptr<Model> model_from_keras_config(const Config& keras_cfg, const std::string& source);
// The same, creating no more weight bytes than the datasets of `weights` hold (at least
// 64 MiB): a corrupt or hostile config cannot allocate without bound.
std::shared_ptr<Model> model_from_keras_config(const Config& keras_cfg, const H5Contents& weights,
                                               const std::string& source);
// Keras's compile_config as CompileOptions, then model.compile(). Anything keras-cpp cannot
// honour (an optimizer option, per-output metrics, ...) raises std::invalid_argument before
// anything is compiled.
void restore_compile(Model& model, const Value& compile_config);
// Compiles `model` from the entry's "compile_config" when it has one keras-cpp can honour;
// otherwise prints a warning naming what it cannot (the model stays uncompiled, as Keras).
void compile_from_keras_config(Model& model, const Config& keras_cfg, const std::string& source);
// The Keras 3 compile_config of a compiled model (optimizer, loss, metrics, loss_weights,
// run_eagerly, ...), as model.to_json() holds it.
Value keras_compile_config(const Model& model);
// Puts the optimizer state of a Keras 3 weight file ("optimizer/vars/<i>", Keras's
// optimizer.variables) into the compiled model's optimizer, building its slots; a layout
// that does not match (another optimizer, a LossScaleOptimizer) is skipped with a warning.
void restore_keras_optimizer_state(const Model& model, const H5Contents& weights, const std::string& source);
// The same from the values themselves, in the order of Keras's optimizer.variables (a legacy
// .h5 file's `optimizer_weights` as Keras 3 writes them).
void restore_keras_optimizer_values(const Model& model, const std::vector<const Tensor*>& values,
                                    const std::string& source);
// The compiled model's optimizer state in the order of Keras's optimizer.variables, named
// "<optimizer>/<i>" (what Keras 3's legacy .h5 writer saves); empty when the model is not
// compiled or its optimizer's layout is not mirrored.
std::vector<std::pair<std::string, Tensor>> keras_optimizer_values(const Model& model);
// The groups and datasets of the compiled model's optimizer state as Keras writes them
// ("optimizer/vars/<i>"; a MultiOptimizer's optimizers also at
// "optimizer/optimizers/<name>/vars", a LossScaleOptimizer's inner one at
// "optimizer/inner_optimizer/vars"), built for its trainable weights; nothing for an
// optimizer whose layout keras-cpp does not mirror, or when a layer stores other weights
// than it trains (LoRA): then false.
bool keras_optimizer_datasets(const Model& model, std::vector<std::pair<std::string, std::string>>& groups,
                              std::vector<std::pair<std::string, Tensor>>& datasets);
// Writes what Keras 3's model.save writes (the architecture and the weights), atomically.
void save_keras_model(const Model& model, const std::string& path);

// Weights from a `.weights.h5` file, or from the model.weights.h5 of a `.keras` file.
void load_keras_weights(Model& model, std::string_view bytes, const std::string& source);
void save_keras_weights(const Model& model, const std::string& path);

}  // namespace keras::saving::detail
