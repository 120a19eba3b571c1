// directory_datasets.cpp - text/image/audio_dataset_from_directory
// (keras/utils/directory_datasets.h): Keras's index_directory (class subdirectories,
// sorted walks, a seeded shuffle of the files), its validation split, and one pipeline
// of paths and labels -> shuffle -> parallel load -> batch -> prefetch.
#include "keras/utils/directory_datasets.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <functional>
#include <set>
#include <stdexcept>

#include "core/audio_io.h"
#include "core/core.h"
#include "core/image_io.h"
#include "keras/utils/permutation_internal.h"
#include "keras/io_utils_internal.h"
#include "core/string_ops.h"

namespace keras::utils {
namespace fs = std::filesystem;
namespace ops = core::ops;
using core::DType;
using core::Shape;
using core::Tensor;
using data::Dataset;
using data::Element;

namespace {
[[noreturn]] void fail(const std::string& what) { throw std::invalid_argument(what); }

struct Common {
  std::string labels;
  std::vector<int64_t> label_values;
  std::string label_mode;
  std::vector<std::string> class_names;
  std::optional<int64_t> batch_size;
  bool shuffle;
  int64_t seed;
  double validation_split;
  std::string subset;
  bool follow_links, verbose;
};
template <class O>
Common common_of(const O& o) {
  return {o.labels, o.label_values, o.label_mode, o.class_names, o.batch_size, o.shuffle, o.seed,
          o.validation_split, o.subset, o.follow_links, o.verbose};
}

// Keras's argument checks (text_dataset_from_directory and check_validation_split_arg).
void check_common(Common& c, bool both) {
  const bool explicit_labels = !c.label_values.empty();
  if (c.labels != "inferred" && !c.labels.empty())
    fail("`labels` argument should be \"inferred\", \"\" (no labels) or explicit label_values. Received: labels=" + c.labels);
  if (explicit_labels && c.labels.empty()) fail("`labels` is \"\" (no labels), but label_values were given");
  if (explicit_labels && !c.class_names.empty())
    fail("You can only pass `class_names` if `labels=\"inferred\"`. Received explicit label_values, and class_names");
  if (c.label_mode != "int" && c.label_mode != "categorical" && c.label_mode != "binary" && !c.label_mode.empty())
    fail("`label_mode` argument must be one of \"int\", \"categorical\", \"binary\", or \"\". Received: label_mode=" +
         c.label_mode);
  if (c.labels.empty() || c.label_mode.empty()) {
    if (!c.class_names.empty() && c.labels.empty())
      fail("When `labels` is \"\" (no labels), argument `class_names` cannot be specified.");
    c.labels.clear();
    c.label_mode.clear();
  }
  if (c.batch_size && *c.batch_size <= 0) fail("`batch_size` must be > 0. Received: batch_size=" + std::to_string(*c.batch_size));
  const double v = c.validation_split;
  if (v != 0 && !(v > 0 && v < 1)) fail("`validation_split` must be between 0 and 1, received: " + std::to_string(v));
  if (both) {
    if (!c.subset.empty() && c.subset != "both")
      fail("the plural *_datasets_from_directory functions return both subsets: `subset` must be \"\" or \"both\", received: " +
           c.subset);
    c.subset = "both";
  } else if (c.subset == "both") {
    fail("`subset=\"both\"` returns two datasets: call the plural function (text_datasets_from_directory, "
         "image_datasets_from_directory, audio_datasets_from_directory)");
  }
  if ((v != 0 || !c.subset.empty()) && !(v != 0 && !c.subset.empty()))
    fail("If `subset` is set, `validation_split` must be set, and inversely.");
  if (!c.subset.empty() && c.subset != "training" && c.subset != "validation" && c.subset != "both")
    fail("`subset` must be either \"training\", \"validation\" or \"both\", received: " + c.subset);
  if (v != 0 && c.shuffle && c.seed < 0)
    fail("If using `validation_split` and shuffling the data, you must provide a `seed` argument, to make sure that "
         "there is no overlap between the training and validation subset.");
}

bool has_format(const std::string& name, const std::vector<std::string>& formats) {
  std::string lower = name;
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char ch) { return char(std::tolower(ch)); });
  for (const std::string& f : formats)
    if (lower.size() >= f.size() && lower.compare(lower.size() - f.size(), f.size(), f) == 0) return true;
  return false;
}

