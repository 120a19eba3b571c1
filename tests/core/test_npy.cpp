#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "core/npy.h"
#include "helpers.h"

using namespace th;
namespace fs = std::filesystem;

namespace {

// A fresh, empty directory removed (with its contents) at the end of the test.
struct TempDir {
  fs::path path;
  TempDir() {
    static int n = 0;
    path = fs::temp_directory_path() /
           ("keras_cpp_test_npy_" + std::to_string(::getpid()) + "_" + std::to_string(n++));
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  std::string file(const std::string& name) const { return (path / name).string(); }
  std::vector<std::string> entries() const {
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(path)) out.push_back(e.path().filename().string());
    return out;
  }
};

std::string read_bytes(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(f), {});
}

void write_bytes(const std::string& path, const std::string& bytes) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// A .npy file: magic, version, little-endian header length, the header text as given
// (no padding added), then `data`.
std::string npy_file(const std::string& header, const std::string& data = "", int major = 1) {
  std::string out("\x93NUMPY", 6);
  out += static_cast<char>(major);
  out += '\0';
  std::size_t n = header.size();
  int len_bytes = major == 1 ? 2 : 4;
  for (int i = 0; i < len_bytes; ++i) out += static_cast<char>((n >> (8 * i)) & 0xff);
  return out + header + data;
}

std::string raw(const Tensor& t) {
  const char* p = static_cast<const char*>(t.raw_data());
  return std::string(p, p + t.nbytes());
}

Tensor sample(DType dt, const Shape& shape) {
  auto v = uniform(shape.num_elements(), -50, 50, 3);
  for (auto& x : v) {
    if (core::is_integer(dt)) x = std::floor(dt == DType::uint8 ? std::fabs(x) * 5 : x * 1e6);
    if (dt == DType::bool_) x = x > 0;
  }
  return make(v, shape, dt);
}

}  // namespace

TEST_CASE("test_npy: save and load round trip every dtype and shape") {
  TempDir dir;
  for (DType dt : {DType::float32, DType::float64, DType::int32, DType::int64, DType::uint8,
                   DType::bool_})
    for (const Shape& shape : {Shape{}, Shape{0}, Shape{3}, Shape{2, 3, 4}}) {
      CAPTURE(core::dtype_name(dt));
      CAPTURE(shape.str());
      Tensor t = sample(dt, shape);
      std::string path = dir.file(std::string(core::dtype_name(dt)) + ".npy");
      core::save_npy(path, t);
      // The data starts at a multiple of 64 bytes, as NumPy writes it.
      CHECK((fs::file_size(path) - t.nbytes()) % 64 == 0);
      Tensor u = core::load_npy(path);
      CHECK(u.dtype() == dt);
      CHECK(u.shape() == shape);
      CHECK(raw(u) == raw(t));
    }
  CHECK(dir.entries().size() == 6);  // no temporary files left behind
}

TEST_CASE("test_npy: the file is byte-for-byte what numpy.save writes") {
  TempDir dir;
  std::string path = dir.file("a.npy");
  core::save_npy(path, core::constant({1.0f, 2.0f, 3.0f}));
  // Header dict, 20 spare spaces for the first axis to grow (NumPy's
  // GROWTH_AXIS_MAX_DIGITS = 21 minus the one digit of "3"), then padding to 128 bytes.
  std::string dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }";
  std::string expected = std::string("\x93NUMPY\x01\x00\x76\x00", 10) + dict +
                         std::string(128 - 10 - dict.size() - 1, ' ') + "\n" +
                         std::string("\x00\x00\x80\x3f\x00\x00\x00\x40\x00\x00\x40\x40", 12);
  CHECK(read_bytes(path) == expected);

  // A scalar: no growth padding.
  core::save_npy(path, core::constant(int64_t{-2}));
  std::string s = read_bytes(path);
  std::string sdict = "{'descr': '<i8', 'fortran_order': False, 'shape': (), }";
  REQUIRE(s.size() == 128 + 8);
  CHECK(s.substr(10, sdict.size()) == sdict);
  CHECK(s.substr(10 + sdict.size(), 128 - 11 - sdict.size()) ==
        std::string(128 - 11 - sdict.size(), ' '));
  CHECK(s.substr(127) == std::string("\n\xfe\xff\xff\xff\xff\xff\xff\xff", 9));

  // Shapes print as Python tuples.
  core::save_npy(path, ops::zeros({2, 3}, DType::uint8));
  CHECK(read_bytes(path).substr(10, 66) ==
        "{'descr': '|u1', 'fortran_order': False, 'shape': (2, 3), }       ");
  core::save_npy(path, make({1, 0}, Shape{2}, DType::bool_));
  CHECK(read_bytes(path).find("'descr': '|b1'") != std::string::npos);
}

