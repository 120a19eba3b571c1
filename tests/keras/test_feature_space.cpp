// test_feature_space.cpp - keras::utils::FeatureSpace against Keras 3's FeatureSpace
// (tests/data/feature_space/feature_space.json, written by make_feature_space_fixtures.py):
// adapt() on a dataset of dicts, concat and dict outputs for a batch and one row, int
// outputs, crosses, the adapted state, an end-to-end model from get_inputs() /
// get_encoded_features(), errors; and FeatureSpace in `.keras` files (a file Keras's
// FeatureSpace.save wrote, keras_feature_space.keras, and save_feature_space's round trip).
#include <stdexcept>
#include <string>

#include "error_of.h"
#include "files.h"
#include "json_fixtures.h"
#include "helpers.h"
#include "keras/keras.h"
#include "keras/saving/feature_space_file.h"
#include "keras/saving/format.h"
#include "keras/saving/zip_archive.h"
#include "test_data_dir.h"

using namespace th;

namespace {
using keras::utils::FeatureSpace;
namespace data = keras::data;

const keras::Value& fixtures() { return th::json_fixture("feature_space/feature_space.json"); }
// The fixture's table as columns (rows [begin, end)), in its dtypes.
std::map<std::string, Tensor> columns(int64_t begin = 0, int64_t end = 12) {
  std::map<std::string, Tensor> out;
  for (const auto& [name, col] : fixtures().at("table").items()) {
    const std::string dtype = fixtures().at("dtypes").at(name).as_string();
    const auto& all = col.as_list();
    if (dtype == "string") {
      std::vector<std::string> v;
      for (int64_t i = begin; i < end; ++i) v.push_back(all[size_t(i)].as_string());
      out[name] = keras::constant(v);
    } else {
      std::vector<double> v;
      for (int64_t i = begin; i < end; ++i) v.push_back(all[size_t(i)].as_double());
      out[name] = th::make(v, Shape{end - begin}, dtype == "int32" ? DType::int32 : DType::float32);
    }
  }
  return out;
}
// One row as scalars.
std::map<std::string, Tensor> row(int64_t i) {
  std::map<std::string, Tensor> out;
  for (auto& [name, col] : columns(i, i + 1)) out[name] = ops::reshape(col, {});
  return out;
}
// The fixture's FeatureSpace (as make_feature_space_fixtures.py builds it).
FeatureSpace make(const std::string& output_mode) {
  return FeatureSpace({{"age", "float"},
                       {"income", "float_normalized"},
                       {"score", FeatureSpace::float_discretized(4)},
                       {"rate", FeatureSpace::float_rescaled(0.1, 1.0)},
                       {"city", "string_categorical"},
                       {"code", FeatureSpace::integer_categorical({.num_oov_indices = 2})},
                       {"tag", "string_hashed"},
                       {"zip", FeatureSpace::integer_hashed(8)}},
                      {.output_mode = output_mode,
                       .crosses = {FeatureSpace::cross({"city", "code"}, 16), FeatureSpace::cross({"tag", "zip"}, 4)},
                       .hashing_dim = 8});
}
data::Dataset table_dataset() {
  std::vector<Tensor> cs;
  std::vector<std::string> names;
  for (auto& [n, t] : columns()) {
    names.push_back(n);
    cs.push_back(t);
  }
  return data::Dataset::from_tensor_slices(data::Element(cs, names)).batch(5);
}
}  // namespace

