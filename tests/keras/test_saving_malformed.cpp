// test_saving_malformed.cpp - hand-made malformed model files: bad magic and version,
// truncation at every offset, every byte flipped, hostile lengths and shapes, duplicate
// names, unregistered classes. Each must raise a typed exception naming the problem.
#include <unistd.h>
#include <zlib.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <sstream>
#include <stdexcept>

#include "files.h"
#include "helpers.h"
#include "keras/keras.h"
#include "keras/saving/format.h"
#include "keras/saving/saving.h"

using namespace th;
namespace fs = std::filesystem;
namespace layers = keras::layers;
namespace saving = keras::saving;
using saving::format::FormatError;

namespace {

uint32_t crc(const std::string& s) {
  return static_cast<uint32_t>(::crc32(0L, reinterpret_cast<const Bytef*>(s.data()), static_cast<uInt>(s.size())));
}
template <class T>
void put(std::string& out, T v) {
  out.append(reinterpret_cast<const char*>(&v), sizeof v);
}
const std::string kMagic("\x89KERASCPP\r\n\x1a", 12);

// A container with valid checksums around whatever sections are given.
std::string container(uint32_t kind, const std::vector<std::pair<std::string, std::string>>& sections,
                      uint32_t version = 1) {
  std::string h = kMagic;
  put<uint32_t>(h, version);
  put<uint32_t>(h, kind);
  put<uint32_t>(h, static_cast<uint32_t>(sections.size()));
  put<uint32_t>(h, crc(h));
  for (const auto& [name, payload] : sections) {
    std::string s;
    put<uint64_t>(s, name.size());
    s += name;
    put<uint64_t>(s, payload.size());
    put<uint32_t>(s, crc(payload));
    put<uint32_t>(s, crc(s));
    h += s + payload;
  }
  return h;
}

// One tensor record, its checksum right unless bad_crc.
std::string record(const std::string& name, uint8_t code, const std::vector<int64_t>& dims, uint64_t nbytes,
                   const std::string& data, bool bad_crc = false) {
  std::string r;
  put<uint64_t>(r, name.size());
  r += name;
  put<uint8_t>(r, code);
  put<uint32_t>(r, static_cast<uint32_t>(dims.size()));
  for (int64_t d : dims) put<int64_t>(r, d);
  put<uint64_t>(r, nbytes);
  r += data;
  put<uint32_t>(r, crc(r) ^ (bad_crc ? 1u : 0u));
  return r;
}
std::string tensors(uint64_t count, const std::vector<std::string>& records) {
  std::string p;
  put<uint64_t>(p, count);
  for (const auto& r : records) p += r;
  return p;
}

const char* kTinyConfig =
    R"({"format_version": 1, "class_name": "Sequential", "model": {"class_name": "Sequential", "config": {"name": "tiny", "layers": [{"class_name": "Dense", "config": {"name": "d", "units": 2, "input_shape": [3]}}]}}})";

// Loads and returns the message of the typed exception it must raise.
std::string load_error(const std::string& bytes) {
  try {
    saving::load_model_from_memory(bytes, {}, "bad.kcpp");
  } catch (const std::runtime_error& e) {
    return e.what();
  } catch (const std::logic_error& e) {
    return e.what();
  }
  return "<no error>";
}

std::string small_model_file() {
  auto model = keras::Sequential({layers::Dense(2, {.input_shape = {3}})});
  model->compile({.optimizer = keras::optimizers::SGD({.momentum = 0.5}), .loss = "mse"});
  Tensor x = make(uniform(6, -1, 1, 1), Shape{2, 3}), y = make(uniform(4, -1, 1, 2), Shape{2, 2});
  model->fit(x, y, {.batch_size = 2, .epochs = 1, .verbose = 0});
  std::string tmpl = (fs::temp_directory_path() / "keras_cpp_malformed_XXXXXX").string();
  const int fd = ::mkstemp(tmpl.data());  // a unique name per run
  REQUIRE(fd >= 0);
  ::close(fd);
  const fs::path p = tmpl;
  model->save(p.string());
  std::ifstream in(p, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), {});
  fs::remove(p);
  return bytes;
}

}  // namespace

TEST_CASE("saving, malformed files: the small model file loads, so the failures below are the file's") {
  const std::string bytes = small_model_file();
  CHECK(bytes.size() < 4000);
  keras::ModelPtr m = saving::load_model_from_memory(bytes);
  CHECK(m->count_params() == 8);
  CHECK(m->optimizer()->iterations() == 1);
}

