// common.cpp - the shared parts of the application functions (common.h): Keras's
// argument checks and obtain_input_shape, the input, pooling, and the weights.
#include "keras/applications/common.h"

#include <filesystem>
#include <iostream>
#include <set>
#include <stdexcept>

#include "keras/layers/all.h"
#include "keras/settings.h"

namespace keras::applications::detail {
namespace {

// imagenet_utils.obtain_input_shape, for a model with weights `weights` ("" for None).
ShapeSpec obtain_input_shape(const ShapeSpec& given, int64_t default_size, int64_t min_size, bool channels_last,
                             bool require_flatten, bool imagenet) {
  ShapeSpec default_shape = channels_last ? ShapeSpec{default_size, default_size, 3} : ShapeSpec{3, default_size, default_size};
  if (!imagenet && given.size() == 3) {
    const int64_t ch = channels_last ? given[2] : given[0];
    if (ch != 1 && ch != 3)
      std::cerr << "WARNING: This model usually expects 1 or 3 input channels. However, it was passed an input_shape "
                   "with " << ch << " input channels.\n";
    default_shape = channels_last ? ShapeSpec{default_size, default_size, ch} : ShapeSpec{ch, default_size, default_size};
  }
  if (imagenet && require_flatten) {
    if (!given.empty() && given != default_shape)
      throw std::invalid_argument("When setting `include_top=True` and loading `imagenet` weights, `input_shape` should be " +
                                  shape_text(default_shape) + ".  Received: input_shape=" + shape_text(given));
    return default_shape;
  }
  ShapeSpec shape = given;
  if (!given.empty()) {
    if (given.size() != 3) throw std::invalid_argument("`input_shape` must be a tuple of three integers; received " + shape_text(given));
    const int64_t ch = channels_last ? given[2] : given[0];
    if (ch != 3 && imagenet)
      throw std::invalid_argument("The input must have 3 channels; Received `input_shape=" + shape_text(given) + "`");
    if (ch <= 0) throw std::invalid_argument("The input must have a known, positive number of channels; Received `input_shape=" +
                                             shape_text(given) + "`");
    const int64_t rows = channels_last ? given[0] : given[1], cols = channels_last ? given[1] : given[2];
    if ((rows >= 0 && rows < min_size) || (cols >= 0 && cols < min_size))
      throw std::invalid_argument("Input size must be at least " + std::to_string(min_size) + "x" + std::to_string(min_size) +
                                  "; Received: input_shape=" + shape_text(given));
  } else {
    shape = require_flatten ? default_shape : channels_last ? ShapeSpec{-1, -1, 3} : ShapeSpec{3, -1, -1};
  }
  if (require_flatten)
    for (int64_t d : shape)
      if (d < 0)
        throw std::invalid_argument("If `include_top` is True, you should specify a static `input_shape`. Received: input_shape=" +
                                    shape_text(shape));
  return shape;
}

// The InputLayer tensors a symbolic tensor comes from (Keras's get_source_inputs).
void source_inputs(const KerasTensor& t, std::vector<KerasTensor>& out, std::set<const void*>& seen) {
  if (!seen.insert(t.id()).second) return;
  const auto& node = t.node();
  if (!node || node->inputs.empty()) {
    out.push_back(t);
    return;
  }
  for (const KerasTensor& in : node->inputs) source_inputs(in, out, seen);
}

bool file_exists(const std::string& path) {
  std::error_code ec;
  return std::filesystem::is_regular_file(path, ec);
}
}  // namespace

Start begin(const std::string& fn, const ApplicationOptions& o, int64_t default_size, int64_t min_size, Extras extras) {
  auto refuse = [&](bool given, bool allowed, const char* what) {
    if (given && !allowed) throw std::invalid_argument(fn + " takes no `" + what + "` argument");
  };
  refuse(o.alpha.has_value(), extras.alpha, "alpha");
  refuse(o.depth_multiplier.has_value(), extras.depth_multiplier, "depth_multiplier");
  refuse(o.dropout.has_value(), extras.dropout, "dropout");
  refuse(o.include_preprocessing.has_value(), extras.include_preprocessing, "include_preprocessing");
  refuse(o.minimalistic.has_value(), extras.minimalistic, "minimalistic");
  const bool imagenet = o.weights && *o.weights == "imagenet";
  if (o.weights && !imagenet && !file_exists(*o.weights))
    throw std::invalid_argument("The `weights` argument should be either `None` (std::nullopt: random initialization), "
                                "'imagenet' (pre-training on ImageNet), or the path to the weights file to be loaded.  "
                                "Received: weights=" + *o.weights);
  if (imagenet && o.include_top && o.classes != 1000)
    throw std::invalid_argument("If using `weights='imagenet'` with `include_top=True`, `classes` should be 1000.  Received classes=" +
                                std::to_string(o.classes));
  if (o.include_top && o.classes <= 0)
    throw std::invalid_argument(fn + ": expected classes > 0, but received " + std::to_string(o.classes));
  if (o.pooling != "" && o.pooling != "avg" && o.pooling != "max")
    throw std::invalid_argument(fn + ": expected pooling \"\" (None), \"avg\" or \"max\", but received \"" + o.pooling + "\"");
  Start s;
  s.fn = fn;
  s.channels_last = config::image_data_format() == "channels_last";
  s.bn_axis = s.channels_last ? 3 : 1;
  ShapeSpec given = o.input_shape;
  if (given.empty() && o.input_tensor) {
    const ShapeSpec& ts = o.input_tensor->shape();
    if (ts.size() == 4) given.assign(ts.begin() + 1, ts.end());
  }
  if (extras.own_input_shape)
    s.input_shape = !given.empty() ? given : s.channels_last ? ShapeSpec{-1, -1, 3} : ShapeSpec{3, -1, -1};
  else
    s.input_shape = obtain_input_shape(given, default_size, min_size, s.channels_last, o.include_top, imagenet);
  if (o.input_tensor) {
    if (!o.input_tensor->defined()) throw std::invalid_argument(fn + ": the input_tensor is empty");
    const ShapeSpec& ts = o.input_tensor->shape();
    if (ts.size() != 4)
      throw std::invalid_argument(fn + ": expected an input_tensor of 4 axes (batch, rows, cols, channels), but received shape " +
                                  shape_text(ts));
    s.img_input = *o.input_tensor;
    std::set<const void*> seen;
    source_inputs(s.img_input, s.inputs, seen);
  } else {
    s.img_input = keras::Input(s.input_shape);
    s.inputs = {s.img_input};
  }
  return s;
}

void validate_activation(const ApplicationOptions& o) {
  if (!o.weights) return;
  const std::string& a = o.classifier_activation.name;
  if (a != "softmax" && a != "linear")
    throw std::invalid_argument("Only `None` and `softmax` activations are allowed for the `classifier_activation` argument "
                                "when using pretrained weights, with `include_top=True`; Received: classifier_activation=" + a);
}

KerasTensor pool(const KerasTensor& x, const ApplicationOptions& o, const std::string& avg_name, const std::string& max_name) {
  if (o.pooling == "avg") return layers::GlobalAveragePooling2D({.name = avg_name})(x);
  if (o.pooling == "max") return layers::GlobalMaxPooling2D({.name = max_name})(x);
  return x;
}

KerasTensor classifier_top(const KerasTensor& x, const ApplicationOptions& o, const std::string& avg_name,
                           const std::string& max_name, const std::string& top_pool_name) {
  if (!o.include_top) return pool(x, o, avg_name, max_name);
  validate_activation(o);
  KerasTensor y = layers::GlobalAveragePooling2D({.name = top_pool_name})(x);
  return layers::Dense(o.classes, {.activation = o.classifier_activation, .name = "predictions"})(y);
}

ImagenetFiles tf_dim_ordering_files(const std::string& key, const std::string& folder) {
  return {key + "_weights_tf_dim_ordering_tf_kernels.h5", key + "_weights_tf_dim_ordering_tf_kernels_notop.h5",
          "https://storage.googleapis.com/tensorflow/keras-applications/" + folder + "/"};
}

Ref<FunctionalModel> finish(const Start& s, const KerasTensor& out, const ApplicationOptions& o, const std::string& default_name,
                const ImagenetFiles& files) {
  Ref<FunctionalModel> model = keras::Functional(s.inputs, {out}, {.name = o.name.empty() ? default_name : o.name});
  if (!o.weights) return model;
  std::string path = *o.weights;
  if (path == "imagenet") {
    const std::string file = o.include_top ? files.top : files.no_top;
    const std::string url = o.include_top ? files.top_url : files.no_top_url;
    path = imagenet_utils::cache_dir() + "/" + file;
    if (!file_exists(path))
      throw std::runtime_error(s.fn + ": the ImageNet weights file " + path +
                               " is not there (keras-cpp downloads nothing): fetch " +
                               (url.empty() ? files.base_url + file : url + " as " + file) +
                               " into that directory (Keras in Python puts it there on first use), or pass "
                               "weights = std::nullopt for random initialization");
  }
  model->load_weights(path);
  return model;
}

std::vector<std::pair<int64_t, int64_t>> correct_pad(const Start& s, const KerasTensor& x, int64_t kernel) {
  const ShapeSpec& shape = x.shape();
  const int64_t rows = shape[s.channels_last ? 1 : 2], cols = shape[s.channels_last ? 2 : 3];
  const int64_t adjust_r = rows < 0 ? 1 : 1 - rows % 2, adjust_c = rows < 0 ? 1 : 1 - cols % 2;
  const int64_t c = kernel / 2;
  return {{c - adjust_r, c}, {c - adjust_c, c}};
}

int64_t channels(const Start& s, const KerasTensor& x) { return x.shape()[size_t(s.channels_last ? 3 : 1)]; }

int64_t make_divisible(double v, int64_t divisor) {
  int64_t nv = std::max(divisor, int64_t(v + double(divisor) / 2) / divisor * divisor);
  if (double(nv) < 0.9 * v) nv += divisor;
  return nv;
}

std::string shape_text(const ShapeSpec& s) {
  std::string out = "(";
  for (size_t i = 0; i < s.size(); ++i) out += (i ? ", " : "") + (s[i] < 0 ? std::string("None") : std::to_string(s[i]));
  return out + (s.size() == 1 ? ",)" : ")");
}

}  // namespace keras::applications::detail
