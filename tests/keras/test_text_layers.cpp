// The text and categorical preprocessing layers against Keras 3: every case of
// tests/data/text_layers/fixtures.json (written by make_fixtures.py there) builds the layer
// from Keras's keyword arguments with the layer registry, adapts it when the case does,
// and must give Keras's output and vocabulary, or raise where Keras raises.
#include <fstream>
#include <iterator>

#include "core/sparse.h"
#include "core/string_ops.h"
#include "files.h"
#include "helpers.h"
#include "layer_harness.h"
#include "keras/config.h"
#include "keras/data/dataset.h"
#include "keras/layers/all.h"
#include "keras/layers/registry.h"
#include "keras/saving/h5_file.h"
#include "keras/saving/zip_archive.h"
#include "test_data_dir.h"

using namespace th;
using keras::Value;
namespace layers = keras::layers;

namespace {

const Value& fixture() {
  static const Value v = [] {
    const std::string path = std::string(KERAS_TEST_DATA_DIR) + "/text_layers/fixtures.json";
    std::ifstream f(path, std::ios::binary);
    REQUIRE_MESSAGE(f.good(), "cannot read " << path);
    return Value::from_json(std::string(std::istreambuf_iterator<char>(f), {}));
  }();
  return v;
}

Tensor tensor_of(const Value& t) {
  std::vector<int64_t> shape;
  for (const Value& d : t.at("shape").as_list()) shape.push_back(d.as_int());
  const std::string dt = t.at("dtype").as_string();
  const auto& vals = t.at("values").as_list();
  if (dt == "string") {
    std::vector<std::string> v;
    for (const Value& x : vals) v.push_back(x.as_string());
    return core::constant(v, Shape(shape));
  }
  if (dt == "int64" || dt == "int32") {
    std::vector<int64_t> v;
    for (const Value& x : vals) v.push_back(x.as_int());
    return ops::cast(core::constant(v, Shape(shape)), dt == "int32" ? DType::int32 : DType::int64);
  }
  std::vector<double> v;
  for (const Value& x : vals) v.push_back(x.as_double());
  return ops::cast(core::constant(v, Shape(shape)), dt == "float64" ? DType::float64 : DType::float32);
}

// The registry builds the layer; adapt() and get_vocabulary() are the concrete class's.
void adapt(const layers::LayerPtr& l, const Tensor& data) {
  if (auto* s = dynamic_cast<layers::StringLookupLayer*>(l.get())) return s->adapt(data);
  if (auto* s = dynamic_cast<layers::IntegerLookupLayer*>(l.get())) return s->adapt(data);
  if (auto* s = dynamic_cast<layers::TextVectorizationLayer*>(l.get())) return s->adapt(data);
  if (auto* s = dynamic_cast<layers::DiscretizationLayer*>(l.get())) return s->adapt(data);
  FAIL("no adapt() for " << l->class_name());
}

std::vector<Value> vocabulary(const layers::LayerPtr& l) {
  std::vector<Value> out;
  if (auto* s = dynamic_cast<layers::StringLookupLayer*>(l.get()))
    for (const auto& t : s->get_vocabulary()) out.emplace_back(t);
  if (auto* s = dynamic_cast<layers::IntegerLookupLayer*>(l.get()))
    for (int64_t t : s->get_vocabulary()) out.emplace_back(static_cast<long long>(t));
  if (auto* s = dynamic_cast<layers::TextVectorizationLayer*>(l.get()))
    for (const auto& t : s->get_vocabulary()) out.emplace_back(t);
  return out;
}

void check_tensor(const Tensor& got, const Value& want) {
  const Tensor w = tensor_of(want);
  CHECK(core::dtype_name(got.dtype()) == want.at("dtype").as_string());
  REQUIRE(got.shape() == w.shape());
  if (w.dtype() == DType::string) {
    CHECK(got.to_vector<std::string>() == w.to_vector<std::string>());
  } else {
    check_values(got, ops::cast(w, DType::float64).to_vector<double>(), 1e-5);
  }
}

layers::LayerPtr build(const Value& c) {
  Value config = c.at("kwargs");
  config["name"] = c.at("name").as_string();
  return layers::from_config(c.at("class").as_string(), config);
}

}  // namespace