TEST_CASE("test_npy: headers of every version and older writers are read") {
  TempDir dir;
  std::string path = dir.file("v.npy");
  std::string data("\x01\x00\x00\x00\x02\x00\x00\x00", 8);
  // Version 1.0 with 16-byte alignment (NumPy < 1.16), keys in another order, double
  // quotes, Python 2 long literals.
  write_bytes(path, npy_file("{\"shape\": (2L,), 'descr': '<i4', 'fortran_order': False}\n",
                             data));
  Tensor t = core::load_npy(path);
  CHECK(t.dtype() == DType::int32);
  CHECK(t.shape() == Shape{2});
  check_values(t, std::vector<int>{1, 2});
  // Versions 2.0 and 3.0 have a 4-byte header length.
  for (int major : {2, 3}) {
    CAPTURE(major);
    write_bytes(path, npy_file("{'descr': '<i4', 'fortran_order': False, 'shape': (1, 2), }\n",
                               data, major));
    Tensor u = core::load_npy(path);
    CHECK(u.shape() == Shape{1, 2});
    check_values(u, std::vector<int>{1, 2});
  }
  // bool bytes other than 0/1 read as true.
  write_bytes(path, npy_file("{'descr': '|b1', 'fortran_order': False, 'shape': (3,)}\n",
                             std::string("\x00\x01\x07", 3)));
  CHECK(raw(core::load_npy(path)) == std::string("\x00\x01\x01", 3));
}

TEST_CASE("test_npy: a header over 64 KiB is written as version 2.0") {
  TempDir dir;
  std::string path = dir.file("big_header.npy");
  std::vector<int64_t> dims(25000, 1);  // "1, " per axis: about 75 KB of header
  Tensor t = ops::reshape(core::constant({7.0}), dims);
  core::save_npy(path, t);
  std::string bytes = read_bytes(path);
  REQUIRE(bytes.size() > 12);
  CHECK(bytes[6] == 2);
  CHECK((bytes.size() - t.nbytes()) % 64 == 0);
  Tensor u = core::load_npy(path);
  CHECK(u.shape() == t.shape());
  CHECK(u.item<double>() == 7.0);
}