TEST_CASE("FeatureSpace: Keras 3's concat output after adapt() on a dataset of dicts, for a batch and one row") {
  FeatureSpace fs = make("concat");
  fs.adapt(table_dataset());
  const keras::Value& b = fixtures().at("concat_batch");
  Tensor x = fs.encode(columns(2, 7));
  CHECK(x.shape() == Shape{5, 56});
  CHECK(x.dtype() == DType::float32);
  th::check_values(x, numbers(b.at("values")), 1e-5);
  Tensor one = fs.encode(row(4));  // scalars: one row, no batch axis
  CHECK(one.shape() == Shape{56});
  th::check_values(one, numbers(fixtures().at("concat_row").at("values")), 1e-5);
  // The adapted state, as Keras's.
  auto city = dynamic_cast<keras::layers::StringLookupLayer*>(fs.preprocessor("city").get());
  REQUIRE(city);
  std::vector<std::string> vocab;
  for (const keras::Value& v : fixtures().at("vocab_city").as_list()) vocab.push_back(v.as_string());
  CHECK(city->get_vocabulary() == vocab);
  auto score = dynamic_cast<keras::layers::DiscretizationLayer*>(fs.preprocessor("score").get());
  REQUIRE(score);
  const std::vector<double> want = numbers(fixtures().at("boundaries_score"));
  REQUIRE(score->bin_boundaries().size() == want.size());
  for (size_t i = 0; i < want.size(); ++i) CHECK(score->bin_boundaries()[i] == doctest::Approx(want[i]).epsilon(1e-6));
  CHECK(fs.output_names() == std::vector<std::string>{"age", "city", "code", "income", "rate", "score", "tag", "zip",
                                                      "city_X_code", "tag_X_zip"});
  // Keras's config keys.
  const keras::Config c = fs.get_config();
  for (const char* k : {"features", "output_mode", "crosses", "crossing_dim", "hashing_dim", "num_discretization_bins"})
    CHECK(c.contains(k));
  CHECK(c.at("features").at("income").at("preprocessor").at("class_name").as_string() == "Normalization");
}

TEST_CASE("FeatureSpace: dict outputs (one per feature and cross), int outputs, one row") {
  FeatureSpace fs = make("dict");
  fs.adapt(columns());
  data::Element d = fs(columns(2, 7));
  const keras::Value& want = fixtures().at("dict_batch");
  CHECK(d.names() == fs.output_names());
  for (const auto& [name, v] : want.items()) {
    CAPTURE(name);
    std::vector<int64_t> shape;
    for (const keras::Value& s : v.at("shape").as_list()) shape.push_back(s.as_int());
    CHECK(d[name].shape().dims() == shape);
    th::check_values(d[name], numbers(v.at("values")), 1e-5);
  }
  data::Element r = fs(row(4));
  for (const auto& [name, v] : fixtures().at("dict_row").items()) {
    CAPTURE(name);
    th::check_values(r[name], numbers(v.at("values")), 1e-5);
    CHECK(r[name].rank() == int64_t(v.at("shape").as_list().size()));
  }
  // output_mode "int": the indices themselves (int64), for a feature and a cross.
  FeatureSpace fi({{"city", FeatureSpace::string_categorical({.output_mode = "int"})}, {"code", "integer_categorical"}},
                  {.output_mode = "dict", .crosses = {FeatureSpace::cross({"city", "code"}, 16, "int")}});
  auto all = columns();
  fi.adapt({{"city", all["city"]}, {"code", all["code"]}});
  auto batch = columns(2, 7);
  data::Element di = fi(std::map<std::string, Tensor>{{"city", batch["city"]}, {"code", batch["code"]}});
  for (const auto& [name, v] : fixtures().at("dict_int").items()) {
    CAPTURE(name);
    th::check_values(di[name], numbers(v.at("values")), 0);
    CHECK(std::string(core::dtype_name(di[name].dtype())) == v.at("dtype").as_string());
  }
}