TEST_CASE("text and categorical layers: Keras 3 fixtures") {
  const auto& cases = fixture().at("cases").as_list();
  REQUIRE(cases.size() > 80);
  for (const Value& c : cases) {
    const std::string name = c.at("name").as_string();
    INFO("case " << name << ": " << c.at("class").as_string() << " " << c.at("kwargs").to_json());
    const Tensor x = tensor_of(c.at("input"));
    if (c.contains("error")) {
      CHECK_THROWS_AS(
          {
            auto l = build(c);
            if (c.contains("adapt")) adapt(l, tensor_of(c.at("adapt")));
            (void)(*l)(x);
          },
          std::invalid_argument);
      continue;
    }
    auto l = build(c);
    if (c.contains("adapt")) adapt(l, tensor_of(c.at("adapt")));
    if (c.contains("ragged_row_lengths")) {
      auto* tv = dynamic_cast<layers::TextVectorizationLayer*>(l.get());
      REQUIRE(tv != nullptr);
      core::RaggedTensor r = tv->call_ragged(x);
      check_tensor(r.flat_values(), c.at("output"));
      const std::vector<int64_t> splits = r.row_splits().to_vector<int64_t>();
      std::vector<int64_t> lengths;
      for (size_t i = 0; i + 1 < splits.size(); ++i) lengths.push_back(splits[i + 1] - splits[i]);
      CHECK(lengths == c.at("ragged_row_lengths").as_ints());
    } else {
      check_tensor((*l)(x), c.at("output"));
    }
    if (c.contains("vocabulary")) {
      const std::vector<Value> got = vocabulary(l);
      const auto& want = c.at("vocabulary").as_list();
      REQUIRE(got.size() == want.size());
      for (size_t i = 0; i < got.size(); ++i) CHECK(got[i].to_json() == want[i].to_json());
    }
    if (c.contains("bin_boundaries")) {
      auto* d = dynamic_cast<layers::DiscretizationLayer*>(l.get());
      std::vector<double> want;
      for (const Value& b : c.at("bin_boundaries").as_list()) want.push_back(b.as_double());
      REQUIRE(d->bin_boundaries().size() == want.size());
      for (size_t i = 0; i < want.size(); ++i) CHECK(d->bin_boundaries()[i] == doctest::Approx(want[i]).epsilon(1e-6));
    }
    // The config carries everything: a rebuilt layer gives the same output.
    if (!c.contains("ragged_row_lengths")) {
      auto again = layers::deserialize(layers::serialize(*l));
      check_tensor((*again)(x), c.at("output"));
    }
  }
}

TEST_CASE("StringLookup, TextVectorization, Discretization: adapt() on a dataset equals adapt() on the tensor") {
  const Tensor docs = core::constant({"The cat sat.", "the dog", "A cat; a DOG!", "cat"});
  auto a = layers::TextVectorization();
  auto b = layers::TextVectorization();
  a->adapt(docs);
  b->adapt(keras::data::Dataset::from_tensor_slices(docs).batch(3));
  CHECK(a->get_vocabulary() == b->get_vocabulary());
  CHECK(a->get_vocabulary() == std::vector<std::string>{"", "[UNK]", "cat", "the", "dog", "a", "sat"});

  const Tensor words = core::constant({"x", "y", "y", "z", "z", "z"});
  auto s1 = layers::StringLookup({.output_mode = "tf_idf"});
  auto s2 = layers::StringLookup({.output_mode = "tf_idf"});
  s1->adapt(words);
  s2->adapt(keras::data::Dataset::from_tensor_slices(words));  // unbatched: scalar documents
  CHECK(s1->get_vocabulary() == s2->get_vocabulary());
  CHECK(s1->idf_weights() == s2->idf_weights());

  // Discretization merges per-batch summaries as Keras does; one batch equals the tensor.
  std::vector<float> v;
  for (int i = 0; i < 50; ++i) v.push_back(static_cast<float>((i * 37) % 50));
  auto d1 = layers::Discretization({.num_bins = 5});
  auto d2 = layers::Discretization({.num_bins = 5});
  d1->adapt(core::constant(v));
  d2->adapt(keras::data::Dataset::from_tensors(core::constant(v)));
  CHECK(d1->bin_boundaries() == d2->bin_boundaries());
  const std::vector<double> want{9, 19, 29, 39};  // Keras: [9.0, 19.0, 28.999998, 39.0]
  REQUIRE(d1->bin_boundaries().size() == want.size());
  for (size_t i = 0; i < want.size(); ++i) CHECK(d1->bin_boundaries()[i] == doctest::Approx(want[i]).epsilon(1e-6));
}

