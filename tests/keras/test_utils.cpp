// test_utils.cpp - keras::utils: to_categorical, normalize, pad_sequences,
// timeseries_dataset_from_array, split_dataset and the *_dataset_from_directory
// functions, against Keras 3.15 (tests/data/utils/make_utils_fixtures.py).
#include <doctest/doctest.h>

#include <cstdio>
#include <filesystem>
#include <map>
#include <set>
#include <tuple>
#include <string>

#include "../error_of.h"
#include "../test_data_dir.h"
#include "../utils_fixtures.h"
#include "keras/keras.h"

namespace {
namespace ops = keras::ops;
namespace utils = keras::utils;
using keras::DType;
using keras::Shape;
using keras::Tensor;
using keras::data::Dataset;
using keras::data::Element;

const Tensor& fx(const std::string& key) { return th::utils_fixture(key); }
std::string tree() { return std::string(KERAS_TEST_DATA_DIR) + "/utils/tree"; }
// The texts stored as bytes under key/0, key/1, ...
std::vector<std::string> texts(const std::string& key, size_t n) {
  std::vector<std::string> out;
  for (size_t i = 0; i < n; ++i) {
    std::vector<uint8_t> b = fx(key + "/" + std::to_string(i)).to_vector<uint8_t>();
    out.emplace_back(b.begin(), b.end());
  }
  return out;
}

// Values equal after casting `got` to the fixture's dtype.
void check_values(const Tensor& got, const Tensor& want, const std::string& what, double tol = 0) {
  INFO(what << ": got " << got.shape().str() << ", want " << want.shape().str());
  REQUIRE(got.shape() == want.shape());
  Tensor diff = ops::abs(ops::cast(got, DType::float64) - ops::cast(want, DType::float64));
  CHECK(ops::max(diff).item<double>() <= tol);
}

// Every element of a dataset, each component concatenated along the first axis (or
// stacked, for unbatched scalars).
std::vector<Tensor> collect(const Dataset& ds, bool stack = false) {
  std::vector<std::vector<Tensor>> parts;
  for (const Element& e : ds) {
    parts.resize(e.size());
    for (size_t i = 0; i < e.size(); ++i) parts[i].push_back(e[i]);
  }
  std::vector<Tensor> out;
  for (auto& p : parts) out.push_back(stack ? ops::stack(p) : ops::concatenate(p));
  return out;
}
}  // namespace

TEST_CASE("utils: to_categorical and normalize match Keras") {
  Tensor a = utils::to_categorical(keras::constant({{0}, {2}, {1}, {3}}));
  CHECK(a.dtype() == DType::float32);
  check_values(a, fx("cat/a"), "inferred classes, trailing axis of 1 dropped");
  check_values(utils::to_categorical(keras::constant({{1, 0}, {2, 2}}), 4), fx("cat/b"), "num_classes 4");
  check_values(utils::to_categorical(keras::constant({1.0f, 0.0f}), 2), keras::constant({{0, 1}, {1, 0}}), "whole floats");
  th::throws_with<std::invalid_argument>([] { utils::to_categorical(keras::constant({0, 4}), 4); },
                                         "expected class ids in [0, 4), but received 4");
  th::throws_with<std::invalid_argument>([] { utils::to_categorical(keras::constant({0.5f})); },
                                         "but received 0.5");
  th::throws_with<std::invalid_argument>([] { utils::to_categorical(keras::constant({-1})); }, "received -1");
  for (int order : {1, 2, 3})
    check_values(utils::normalize(fx("norm/in"), -1, order), fx("norm/" + std::to_string(order)),
                 "order " + std::to_string(order), 1e-7);
  check_values(utils::normalize(fx("norm/in"), 0), fx("norm/axis0"), "axis 0", 1e-7);
}

