// keras::utils' get_file, hash_file, validate_file and extract_archive against what Keras
// 3's own functions make of the same archives (tests/data/archives/make_fixtures.py: tar
// in ustar, GNU and PAX forms, gzip'd or not, links and members that would land outside
// the folder, a zip), and SHA-256 / MD5 against hashlib's digests.
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "core/digest.h"
#include "files.h"
#include "helpers.h"
#include "keras/config.h"
#include "keras/utils/file_utils.h"
#include "test_data_dir.h"

using namespace th;
namespace fs = std::filesystem;
using keras::Value;

namespace {

std::string fixture(const std::string& name) { return std::string(KERAS_TEST_DATA_DIR) + "/archives/" + name; }

const Value& expected() {
  static const Value v = Value::from_json(read_bytes(fixture("expected.json")));
  return v;
}

// The folder's tree as the fixture script writes it: "dir", "link:<target>" or
// "sha256:<digest>" per relative path.
std::map<std::string, std::string> tree(const fs::path& root) {
  std::map<std::string, std::string> out;
  for (auto it = fs::recursive_directory_iterator(root); it != fs::recursive_directory_iterator(); ++it) {
    const fs::path rel = it->path().lexically_relative(root);
    if (it->is_symlink())
      out[rel.string()] = "link:" + fs::read_symlink(it->path()).string();
    else if (it->is_directory())
      out[rel.string()] = "dir";
    else
      out[rel.string()] = "sha256:" + core::sha256_hex(read_bytes(it->path().string()));
  }
  return out;
}

std::map<std::string, std::string> expected_tree(const Value& v) {
  std::map<std::string, std::string> out;
  for (const auto& [k, x] : v.items()) out[k] = x.as_string();
  return out;
}

}  // namespace