TEST_CASE("test_npy: malformed files raise runtime_error naming the file and the problem") {
  TempDir dir;
  std::string path = dir.file("bad.npy");
  const std::string f4 = "{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }\n";
  const std::string twelve(12, '\0');
  struct Case {
    const char* name;
    std::string bytes;
    const char* message;
  };
  std::vector<Case> cases = {
      {"empty file", "", "bad magic"},
      {"bad magic", "\x93NUMPZ\x01\x00" + std::string(100, ' '), "bad magic"},
      {"text file", "hello world, this is not numpy data", "not a .npy file"},
      {"unsupported version", npy_file(f4, twelve, 4), "unsupported .npy format version 4.0"},
      {"truncated length", std::string("\x93NUMPY\x01\x00\x10", 9), "truncated"},
      {"header longer than file", std::string("\x93NUMPY\x01\x00\xff\x7f{}", 12),
       "header length is 32767 bytes but only 2 bytes follow"},
      {"truncated data", npy_file(f4, std::string(11, '\0')),
       "truncated: shape (3,) of dtype float32 needs 12 bytes of data but the file has 11"},
      {"trailing data", npy_file(f4, std::string(13, '\0')),
       "longer than its header says"},
      {"huge shape", npy_file("{'descr': '<f4', 'fortran_order': False, 'shape': (1000000000000,), }\n", twelve),
       "needs 4000000000000 bytes of data but the file has 12"},
      {"overflowing element count",
       npy_file("{'descr': '<f8', 'fortran_order': False, 'shape': (4294967296, 4294967296), }\n"),
       "element count overflows"},
      {"overflowing dimension",
       npy_file("{'descr': '<f8', 'fortran_order': False, 'shape': (99999999999999999999,), }\n"),
       "does not fit in int64"},
      {"negative dimension", npy_file("{'descr': '<f4', 'fortran_order': False, 'shape': (-3,), }\n", twelve),
       "negative"},
      {"unsupported dtype", npy_file("{'descr': '<c8', 'fortran_order': False, 'shape': (3,), }\n", twelve),
       "unsupported dtype '<c8'"},
      {"float16", npy_file("{'descr': '<f2', 'fortran_order': False, 'shape': (3,), }\n", twelve),
       "unsupported dtype '<f2'"},
      {"big-endian", npy_file("{'descr': '>f4', 'fortran_order': False, 'shape': (3,), }\n", twelve),
       "big-endian dtype '>f4' is not supported"},
      {"structured dtype",
       npy_file("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (3,), }\n", twelve),
       "structured arrays are not supported"},
      {"fortran order", npy_file("{'descr': '<f4', 'fortran_order': True, 'shape': (3,), }\n", twelve),
       "fortran_order=True"},
      {"missing key", npy_file("{'descr': '<f4', 'fortran_order': False}\n", twelve),
       "no 'shape' key"},
      {"unknown key", npy_file("{'descr': '<f4', 'fortran_order': False, 'shape': (3,), 'x': 1}\n", twelve),
       "unexpected key 'x'"},
      {"duplicate key", npy_file("{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (3,)}\n", twelve),
       "duplicate key 'descr'"},
      {"not a dict", npy_file("['descr', '<f4']\n", twelve), "must start with '{'"},
      {"shape not a tuple", npy_file("{'descr': '<f4', 'fortran_order': False, 'shape': 3}\n", twelve),
       "'shape' must be a tuple"},
      {"unterminated", npy_file("{'descr': '<f4', 'fortran_order': False, 'shape': (3,\n", twelve),
       "malformed header"},
      {"garbage after dict", npy_file(f4.substr(0, f4.size() - 1) + " junk\n", twelve),
       "unexpected text after the header dict"},
      {"bad boolean", npy_file("{'descr': '<f4', 'fortran_order': 0, 'shape': (3,)}\n", twelve),
       "must be True or False"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.name);
    write_bytes(path, c.bytes);
    CHECK_THROWS_MSG(core::load_npy(path), std::runtime_error, c.message);
    const std::string prefix = "load_npy: '" + path + "': ";
    CHECK_THROWS_MSG(core::load_npy(path), std::runtime_error, prefix.c_str());
  }
  CHECK_THROWS_MSG(core::load_npy(dir.file("missing.npy")), std::runtime_error,
                   "missing.npy': cannot open: No such file or directory");
  CHECK_THROWS_MSG(core::load_npy(dir.path.string()), std::runtime_error, "not a regular file");
}

TEST_CASE("test_npy: a failed save leaves nothing behind") {
  TempDir dir;
  Tensor t = core::constant({1.0f, 2.0f});
  // Missing directory.
  std::string missing = dir.file("no_such_dir/x.npy");
  const std::string message = "save_npy: cannot write '" + missing + "': No such file or directory";
  CHECK_THROWS_MSG(core::save_npy(missing, t), std::runtime_error, message.c_str());
  CHECK(dir.entries().empty());
  // The target is a directory: the write succeeds, the rename fails, the temporary goes.
  fs::create_directory(dir.path / "d.npy");
  CHECK_THROWS_MSG(core::save_npy(dir.file("d.npy"), t), std::runtime_error, "d.npy");
  CHECK(dir.entries() == std::vector<std::string>{"d.npy"});
  CHECK(fs::is_empty(dir.path / "d.npy"));
  CHECK_THROWS_AS(core::save_npy(dir.file("e.npy"), Tensor()), std::invalid_argument);
  CHECK(dir.entries().size() == 1);
}

TEST_CASE("test_npy: saving over a file replaces it atomically") {
  TempDir dir;
  std::string path = dir.file("w.npy");
  core::save_npy(path, ops::zeros({1000}, DType::float64));
  std::string old_bytes = read_bytes(path);
  // A reader that opened the old file keeps seeing it whole: the new file is a new
  // inode renamed over the name, never the old one truncated and rewritten.
  std::ifstream reader(path, std::ios::binary);
  REQUIRE(reader.good());
  core::save_npy(path, core::constant({5, 6}));
  std::string seen(std::istreambuf_iterator<char>(reader), {});
  CHECK(seen == old_bytes);
  Tensor u = core::load_npy(path);
  CHECK(u.dtype() == DType::int32);
  check_values(u, std::vector<int>{5, 6});
  CHECK(dir.entries() == std::vector<std::string>{"w.npy"});
}