TEST_CASE("utils: pad_sequences matches Keras for every padding and truncating side") {
  std::vector<std::vector<int>> seqs{{1, 2, 3}, {4, 5}, {}, {6, 7, 8, 9, 10}};
  for (std::string pad : {"pre", "post"})
    for (std::string trunc : {"pre", "post"}) {
      Tensor got = utils::pad_sequences(seqs, {.maxlen = 4, .padding = pad, .truncating = trunc, .value = -1});
      CHECK(got.dtype() == DType::int32);
      check_values(got, fx("pad/" + pad + "_" + trunc), pad + "/" + trunc);
    }
  check_values(utils::pad_sequences(seqs), fx("pad/default"), "defaults");
  std::vector<std::vector<double>> fl{{0.5, 1.5}, {2.5}};
  check_values(utils::pad_sequences(fl, {.dtype = DType::float32, .value = 0.25}), fx("pad/float"), "float");
  std::vector<Tensor> steps{ops::ones({2, 3}), ops::zeros({0, 3}), ops::full({1, 3}, 2.0)};
  check_values(utils::pad_sequences(steps, {.maxlen = 3}), fx("pad/steps"), "sequences of vectors");
  th::throws_with<std::invalid_argument>([] { utils::pad_sequences(std::vector<std::vector<int>>{{1}}, {.padding = "middle"}); },
                                         "padding must be \"pre\" or \"post\", but received \"middle\"");
  th::throws_with<std::invalid_argument>(
      [] { utils::pad_sequences(std::vector<Tensor>{ops::ones({2, 3}), ops::ones({2, 4})}); },
      "sequence 1 has steps of shape (4,), but the first non-empty sequence's are (3,)");
  th::throws_with<keras::ConversionError>([] { utils::pad_sequences(std::vector<std::vector<int>>{{1}}, {.value = 0.5}); }, "");
}

TEST_CASE("utils: timeseries_dataset_from_array matches Keras's windows, targets and batches") {
  Tensor data = ops::reshape(ops::arange(0, 40, 1, DType::float32), {20, 2});
  Tensor targets = ops::arange(100, 120, 1, DType::int32);
  std::map<std::string, utils::TimeseriesOptions> cases{
      {"basic", {.batch_size = 5}},
      {"strided", {.sequence_stride = 3, .sampling_rate = 2, .batch_size = 2}},
      {"range", {.batch_size = 4, .start_index = 3, .end_index = 15}}};
  std::map<std::string, int64_t> lengths{{"basic", 4}, {"strided", 3}, {"range", 2}};
  for (auto& [name, o] : cases) {
    Dataset ds = utils::timeseries_dataset_from_array(data, targets, lengths[name], o);
    std::vector<int64_t> batches;
    for (const Element& e : ds) batches.push_back(e[0].shape()[0]);
    check_values(keras::constant(batches), fx("ts/" + name + "/batches"), name + " batch sizes");
    std::vector<Tensor> xy = collect(ds);
    check_values(xy[0], fx("ts/" + name + "/x"), name + " windows");
    check_values(xy[1], fx("ts/" + name + "/y"), name + " targets");
  }
  // Shuffled: the same windows in another order (each window still paired with its target).
  Dataset sh = utils::timeseries_dataset_from_array(data, targets, 4, {.batch_size = 3, .shuffle = true, .seed = 5});
  std::vector<Tensor> xy = collect(sh);
  CHECK(xy[0].shape() == fx("ts/basic/x").shape());
  std::vector<float> first = ops::cast(xy[0][{keras::core::Slice(), 0, 0}], DType::float32).to_vector<float>();
  std::vector<int32_t> t = xy[1].to_vector<int32_t>();
  std::set<int32_t> seen(t.begin(), t.end());
  CHECK(seen.size() == t.size());
  for (size_t i = 0; i < t.size(); ++i) CHECK(first[i] == float(2 * (t[i] - 100)));
  // No targets, no batching.
  int count = 0;
  for (const Element& e : utils::timeseries_dataset_from_array(data, Tensor(), 5, {.batch_size = std::nullopt})) {
    CHECK(e.size() == 1);
    CHECK(e[0].shape() == Shape{5, 2});
    ++count;
  }
  CHECK(count == 16);
  th::throws_with<std::invalid_argument>([&] { utils::timeseries_dataset_from_array(data, targets, 3, {.sampling_rate = 0}); },
                                         "`sampling_rate` must be higher than 0. Received: sampling_rate=0");
  th::throws_with<std::invalid_argument>([&] { utils::timeseries_dataset_from_array(data, targets, 3, {.start_index = 25}); },
                                         "`start_index` must be lower than the length of the data. Received: start_index=25, for data of length 20");
}