TEST_CASE("file_utils: SHA-256 and MD5 equal hashlib's, streamed in any pieces") {
  CHECK(core::sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(core::sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(core::sha256_hex(std::string(55, 'a')) == "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318");
  CHECK(core::sha256_hex(std::string(56, 'a')) == "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a");
  CHECK(core::sha256_hex(std::string(64, 'a')) == "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb");
  CHECK(core::md5_hex("") == "d41d8cd98f00b204e9800998ecf8427e");
  CHECK(core::md5_hex("abc") == "900150983cd24fb0d6963f7d28e17f72");
  CHECK(core::md5_hex(std::string(56, 'a')) == "3b0c8ac703f828b04c6c197006d17218");
  const std::string million(1000000, 'a');
  core::Sha256 sha;
  core::Md5 md5;
  for (std::size_t i = 0; i < million.size(); i += 777) {
    sha.update(million.data() + i, std::min<std::size_t>(777, million.size() - i));
    md5.update(million.data() + i, std::min<std::size_t>(777, million.size() - i));
  }
  CHECK(sha.hexdigest() == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  CHECK(md5.hexdigest() == "7707d6ae4e027c70eea2a935c2296f21");

  for (const auto& [name, h] : expected().at("hashes").items()) {
    CHECK(keras::utils::hash_file(fixture(name)) == h.at("sha256").as_string());
    CHECK(keras::utils::hash_file(fixture(name), "md5") == h.at("md5").as_string());
    CHECK(keras::utils::validate_file(fixture(name), h.at("sha256").as_string()));
    CHECK(keras::utils::validate_file(fixture(name), h.at("md5").as_string()));
    CHECK_FALSE(keras::utils::validate_file(fixture(name), std::string(64, '0')));
  }
}

TEST_CASE("file_utils: extract_archive makes the trees Keras's does, for every format argument") {
  int cases = 0;
  for (const auto& item : expected().at("extract").items()) {
    const std::string& key = item.first;
    const Value& v = item.second;
    INFO(key);
    const std::string name = key.substr(0, key.find('|')), format = key.substr(key.find('|') + 1);
    TempDir dir;
    const fs::path dest = dir.path / "out";
    CHECK(keras::utils::extract_archive(fixture(name), dest.string(), format) == v.at("returned").as_bool());
    if (v.at("tree").is_null())
      CHECK_FALSE(fs::exists(dest));
    else
      CHECK(tree(dest) == expected_tree(v.at("tree")));
    ++cases;
  }
  CHECK(cases == 18);
  CHECK_FALSE(keras::utils::extract_archive(fixture("gnu.tar.gz"), "unused", ""));
}

TEST_CASE("file_utils: get_file finds, checks and extracts files where Keras's get_file puts them") {
  int cases = 0;
  for (const Value& c : expected().at("get_file").as_list()) {
    const std::string sub = c.contains("cache_subdir") ? c.at("cache_subdir").as_string() : "datasets";
    INFO(c.at("returned").as_string());
    TempDir dir;
    fs::create_directories(dir.path / sub);
    const std::string source = c.contains("source") ? c.at("source").as_string() : c.at("fname").as_string();
    fs::copy_file(fixture(source), dir.path / sub / c.at("stored_as").as_string());
    keras::utils::GetFileOptions o{
        .origin = c.at("origin").as_string(), .cache_subdir = sub, .cache_dir = dir.path.string()};
    if (c.contains("extract")) o.extract = c.at("extract").as_bool();
    if (c.contains("untar")) o.untar = c.at("untar").as_bool();
    if (c.contains("file_hash") && !c.at("file_hash").is_null()) o.file_hash = c.at("file_hash").as_string();
    const std::string got = keras::utils::get_file(c.at("fname").as_string(), o);
    CHECK(fs::relative(got, dir.path).string() == c.at("returned").as_string());
    if (!c.at("tree").is_null()) CHECK(tree(got) == expected_tree(c.at("tree")));
    ++cases;
  }
  CHECK(cases == 6);
}

TEST_CASE("file_utils: missing files, wrong hashes and bad arguments raise, naming the file and the address") {
  TempDir dir;
  const keras::utils::GetFileOptions o{.origin = "https://example.com/x.npz", .cache_dir = dir.path.string()};
  CHECK_THROWS_WITH_AS(
      keras::utils::get_file("x.npz", o),
      doctest::Contains("does not exist (keras-cpp downloads nothing: download https://example.com/x.npz"),
      std::runtime_error);
  CHECK(fs::is_directory(dir.path / "datasets"));  // made, as Keras's
  write_bytes((dir.path / "datasets" / "x.npz").string(), "not the file\n");
  keras::utils::GetFileOptions hashed = o;
  hashed.file_hash = std::string(64, 'a');
  CHECK_THROWS_WITH_AS(keras::utils::get_file("x.npz", hashed), doctest::Contains("its sha256 hash is not aaaa"),
                       std::runtime_error);
  hashed.file_hash = core::md5_hex("not the file\n");
  CHECK(keras::utils::get_file("x.npz", hashed) == (dir.path / "datasets" / "x.npz").string());
  CHECK(keras::utils::get_file("", o) == (dir.path / "datasets" / "x.npz").string());  // the name from the origin
  CHECK_THROWS_WITH_AS(keras::utils::get_file("x.npz", {.origin = "", .cache_dir = dir.path.string()}),
                       doctest::Contains("Please specify the \"origin\" argument"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(keras::utils::get_file("a/x.npz", o), doctest::Contains("Paths are no longer accepted"),
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS(keras::utils::get_file("", {.origin = "https://example.com/", .cache_dir = dir.path.string()}),
                       doctest::Contains("Can't parse the file name from the origin"), std::invalid_argument);

  write_bytes(dir.file("fake.tar.bz2"), "BZh91AY&SY not really");
  CHECK_THROWS_WITH_AS(keras::utils::extract_archive(dir.file("fake.tar.bz2"), dir.file("o"), "tar"),
                       doctest::Contains("bzip2-compressed archives are not supported"), std::runtime_error);
  const std::string tar = read_bytes(fixture("ustar.tar"));
  for (std::size_t cut : {600, 1027, 1600}) {  // inside a header or inside a member's data
    write_bytes(dir.file("cut.tar"), tar.substr(0, cut));
    CHECK_THROWS_AS(keras::utils::extract_archive(dir.file("cut.tar"), dir.file("cut"), "tar"), std::runtime_error);
  }
  std::string bad = tar;
  bad[0] ^= 1;  // the first header's checksum no longer holds: not a tar archive
  write_bytes(dir.file("bad.tar"), bad);
  CHECK_FALSE(keras::utils::extract_archive(dir.file("bad.tar"), dir.file("bad"), "tar"));
}

TEST_CASE("file_utils: the fuzz_tar seeds are archives the walker takes") {
  const fs::path corpus = fs::path(KERAS_TEST_DATA_DIR) / ".." / "fuzz" / "corpus" / "tar";
  int seeds = 0;
  for (const auto& e : fs::directory_iterator(corpus)) {
    INFO(e.path().string());
    TempDir dir;
    CHECK(keras::utils::extract_archive(e.path().string(), dir.file("out"), "tar"));
    ++seeds;
  }
  CHECK(seeds == 3);
}