TEST_CASE("FeatureSpace: an end-to-end model from get_inputs() and get_encoded_features() trains on dicts") {
  FeatureSpace fs = make("concat");
  fs.adapt(table_dataset());
  auto inputs = fs.get_inputs();
  CHECK(inputs.at("city").dtype() == DType::string);
  CHECK(inputs.at("code").dtype() == DType::int32);
  auto encoded = fs.get_encoded_features();
  REQUIRE(encoded.size() == 1);
  CHECK(encoded[0].shape() == keras::ShapeSpec{-1, 56});
  std::vector<keras::KerasTensor> ins;
  for (auto& [n, t] : inputs) ins.push_back(t);
  auto out = keras::layers::Dense(1, {.activation = "sigmoid"})(encoded[0]);
  auto model = keras::Functional(ins, {out});
  model->compile({.optimizer = "adam", .loss = "binary_crossentropy"});
  // A dict dataset with a label: the features go to the inputs by name.
  auto cols = columns();
  std::vector<Tensor> cs;
  std::vector<std::string> names;
  for (auto& [n, t] : cols) {
    names.push_back(n);
    cs.push_back(ops::expand_dims(t, -1));
  }
  names.push_back("label");
  cs.push_back(th::make({1, 0, 1, 0, 1, 1, 0, 1, 0, 0, 1, 1}, Shape{12, 1}, DType::float32));
  auto ds = data::Dataset::from_tensor_slices(data::Element(cs, names)).batch(4);
  auto history = model->fit(ds, {.epochs = 2, .verbose = 0});
  CHECK(history.history.at("loss").size() == 2);
  // The model's output on a batch equals the dense layer on the eager encoding.
  std::vector<Tensor> batch;
  auto rows = columns(0, 4);
  for (auto& [n, t] : rows) batch.push_back(ops::expand_dims(t, -1));
  Tensor y = model->predict(batch, {.verbose = 0}).at(0);
  CHECK(y.shape() == Shape{4, 1});
  // Mapped over a dataset of dicts (Dataset::map), as Keras's ds.map(feature_space).
  auto mapped = table_dataset().map([fs](const data::Element& e) mutable { return fs(e); });
  for (const data::Element& e : mapped) CHECK(e[0].shape()[1] == 56);
}