TEST_CASE("utils: split_dataset matches Keras's sizes, and re-batches a batched dataset") {
  Tensor x = ops::arange(0, 10, 1, DType::int64);
  std::map<std::string, utils::SplitDatasetOptions> cases{
      {"int", {.left_size = 3}}, {"frac", {.right_size = 0.25}}, {"both", {.left_size = 0.2, .right_size = 0.3}}};
  for (auto& [name, o] : cases) {
    auto [left, right] = utils::split_dataset(Element{x}, o);
    check_values(collect(left, true)[0], fx("split/" + name + "/left"), name + " left");
    check_values(collect(right, true)[0], fx("split/" + name + "/right"), name + " right");
  }
  auto [l, r] = utils::split_dataset(Dataset::from_tensor_slices(x).batch(4).prefetch(2), {.left_size = 0.5});
  std::vector<int64_t> sizes;
  for (const Element& e : l) sizes.push_back(e[0].shape()[0]);
  CHECK(sizes == std::vector<int64_t>{4, 1});
  auto [sl, sr] = utils::split_dataset(Element{x, x * int64_t(2)}, {.left_size = 6, .shuffle = true, .seed = 3});
  std::vector<Tensor> lv = collect(sl, true), rv = collect(sr, true);
  CHECK(ops::all(ops::equal(lv[1], lv[0] * int64_t(2))).item<bool>());
  std::vector<int64_t> all = ops::concatenate({lv[0], rv[0]}).to_vector<int64_t>();
  CHECK(std::set<int64_t>(all.begin(), all.end()).size() == 10);
  th::throws_with<std::invalid_argument>([&] { utils::split_dataset(Element{x}, {}); },
                                         "At least one of the `left_size` or `right_size` must be specified");
  th::throws_with<std::invalid_argument>([&] { utils::split_dataset(Element{x}, {.left_size = 10}); },
                                         "`left_size` should be either a positive integer smaller than 10, or a float within the range `[0, 1]`. Received: left_size=10");
  th::throws_with<std::invalid_argument>([&] { utils::split_dataset(Element{x}, {.left_size = 0.6, .right_size = 0.5}); },
                                         "The sum of `left_size` and `right_size` is greater than 1");
  th::throws_with<std::invalid_argument>([&] { utils::split_dataset(Dataset::from_tensor_slices(x).repeat(), {.left_size = 2}); },
                                         "expected a finite dataset");
}

TEST_CASE("utils: text_dataset_from_directory reads the classes and texts Keras reads") {
  auto ds = utils::text_dataset_from_directory(tree(), {.batch_size = std::nullopt, .shuffle = false, .verbose = false});
  CHECK(ds.class_names == std::vector<std::string>{"class_a", "class_b"});
  CHECK(ds.file_paths.size() == 4);
  std::vector<Tensor> xy = collect(ds, true);
  CHECK(xy[0].to_vector<std::string>() == texts("tree/text/x", 4));
  check_values(xy[1], fx("tree/text/y"), "labels");
  CHECK(xy[1].dtype() == DType::int32);
  auto cut = utils::text_dataset_from_directory(
      tree(), {.label_mode = "categorical", .batch_size = std::nullopt, .shuffle = false, .verbose = false, .max_length = 4});
  xy = collect(cut, true);
  CHECK(xy[0].to_vector<std::string>() == texts("tree/text4/x", 4));
  check_values(xy[1], fx("tree/text4/y"), "categorical labels");
  // Batched: one batch of 4 (text, label) pairs; shuffled: the same texts.
  for (const Element& e : utils::text_dataset_from_directory(tree(), {.seed = 2, .verbose = false})) CHECK(e[0].shape() == Shape{4});
  // The validation split of Keras's subset="both".
  auto [train, val] = utils::text_datasets_from_directory(
      tree(), {.batch_size = std::nullopt, .shuffle = false, .seed = 1, .validation_split = 0.5, .verbose = false});
  check_values(collect(train, true)[1], fx("tree/split/train"), "training labels");
  check_values(collect(val, true)[1], fx("tree/split/val"), "validation labels");
  // Explicit labels and no labels.
  auto given = utils::text_dataset_from_directory(
      tree(), {.label_values = {5, 5, 7, 5, 7}, .batch_size = std::nullopt, .shuffle = false, .verbose = false});
  CHECK(given.class_names == std::vector<std::string>{"5", "7"});
  auto none = utils::text_dataset_from_directory(tree(), {.labels = "", .batch_size = 2, .shuffle = false, .verbose = false});
  for (const Element& e : none) CHECK(e.size() == 1);
  CHECK(none.class_names.empty());
}