TEST_CASE("StringLookup: sparse output, vocabulary_size, set_vocabulary and errors") {
  auto l = layers::StringLookup({.vocabulary = {"a", "b"}, .output_mode = "multi_hot", .sparse = true});
  Tensor y = l(core::constant({{"a", "b"}, {"b", "q"}}));
  REQUIRE(core::sparse::is_sparse(y));
  check_values(core::sparse::to_dense(core::sparse::sparse_of(y)), std::vector<int>{0, 1, 1, 1, 0, 1});
  CHECK(l->vocabulary_size() == 3);
  l->set_vocabulary({"q", "a", "b", "c"});
  CHECK(l->vocabulary_size() == 5);
  CHECK_THROWS_AS(l->set_vocabulary({"a", "a"}), std::invalid_argument);
  CHECK_THROWS_AS(layers::StringLookup({.output_mode = "int", .sparse = true}), std::invalid_argument);
  CHECK_THROWS_AS(layers::StringLookup({.invert = true, .output_mode = "count"}), std::invalid_argument);
  auto i = layers::IntegerLookup({.vocabulary = {3, 4}});
  CHECK_THROWS_AS(i(core::constant({"3"})), std::invalid_argument);
  CHECK_THROWS_AS(i(core::constant({1.5f})), std::invalid_argument);
  check_values(i(core::constant({4.0f, 3.0f})), std::vector<int>{2, 1});
}

TEST_CASE("StringLookup and IntegerLookup on ragged tokens keep the row partitions") {
  auto tv = layers::TextVectorization({.standardize = "none", .vocabulary = {"b", "a"}, .ragged = true});
  const Tensor text = core::constant({"a b c", "", "b"});
  core::RaggedTensor ids = tv->call_ragged(text);
  CHECK(ids.flat_values().to_vector<int64_t>() == std::vector<int64_t>{3, 2, 1, 2});
  CHECK(ids.row_splits().to_vector<int64_t>() == std::vector<int64_t>{0, 3, 3, 4});
  // ragged=true: a normal call gives the same ids as a RaggedTensor handle.
  const Tensor handle = tv(text);
  REQUIRE(core::ragged::is_ragged(handle));
  CHECK(core::ragged::ragged_of(handle).str() == ids.str());
  auto inverse = layers::StringLookup({.mask_token = "", .vocabulary = {"b", "a"}, .invert = true});
  core::RaggedTensor back = (*inverse)(ids);
  CHECK(back.flat_values().to_vector<std::string>() == std::vector<std::string>{"a", "b", "[UNK]", "b"});
  CHECK(back.row_splits().to_vector<int64_t>() == std::vector<int64_t>{0, 3, 3, 4});
  auto ints = layers::IntegerLookup({.vocabulary = {3, 2, 1}});
  core::RaggedTensor again = (*ints)(ids);
  CHECK(again.flat_values().to_vector<int64_t>() == std::vector<int64_t>{1, 2, 3, 2});
  auto encoder = layers::IntegerLookup({.vocabulary = {1}, .output_mode = "count"});
  CHECK_THROWS_AS((*encoder)(ids), std::invalid_argument);
}

