#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "core/atomic_file.h"
#include "core/npy.h"
#include "files.h"
#include "helpers.h"
#include "skips.h"
#include "test_data_dir.h"

using namespace th;
namespace fs = std::filesystem;

namespace {

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
      {"unsupported dtype", npy_file("{'descr': '<u8', 'fortran_order': False, 'shape': (3,), }\n", twelve),
       "unsupported dtype '<u8'"},
      {"float128", npy_file("{'descr': '<f16', 'fortran_order': False, 'shape': (3,), }\n", twelve),
       "unsupported dtype '<f16'"},
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
  const std::string message = "save_npy: cannot write '" + missing + "': cannot create the temporary file";
  CHECK_THROWS_MSG(core::save_npy(missing, t), std::runtime_error, message.c_str());
  CHECK_THROWS_MSG(core::save_npy(missing, t), std::runtime_error, "No such file or directory");
  CHECK(dir.entries().empty());
  // The target is a directory: refused before anything is written (test_save_targets.cpp
  // covers devices, FIFOs, sockets and symbolic links).
  fs::create_directory(dir.path / "d.npy");
  CHECK_THROWS_MSG(core::save_npy(dir.file("d.npy"), t), core::NotRegularFileError,
                   "d.npy': it is a directory, not a regular file");
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

// ---- .npz -------------------------------------------------------------------------------

namespace {

std::string fixture(const std::string& name) {
  return std::string(KERAS_TEST_DATA_DIR) + "/npz/" + name;
}

// The arrays of tests/data/npz/make_fixtures.py, in its order.
void check_numpy_arrays(const std::vector<std::pair<std::string, Tensor>>& a) {
  std::vector<std::string> names;
  for (const auto& [n, t] : a) names.push_back(n);
  REQUIRE(names == std::vector<std::string>{"f32", "f64", "i32", "i64", "u8", "b", "scalar", "empty"});
  CHECK(a[0].second.dtype() == DType::float32);
  CHECK(a[0].second.shape() == Shape{2, 3});
  check_values(a[0].second, std::vector<double>{1.5, -2.0, 3.25, 0.0, 1e-3, -7.0});
  CHECK(a[1].second.dtype() == DType::float64);
  check_values(a[1].second, std::vector<double>{M_PI, -1e300, 0.5, 2.0}, 1e-15);
  CHECK(a[2].second.dtype() == DType::int32);
  CHECK(a[2].second.shape() == Shape{2, 2});
  CHECK(a[2].second.to_vector<int32_t>() == std::vector<int32_t>{INT32_MIN, INT32_MAX, 0, -5});
  CHECK(a[3].second.dtype() == DType::int64);
  CHECK(a[3].second.to_vector<int64_t>() == std::vector<int64_t>{INT64_MIN, INT64_MAX, 42});
  CHECK(a[4].second.dtype() == DType::uint8);
  CHECK(a[4].second.to_vector<uint8_t>() == std::vector<uint8_t>{250, 251, 252, 253, 254});
  CHECK(a[5].second.dtype() == DType::bool_);
  CHECK(raw(a[5].second) == std::string("\x01\x00\x00\x01", 4));
  CHECK(a[6].second.dtype() == DType::float64);
  CHECK(a[6].second.shape() == Shape{});
  CHECK(a[6].second.item<double>() == 2.5);
  CHECK(a[7].second.dtype() == DType::float32);
  CHECK(a[7].second.shape() == Shape{0, 3});
}

std::vector<std::pair<std::string, Tensor>> sample_arrays() {
  return {{"f32", make({1.5, -2.0, 3.25, 0.0, 1e-3, -7.0}, Shape{2, 3})},
          {"f64", make({M_PI, -1e300, 0.5, 2.0}, Shape{4}, DType::float64)},
          {"i32", core::constant(std::vector<int32_t>{INT32_MIN, INT32_MAX, 0, -5}, Shape{2, 2})},
          {"i64", core::constant(std::vector<int64_t>{INT64_MIN, INT64_MAX, 42}, Shape{3})},
          {"u8", make({250, 251, 252, 253, 254}, Shape{5}, DType::uint8)},
          {"b", make({1, 0, 0, 1}, Shape{4}, DType::bool_)},
          {"scalar", core::constant(std::vector<double>{2.5}, Shape{})},
          {"empty", ops::zeros({0, 3}, DType::float32)}};
}

uint32_t le32(const std::string& s, std::size_t at) {
  return uint32_t(uint8_t(s[at])) | uint32_t(uint8_t(s[at + 1])) << 8 |
         uint32_t(uint8_t(s[at + 2])) << 16 | uint32_t(uint8_t(s[at + 3])) << 24;
}
uint16_t le16(const std::string& s, std::size_t at) {
  return uint16_t(uint8_t(s[at]) | uint8_t(s[at + 1]) << 8);
}
void set32(std::string& s, std::size_t at, uint32_t v) {
  for (int i = 0; i < 4; ++i) s[at + i] = static_cast<char>((v >> (8 * i)) & 0xff);
}
void set16(std::string& s, std::size_t at, uint16_t v) {
  s[at] = static_cast<char>(v & 0xff);
  s[at + 1] = static_cast<char>(v >> 8);
}

}  // namespace

TEST_CASE("test_npy: npz archives written by NumPy are read (savez, savez_compressed)") {
  for (const char* name : {"numpy_savez.npz", "numpy_savez_compressed.npz"}) {
    CAPTURE(name);
    check_numpy_arrays(core::load_npz(fixture(name)));
  }
  // Written to an unseekable stream: data descriptors after each member (flag bit 3).
  auto d = core::load_npz(fixture("numpy_data_descriptor.npz"));
  REQUIRE(d.size() == 2);
  CHECK(d[0].first == "a");
  CHECK(d[0].second.shape() == Shape{2, 3});
  CHECK(d[0].second.to_vector<int64_t>() == std::vector<int64_t>{0, 1, 2, 3, 4, 5});
  CHECK(d[1].first == "b");
  check_values(d[1].second, std::vector<float>{1, 2});
}

TEST_CASE("test_npy: ZIP64 extra fields and the ZIP64 end records are read") {
  // Python's zipfile with its ZIP64 limits lowered: ZIP64 extra fields in the central
  // directory (sizes and offsets all ones), and the ZIP64 end record and locator.
  std::string bytes = read_bytes(fixture("python_zip64.npz"));
  auto check = [](const std::vector<std::pair<std::string, Tensor>>& a) {
    REQUIRE(a.size() == 2);
    CHECK(a[0].first == "x");
    CHECK(a[0].second.to_vector<int32_t>() == std::vector<int32_t>{0, 1, 2, 3, 4});
    CHECK(a[1].first == "y");
    CHECK(a[1].second.shape() == Shape{1, 2});
    check_values(a[1].second, std::vector<double>{1, 2});
  };
  check(core::load_npz_bytes(bytes.data(), bytes.size()));
  // The same with the classic end record's fields all ones, so only the ZIP64 end
  // record gives the entry count and the central directory's place.
  std::size_t end = bytes.size() - 22;
  REQUIRE(le32(bytes, end) == 0x06054b50);
  set16(bytes, end + 8, 0xffff);
  set16(bytes, end + 10, 0xffff);
  set32(bytes, end + 12, 0xffffffff);
  set32(bytes, end + 16, 0xffffffff);
  check(core::load_npz_bytes(bytes.data(), bytes.size()));
  // A broken locator is reported.
  std::string broken = bytes;
  set32(broken, end - 20, 0x12345678);
  CHECK_THROWS_MSG(core::load_npz_bytes(broken.data(), broken.size(), "z.npz"), std::runtime_error,
                   "load_npz: 'z.npz': corrupt zip: the ZIP64 end of central directory locator is missing");
}

TEST_CASE("test_npy: save_npz round trips every dtype, stored and deflated") {
  TempDir dir;
  for (bool compress : {false, true}) {
    CAPTURE(compress);
    std::string path = dir.file(compress ? "c.npz" : "s.npz");
    core::save_npz(path, sample_arrays(), compress);
    check_numpy_arrays(core::load_npz(path));
  }
  // Compression pays on redundant data; an empty archive is valid.
  core::save_npz(dir.file("z0.npz"), {{"zeros", ops::zeros({10000})}}, false);
  core::save_npz(dir.file("z1.npz"), {{"zeros", ops::zeros({10000})}}, true);
  CHECK(fs::file_size(dir.file("z0.npz")) > 40000);
  CHECK(fs::file_size(dir.file("z1.npz")) < 1000);
  check_values(core::load_npz(dir.file("z1.npz"))[0].second, std::vector<float>(10000, 0.0f));
  core::save_npz(dir.file("none.npz"), {});
  CHECK(read_bytes(dir.file("none.npz")) == std::string("PK\x05\x06", 4) + std::string(18, '\0'));
  CHECK(core::load_npz(dir.file("none.npz")).empty());
  CHECK(dir.entries().size() == 5);  // no temporary files left behind
}

TEST_CASE("test_npy: save_npz writes the zip structure NumPy reads") {
  TempDir dir;
  std::string path = dir.file("w.npz");
  Tensor w = core::constant({1.0f, 2.0f, 3.0f});
  core::save_npz(path, {{"w", w}, {"b", core::constant(7)}});
  std::string zip = read_bytes(path);
  core::save_npy(dir.file("w.npy"), w);
  const std::string npy = read_bytes(dir.file("w.npy"));
  // Local header of the first member: stored, the CRC-32 of the .npy bytes, both sizes,
  // the name, then exactly the bytes save_npy writes.
  CHECK(le32(zip, 0) == 0x04034b50);
  CHECK(le16(zip, 8) == 0);  // stored
  CHECK(le32(zip, 14) == 0xd140a677);  // zlib.crc32 of w.npy, computed by Python
  CHECK(le32(zip, 18) == npy.size());
  CHECK(le32(zip, 22) == npy.size());
  CHECK(zip.substr(30, 5) == "w.npy");
  CHECK(zip.substr(35, npy.size()) == npy);
  // The end record: 2 entries, and the central directory it points to.
  std::size_t end = zip.size() - 22;
  CHECK(le32(zip, end) == 0x06054b50);
  CHECK(le16(zip, end + 10) == 2);
  std::size_t cd = le32(zip, end + 16);
  CHECK(le32(zip, cd) == 0x02014b50);
  CHECK(le32(zip, cd + 42) == 0);  // first member at offset 0
  CHECK(cd + le32(zip, end + 12) == end);
  // The writer is deterministic (a fixed 1980-01-01 timestamp): this is the file of
  // tests/data/npz/keras_cpp_savez_compressed.npz, which NumPy reads (next test).
  std::string ours = dir.file("ours.npz");
  core::save_npz(ours, sample_arrays(), true);
  CHECK(read_bytes(ours) == read_bytes(fixture("keras_cpp_savez_compressed.npz")));
}

TEST_CASE("test_npy: NumPy reads the .npz files save_npz writes, stored and deflated" *
          doctest::skip(th::skip_without("numpy", th::have_numpy()))) {
  TempDir dir;
  std::string ours = dir.file("ours.npz");
  core::save_npz(ours, sample_arrays(), true);
  const std::string script =
      "import numpy as np, sys\n"
      "for f in sys.argv[1:]:\n"
      "  d = np.load(f)\n"
      "  assert list(d.keys()) == ['f32', 'f64', 'i32', 'i64', 'u8', 'b', 'scalar', 'empty'], list(d.keys())\n"
      "  assert d['f32'].dtype == np.float32 and d['f32'].tolist() == [[1.5, -2.0, 3.25], [0.0, np.float32(1e-3), -7.0]]\n"
      "  assert d['f64'].tolist() == [np.pi, -1e300, 0.5, 2.0]\n"
      "  assert d['i32'].dtype == np.int32 and d['i32'].tolist() == [[-2**31, 2**31 - 1], [0, -5]]\n"
      "  assert d['i64'].dtype == np.int64 and d['i64'].tolist() == [-2**63, 2**63 - 1, 42]\n"
      "  assert d['u8'].dtype == np.uint8 and d['u8'].tolist() == [250, 251, 252, 253, 254]\n"
      "  assert d['b'].dtype == bool and d['b'].tolist() == [True, False, False, True]\n"
      "  assert d['scalar'].shape == () and d['scalar'] == 2.5\n"
      "  assert d['empty'].shape == (0, 3) and d['empty'].dtype == np.float32\n";
  std::string script_path = dir.file("check.py");
  write_bytes(script_path, script);
  std::string stored = dir.file("stored.npz");
  core::save_npz(stored, sample_arrays(), false);
  std::string cmd = "/usr/bin/python3 " + script_path + " " + ours + " " + stored;
  CHECK(std::system(cmd.c_str()) == 0);
}

TEST_CASE("test_npy: save_npz rejects bad names, load_npz corrupt archives") {
  TempDir dir;
  std::string path = dir.file("a.npz");
  Tensor t = core::constant({1.0f, 2.0f});
  CHECK_THROWS_MSG(core::save_npz(path, {{"a", t}, {"a", t}}), std::invalid_argument,
                   "save_npz: duplicate array name 'a'");
  CHECK_THROWS_MSG(core::save_npz(path, {{"", t}}), std::invalid_argument, "array name is empty");
  CHECK_THROWS_MSG(core::save_npz(path, {{"u", Tensor()}}), std::invalid_argument, "'u' is undefined");
  CHECK(dir.entries().empty());

  core::save_npz(path, {{"a", t}, {"b", core::constant(3)}});
  const std::string good = read_bytes(path);
  const std::size_t end = good.size() - 22, cd = le32(good, end + 16);
  const std::size_t cd2 = cd + 46 + 5;  // the second central directory entry
  const std::size_t local2 = le32(good, cd2 + 42);
  struct Case {
    const char* name;
    std::string bytes;
    const char* message;
  };
  auto patched = [&](auto&& edit) {
    std::string b = good;
    edit(b);
    return b;
  };
  std::vector<Case> cases = {
      {"empty file", "", "not a zip file (0 bytes"},
      {"npy, not npz", npy_file("{'descr': '<f4', 'fortran_order': False, 'shape': (0,), }\n"),
       "not a zip file (no end of central directory record)"},
      {"truncated archive", good.substr(0, good.size() / 2), "no end of central directory record"},
      {"directory past the end", patched([&](std::string& b) { set32(b, end + 16, uint32_t(end)); }),
       "the central directory (offset"},
      {"too many entries", patched([&](std::string& b) { set16(b, end + 8, 9); set16(b, end + 10, 9); }),
       "9 entries cannot fit in a"},
      {"bad entry signature", patched([&](std::string& b) { b[cd2] = 'X'; }),
       "central directory entry 1 has a bad signature"},
      {"entry name past the directory", patched([&](std::string& b) { set16(b, cd2 + 28, 500); }),
       "central directory entry 1 is truncated"},
      {"local offset out of range", patched([&](std::string& b) { set32(b, cd2 + 42, 0x7fffffff); }),
       "member 'b.npy': corrupt zip: the local header offset 2147483647 lies outside"},
      {"bad local signature", patched([&](std::string& b) { set32(b, cd2 + 42, uint32_t(local2 + 1)); }),
       "bad local header signature"},
      {"data past the directory", patched([&](std::string& b) { set32(b, cd2 + 20, 100000); set32(b, cd2 + 24, 100000); }),
       "bytes of data at offset"},
      {"stored sizes differ", patched([&](std::string& b) { set32(b, cd2 + 20, le32(b, cd2 + 20) - 1); }),
       "compressed size"},
      {"crc mismatch", patched([&](std::string& b) { b[local2 + 30 + 5 + 128] ^= 1; }),
       "member 'b.npy': CRC-32 mismatch"},
      {"unsupported method", patched([&](std::string& b) { set16(b, cd2 + 10, 14); }),
       "unsupported compression method 14"},
      {"encrypted", patched([&](std::string& b) { set16(b, cd2 + 8, 1); }), "encrypted"},
      {"not a .npy member", patched([&](std::string& b) { b[cd2 + 46 + 4] = 'z'; }),
       "member 'b.npz': not a .npy member"},
      {"duplicate name", patched([&](std::string& b) { b[cd2 + 46] = 'a'; }),
       "member 'a.npy': duplicate array name 'a'"},
      {"bad member", patched([&](std::string& b) { b[local2 + 35] = 'X'; }),
       "member 'b.npy': not a .npy member (bad magic string"},
      {"multi-disk", patched([&](std::string& b) { set16(b, end + 4, 1); }), "multi-disk"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.name);
    write_bytes(path, c.bytes);
    CHECK_THROWS_MSG(core::load_npz(path), std::runtime_error, c.message);
    const std::string prefix = "load_npz: '" + path + "': ";
    CHECK_THROWS_MSG(core::load_npz(path), std::runtime_error, prefix.c_str());
  }
  CHECK_THROWS_MSG(core::load_npz(dir.file("missing.npz")), std::runtime_error, "cannot open");
}

TEST_CASE("test_npy: corrupt deflate data in an npz raises") {
  TempDir dir;
  std::string path = dir.file("c.npz");
  core::save_npz(path, {{"x", ops::zeros({1000})}}, true);
  const std::string good = read_bytes(path);
  const std::size_t end = good.size() - 22, cd = le32(good, end + 16);
  const std::size_t data = 30 + 5;
  auto load = [&](const std::string& b) { return core::load_npz_bytes(b.data(), b.size(), "c.npz"); };
  std::string b = good;
  for (std::size_t i = data; i < data + 8; ++i) b[i] = static_cast<char>(0xff);
  CHECK_THROWS_MSG(load(b), std::runtime_error, "member 'x.npy': corrupt deflate data");
  // Claiming more than deflate can expand to is refused before any allocation.
  b = good;
  set32(b, cd + 24, 0xfffffff0u);
  CHECK_THROWS_MSG(load(b), std::runtime_error, "cannot expand to the declared 4294967280 bytes");
  // A declared size smaller or larger than the real one.
  b = good;
  set32(b, cd + 24, le32(good, cd + 24) - 1);
  CHECK_THROWS_MSG(load(b), std::runtime_error, "needs 4000 bytes of data but the member has 3999");
  b = good;
  set32(b, cd + 24, le32(good, cd + 24) + 1);
  CHECK_THROWS_MSG(load(b), std::runtime_error, "longer than its header says");
  // The compressed data cut short (the central directory says fewer bytes).
  b = good;
  set32(b, cd + 20, le32(good, cd + 20) - 10);
  CHECK_THROWS_MSG(load(b), std::runtime_error, "the compressed data is truncated");
}

TEST_CASE("test_npy: load_npy_bytes reads .npy bytes in memory") {
  TempDir dir;
  core::save_npy(dir.file("m.npy"), core::constant({4, 5, 6}));
  std::string b = read_bytes(dir.file("m.npy"));
  CHECK(core::load_npy_bytes(b.data(), b.size()).to_vector<int32_t>() == std::vector<int32_t>{4, 5, 6});
  CHECK_THROWS_MSG(core::load_npy_bytes(b.data(), b.size() - 1, "m"), std::runtime_error,
                   "load_npy: 'm': file is truncated");
  CHECK_THROWS_MSG(core::load_npy_bytes(b.data(), 7, "m"), std::runtime_error,
                   "load_npy: 'm': file is truncated inside the version");
}

TEST_CASE("test_npy: the fuzz seeds of tests/fuzz/corpus are valid files") {
  const fs::path corpus = fs::path(KERAS_TEST_DATA_DIR) / ".." / "fuzz" / "corpus";
  int n = 0;
  for (const auto& e : fs::directory_iterator(corpus / "npy")) {
    CAPTURE(e.path().string());
    CHECK_NOTHROW(core::load_npy(e.path().string()));
    ++n;
  }
  for (const auto& e : fs::directory_iterator(corpus / "npz")) {
    CAPTURE(e.path().string());
    CHECK_NOTHROW(core::load_npz(e.path().string()));
    ++n;
  }
  CHECK(n >= 8);
}