TEST_CASE("utils: image_dataset_from_directory decodes and resizes as Keras") {
  for (std::string mode : {"bilinear", "nearest"})
    for (std::string extra : {"", "crop", "pad"}) {
      auto ds = utils::image_dataset_from_directory(
          tree(), {.batch_size = 4, .shuffle = false, .verbose = false, .image_size = std::vector<int64_t>{5, 6},
                   .interpolation = mode, .crop_to_aspect_ratio = extra == "crop", .pad_to_aspect_ratio = extra == "pad"});
      Element e = *ds.begin();
      check_values(e[0], fx("tree/image/" + mode + extra + "/x"), mode + " " + extra, 2e-4);
      check_values(e[1], fx("tree/image/" + mode + extra + "/y"), "labels");
    }
  // Every image of the folder, the GIF's first frame included.
  auto all = utils::image_dataset_from_directory(
      tree(), {.batch_size = 8, .shuffle = false, .verbose = false, .image_size = std::vector<int64_t>{5, 6}});
  Element everything = *all.begin();
  check_values(everything[0], fx("tree/image/all/x"), "all five images", 2e-4);
  check_values(everything[1], fx("tree/image/all/y"), "all labels");
  auto gray = utils::image_dataset_from_directory(
      tree(), {.class_names = {"class_a"}, .batch_size = 4, .shuffle = false, .verbose = false,
               .color_mode = "grayscale", .image_size = std::vector<int64_t>{3, 3}});
  Element g = *gray.begin();
  check_values(g[0], fx("tree/image/gray/x"), "grayscale", 2e-4);
  auto binary = utils::image_dataset_from_directory(
      tree(), {.label_mode = "binary", .batch_size = 4, .shuffle = false, .verbose = false,
               .image_size = std::vector<int64_t>{3, 3}});
  Element b = *binary.begin();
  check_values(b[0], fx("tree/image/binary/x"), "rgb 3x3", 2e-4);
  check_values(b[1], fx("tree/image/binary/y"), "binary labels");
  CHECK(b[1].dtype() == DType::float32);
  auto first = utils::image_dataset_from_directory(
      tree(), {.batch_size = 4, .shuffle = false, .verbose = false, .image_size = std::vector<int64_t>{5, 6},
               .data_format = "channels_first"});
  CHECK((*first.begin())[0].shape() == Shape{4, 3, 5, 6});
  th::throws_with<std::invalid_argument>(
      [] { utils::image_dataset_from_directory(tree(), {.verbose = false, .color_mode = "cmyk"}); },
      "`color_mode` must be one of {\"rgb\", \"rgba\", \"grayscale\"}. Received: color_mode=cmyk");
  th::throws_with<std::invalid_argument>(
      [] { utils::image_dataset_from_directory(tree(), {.validation_split = 0.2, .subset = "training", .verbose = false}); },
      "If using `validation_split` and shuffling the data, you must provide a `seed` argument");
  th::throws_with<std::invalid_argument>(
      [] { utils::image_dataset_from_directory(tree(), {.class_names = {"class_c"}, .verbose = false}); },
      "did not match the names of the subdirectories");
  th::throws_with<std::invalid_argument>(
      [] { utils::image_dataset_from_directory(tree() + "/class_a/nowhere", {.verbose = false}); }, "does not exist");
}

TEST_CASE("utils: audio_dataset_from_directory pads batches, or cuts to a length, as Keras") {
  auto padded = utils::audio_dataset_from_directory(tree(), {.batch_size = 3, .shuffle = false, .verbose = false});
  Element e = *padded.begin();
  check_values(e[0], fx("tree/audio/padded/x"), "padded to the longest");
  check_values(e[1], fx("tree/audio/padded/y"), "labels");
  auto fixed = utils::audio_dataset_from_directory(
      tree(), {.batch_size = 3, .shuffle = false, .verbose = false, .output_sequence_length = 4});
  check_values((*fixed.begin())[0], fx("tree/audio/fixed/x"), "fixed length");
  auto ragged = utils::audio_dataset_from_directory(tree(), {.batch_size = 3, .shuffle = false, .verbose = false, .ragged = true});
  Element r = *ragged.begin();
  CHECK(r[0].defined());
  CHECK(r[1].shape() == Shape{3});
  int files = 0;
  for (const Element& el : utils::audio_dataset_from_directory(tree(), {.batch_size = std::nullopt, .seed = 4, .verbose = false})) {
    CHECK(el[0].rank() == 2);
    ++files;
  }
  CHECK(files == 3);
}