TEST_CASE("saving, malformed files: bad magic, version, kind, trailing bytes, duplicate and unknown sections") {
  const std::string good = small_model_file();
  std::string bad = good;
  bad[1] = 'X';
  CHECK(load_error(bad).find("bad.kcpp: not a keras-cpp file (expected the magic bytes") == 0);
  CHECK(load_error("").find("but the file has only 0 bytes") != std::string::npos);
  CHECK(load_error(container(1, {}, 7)) ==
        "bad.kcpp: the file header says format version 7, newer than this build of keras-cpp supports (format "
        "version 1): the file was written by a newer keras-cpp; load it with that version or newer");
  CHECK(load_error(container(1, {}, 0)) ==
        "bad.kcpp: the file header says format version 0, which no keras-cpp wrote (this build reads format version 1)");
  CHECK(load_error(container(9, {})) == "bad.kcpp: unknown file kind 9 (expected 1, 2 or 3)");
  CHECK(load_error(good + "x") == "bad.kcpp: 1 unexpected bytes after the last section (offset " +
                                      std::to_string(good.size()) + ")");
  CHECK(load_error(container(1, {{"config", "{}"}, {"config", "{}"}})) == "bad.kcpp: duplicate section 'config'");
  CHECK(load_error(container(1, {{"evil", ""}})).find("bad.kcpp: unknown section 'evil' (expected one of:") == 0);
  CHECK(load_error(container(1, {{std::string(100, 'a'), ""}})).find("expected a name of 1 to 32 bytes") !=
        std::string::npos);
  CHECK(load_error(container(1, {{"config", kTinyConfig}})) ==
        "bad.kcpp: a model file needs the sections 'config' and 'weights'");
  // A section longer than the file.
  std::string s = container(1, {{"config", kTinyConfig}});
  s.resize(s.size() - 5);
  CHECK(load_error(s).find("section 'config': expected") != std::string::npos);
  // Too many sections.
  CHECK(load_error(container(1, std::vector<std::pair<std::string, std::string>>(17, {"config", ""}))) ==
        "bad.kcpp: 17 sections (expected at most 16)");
  // A checkpoint is not a model; a weights file is not a checkpoint.
  CHECK(load_error(container(3, {})).find("expected a model file (save_model), but this is a checkpoint file") !=
        std::string::npos);
}

TEST_CASE("saving, malformed files: truncation at every offset raises a FormatError") {
  const std::string good = small_model_file();
  int clean = 0;
  for (size_t n = 0; n < good.size(); ++n) {
    std::string msg;
    try {
      saving::load_model_from_memory(std::string_view(good).substr(0, n), {}, "cut.kcpp");
      msg = "<no error>";
    } catch (const FormatError& e) {
      msg = e.what();
    }
    if (msg.rfind("cut.kcpp", 0) == 0) ++clean;
    else FAIL_CHECK("truncated at " << n << ": " << msg);
  }
  CHECK(clean == static_cast<int>(good.size()));
}

TEST_CASE("saving, malformed files: every byte flipped in turn is caught (magic, version, a length or a checksum)") {
  const std::string good = small_model_file();
  int caught = 0, by_checksum = 0;
  for (size_t i = 0; i < good.size(); ++i) {
    std::string bad = good;
    bad[i] = static_cast<char>(bad[i] ^ 0x5a);
    std::string msg;
    try {
      saving::load_model_from_memory(bad, {}, "flip.kcpp");
      msg = "<no error>";
    } catch (const FormatError& e) {
      msg = e.what();
    }
    by_checksum += msg.find("checksum mismatch") != std::string::npos;
    if (msg.rfind("flip.kcpp", 0) == 0) ++caught;
    else FAIL_CHECK("byte " << i << ": " << msg);
  }
  CHECK(caught == static_cast<int>(good.size()));
  // Apart from the magic, the version and the section name lengths, checksums catch them.
  CHECK(by_checksum >= static_cast<int>(good.size()) - 12 - 4 - 5 * 8);
}