TEST_CASE("a Keras 3 .keras file: adapted vocabularies come from its asset files") {
  // text_model.keras (make_fixtures.py): a string Input into an adapted TextVectorization
  // and an adapted StringLookup (mask "", two OOV indices), whose vocabularies Keras
  // writes as assets/layers/<layer>/vocabulary.txt instead of in the config.
  keras::ModelPtr model = keras::models::load_model(std::string(KERAS_TEST_DATA_DIR) + "/text_layers/text_model.keras");
  const Value& f = fixture().at("keras_file");
  const std::vector<Tensor> out = model->predict(std::vector<Tensor>{tensor_of(f.at("input"))});
  const auto& want = f.at("outputs").as_list();
  REQUIRE(out.size() == want.size());
  for (size_t i = 0; i < out.size(); ++i) {
    CAPTURE(i);
    check_tensor(out[i], want[i]);
  }
}

TEST_CASE("a Keras 3 .keras file with tf_idf layers: idf weights from model.weights.h5, both ways") {
  // tfidf_model.keras (make_tfidf_fixture.py): an adapted TextVectorization and StringLookup
  // (pad_to_max_tokens) in tf_idf mode; Keras keeps their vocabularies in asset files and
  // their idf weights, the OOV entry's included, as "<layer>/vars/idf_weights".
  const std::string dir = std::string(KERAS_TEST_DATA_DIR) + "/text_layers/";
  const Value f = Value::from_json(th::read_bytes(dir + "tfidf.json"));
  keras::ModelPtr model = keras::models::load_model(dir + "tfidf_model.keras");
  const std::vector<Tensor> in{tensor_of(f.at("input"))};
  const std::vector<Tensor> out = model->predict(in);
  const auto& want = f.at("outputs").as_list();
  REQUIRE(out.size() == want.size());
  for (size_t i = 0; i < out.size(); ++i) {
    CAPTURE(i);
    check_tensor(out[i], want[i]);
  }
  auto tv = std::dynamic_pointer_cast<layers::TextVectorizationLayer>(model->get_layer("vectorize"));
  REQUIRE(tv);
  std::vector<Value> vocab;
  for (const std::string& t : tv->get_vocabulary()) vocab.emplace_back(t);
  CHECK(Value(vocab).to_json() == f.at("vocabularies").as_list()[0].to_json());
  // keras-cpp writes the idf weights where Keras reads them, and reads its own file back.
  th::TempDir tmp;
  const std::string path = tmp.file("tfidf.keras");
  model->save(path);
  const std::vector<Tensor> again = keras::models::load_model(path)->predict(in);
  for (size_t i = 0; i < out.size(); ++i) CHECK(values(again[i]) == values(out[i]));
  const std::string saved = keras::saving::detail::read_zip(th::read_bytes(path), {"model.weights.h5"}, path)
                                .at("model.weights.h5");
  const auto h5 = keras::saving::detail::read_h5(saved, path);
  for (const char* entry : {"layers/text_vectorization/vars/idf_weights",
                            "layers/text_vectorization/_lookup_layer/vars/idf_weights",
                            "layers/string_lookup/vars/idf_weights"})
    CHECK_MESSAGE(h5.datasets.count(entry) == 1, entry);
  CHECK(h5.datasets.at("layers/string_lookup/vars/idf_weights").shape() == keras::Shape{6});  // to max_tokens
  // A file whose idf weights are missing, or too short, is refused naming the entry.
  const std::vector<std::string> names = {"metadata.json", "config.json", "model.weights.h5",
                                          "assets/layers/text_vectorization/vocabulary.txt",
                                          "assets/layers/text_vectorization/_lookup_layer/vocabulary.txt",
                                          "assets/layers/string_lookup/vocabulary.txt"};
  auto members = keras::saving::detail::read_zip(th::read_bytes(dir + "tfidf_model.keras"), names, "fixture");
  REQUIRE(members.size() == names.size());
  auto original = keras::saving::detail::read_h5(members["model.weights.h5"], "fixture");
  for (const bool drop : {true, false}) {
    std::vector<std::pair<std::string, Tensor>> datasets;
    for (const auto& [p, t] : original.datasets) {
      if (p != "layers/text_vectorization/vars/idf_weights") datasets.emplace_back(p, t);
      else if (!drop) datasets.emplace_back(p, ops::slice(t, {0}, {3}));
    }
    std::vector<std::pair<std::string, std::string>> groups;
    for (const std::string& g : original.groups) groups.emplace_back(g, "");
    members["model.weights.h5"] = keras::saving::detail::write_h5(groups, datasets);
    const std::string bad = tmp.file(drop ? "missing.keras" : "short.keras");
    std::vector<std::pair<std::string, std::string>> zip;
    for (const std::string& n : names) zip.emplace_back(n, members[n]);
    th::write_bytes(bad, keras::saving::detail::write_zip(zip));
    CHECK_THROWS_WITH_AS(keras::models::load_model(bad),
                         doctest::Contains(drop ? "has no idf weights ('layers/text_vectorization/vars/idf_weights'"
                                                : "expected a float vector of at least 8 weights"),
                         std::exception);
  }
}