// The files under `dir` with one of the formats, as Keras walks: directories in sorted
// path order, the files of each sorted by name.
std::vector<std::string> valid_files(const std::string& dir, bool follow_links, const std::vector<std::string>& formats) {
  std::vector<std::pair<std::string, std::vector<std::string>>> walk;
  std::vector<std::string> pending{dir};
  std::set<fs::path> seen;
  while (!pending.empty()) {
    const std::string root = pending.back();
    pending.pop_back();
    std::error_code ec;
    if (follow_links) {
      const fs::path canonical = fs::canonical(root, ec);
      if (!ec && !seen.insert(canonical).second) continue;  // a link cycle
    }
    std::vector<std::string> files;
    for (fs::directory_iterator it(root, ec), end; !ec && it != end; it.increment(ec)) {
      const fs::directory_entry& e = *it;
      std::error_code sec;
      const bool is_link = e.is_symlink(sec);
      if (e.is_directory(sec)) {
        if (!is_link || follow_links) pending.push_back(e.path().string());
      } else if (e.is_regular_file(sec)) {
        files.push_back(e.path().filename().string());
      }
    }
    std::sort(files.begin(), files.end());
    walk.emplace_back(root, std::move(files));
  }
  std::sort(walk.begin(), walk.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<std::string> out;
  for (const auto& [root, files] : walk)
    for (const std::string& f : files)
      if (has_format(f, formats)) out.push_back((fs::path(root) / f).string());
  return out;
}

struct Indexed {
  std::vector<std::string> paths;
  std::vector<int64_t> labels;  // empty without labels
  std::vector<std::string> class_names;
};

// Keras's index_directory.
Indexed index_directory(const std::string& directory, const std::vector<std::string>& formats, const Common& c) {
  std::error_code ec;
  if (!fs::is_directory(directory, ec)) fail("directory '" + directory + "' does not exist or is not a directory");
  Indexed out;
  std::vector<std::string> subdirs;
  const bool inferred = c.labels == "inferred" && c.label_values.empty();
  if (inferred) {
    for (fs::directory_iterator it(directory, ec), end; !ec && it != end; it.increment(ec)) {
      std::error_code sec;
      const std::string name = it->path().filename().string();
      if (it->is_directory(sec) && !name.empty() && name[0] != '.') subdirs.push_back(name);
    }
    std::sort(subdirs.begin(), subdirs.end());
    if (!c.class_names.empty()) {
      for (const std::string& n : c.class_names)
        if (std::find(subdirs.begin(), subdirs.end(), n) == subdirs.end()) {
          std::string list;
          for (const std::string& s : subdirs) list += (list.empty() ? "'" : ", '") + s + "'";
          fail("The `class_names` passed did not match the names of the subdirectories of the target directory. Expected: [" +
               list + "] (or a subset of it), but received: class_names containing '" + n + "'");
        }
      subdirs = c.class_names;
    }
    for (size_t i = 0; i < subdirs.size(); ++i)
      for (std::string& p : valid_files((fs::path(directory) / subdirs[i]).string(), c.follow_links, formats)) {
        out.paths.push_back(std::move(p));
        if (!c.labels.empty()) out.labels.push_back(int64_t(i));
      }
    if (!c.labels.empty()) out.class_names = subdirs;
  } else {
    out.paths = valid_files(directory, c.follow_links, formats);
    if (!c.label_values.empty()) {
      if (c.label_values.size() != out.paths.size())
        fail("Expected the lengths of `labels` to match the number of files in the target directory. len(labels) is " +
             std::to_string(c.label_values.size()) + " while we found " + std::to_string(out.paths.size()) +
             " files in directory " + directory + ".");
      out.labels = c.label_values;
      std::set<int64_t> distinct(out.labels.begin(), out.labels.end());
      for (int64_t l : distinct) out.class_names.push_back(std::to_string(l));
      if (!c.label_mode.empty() && c.label_mode != "int" && (*distinct.begin() < 0))
        fail("label_values must be >= 0 for label_mode \"" + c.label_mode + "\"");
    }
  }
  if (c.verbose) {
    if (c.labels.empty())
      keras::detail::print_msg("Found " + std::to_string(out.paths.size()) + " files.");
    else
      keras::detail::print_msg("Found " + std::to_string(out.paths.size()) + " files belonging to " +
                        std::to_string(out.class_names.size()) + " classes.");
  }
  if (c.shuffle && !out.paths.empty()) {
    const std::vector<int64_t> perm = detail::permutation(int64_t(out.paths.size()), c.seed);
    Indexed shuffled{{}, {}, out.class_names};
    for (int64_t i : perm) {
      shuffled.paths.push_back(out.paths[size_t(i)]);
      if (!out.labels.empty()) shuffled.labels.push_back(out.labels[size_t(i)]);
    }
    shuffled.class_names = std::move(out.class_names);
    out = std::move(shuffled);
  }
  return out;
}

// Keras's get_training_or_validation_split.
Indexed subset_of(const Indexed& all, double validation_split, const std::string& subset, bool verbose) {
  if (validation_split == 0) return all;
  const size_t n = all.paths.size();
  const size_t val = size_t(validation_split * double(n));
  const size_t begin = subset == "training" ? 0 : n - val;
  const size_t end = subset == "training" ? n - val : n;
  if (verbose)
    keras::detail::print_msg("Using " + std::to_string(end - begin) + " files for " + subset + ".");
  Indexed out{{all.paths.begin() + long(begin), all.paths.begin() + long(end)}, {}, all.class_names};
  if (!all.labels.empty()) out.labels.assign(all.labels.begin() + long(begin), all.labels.begin() + long(end));
  return out;
}

using Loader = std::function<Tensor(const Tensor& path)>;
using Batcher = std::function<Dataset(const Dataset&, int64_t)>;

DirectoryDataset make_dataset(const Indexed& idx, const Common& c, bool shuffle, const Loader& load, const Batcher& batch,
                              const std::string& what) {
  if (idx.paths.empty()) fail("No " + what);
  const Tensor paths = core::constant(idx.paths);
  Element slices{paths};
  if (!c.label_mode.empty()) {
    Tensor labels = core::constant(std::vector<int32_t>(idx.labels.begin(), idx.labels.end()));
    if (c.label_mode == "binary") labels = ops::expand_dims(ops::cast(labels, DType::float32), -1);
    if (c.label_mode == "categorical") labels = ops::one_hot(labels, int64_t(idx.class_names.size()));
    slices = Element{paths, labels};
  }
  Dataset ds = Dataset::from_tensor_slices(slices);
  if (shuffle) ds = ds.shuffle(c.batch_size ? *c.batch_size * 8 : 1024, {.seed = c.seed});
  ds = ds.map_fn(
      [load](const Element& e) {
        if (e.size() == 1) return Element{load(e[0])};
        return Element{load(e[0]), e[1]};
      },
      {.num_parallel_calls = data::AUTOTUNE});
  if (c.batch_size) ds = batch(ds, *c.batch_size);
  return DirectoryDataset(ds.prefetch(data::AUTOTUNE), idx.class_names, idx.paths);
}

// The single or the two-subset result of one directory.
struct Built {
  DirectoryDataset first;
  std::optional<DirectoryDataset> second;
};
Built build(const std::string& directory, Common c, bool both, const std::vector<std::string>& formats,
            const Loader& load, const Batcher& batch, const std::string& kind) {
  check_common(c, both);
  if (c.seed < 0)
    c.seed = ops::random_uniform({}, {.minval = 0, .maxval = 1e6, .dtype = DType::float64}).item<int64_t>();
  const Indexed all = index_directory(directory, formats, c);
  if (c.label_mode == "binary" && all.class_names.size() != 2)
    fail("When passing `label_mode=\"binary\"`, there must be exactly 2 class_names. Received: " +
         std::to_string(all.class_names.size()) + " class names");
  std::string allowed;
  for (const std::string& f : formats) allowed += (allowed.empty() ? "" : ", ") + f;
  if (!both) {
    const Indexed part = subset_of(all, c.validation_split, c.subset, c.verbose);
    return {make_dataset(part, c, c.shuffle, load, batch, kind + " found in directory " + directory + ". Allowed formats: " + allowed),
            std::nullopt};
  }
  const Indexed train = subset_of(all, c.validation_split, "training", c.verbose);
  const Indexed val = subset_of(all, c.validation_split, "validation", c.verbose);
  return {make_dataset(train, c, c.shuffle, load, batch, "training " + kind + " found in directory " + directory + ". Allowed formats: " + allowed),
          make_dataset(val, c, false, load, batch, "validation " + kind + " found in directory " + directory + ". Allowed formats: " + allowed)};
}

// ---- the three kinds ----------------------------------------------------------------------
Dataset plain_batch(const Dataset& d, int64_t n) { return d.batch(n); }

Built text(const std::string& directory, const TextDatasetOptions& o, bool both) {
  if (o.max_length && *o.max_length < 0) fail("`max_length` must be >= 0. Received: max_length=" + std::to_string(*o.max_length));
  const std::optional<int64_t> max_length = o.max_length;
  Loader load = [max_length](const Tensor& path) {
    Tensor text = core::io::read_file(path.item<std::string>());
    return max_length ? core::strings::substr(text, 0, *max_length) : text;
  };
  return build(directory, common_of(o), both, {".txt"}, load, plain_batch, "text files");
}

// tf.image.resize_with_pad: the largest size of the image's aspect ratio that fits, then
// zero padding before of half the slack, from the unrounded size (TensorFlow's float32
// arithmetic).
Tensor resize_with_pad(const Tensor& image, int64_t th, int64_t tw, const std::string& interpolation) {
  const float h = float(image.shape()[0]), w = float(image.shape()[1]);
  const float ratio = std::max(w / float(tw), h / float(th));
  const float fh = h / ratio, fw = w / ratio;
  const int64_t rh = std::max<int64_t>(1, int64_t(std::floor(fh))), rw = std::max<int64_t>(1, int64_t(std::floor(fw)));
  const int64_t top = std::max<int64_t>(0, int64_t(std::floor((float(th) - fh) / 2)));
  const int64_t left = std::max<int64_t>(0, int64_t(std::floor((float(tw) - fw) / 2)));
  Tensor resized = ops::image::resize(image, {rh, rw}, {.interpolation = interpolation});
  return ops::pad(resized, {{top, th - rh - top}, {left, tw - rw - left}, {0, 0}});
}

Built image(const std::string& directory, const ImageDatasetOptions& o, bool both) {
  int64_t channels = 0;
  if (o.color_mode == "rgb") channels = 3;
  else if (o.color_mode == "rgba") channels = 4;
  else if (o.color_mode == "grayscale") channels = 1;
  else fail("`color_mode` must be one of {\"rgb\", \"rgba\", \"grayscale\"}. Received: color_mode=" + o.color_mode);
  if (o.image_size && (o.image_size->size() != 2 || (*o.image_size)[0] <= 0 || (*o.image_size)[1] <= 0))
    fail("Invalid `image_size` value. Expected a tuple of 2 positive integers. Received " +
         std::to_string(o.image_size->size()) + " values");
  if (!o.image_size && o.batch_size)
    fail("`image_size` can be unset only when `batch_size` is unset too (images of different sizes cannot be batched)");
  if (o.interpolation != "bilinear" && o.interpolation != "nearest")
    fail("Argument `interpolation` should be one of (\"bilinear\", \"nearest\"). Received: interpolation=" + o.interpolation);
  if (o.crop_to_aspect_ratio && o.pad_to_aspect_ratio)
    fail("Only one of `pad_to_aspect_ratio`, `crop_to_aspect_ratio` can be set to `True`.");
  if (o.data_format != "channels_last" && o.data_format != "channels_first")
    fail("`data_format` must be \"channels_last\" or \"channels_first\". Received: data_format=" + o.data_format);
  const std::optional<std::vector<int64_t>> size = o.image_size;
  const ImageDatasetOptions opts = o;
  Loader load = [channels, size, opts](const Tensor& path) {
    Tensor img = core::io::decode_image(core::io::read_file(path.item<std::string>()),
                                        {.channels = channels, .expand_animations = false});
    img = ops::cast(img, DType::float32);
    if (size) {
      if (opts.pad_to_aspect_ratio)
        img = resize_with_pad(img, (*size)[0], (*size)[1], opts.interpolation);
      else
        img = ops::image::resize(img, *size, {.interpolation = opts.interpolation, .crop_to_aspect_ratio = opts.crop_to_aspect_ratio});
    }
    if (opts.data_format == "channels_first") img = ops::transpose(img, {2, 0, 1});
    return img;
  };
  return build(directory, common_of(o), both, {".bmp", ".gif", ".jpeg", ".jpg", ".png"}, load, plain_batch, "images");
}

Built audio(const std::string& directory, const AudioDatasetOptions& o, bool both) {
  if (o.output_sequence_length && *o.output_sequence_length <= 0)
    fail("`output_sequence_length` must be > 0. Received: output_sequence_length=" + std::to_string(*o.output_sequence_length));
  if (o.ragged && o.output_sequence_length)
    fail("Cannot set both `ragged` and `output_sequence_length`");
  const int64_t samples = o.output_sequence_length.value_or(-1);
  Loader load = [samples](const Tensor& path) {
    return core::audio::decode_wav(core::io::read_file(path.item<std::string>()), {.desired_samples = samples}).audio;
  };
  Batcher batch = plain_batch;
  if (o.ragged) batch = [](const Dataset& d, int64_t n) { return d.ragged_batch(n); };
  else if (!o.output_sequence_length) batch = [](const Dataset& d, int64_t n) { return d.padded_batch(n); };
  return build(directory, common_of(o), both, {".wav"}, load, batch, "audio files");
}

std::pair<DirectoryDataset, DirectoryDataset> pair_of(Built b) { return {std::move(b.first), std::move(*b.second)}; }
}  // namespace

DirectoryDataset text_dataset_from_directory(const std::string& directory, const TextDatasetOptions& o) {
  return text(directory, o, false).first;
}
std::pair<DirectoryDataset, DirectoryDataset> text_datasets_from_directory(const std::string& directory,
                                                                           const TextDatasetOptions& o) {
  return pair_of(text(directory, o, true));
}
DirectoryDataset image_dataset_from_directory(const std::string& directory, const ImageDatasetOptions& o) {
  return image(directory, o, false).first;
}
std::pair<DirectoryDataset, DirectoryDataset> image_datasets_from_directory(const std::string& directory,
                                                                            const ImageDatasetOptions& o) {
  return pair_of(image(directory, o, true));
}
DirectoryDataset audio_dataset_from_directory(const std::string& directory, const AudioDatasetOptions& o) {
  return audio(directory, o, false).first;
}
std::pair<DirectoryDataset, DirectoryDataset> audio_datasets_from_directory(const std::string& directory,
                                                                            const AudioDatasetOptions& o) {
  return pair_of(audio(directory, o, true));
}

}  // namespace keras::utils
