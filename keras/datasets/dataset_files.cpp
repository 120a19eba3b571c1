#include "keras/datasets/dataset_files.h"

#include <sys/stat.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "core/compression.h"
#include "core/tensor_impl.h"
#include "keras/datasets/cache.h"

namespace keras::datasets {

std::string keras_home() {
  if (const char* home = std::getenv("KERAS_HOME"); home && *home) return home;
  const char* user = std::getenv("HOME");
  return user && *user ? std::string(user) + "/.keras" : std::string("/tmp/.keras");
}

std::string cache_dir() { return keras_home() + "/datasets"; }

namespace detail {

std::string keras_origin(const std::string& file) {
  const std::size_t slash = file.rfind('/');
  return "https://storage.googleapis.com/tensorflow/tf-keras-datasets/" +
         (slash == std::string::npos ? file : file.substr(slash + 1));
}

bool exists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

std::string locate(const std::string& path, const std::string& origin, const std::string& who) {
  if (path.empty()) throw std::invalid_argument(who + ": the path is empty");
  if (path[0] == '/') {
    if (exists(path)) return path;
    throw std::runtime_error(who + ": '" + path + "' does not exist (keras-cpp downloads nothing: download " + origin +
                             " to it)");
  }
  const std::string cached = cache_dir() + "/" + path;
  if (exists(cached)) return cached;
  if (exists(path)) return path;
  throw std::runtime_error(who + ": '" + path + "' is neither in Keras's dataset cache ('" + cached +
                           "') nor in the working folder (keras-cpp downloads nothing: download " + origin + " to '" +
                           cached + "', or set KERAS_HOME, or pass the file's path)");
}

std::string read_file(const std::string& path, const std::string& who) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(who + ": cannot open '" + path + "': " + std::strerror(errno));
  std::ostringstream s;
  s << in.rdbuf();
  if (in.bad()) throw std::runtime_error(who + ": error reading '" + path + "'");
  return std::move(s).str();
}

LegacyRandomState::LegacyRandomState(int64_t seed, const std::string& who) {
  if (seed < 0 || seed > int64_t(0xffffffff))
    throw std::invalid_argument(
        who + ": Seed must be between 0 and 2**32 - 1 (NumPy's RandomState). Received: seed=" + std::to_string(seed));
  mt_.seed(static_cast<uint32_t>(seed));  // init_genrand, NumPy's legacy seeding of an integer
}

std::vector<int64_t> LegacyRandomState::shuffled_range(int64_t n) {
  std::vector<int64_t> v(static_cast<std::size_t>(n));
  for (int64_t i = 0; i < n; ++i) v[i] = i;
  for (int64_t i = n - 1; i >= 1; --i) {
    // NumPy's random_interval(i): the smallest all-ones mask over i, redrawn while above i.
    uint64_t mask = static_cast<uint64_t>(i);
    for (int s = 1; s <= 32; s *= 2) mask |= mask >> s;
    uint64_t j;
    if (static_cast<uint64_t>(i) <= 0xffffffffu) {
      do j = static_cast<uint64_t>(mt_()) & mask;
      while (j > static_cast<uint64_t>(i));
    } else {
      do j = ((static_cast<uint64_t>(mt_()) << 32) | mt_()) & mask;
      while (j > static_cast<uint64_t>(i));
    }
    std::swap(v[i], v[j]);
  }
  return v;
}

core::Tensor take_rows(const core::Tensor& x, const std::vector<int64_t>& index, int64_t begin, int64_t end) {
  std::vector<int64_t> dims = x.shape().dims();
  const int64_t n = dims.empty() ? 0 : dims[0];
  dims[0] = end - begin;
  core::Tensor out = core::empty(core::Shape(dims), x.dtype());
  const std::size_t row = n ? x.nbytes() / static_cast<std::size_t>(n) : 0;
  const auto* src = static_cast<const char*>(x.raw_data());
  auto* dst = static_cast<char*>(out.raw_mutable_data());
  for (int64_t i = begin; i < end; ++i)
    std::memcpy(dst + (i - begin) * row, src + static_cast<std::size_t>(index[i]) * row, row);
  return out;
}

std::pair<Split, Split> shuffled_split(const core::Tensor& x, const core::Tensor& y, double test_split, int64_t seed,
                                       const std::string& who) {
  if (x.rank() < 1 || y.rank() < 1) throw std::runtime_error(who + ": x and y must have a first axis (of samples)");
  const int64_t n = x.shape()[0];
  if (y.shape()[0] != n)
    throw std::runtime_error(who + ": x has " + std::to_string(n) + " rows but y " + std::to_string(y.shape()[0]));
  LegacyRandomState rng(seed, who);
  const std::vector<int64_t> order = rng.shuffled_range(n);
  const auto cut = static_cast<int64_t>(static_cast<double>(n) * (1 - test_split));
  return {{take_rows(x, order, 0, cut), take_rows(y, order, 0, cut)},
          {take_rows(x, order, cut, n), take_rows(y, order, cut, n)}};
}

core::Tensor npz_array(const std::vector<std::pair<std::string, core::Tensor>>& arrays, const std::string& name,
                       const std::string& path) {
  for (const auto& [k, v] : arrays)
    if (k == name) return v;
  throw std::runtime_error("'" + path + "' has no array '" + name + "'");
}

std::map<std::string, std::string> read_tar_members(const std::string& path, const std::vector<std::string>& names,
                                                    const std::string& who) {
  std::string tar = read_file(path, who);
  if (core::compression::is_gzip(tar))
    tar = core::compression::gunzip(tar, uint64_t(4) << 30, who + ": '" + path + "'");
  auto fail = [&](const std::string& what) -> std::runtime_error {
    return std::runtime_error(who + ": '" + path + "' is not a valid tar archive: " + what);
  };
  std::map<std::string, std::string> out;
  std::size_t pos = 0;
  while (true) {
    if (tar.size() - pos < 512) {
      if (pos == tar.size()) break;  // no end blocks: tolerated, as Python's tarfile
      throw fail("a header is truncated at byte " + std::to_string(pos));
    }
    const char* h = tar.data() + pos;
    if (std::all_of(h, h + 512, [](char c) { return c == 0; })) break;  // the end
    auto field = [&](std::size_t off, std::size_t len) { return std::string(h + off, strnlen(h + off, len)); };
    uint64_t size = 0;
    for (char c : field(124, 12)) {
      if (c == ' ') continue;
      if (c < '0' || c > '7') throw fail("the header at byte " + std::to_string(pos) + " has a bad size field");
      if (size > (uint64_t(1) << 60)) throw fail("a member's size overflows");
      size = size * 8 + static_cast<uint64_t>(c - '0');
    }
    std::string name = field(0, 100);
    if (std::string(h + 257, 5) == "ustar" && h[345]) name = field(345, 155) + "/" + name;
    const char type = h[156];
    pos += 512;
    if (size > tar.size() - pos) throw fail("the member '" + name + "' runs past the end of the archive");
    if (type == '0' || type == 0) {
      for (const std::string& want : names)
        if (name.size() >= want.size() && name.compare(name.size() - want.size(), want.size(), want) == 0 &&
            (name.size() == want.size() || name[name.size() - want.size() - 1] == '/'))
          out[want] = tar.substr(pos, static_cast<std::size_t>(size));
    }
    pos += static_cast<std::size_t>((size + 511) / 512 * 512);
    if (pos > tar.size()) pos = tar.size();
  }
  return out;
}

}  // namespace detail
}  // namespace keras::datasets
