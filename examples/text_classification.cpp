// text_classification.cpp - predicts a Debian package's Section (net, devel, libs, ...)
// from its Description, with the apt package lists of the machine as the data set:
// TextVectorization (adapted on the training descriptions) turns each description into
// token ids inside a tf.data-style pipeline, then
//   Embedding -> GlobalAveragePooling1D -> Dense(relu) -> Dense(softmax)   (--model avg, default)
//   Embedding(mask_zero) -> GRU | LSTM -> Dense(softmax)                    (--model gru|lstm)
// The pipeline (--batches): "padded" (default) shuffles the descriptions, batches them and
// maps TextVectorization over each batch, padded or cut to --sequence-length ids;
// "ragged" (avg only) maps TextVectorization(ragged) over each description, caches the id
// rows, shuffles them each epoch and makes ragged batches (Dataset::ragged_batch) that a
// model with Input(..., {.ragged = true}) takes whole: the average runs over each
// description's own tokens, with no padding and no cut.
// is trained on 80% of the packages (shuffled) and scored on the rest, against the
// majority-class baseline (always predicting the training set's most common section).
//
//   text_classification [--short] [--packages PATH] [--model avg|gru|lstm] [--epochs N]
//                       [--sections K] [--max-tokens N] [--sequence-length N]
//                       [--batches padded|ragged] [--use-cudnn auto|false] [--threads N]
// --use-cudnn (gru|lstm): "auto" (default) runs each masked sequence as one fused op
// (gru_sequence / lstm_sequence), "false" composes the cell step by step (both give the
// same numbers). --packages: an apt "Packages" file (plain, .gz, or .lz4 via /usr/lib/apt/apt-helper), or a
// folder of them (default /var/lib/apt/lists; `apt-get update` fills it). Only the K most
// common sections are kept. The last line is machine-readable ("result: ..."), for
// tests/examples/test_examples.cpp, which runs it on tests/data/text_classification.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include <keras/keras.h>

#include "example_util.h"

namespace fs = std::filesystem;
namespace layers = keras::layers;
namespace data = keras::data;
using keras::Tensor;