TEST_CASE("CategoryEncoding: count_weights; Hashing: salted and masked bins stay in range") {
  auto c = layers::CategoryEncoding(3, {.output_mode = "count"});
  keras::layers::CallArgs args;
  args.kwargs["count_weights"] = Value::list({Value::list({0.5, 2.0}), Value::list({1.0, 1.0})});
  Tensor y = (*c)(core::constant({{0, 0}, {2, 1}}), args);
  check_values(y, std::vector<double>{2.5, 0, 0, 0, 1, 1});
  auto m = layers::CategoryEncoding(3);
  CHECK_THROWS_AS((*m)(core::constant({{0, 1}}), args), std::invalid_argument);

  auto h = layers::Hashing(4, {.mask_value = std::string("m"), .salt = std::array<uint64_t, 2>{3, 9}});
  std::vector<std::string> in;
  for (int i = 0; i < 200; ++i) in.push_back(i % 10 == 0 ? "m" : "w" + std::to_string(i));
  const std::vector<int64_t> bins = h(core::constant(in)).to_vector<int64_t>();
  for (size_t i = 0; i < bins.size(); ++i) {
    if (in[i] == "m") CHECK(bins[i] == 0);
    else CHECK((bins[i] >= 1 && bins[i] < 4));
  }
  CHECK_THROWS_AS(h(core::constant({true, false})), std::invalid_argument);
}

TEST_CASE("TextVectorization: custom standardize and split callables, output_sequence_length, errors") {
  auto tv = layers::TextVectorization({
      .standardize_fn = [](const Tensor& s) { return keras::core::strings::upper(s); },
      .split_fn = [](const Tensor& s) { return keras::core::strings::split(s, ","); },
      .output_sequence_length = 3,
  });
  tv->adapt(core::constant({"a,b,b", "c,b"}));
  CHECK(tv->get_vocabulary() == std::vector<std::string>{"", "[UNK]", "B", "C", "A"});
  Tensor y = tv(core::constant({"b,a,x,c", "c"}));
  CHECK(y.shape() == Shape{2, 3});
  check_values(y, std::vector<int>{2, 4, 1, 3, 0, 0});
  CHECK_THROWS_AS(layers::deserialize(layers::serialize(*tv)), std::invalid_argument);  // callables have no config

  auto plain = layers::TextVectorization();
  CHECK_THROWS_AS(plain(core::constant({"no vocabulary yet"})), std::invalid_argument);
  plain->adapt(core::constant({"one two"}));
  CHECK_THROWS_AS(plain(core::constant({{"a", "b"}})), std::invalid_argument);  // (1, 2): last axis not 1
  CHECK_THROWS_AS(plain(core::constant({1, 2})), std::invalid_argument);
  CHECK_THROWS_AS(layers::TextVectorization({.ngrams = {0}}), std::invalid_argument);
  CHECK_THROWS_AS(layers::TextVectorization({.output_mode = "count", .output_sequence_length = 2}), std::invalid_argument);
  CHECK_THROWS_AS(layers::Discretization({.num_bins = 3})(core::constant({1.0f})), std::invalid_argument);
  CHECK_THROWS_AS(layers::Discretization({.bin_boundaries = {0.0}, .num_bins = 2}), std::invalid_argument);
  CHECK_THROWS_AS(layers::Discretization(), std::invalid_argument);
  // An adapted layer's config has both; from_config takes the boundaries as adapted ones.
  auto d = layers::Discretization({.num_bins = 2});
  d->adapt(core::constant({1.0f, 2.0f, 3.0f, 4.0f}));
  auto d2 = layers::deserialize(layers::serialize(*d));
  CHECK(dynamic_cast<layers::DiscretizationLayer&>(*d2).bin_boundaries() == d->bin_boundaries());
}