TEST_CASE("saving, malformed files: hostile tensor records are refused before allocating") {
  auto with_weights = [](const std::string& payload) {
    return load_error(container(1, {{"config", kTinyConfig}, {"weights", payload}}));
  };
  const std::string f4(4, '\0');
  // Counts and lengths far beyond the bytes present.
  CHECK(with_weights(tensors(uint64_t(1) << 60, {})) ==
        "bad.kcpp, section 'weights': a count of 1152921504606846976 tensors cannot fit in the 0 bytes left (at offset 8)");
  std::string huge_name;
  put<uint64_t>(huge_name, uint64_t(1) << 62);
  huge_name += std::string(40, 'a');
  CHECK(with_weights(tensors(1, {huge_name})).find("a length of 4611686018427387904 at offset 8 exceeds the 40 bytes left") !=
        std::string::npos);
  CHECK(with_weights(tensors(1, {record("d/kernel", 1, std::vector<int64_t>(100, 1), 4, f4)}))
            .find("rank 100 exceeds the maximum of 8") != std::string::npos);
  CHECK(with_weights(tensors(1, {record("d/kernel", 1, {3, -2}, 4, f4)})).find("negative dimension -2 at axis 1") !=
        std::string::npos);
  CHECK(with_weights(tensors(1, {record("d/kernel", 1, {int64_t(1) << 40, int64_t(1) << 40}, 4, f4)}))
            .find("the element count of its shape overflows") != std::string::npos);
  CHECK(with_weights(tensors(1, {record("d/kernel", 1, {int64_t(1) << 40}, uint64_t(1) << 42, f4)}))
            .find("expected 4398046511104 bytes of data, but only") != std::string::npos);
  CHECK(with_weights(tensors(1, {record("d/kernel", 1, {3, 2}, 4, f4)}))
            .find("4 data bytes do not match its shape and dtype (expected 6 x 4)") != std::string::npos);
  CHECK(with_weights(tensors(1, {record("d/kernel", 42, {1}, 4, f4)})).find("unknown dtype code 42") != std::string::npos);
  CHECK(with_weights(tensors(1, {record("d/kernel", 6, {1}, 1, "\x07")})).find("neither 0 nor 1") != std::string::npos);
  CHECK(with_weights(tensors(1, {record("d/kernel", 1, {1}, 4, f4, /*bad_crc=*/true)}))
            .find("tensor 0 ('d/kernel'): checksum mismatch") != std::string::npos);
  CHECK(with_weights(tensors(1, {record("", 1, {1}, 4, f4)})).find("expected a name of 1 to 4096 bytes") !=
        std::string::npos);
  CHECK(with_weights(tensors(2, {record("d/kernel", 1, {1}, 4, f4), record("d/kernel", 1, {1}, 4, f4)}))
            .find("duplicate tensor name 'd/kernel'") != std::string::npos);
  CHECK(with_weights(tensors(1, {record("d/kernel", 1, {1}, 4, f4)}) + "zz").find("2 unexpected bytes after the last tensor") !=
        std::string::npos);
  // Well-formed records that do not fit the architecture.
  CHECK(with_weights(tensors(1, {record("d/kernel", 1, {1}, 4, f4)})).find("has 2 weights, but the file has 1") !=
        std::string::npos);
  const std::string k = record("d/kernel", 1, {3, 3}, 36, std::string(36, '\0'));
  const std::string b = record("d/bias", 1, {2}, 8, std::string(8, '\0'));
  CHECK(with_weights(tensors(2, {k, b})).find("expected 'd/kernel' with shape (3, 2) float32, but the file has 'd/kernel' with shape (3, 3) float32") !=
        std::string::npos);
  // And a correct one loads.
  const std::string k2 = record("d/kernel", 1, {3, 2}, 24, std::string(24, '\0'));
  CHECK(with_weights(tensors(2, {k2, b})) == "<no error>");
}

