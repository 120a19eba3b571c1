// test_file_editor.cpp - keras::saving::KerasFileEditor against Keras 3's own editor
// (tests/data/keras_files/edited_by_keras.weights.h5 and editor.json, written by
// tests/data/keras_files/make_editor_fixture.py from seq_mlp.keras): the tree, the edits,
// compare(), save() and what a model loads from it.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "error_of.h"
#include "files.h"
#include "helpers.h"
#include "keras/keras.h"
#include "test_data_dir.h"

using namespace th;
namespace ops = keras::core::ops;
using keras::saving::KerasFileEditor;

namespace {
std::string fixture(const std::string& name) { return std::string(KERAS_TEST_DATA_DIR) + "/keras_files/" + name; }

// Every weight of a tree as "path: values".
void flatten(const KerasFileEditor::Node& n, const std::string& path, std::vector<std::string>& out) {
  for (const auto& [name, child] : n.children) {
    const std::string p = path + "/" + name;
    if (!child.is_weight()) {
      flatten(child, p, out);
      continue;
    }
    std::string v = p + " " + child.value.shape().str() + ":";
    for (double x : values(ops::cast(child.value, keras::DType::float64))) v += " " + std::to_string(x);
    out.push_back(v);
  }
}
std::vector<std::string> flat(const KerasFileEditor& e) {
  std::vector<std::string> out;
  flatten(e.weights(), "", out);
  return out;
}

// The edits make_editor_fixture.py makes with Keras's editor.
void edit_as_keras(KerasFileEditor& e) {
  e.rename_object("dense_1", "dense_9");
  e.delete_weight("layers/dense_2", "1");
  e.add_weights("dense", {{"2", ops::ones({3})}});
  e.add_object("layers/extra", {{"0", ops::cast(ops::arange(0, 4), keras::DType::float32)}});
  e.delete_object("batch_normalization");
}
}  // namespace

TEST_CASE("KerasFileEditor: a Keras file's tree, compare(), Keras's edits, save() and loading it") {
  const keras::Config expected = keras::Config::from_json(read_bytes(fixture("editor.json")));
  KerasFileEditor e(fixture("seq_mlp.keras"));
  CHECK(e.metadata().at("keras_version").as_string() == "3.15.1");
  CHECK(e.config().at("class_name").as_string() == "Sequential");
  const auto& layers = e.weights().children.at("layers").children;
  REQUIRE(layers.size() == 4);
  CHECK(layers.at("dense").children.at("0").value.shape() == keras::Shape{6, 8});  // (Keras's "vars" folded)
  CHECK(e.summary_text().find("dense_2/\n        0: shape=(5, 3), dtype=float32") != std::string::npos);

  keras::ModelPtr model = keras::models::load_model(fixture("seq_mlp.keras"));
  const KerasFileEditor::Comparison fresh = e.compare(*model, false);
  CHECK(fresh.status == expected.at("fresh").at("status").as_string());
  CHECK(fresh.error_count == 0);
  CHECK(fresh.match_count == 9);  // (Keras 3.15 says 30: its recursion adds running totals again)

  edit_as_keras(e);
  const KerasFileEditor::Comparison edited = e.compare(*model, false);
  CHECK(edited.status == expected.at("edited").at("status").as_string());
  // batch_normalization, dense_1 and dense_2's bias missing from the file; dense's "2",
  // dense_9 and extra missing from the model (Keras 3.15 counts 9: see above).
  CHECK(edited.error_count == 6);
  CHECK(edited.match_count == 3);
  CHECK(edited.messages.at(0) == "Object /layers/batch_normalization present in reference model, missing from saved file");

  TempDir dir;
  e.save(dir.file("edited.weights.h5"));
  CHECK(flat(KerasFileEditor(dir.file("edited.weights.h5"))) == flat(KerasFileEditor(fixture("edited_by_keras.weights.h5"))));

  // Unedited, the file loads into the model; save() replaces a file atomically.
  const Tensor x = make(uniform(12), keras::Shape{2, 6});
  const Tensor want = (*model)(x, false);
  KerasFileEditor same(fixture("seq_mlp.keras"));
  same.save(dir.file("edited.weights.h5"));
  for (auto& w : model->weights()) w.assign(ops::zeros_like(w.value()));
  model->load_weights(dir.file("edited.weights.h5"));
  CHECK(values((*model)(x, false)) == values(want));
  // A renamed layer no longer loads, naming the file's group.
  same.rename_object("dense", "dense_7");
  same.resave_weights(dir.file("renamed.weights.h5"));
  CHECK_THROWS_AS(model->load_weights(dir.file("renamed.weights.h5")), std::exception);
}

TEST_CASE("KerasFileEditor: errors name the object, the weight and the path") {
  KerasFileEditor e(fixture("seq_mlp.weights.h5"));
  CHECK(e.config().is_null());
  throws_with<std::invalid_argument>([&] { e.rename_object("dense_5", "x"); }, "name 'dense_5' does not appear");
  throws_with<std::invalid_argument>([&] { e.rename_object("layers/dense_5", "x"); }, "path 'layers/dense_5' not found");
  throws_with<std::invalid_argument>([&] { e.rename_object("dense", "a/b"); }, "should be a leaf name");
  throws_with<std::invalid_argument>([&] { e.delete_weight("dense_1", "1"); },
                                     "weight '1' not found in object 'dense_1'. Weights found: [0]");
  throws_with<std::invalid_argument>([&] { e.add_object("nowhere/x", {{"0", ops::ones({1})}}); },
                                     "path 'nowhere' not found");
  e.add_object("layers/dense_2/dense", {{"0", ops::ones({2})}});
  throws_with<std::invalid_argument>([&] { e.delete_object("dense"); }, "name 'dense' occurs 2 times");
  e.delete_object("layers/dense_2/dense");
  throws_with<std::invalid_argument>([&] { e.add_weights("dense", {{"a/b", ops::ones({1})}}); }, "a plain name");
  throws_with<std::invalid_argument>([&] { e.save("x.keras"); }, "expected a .weights.h5 extension");
  throws_with<std::invalid_argument>([] { KerasFileEditor bad("model.h5"); }, "expected a .keras or .weights.h5");
  TempDir dir;
  write_bytes(dir.file("broken.keras"), "not a zip");
  CHECK_THROWS_AS(KerasFileEditor(dir.file("broken.keras")), std::exception);
}