TEST_CASE("FeatureSpace: errors name what was expected and received") {
  CHECK_THROWS_WITH_AS(FeatureSpace({}), doctest::Contains("The `features` argument cannot be None or empty."),
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS(FeatureSpace({{"a", "float_squared"}}), doctest::Contains("Invalid feature type: float_squared"),
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS(FeatureSpace({{"a", "float"}}, {.output_mode = "list"}),
                       doctest::Contains("Expected one of {'dict', 'concat'}. Received: output_mode=list"),
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS(FeatureSpace({{"a", "string_categorical"}}, {.crosses = {FeatureSpace::cross({"a", "b"}, 4)}}),
                       doctest::Contains("Received unknown features: a_X_b"), std::invalid_argument);
  FeatureSpace needs({{"income", "float_normalized"}});
  CHECK_THROWS_WITH_AS(needs.encode(columns()), doctest::Contains("You need to call `.adapt(dataset)`"),
                       std::invalid_argument);
  needs.adapt(columns());
  CHECK_THROWS_WITH_AS(needs.encode({{"age", columns()["age"]}}), doctest::Contains("the data has no feature 'income'"),
                       std::invalid_argument);
  FeatureSpace ints({{"city", FeatureSpace::string_categorical({.output_mode = "int"})}});
  ints.adapt(columns());
  CHECK_THROWS_WITH_AS(ints.encode(columns()), doctest::Contains(fixtures().at("concat_int_error").as_string().c_str()),
                       std::invalid_argument);
  FeatureSpace custom({{"age", FeatureSpace::feature(DType::float32, keras::layers::Identity(), "one_hot")}});
  CHECK_THROWS_WITH_AS(custom.encode(columns()), doctest::Contains("should return an integer dtype"),
                       std::invalid_argument);
  CHECK_THROWS_AS(FeatureSpace::integer_categorical({.output_mode = "binary"}), std::invalid_argument);
}

TEST_CASE("FeatureSpace: a .keras file Keras 3's FeatureSpace.save wrote loads with its adapted state") {
  FeatureSpace fs = keras::saving::load_feature_space(std::string(KERAS_TEST_DATA_DIR) +
                                                      "/feature_space/keras_feature_space.keras");
  // Keras's outputs: the normalization statistics came from the weight file, the
  // vocabularies from the assets, the bin boundaries from the config.
  th::check_values(fs.encode(columns(2, 7)), numbers(fixtures().at("concat_batch").at("values")), 1e-5);
  th::check_values(fs.encode(row(4)), numbers(fixtures().at("concat_row").at("values")), 1e-5);
  auto city = dynamic_cast<keras::layers::StringLookupLayer*>(fs.preprocessor("city").get());
  REQUIRE(city);
  std::vector<std::string> vocab;
  for (const keras::Value& v : fixtures().at("vocab_city").as_list()) vocab.push_back(v.as_string());
  CHECK(city->get_vocabulary() == vocab);
  CHECK(fs.preprocessor("age")->class_name() == "Identity");  // (Keras's TFDIdentity)
  CHECK(fs.get_config().at("crosses").as_list().size() == 2);
  // Discretization's indices stay int32 under Keras's float32 policy (a symbolic model too).
  const keras::LayerPtr score = fs.preprocessor("score");
  CHECK(score->get_config().at("dtype").at("config").at("name").as_string() == "float32");
  CHECK(fs.get_encoded_features().at(0).shape() == keras::ShapeSpec{-1, 56});
}

TEST_CASE("FeatureSpace: save_feature_space and load_feature_space keep the outputs, the config and the state") {
  th::TempDir dir;
  for (const std::string mode : {"concat", "dict"}) {
    CAPTURE(mode);
    FeatureSpace fs = make(mode);
    fs.adapt(table_dataset());
    const std::string path = dir.file(mode + ".keras");
    keras::saving::save_feature_space(fs, path);
    keras::saving::save_feature_space(fs, path);  // (over an existing file)
    FeatureSpace back = keras::saving::load_feature_space(path);
    CHECK(back.get_config() == fs.get_config());
    const keras::data::Element a = fs(columns(2, 7)), b = back(columns(2, 7));
    REQUIRE(a.size() == b.size());
    for (size_t i = 0; i < a.size(); ++i) CHECK(values(a[i]) == values(b[i]));
  }
  // Not adapted: it loads, counted as adapted as Keras's build_from_config does, so the
  // first preprocessor that lacks its state raises (a lookup with no vocabulary); adapt()
  // still fits it.
  const std::string raw = dir.file("raw.keras");
  keras::saving::save_feature_space(make("concat"), raw);
  FeatureSpace fresh = keras::saving::load_feature_space(raw);
  th::throws_with<std::invalid_argument>([&] { fresh.encode(columns(2, 7)); }, "the layer has no vocabulary");
  fresh.adapt(table_dataset());
  th::check_values(fresh.encode(columns(2, 7)), numbers(fixtures().at("concat_batch").at("values")), 1e-5);
}

TEST_CASE("FeatureSpace files: what is not one raises, naming the file") {
  th::TempDir dir;
  auto model = keras::Sequential({keras::layers::Dense(1, {.input_shape = {2}})});
  const std::string m = dir.file("model.keras");
  model->save(m);
  th::throws_with<std::invalid_argument>([&] { keras::saving::load_feature_space(m); },
                                         "model.keras: the file holds a Sequential, not a FeatureSpace");
  FeatureSpace fs = make("concat");
  fs.adapt(table_dataset());
  const std::string good = dir.file("fs.keras");
  keras::saving::save_feature_space(fs, good);
  const std::string bytes = th::read_bytes(good);
  const std::string cut = dir.file("cut.keras");
  th::write_bytes(cut, bytes.substr(0, bytes.size() / 2));
  CHECK_THROWS_AS(keras::saving::load_feature_space(cut), keras::saving::format::FormatError);
  th::write_bytes(cut, "not a zip at all");
  th::throws_with<keras::saving::format::FormatError>([&] { keras::saving::load_feature_space(cut); },
                                                      "not a .keras file");
  CHECK_THROWS(keras::saving::load_feature_space(dir.file("missing.keras")));
  // A config naming a class keras-cpp lacks, or with no features.
  namespace zip = keras::saving::detail;
  auto members = zip::read_zip(bytes, {"config.json", "metadata.json", "model.weights.h5"}, good);
  auto rewrite = [&](const std::string& from, const std::string& to) {
    std::string cfg = members.at("config.json");
    const size_t at = cfg.find(from);
    REQUIRE(at != std::string::npos);
    cfg.replace(at, from.size(), to);
    th::write_bytes(cut, zip::write_zip({{"metadata.json", members.at("metadata.json")}, {"config.json", cfg},
                                         {"model.weights.h5", members.at("model.weights.h5")}}));
  };
  rewrite("\"class_name\": \"Normalization\"", "\"class_name\": \"Normalisation\"");
  th::throws_with<std::invalid_argument>([&] { keras::saving::load_feature_space(cut); }, "Normalisation");
  rewrite("\"features\": {", "\"features\": {}, \"unused\": {");
  th::throws_with<keras::saving::format::FormatError>([&] { keras::saving::load_feature_space(cut); },
                                                      "expected the FeatureSpace's \"features\" as a non-empty object");
}
