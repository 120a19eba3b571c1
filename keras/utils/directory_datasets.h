// directory_datasets.h - keras.utils' datasets of files in class subdirectories:
// text_dataset_from_directory (.txt), image_dataset_from_directory (.png, .jpg, .jpeg,
// .gif, .bmp) and audio_dataset_from_directory (.wav), with Keras 3's arguments and defaults.
//
//   main_directory/class_a/a_1.txt, main_directory/class_b/b_1.txt, ...
//   auto train = keras::utils::text_dataset_from_directory(
//       "main_directory", {.validation_split = 0.2, .subset = "training", .seed = 1337});
//   auto [tr, val] = keras::utils::image_datasets_from_directory(
//       "photos", {.image_size = {180, 180}, .validation_split = 0.2, .seed = 1});
//   model->fit(train, {.epochs = 3});  // train.class_names: {"class_a", "class_b"}
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "keras/data/dataset.h"

namespace keras::utils {

/// What the *_dataset_from_directory functions return: the dataset, with Keras's
/// `class_names` attribute and the paths of its files (in their order before the
/// per-iteration shuffle).
class DirectoryDataset : public data::Dataset {
 public:
  /// The dataset with its class names and file paths.
  DirectoryDataset(data::Dataset dataset, std::vector<std::string> class_names, std::vector<std::string> file_paths)
      : data::Dataset(std::move(dataset)), class_names(std::move(class_names)), file_paths(std::move(file_paths)) {}
  /// The class of label i (the subdirectory names, or the labels given as text); empty
  /// without labels.
  std::vector<std::string> class_names;
  /// The files, as found (directory/subdirectory/name).
  std::vector<std::string> file_paths;
};

// The options every directory dataset shares, in Keras's order.
#define KERAS_DIRECTORY_DATASET_OPTIONS                                                        \
  /** "inferred": each file's label is its subdirectory's index in class_names; "": no */      \
  /** labels (Keras's None). */                                                                \
  std::string labels = "inferred";                                                             \
  /** Explicit labels instead (Keras's list): one per file, the files in sorted path order. */ \
  std::vector<int64_t> label_values{};                                                         \
  /** "int" (int32 scalars), "categorical" (float32 one-hot), "binary" (float32 (1,): */       \
  /** exactly two classes) or "" (no labels). */                                               \
  std::string label_mode = "int";                                                              \
  /** The subdirectories to read, in label order (default: all, sorted). */                    \
  std::vector<std::string> class_names{};                                                      \
  /** Elements per batch; unset: unbatched elements. */                                        \
  std::optional<int64_t> batch_size = 32;                                                      \
  /** Shuffle the files (once, by the seed) and the elements at each iteration (a buffer */    \
  /** of 8 batches). */                                                                        \
  bool shuffle = true;                                                                         \
  int64_t seed = -1; /**< -1: drawn (validation_split with shuffle needs a seed) */             \
  double validation_split = 0.0; /**< in (0, 1): the last fraction of the files */             \
  /** "training", "validation" (needs validation_split), or "" (all files; the plural */       \
  /** functions return both subsets). */                                                       \
  std::string subset = "";                                                                     \
  bool follow_links = false; /**< descend into symbolic links to directories */                \
  bool verbose = true;       /**< print how many files and classes were found */

/// text_dataset_from_directory's options.
struct TextDatasetOptions {
  KERAS_DIRECTORY_DATASET_OPTIONS
  /// Keep at most this many bytes of each text (unset: all).
  std::optional<int64_t> max_length = std::nullopt;
};
/// image_dataset_from_directory's options.
struct ImageDatasetOptions {
  KERAS_DIRECTORY_DATASET_OPTIONS
  std::string color_mode = "rgb";  ///< "rgb" (3 channels), "rgba" (4) or "grayscale" (1)
  /// {height, width} every image is resized to (float32 values in [0, 255]); unset keeps
  /// each image's size (then batch_size must be unset).
  std::optional<std::vector<int64_t>> image_size = std::vector<int64_t>{256, 256};
  std::string interpolation = "bilinear";  ///< "bilinear" or "nearest"
  /// Crop the largest centered window of the target aspect ratio, then resize.
  bool crop_to_aspect_ratio = false;
  /// Resize to fit, keeping the aspect ratio, and pad with zeros (tf.image.resize_with_pad).
  bool pad_to_aspect_ratio = false;
  std::string data_format = "channels_last";  ///< or "channels_first"
};
/// audio_dataset_from_directory's options.
struct AudioDatasetOptions {
  KERAS_DIRECTORY_DATASET_OPTIONS
  /// Cut or zero-pad every clip to this many samples; unset: batches are padded to their
  /// longest clip (or ragged, below).
  std::optional<int64_t> output_sequence_length = std::nullopt;
  /// Batch clips of different lengths as ragged tensors (Dataset::ragged_batch).
  bool ragged = false;
};

/// keras.utils.text_dataset_from_directory: elements (text, label) — a string scalar and
/// the label as label_mode says — or (text) without labels, batched. Keras's argument
/// checks and messages; no .txt file raises std::invalid_argument naming the directory.
DirectoryDataset text_dataset_from_directory(const std::string& directory, const TextDatasetOptions& options = {});
/// Keras's subset="both": the training and the validation datasets.
std::pair<DirectoryDataset, DirectoryDataset> text_datasets_from_directory(const std::string& directory,
                                                                           const TextDatasetOptions& options);
/// keras.utils.image_dataset_from_directory: elements (image, label), the image float32
/// (height, width, channels) decoded by keras::io::decode_image and resized.
DirectoryDataset image_dataset_from_directory(const std::string& directory, const ImageDatasetOptions& options = {});
/// Keras's subset="both".
std::pair<DirectoryDataset, DirectoryDataset> image_datasets_from_directory(const std::string& directory,
                                                                            const ImageDatasetOptions& options);
/// keras.utils.audio_dataset_from_directory: elements (audio, label), the audio float32
/// (samples, channels) from keras::audio::decode_wav. Resampling (Keras's sampling_rate,
/// which needs tensorflow-io) is not offered.
DirectoryDataset audio_dataset_from_directory(const std::string& directory, const AudioDatasetOptions& options = {});
/// Keras's subset="both".
std::pair<DirectoryDataset, DirectoryDataset> audio_datasets_from_directory(const std::string& directory,
                                                                            const AudioDatasetOptions& options);

}  // namespace keras::utils