TEST_CASE("saving, malformed files: hostile configs: bad JSON, unregistered classes, absurd sizes") {
  const std::string k2 = record("d/kernel", 1, {3, 2}, 24, std::string(24, '\0'));
  const std::string b = record("d/bias", 1, {2}, 8, std::string(8, '\0'));
  const std::string w = tensors(2, {k2, b});
  auto with_config = [&](const std::string& cfg) { return load_error(container(1, {{"config", cfg}, {"weights", w}})); };
  CHECK(with_config("{\"model\": ").find("bad.kcpp, section 'config': invalid JSON") == 0);
  CHECK(with_config(std::string(100000, '[')).find("invalid JSON") != std::string::npos);
  std::string evil = kTinyConfig;
  evil.replace(evil.find("\"Dense\""), 7, "\"EvilLayer\"");
  const std::string msg = with_config(evil);
  CHECK(msg.find("EvilLayer") != std::string::npos);
  CHECK(msg.find("register_serializable") != std::string::npos);
  std::string top = kTinyConfig;
  const std::string seq = "\"model\": {\"class_name\": \"Sequential\"";
  top.replace(top.find(seq), seq.size(), "\"model\": {\"class_name\": \"Evil\"");
  CHECK(with_config(top) == "bad.kcpp: the model class 'Evil' is not registered: register the class with "
                            "keras::saving::register_serializable<T>(\"Name\") before loading, or pass it in "
                            "LoadOptions::custom_objects");
  std::string big = kTinyConfig;
  big.replace(big.find("\"units\": 2"), 10, "\"units\": 123456789012");
  CHECK(with_config(big) == "bad.kcpp, section 'config': the value 123456789012 of 'units' is out of the accepted "
                            "range [-2^24, 2^24]");
  // Each size within bounds, but together more memory than any machine has.
  std::string huge = kTinyConfig;
  huge.replace(huge.find("\"units\": 2"), 10, "\"units\": 16000000");
  huge.replace(huge.find("\"input_shape\": [3]"), 18, "\"input_shape\": [16000000]");
  CHECK(with_config(huge).find("but only 67108864 more bytes of weights may be allocated") != std::string::npos);
  // A size a machine could hold (a 3 x 16M kernel: 192 MB) is not allocated either: the
  // architecture may not ask for more weight bytes than the file carries (here 32), or 64 MiB.
  std::string large = kTinyConfig;
  large.replace(large.find("\"units\": 2"), 10, "\"units\": 16000000");
  CHECK(with_config(large) == "bad.kcpp: cannot rebuild the model: the architecture asks for the weight 'd/kernel' "
                              "of shape (3, 16000000) float32, but only 67108864 more bytes of weights may be "
                              "allocated while loading bad.kcpp (as many as its weights section holds, at least "
                              "64 MiB): a corrupt or hostile config? (for a user class, register the class with "
                              "keras::saving::register_serializable<T>(\"Name\") before loading, or pass it in "
                              "LoadOptions::custom_objects)");
  CHECK(with_config("{\"model\": 3}").find("expected 'model' to be {\"class_name\"") != std::string::npos);
  CHECK(with_config("[]").find("subclassed class '?'") != std::string::npos);
  // A compile section naming an unregistered optimizer.
  const std::string bad_compile =
      container(1, {{"config", kTinyConfig},
                    {"compile", R"({"optimizer": {"class_name": "EvilOpt", "config": {}}, "loss": ["mse"], "metrics": [], "loss_weights": []})"},
                    {"weights", w}});
  const std::string m2 = load_error(bad_compile);
  CHECK(m2.find("cannot restore the compile configuration") != std::string::npos);
  CHECK(m2.find("EvilOpt") != std::string::npos);
  CHECK(m2.find("{.compile = false}") != std::string::npos);
  CHECK_NOTHROW(saving::load_model_from_memory(bad_compile, {.compile = false}));
}

TEST_CASE("saving, malformed files: files that do not exist or are not model files") {
  CHECK_THROWS_MSG(saving::load_model("/nonexistent/m.kcpp"), std::runtime_error,
                   "/nonexistent/m.kcpp: cannot open the file for reading");
  auto model = keras::Sequential({layers::Dense(2, {.input_shape = {3}})});
  CHECK_THROWS_MSG(model->load_weights("/nonexistent/w.weights"), std::runtime_error, "cannot open the file");
}

TEST_CASE("saving, malformed files: a model config with a newer format_version raises, naming both versions") {
  // The small model file, its config's "format_version" changed (header version 1, every
  // checksum valid): as if a newer keras-cpp had written it.
  const std::string good = small_model_file();
  auto with_version = [&](const keras::Value& version) {
    const saving::format::Container c = saving::format::read_container(good, "good.kcpp");
    std::vector<saving::format::Section> sections;
    for (const auto& [name, payload] : c.sections) {
      std::string text(payload);
      if (name == "config") {
        keras::Config cfg = keras::Config::from_json(text);
        REQUIRE(cfg.at("format_version").as_int() == 1);
        cfg["format_version"] = version;
        text = cfg.to_json();
      }
      sections.push_back({name, text});
    }
    std::ostringstream out;
    saving::format::write_container(out, saving::format::FileKind::model, sections);
    return out.str();
  };
  CHECK(saving::load_model_from_memory(with_version(keras::Value(1LL)))->count_params() == 8);
  CHECK(load_error(with_version(keras::Value(2LL))) ==
        "bad.kcpp: the model config says format version 2, newer than this build of keras-cpp supports (format "
        "version 1): the file was written by a newer keras-cpp; load it with that version or newer");
  CHECK_THROWS_AS(saving::load_model_from_memory(with_version(keras::Value(2LL))), FormatError);
  CHECK(load_error(with_version(keras::Value(-3LL))).find("says format version -3, which no keras-cpp wrote") !=
        std::string::npos);
  CHECK(load_error(with_version(keras::Value("2"))) ==
        "bad.kcpp, section 'config': expected 'format_version' to be an integer, but it is a string");
  // Written to a file and loaded from it, the same.
  TempDir dir;
  write_bytes(dir.file("newer.kcpp"), with_version(keras::Value(2LL)));
  CHECK_THROWS_MSG(keras::models::load_model(dir.file("newer.kcpp")), FormatError,
                   "newer.kcpp: the model config says format version 2, newer than this build");
}

