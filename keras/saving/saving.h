// saving.h - saving and loading models, weights and training checkpoints (Keras's
// keras.saving): keras-cpp's own versioned, checksummed file format (keras/saving/format.h;
// `.kcpp` by convention), and Keras 3's `.keras` and `.weights.h5` files; written
// atomically, read with every length checked before anything is allocated.
//
//   model->save("model.kcpp");                          // architecture, weights, compile, optimizer
//   keras::ModelPtr m = keras::models::load_model("model.kcpp");
//   model->save("model.keras");                         // Keras 3's format (Keras loads it)
//   keras::ModelPtr k = keras::models::load_model("from_python.keras");
//   model->save_weights("model.weights");               // weights only (".npz": NumPy archive)
//   other->load_weights("model.weights");
//   keras::saving::register_serializable<MyHuber>();    // a user class, in its family
//   keras::models::load_model(path, {.custom_objects = {{"MyHuber", MyHuber::from_config}}});
#pragma once
#include <cstddef>
#include <functional>
#include <iosfwd>
#include <string>
#include <string_view>

#include "keras/config.h"
#include "keras/models/model.h"
#include "core/atomic_file.h"
#include "keras/saving/serializable.h"

namespace keras {
/// Shared ownership of a model, as load_model returns it.
using ModelPtr = std::shared_ptr<Model>;
}

namespace keras::saving {

/// A path to save to that names a directory, a device (/dev/null), a FIFO or a socket
/// (directly or through symbolic links): refused before anything is written.
using core::NotRegularFileError;

/// Writes via a temporary file in the same folder (same-directory temp name, write, flush,
/// fsync the file, rename over path, fsync the directory); on any error (a throwing
/// `write`, a full disk, an unwritable folder) the temporary file is removed, the old file
/// at path is untouched, and the error propagates (std::runtime_error naming the path).
/// A symbolic link at path (through any number of levels) is followed: its final target
/// is replaced, in the target's folder, and the link stays; a dangling link gets its
/// target created. A target that is not a regular file raises NotRegularFileError (a
/// std::invalid_argument naming the path and what it is). The new file keeps the
/// permissions of the file it replaces.
void write_file_atomically(const std::string& path, const std::function<void(std::ostream&)>& write);

/// The architecture (registered classes only), the weights, the compile configuration
/// (optimizer, losses, metrics, loss_weights) and the optimizer state (slot variables and
/// iteration count). A subclassed model whose class is not registered is saved with its
/// weights only; load_model then raises, and load_weights reads the file.
/// A path ending in ".keras" writes Keras 3's format instead: the architecture and the
/// weights of a Sequential or Functional model (compiled: its compile configuration and
/// optimizer state too, when Keras's layout fits them), a zip that keras.saving.load_model
/// reads.
void save_model(const Model& model, const std::string& path);

/// load_model's options (Keras's load_model keyword arguments).
struct LoadOptions {
  CustomObjects custom_objects{};  ///< user classes by name, registered in their family
  bool compile = true;             ///< recompile (with the optimizer state) when saved compiled
};
/// Reads a model written by save_model (Keras's load_model): the architecture from
/// registered classes or custom_objects, the weights and, with options.compile, the compile
/// configuration and optimizer state. A file of another kind or a corrupt one throws naming
/// the problem.
/// It reads keras-cpp's files, Keras 3's `.keras` files and whole models in the legacy HDF5
/// format (`model.save("m.h5")` of Keras 2 and Keras 3), told apart by their first bytes;
/// for the last two the compile configuration and the optimizer state are restored when
/// keras-cpp can honour them, with a warning otherwise (see README, "Keras 3 files").
ModelPtr load_model(const std::string& path, const LoadOptions& options = {});
/// The same from the bytes of a file in memory; `source` names it in messages.
ModelPtr load_model_from_memory(std::string_view bytes, const LoadOptions& options = {},
                                const std::string& source = "<memory>");

/// Keras's model_from_json(json, custom_objects): a model (new weights) from the JSON of
/// Model::to_json() or Keras's model.to_json() (Keras 3's, or Keras 2's, read as a legacy
/// .h5 file's model_config), compiled when it holds a compile
/// configuration keras-cpp can honour (options.compile; otherwise a warning names what it
/// cannot). Malformed JSON, a class keras-cpp lacks or an option it cannot honour throws
/// naming it.
ModelPtr model_from_json(std::string_view json, const LoadOptions& options = {});

/// The weights, in the order of model.weights(), named "<layer>/<weight>". A path ending
/// in ".npz" writes / reads a NumPy archive with those names instead; one ending in
/// ".weights.h5" Keras 3's HDF5 weight file (Sequential and Functional models).
void save_weights(const Model& model, const std::string& path);
/// Checks the count and each shape and dtype (an error names the model's weight and the
/// file's, with both shapes); also reads the weights of a save_model or checkpoint file,
/// and Keras 3's `.weights.h5` and `.keras` files (told apart by their first bytes).
void load_weights(Model& model, const std::string& path);

/// Weights + optimizer state (+ the optimizer's iteration count) of an existing model, with
/// user metadata (a keras::Config object), for checkpoints / BackupAndRestore.
void save_checkpoint(const Model& model, const std::string& path, const Config& metadata = Config());
/// Restores weights and optimizer state into model (building the optimizer's slots if
/// needed; the model must be compiled when the checkpoint holds optimizer state) and
/// returns the metadata.
Config load_checkpoint(Model& model, const std::string& path);

}  // namespace keras::saving

namespace keras::models {
using saving::load_model;
using saving::model_from_json;
}
