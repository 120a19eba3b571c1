// imagenet_utils.cpp - keras.applications.imagenet_utils: preprocess_input in its three
// modes, decode_predictions with Keras's class index file, and Keras's cache directory.
#include <cstdlib>
#include <filesystem>
#include <stdexcept>

#include "core/ops.h"
#include "core/ops_numpy.h"
#include "keras/applications/applications.h"
#include "keras/config.h"
#include "keras/datasets/cache.h"
#include "keras/saving/format.h"
#include "keras/settings.h"

namespace keras::applications::imagenet_utils {

std::string cache_dir() { return datasets::keras_home() + "/models"; }

Tensor preprocess_input(const Tensor& x, const std::string& mode, const std::string& data_format) {
  if (mode != "caffe" && mode != "tf" && mode != "torch")
    throw std::invalid_argument("Expected mode to be one of `caffe`, `tf` or `torch`. Received: mode=" + mode);
  const std::string df = data_format.empty() ? config::image_data_format() : data_format;
  if (df != "channels_first" && df != "channels_last")
    throw std::invalid_argument("Expected data_format to be one of `channels_first` or `channels_last`. Received: data_format=" + df);
  const int64_t rank = x.rank();
  if (rank != 3 && rank != 4)
    throw std::invalid_argument("preprocess_input: expected an image (3 axes) or a batch of images (4 axes), but received shape " +
                                x.shape().str());
  const int64_t axis = df == "channels_last" ? rank - 1 : rank - 3;
  if (x.shape()[axis] != 3)
    throw std::invalid_argument("preprocess_input: expected 3 color channels on axis " + std::to_string(axis) + " (" + df +
                                "), but received shape " + x.shape().str());
  namespace ops = core::ops;
  Tensor y = core::is_floating(x.dtype()) ? x : ops::cast(x, DType::float32);
  if (mode == "tf") return y / 127.5 - 1.0;
  std::vector<double> mean{0.485, 0.456, 0.406};
  if (mode == "caffe") {
    y = ops::flip(y, axis);  // RGB to BGR
    mean = {103.939, 116.779, 123.68};
  } else {
    y = y / 255.0;
  }
  std::vector<int64_t> shape(size_t(rank), 1);
  shape[size_t(axis)] = 3;
  auto per_channel = [&](const std::vector<double>& v) {
    return ops::cast(core::constant(v, core::Shape(shape)), y.dtype());
  };
  y = y + per_channel({-mean[0], -mean[1], -mean[2]});
  if (mode == "torch") y = y / per_channel({0.229, 0.224, 0.225});
  return y;
}

std::vector<std::vector<Prediction>> decode_predictions(const Tensor& preds, int top, const std::string& class_index_path) {
  if (preds.rank() != 2 || preds.shape()[1] != 1000)
    throw std::invalid_argument("`decode_predictions` expects a batch of predictions (i.e. a 2D array of shape (samples, 1000)). "
                                "Received array with shape: " + preds.shape().str());
  if (top < 1 || top > 1000) throw std::invalid_argument("decode_predictions: expected 1 <= top <= 1000, but received " + std::to_string(top));
  const std::string path = class_index_path.empty() ? cache_dir() + "/imagenet_class_index.json" : class_index_path;
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec))
    throw std::runtime_error("decode_predictions: the ImageNet class index " + path +
                             " is not there (keras-cpp downloads nothing): fetch "
                             "https://storage.googleapis.com/download.tensorflow.org/data/imagenet_class_index.json "
                             "into Keras's cache directory (Keras in Python puts it there on first use), or pass its path");
  const Value index = Value::from_json(saving::format::read_file(path, uint64_t(1) << 24));
  std::vector<std::pair<std::string, std::string>> classes(1000);
  for (int i = 0; i < 1000; ++i) {
    const Value* entry = index.find(std::to_string(i));
    if (!entry || entry->type() != Value::Type::list || entry->as_list().size() != 2)
      throw std::invalid_argument(path + ": expected an ImageNet class index (\"" + std::to_string(i) +
                                  "\": [wordnet id, description] for every class 0..999)");
    classes[size_t(i)] = {entry->as_list()[0].as_string(), entry->as_list()[1].as_string()};
  }
  const Tensor p = core::ops::cast(preds, DType::float32).cpu();
  const float* data = p.data<float>();
  const Tensor order = core::ops::argsort(p, -1, /*descending=*/true);  // stable: ties keep the lower index first
  const int32_t* idx = order.data<int32_t>();
  std::vector<std::vector<Prediction>> out;
  for (int64_t r = 0; r < p.shape()[0]; ++r) {
    std::vector<Prediction> row;
    for (int k = 0; k < top; ++k) {
      const int32_t c = idx[r * 1000 + k];
      row.push_back({classes[size_t(c)].first, classes[size_t(c)].second, data[r * 1000 + c]});
    }
    out.push_back(std::move(row));
  }
  return out;
}

}  // namespace keras::applications::imagenet_utils