TEST_CASE("config JSON: \\u escapes decode to UTF-8, surrogate pairs as one code point, lone surrogates raise") {
  // As Python's json.dumps writes non-ASCII text: U+00E9, U+20AC, and U+1F600 as a pair.
  CHECK(keras::Value::from_json(R"("caf\u00e9 \u20ac \ud83d\ude00")").as_string() ==
        "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80");
  CHECK(keras::Value::from_json(R"("\uDBFF\uDFFF")").as_string() == "\xF4\x8F\xBF\xBF");  // U+10FFFF
  // Written back and read again, the same bytes.
  const keras::Value v = keras::Value::from_json(R"({"name": "\ud83d\ude00"})");
  CHECK(keras::Value::from_json(v.to_json()) == v);
  CHECK_THROWS_MSG(keras::Value::from_json(R"("\ud83d")"), std::invalid_argument, "without its low surrogate");
  CHECK_THROWS_MSG(keras::Value::from_json(R"("\ud83dx")"), std::invalid_argument, "without its low surrogate");
  CHECK_THROWS_MSG(keras::Value::from_json(R"("\ud83d\u0041")"), std::invalid_argument, "no low surrogate");
  CHECK_THROWS_MSG(keras::Value::from_json(R"("\ude00")"), std::invalid_argument, "lone low surrogate");
  CHECK_THROWS_MSG(keras::Value::from_json(R"("\ud83d\ude0")"), std::invalid_argument, "escape");
}

TEST_CASE("config JSON (nlohmann-json inside): Python's NaN and Infinity, limits, offsets, keys in order") {
  const keras::Value v = keras::Value::from_json(R"({"b": [NaN, Infinity, -Infinity, -0.5, 7], "a": "NaN"})");
  CHECK(std::isnan(v.at("b").as_list()[0].as_double()));
  CHECK(v.at("b").as_list()[1].as_double() == std::numeric_limits<double>::infinity());
  CHECK(v.at("b").as_list()[2].as_double() == -std::numeric_limits<double>::infinity());
  CHECK(v.at("b").as_list()[4].type() == keras::Value::Type::integer);
  CHECK(v.at("a").as_string() == "NaN");  // inside a string it is text
  CHECK(v.to_json() == R"({"b": [NaN, Infinity, -Infinity, -0.5, 7], "a": "NaN"})");  // order kept
  CHECK(keras::Value::from_json(v.to_json(2)) == v);
  CHECK(keras::Value(1.0).to_json() == "1.0");
  CHECK(keras::Value(0.1).to_json() == "0.1");
  CHECK(keras::Value(std::string("a\x01\"\\")).to_json() == R"("a\u0001\"\\")");
  CHECK_THROWS_MSG(keras::Value::from_json(std::string(201, '[') + std::string(201, ']')), std::invalid_argument,
                   "nesting deeper than 200 levels");
  CHECK_NOTHROW(keras::Value::from_json(std::string(200, '[') + std::string(200, ']')));
  CHECK_THROWS_MSG(keras::Value::from_json(R"({"k": 1, "k": 2})"), std::invalid_argument, "duplicate key 'k'");
  CHECK_THROWS_MSG(keras::Value::from_json("[1, 2"), std::invalid_argument, "malformed JSON at offset 5");
  CHECK_THROWS_MSG(keras::Value::from_json("[1] x"), std::invalid_argument, "malformed JSON at offset 4");
  CHECK_THROWS_MSG(keras::Value::from_json("NaNx"), std::invalid_argument, "malformed JSON at offset 0");
  CHECK_THROWS_MSG(keras::Value::from_json(""), std::invalid_argument, "malformed JSON at offset 0");
}