TEST_CASE("utils: load_img, img_to_array, array_to_img and save_img as Keras") {
  const std::string png = std::string(KERAS_TEST_DATA_DIR) + "/utils/files/rgb.png";
  check_values(utils::load_img(png), fx("img_utils/load"), "as stored");
  check_values(utils::load_img(png, {.target_size = std::vector<int64_t>{5, 4}}), fx("img_utils/load_5x4"), "nearest 5x4");
  check_values(utils::load_img(png, {.target_size = std::vector<int64_t>{4, 4}, .keep_aspect_ratio = true}),
               fx("img_utils/load_keep"), "cropped to the aspect ratio");
  check_values(utils::load_img(std::string(KERAS_TEST_DATA_DIR) + "/utils/files/rgba.png", {.color_mode = "rgba"}),
               fx("img_utils/load_rgba"), "rgba");
  CHECK(utils::load_img(png, {.color_mode = "grayscale"}).shape() == Shape{9, 13, 1});
  Tensor arr = utils::img_to_array(utils::load_img(png));
  CHECK(arr.dtype() == DType::float32);
  CHECK(utils::img_to_array(utils::load_img(png), "channels_first").shape() == Shape{3, 9, 13});
  check_values(utils::array_to_img(fx("img_utils/x")), fx("img_utils/scaled"), "scaled");
  check_values(utils::array_to_img(ops::abs(fx("img_utils/x")) * 40.0f, {.scale = false}), fx("img_utils/unscaled"), "unscaled");
  const std::string path = (std::filesystem::temp_directory_path() / "kcpp_save_img.png").string();
  utils::save_img(path, arr, {.scale = false});
  check_values(utils::load_img(path), fx("img_utils/load"), "saved unscaled and loaded");
  std::remove(path.c_str());
  th::throws_with<std::invalid_argument>([] { utils::array_to_img(ops::zeros({2, 2})); },
                                         "Expected image array to have rank 3 (single image). Got array with shape: (2, 2)");
  th::throws_with<std::invalid_argument>([] { utils::array_to_img(ops::zeros({2, 2, 2})); }, "Unsupported channel number: 2");
  th::throws_with<std::invalid_argument>([&] { utils::save_img("x.gif", arr); }, "expected a file format");
}

TEST_CASE("HashedCrossing: TensorFlow's cross_hashed bins for strings, integers and both") {
  Tensor a = keras::constant({"red", "green", "blue", "", "a long string of text"});
  Tensor b = keras::constant(std::vector<int64_t>{1, -2, 300000000000, 0, 7});
  Tensor c = keras::constant({"x", "y", "x", "y", "z"});
  const std::vector<std::tuple<std::string, std::vector<Tensor>, int64_t>> cases{
      {"ss", {a, c}, 1000}, {"si", {a, b}, 97}, {"is", {b, a}, 97}, {"sis", {a, b, c}, 5}, {"big", {a, c}, int64_t(1) << 62}};
  for (const auto& [name, feats, bins] : cases) {
    Tensor got = (*keras::layers::HashedCrossing(bins))(feats)[0];
    CHECK(got.dtype() == DType::int64);
    CHECK_MESSAGE(got.to_vector<int64_t>() == fx("cross/" + name).to_vector<int64_t>(), name);
  }
  auto one_hot = keras::layers::HashedCrossing(6, {.output_mode = "one_hot"});
  Tensor oh = (*one_hot)({ops::expand_dims(a, -1), ops::expand_dims(c, -1)})[0];
  check_values(oh, fx("cross/onehot"), "one_hot");
  Tensor scalar = (*keras::layers::HashedCrossing(50))({keras::constant("q"), keras::constant(int64_t{3})})[0];
  CHECK(scalar.rank() == 0);
  CHECK(scalar.item<int64_t>() == fx("cross/scalar").item<int64_t>());
  auto layer = keras::layers::HashedCrossing(10);
  th::throws_with<std::invalid_argument>([&] { (*layer)({a}); }, "should be called on at least two inputs");
  th::throws_with<std::invalid_argument>([&] { (*layer)({a, ops::zeros({5})}); }, "should have an integer or string dtype");
  th::throws_with<std::invalid_argument>([&] { (*layer)({a, keras::constant({"x"})}); }, "should have equal shape");
  auto back = keras::layers::deserialize(keras::layers::serialize(*one_hot));
  CHECK(ops::all(ops::equal((*back)({ops::expand_dims(a, -1), ops::expand_dims(c, -1)})[0], oh)).item<bool>());
}