TEST_CASE("TextVectorization in a dataset map and in a model that is saved and loaded") {
  const Tensor text = core::constant({"good film", "bad film", "good good", "bad"});
  auto tv = layers::TextVectorization({.output_sequence_length = 4});
  tv->adapt(text);
  // Dataset.map runs the layer on each batch of strings.
  std::vector<Tensor> batches;
  for (const auto& e : keras::data::Dataset::from_tensor_slices(text).batch(2).map([&](const Tensor& t) { return tv(t); }))
    batches.push_back(e[0]);
  REQUIRE(batches.size() == 2);
  CHECK(batches[0].shape() == Shape{2, 4});
  CHECK(batches[0].dtype() == DType::int64);
  // Keras's vocabulary: "", "[UNK]", good, film, bad (ties: the larger token first).
  check_values(batches[1], std::vector<int>{2, 2, 0, 0, 4, 0, 0, 0});
  // The vocabulary travels in the config (what saving writes).
  auto copy = layers::deserialize(layers::serialize(*tv));
  CHECK(dynamic_cast<layers::TextVectorizationLayer&>(*copy).get_vocabulary() == tv->get_vocabulary());
}

namespace {
// Harness inputs: words (string tensors) and small integer ids.
Tensor words(const Shape& s, DType, uint32_t seed) {
  const std::vector<std::string> pool{"the cat", "a dog", "sat", "on", "the mat", "zebra"};
  std::vector<std::string> v;
  for (int64_t i = 0; i < s.num_elements(); ++i) v.push_back(pool[size_t((i * 7 + seed) % pool.size())]);
  return core::constant(v, s);
}
Tensor ids(const Shape& s, DType dt, uint32_t seed) {
  std::vector<int64_t> v;
  for (int64_t i = 0; i < s.num_elements(); ++i) v.push_back((i * 5 + seed) % 4);
  return ops::cast(core::constant(v, s), dt);
}
}  // namespace

TEST_CASE("layer harness: StringLookup, IntegerLookup, Hashing, HashedCrossing, CategoryEncoding, "
          "Discretization, TextVectorization" * doctest::test_suite("layer_harness")) {
  run_layer_test({"string_lookup (adapted)", [] {
                    auto l = layers::StringLookup();
                    l->adapt(core::constant({"the cat", "sat", "sat", "on"}));
                    return l;
                  },
                  {Shape{4, 3}}, {DType::string}, {4, 3}, 0, 0, false, words});
  run_layer_test({"integer_lookup multi_hot", [] {
                    return layers::IntegerLookup({.vocabulary = {1, 2, 3}, .output_mode = "multi_hot"});
                  },
                  {Shape{4, 2}}, {DType::int64}, {4, 4}, 0, 0, false, ids});
  run_layer_test({"hashing", [] { return layers::Hashing(8); }, {Shape{4, 2}}, {DType::string}, {4, 2}, 0, 0, false,
                  words});
  run_layer_test({"hashed_crossing", [] { return layers::HashedCrossing(8); }, {Shape{4}, Shape{4}},
                  {DType::string, DType::string}, {4}, 0, 0, false, words});
  run_layer_test({"category_encoding count", [] { return layers::CategoryEncoding(5, {.output_mode = "count"}); },
                  {Shape{4, 3}}, {DType::int32}, {4, 5}, 0, 0, false, ids});
  run_layer_test({"discretization", [] { return layers::Discretization({.bin_boundaries = {-0.5, 0.0, 0.5}}); },
                  {Shape{4, 3}}, {}, {4, 3}, 0, 0});
  run_layer_test({"text_vectorization", [] {
                    return layers::TextVectorization({.output_sequence_length = 6, .vocabulary = {"the", "cat", "sat"}});
                  },
                  {Shape{4, 1}}, {DType::string}, {4, 6}, 0, 0, false, words});
}