namespace {

struct Package {
  std::string section, text;
};

// A plain-text copy of a Packages file: itself, or decompressed (lz4 by apt's helper) to /tmp.
std::string plain_copy(const fs::path& p, data::TextLineDatasetOptions& options) {
  const std::string ext = p.extension().string();
  if (ext == ".gz") options.compression_type = "GZIP";
  if (ext != ".lz4") return p.string();
  const fs::path out = fs::temp_directory_path() / ("keras_text_classification_" + p.stem().string());
  std::string quoted = "'";
  for (char c : p.string()) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  quoted += "'";
  const std::string cmd = "/usr/lib/apt/apt-helper cat-file " + quoted + " > '" + out.string() + "'";
  if (std::system(cmd.c_str()) != 0) throw std::runtime_error("could not decompress " + p.string() + " (" + cmd + ")");
  return out.string();
}

// The stanzas of one Packages file, read line by line with TextLineDataset: the section
// (without its component, "contrib/net" -> "net") and the description (the summary line
// and the long text).
void read_packages(const fs::path& p, std::map<std::string, Package>& out) {
  data::TextLineDatasetOptions options;
  const std::string file = plain_copy(p, options);
  std::string name, section, text;
  bool in_description = false;
  auto flush = [&] {
    if (!name.empty() && !section.empty() && !text.empty()) out.emplace(name, Package{section, text});
    name.clear(), section.clear(), text.clear();
    in_description = false;
  };
  for (const data::Element& e : data::TextLineDataset(file, options)) {
    const std::string line = e[0].item<std::string>();
    if (line.empty()) {
      flush();
    } else if (line[0] == ' ') {
      if (in_description && line != " .") text += line;
    } else {
      in_description = line.rfind("Description:", 0) == 0;
      if (line.rfind("Package: ", 0) == 0) name = line.substr(9);
      if (line.rfind("Section: ", 0) == 0) {
        section = line.substr(9);
        if (auto slash = section.rfind('/'); slash != std::string::npos) section = section.substr(slash + 1);
      }
      if (in_description) text = line.substr(line.find(':') + 1);
    }
  }
  flush();
  if (file != p.string()) fs::remove(file);  // the decompressed copy
}

std::vector<fs::path> package_files(const std::string& path) {
  if (!fs::exists(path)) throw example::MissingData(path + " does not exist (run apt-get update, or pass --packages)");
  if (!fs::is_directory(path)) return {path};
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(path)) {
    const std::string n = entry.path().filename().string();
    if (entry.is_regular_file() && n.find("_Packages") != std::string::npos) files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  if (files.empty()) throw example::MissingData("no *_Packages files in " + path + " (run apt-get update)");
  return files;
}

keras::Ref<keras::Model> build_model(const std::string& kind, int64_t vocab, int64_t classes, int64_t length,
                                     bool ragged, const std::string& use_cudnn) {
  if (use_cudnn != "auto" && use_cudnn != "false")
    throw std::invalid_argument("--use-cudnn expects auto or false, but received " + use_cudnn);
  if (ragged && kind != "avg")
    throw std::invalid_argument("--batches ragged takes --model avg (the recurrent layers take padded batches), "
                                "but received --model " + kind);
  auto input = ragged ? keras::Input({-1}, {.dtype = keras::DType::int64, .name = "token_ids", .ragged = true})
                      : keras::Input({length}, {.dtype = keras::DType::int64, .name = "token_ids"});
  keras::KerasTensor h;
  if (kind == "avg") {
    h = layers::Embedding(vocab, 64)(input);  // padded: the padding ids (0) take part in the average
    h = layers::GlobalAveragePooling1D()(h);
    h = layers::Dense(64, {.activation = "relu"})(h);
  } else if (kind == "gru" || kind == "lstm") {
    h = layers::Embedding(vocab, 64, {.mask_zero = true})(input);
    const layers::RecurrentOptions o{.use_cudnn = use_cudnn == "auto" ? layers::UseCudnnArg("auto")
                                                                      : layers::UseCudnnArg(false)};
    h = kind == "gru" ? layers::GRU(64, o)(h) : layers::LSTM(64, o)(h);
  } else {
    throw std::invalid_argument("--model expects avg, gru or lstm, but received " + kind);
  }
  auto output = layers::Dense(classes, {.activation = "softmax"})(h);
  return keras::Functional({input}, {output});
}

int main_body(const example::Flags& flags) {
  const bool short_run = flags.short_run();
  const std::string kind = flags.get_string("model", "avg");
  const int epochs = int(flags.get_int("epochs", short_run ? 30 : 10));
  const int64_t num_sections = flags.get_int("sections", 10);
  const int64_t length = flags.get_int("sequence-length", 64);
  const std::string batches = flags.get_string("batches", "padded");
  if (batches != "padded" && batches != "ragged")
    throw std::invalid_argument("--batches expects padded or ragged, but received " + batches);
  const bool ragged = batches == "ragged";
  keras::ops::set_random_seed(7);

  std::map<std::string, Package> by_name;  // one entry per package name (the lists overlap)
  for (const fs::path& p : package_files(flags.get_string("packages", "/var/lib/apt/lists"))) read_packages(p, by_name);
  std::map<std::string, int64_t> counts;
  for (const auto& [n, pkg] : by_name) ++counts[pkg.section];
  std::vector<std::pair<int64_t, std::string>> ranked;
  for (const auto& [s, c] : counts) ranked.emplace_back(-c, s);
  std::sort(ranked.begin(), ranked.end());
  if (int64_t(ranked.size()) > num_sections) ranked.resize(size_t(num_sections));
  std::map<std::string, int32_t> label_of;
  for (const auto& [c, s] : ranked) label_of.emplace(s, int32_t(label_of.size()));

  // Shuffle (a fixed seed), then 80% for training.
  std::vector<const Package*> kept;
  for (const auto& [n, pkg] : by_name)
    if (label_of.count(pkg.section)) kept.push_back(&pkg);
  std::shuffle(kept.begin(), kept.end(), std::mt19937(42));
  const size_t n_train = kept.size() * 8 / 10;
  if (n_train < 10 || kept.size() - n_train < 10) throw std::runtime_error("too few packages: " + std::to_string(kept.size()));
  std::vector<std::string> train_text, test_text;
  std::vector<int32_t> train_y, test_y;
  for (size_t i = 0; i < kept.size(); ++i) {
    (i < n_train ? train_text : test_text).push_back(kept[i]->text);
    (i < n_train ? train_y : test_y).push_back(label_of.at(kept[i]->section));
  }

  // Ragged rows are cut only when --sequence-length is given.
  const int64_t cut = ragged ? (flags.has("sequence-length") ? length : -1) : length;
  auto vectorize = layers::TextVectorization(
      {.max_tokens = flags.get_int("max-tokens", 20000), .output_sequence_length = cut, .ragged = ragged});
  vectorize->adapt(data::Dataset::from_tensor_slices(keras::constant(train_text)).batch(512));
  auto pipeline = [&](const std::vector<std::string>& text, const std::vector<int32_t>& y, bool shuffle) {
    data::Dataset ds = data::Dataset::from_tensor_slices({keras::constant(text), keras::constant(y)});
    if (ragged) {  // description -> its ids (n,), kept in memory; shuffled rows; ragged batches
      ds = ds.map([&](const Tensor& s, const Tensor& label) {
               return data::Element{vectorize->call_ragged(keras::ops::reshape(s, {1})).flat_values(), label};
             }).cache();
      if (shuffle) ds = ds.shuffle(int64_t(text.size()), {.seed = 1});
      return ds.ragged_batch(64).prefetch(2);
    }
    if (shuffle) ds = ds.shuffle(int64_t(text.size()), {.seed = 1});
    return ds.batch(64).map([&](const Tensor& x, const Tensor& label) { return data::Element{vectorize(x), label}; });
  };

  auto model = build_model(kind, vectorize->vocabulary_size(), int64_t(label_of.size()), length, ragged,
                           flags.get_string("use-cudnn", "auto"));
  model->compile({.optimizer = "adam", .loss = "sparse_categorical_crossentropy", .metrics = {"accuracy"}});
  model->fit(pipeline(train_text, train_y, true), {.epochs = epochs, .verbose = short_run ? 0 : 2});
  const double accuracy = model->evaluate(pipeline(test_text, test_y, false), {.verbose = 0}).at("accuracy");

  std::map<int32_t, int64_t> train_counts;
  for (int32_t y : train_y) ++train_counts[y];
  const int32_t majority = std::max_element(train_counts.begin(), train_counts.end(), [](auto& a, auto& b) {
                             return a.second < b.second;
                           })->first;
  const double baseline = double(std::count(test_y.begin(), test_y.end(), majority)) / double(test_y.size());
  std::printf("%zu packages in %zu sections (%zu train, %zu test), vocabulary %lld tokens\n", kept.size(),
              label_of.size(), train_text.size(), test_text.size(), (long long)vectorize->vocabulary_size());
  std::printf("test accuracy %.4f (model %s, %s batches) vs majority-class baseline %.4f (always '%s')\n", accuracy,
              kind.c_str(), batches.c_str(), baseline, ranked.front().second.c_str());
  example::Result()
      .add("packages", double(kept.size()))
      .add("sections", double(label_of.size()))
      .add("vocabulary", double(vectorize->vocabulary_size()))
      .add("model", kind)
      .add("batches", batches)
      .add("test_accuracy", accuracy)
      .add("baseline_accuracy", baseline)
      .print();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  return example::run(argc, argv,
                      {"packages", "model", "epochs", "sections", "max-tokens", "sequence-length", "batches",
                       "use-cudnn"},
                      "text_classification [--short] [--packages PATH] [--model avg|gru|lstm] [--epochs N] "
                      "[--sections K] [--max-tokens N] [--sequence-length N] [--batches padded|ragged] "
                      "[--use-cudnn auto|false] [--threads N]",
                      main_body);
}
