#include "keras/datasets/dataset_files.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <stdexcept>

#include "core/compression.h"
#include "core/ops.h"
#include "core/ops_numpy.h"
#include "core/tensor_impl.h"
#include "keras/datasets/cache.h"
#include "keras/utils/tar_reader.h"

namespace keras::datasets {

std::string keras_home() {
  if (const char* home = std::getenv("KERAS_HOME"); home && *home) return home;
  const char* user = std::getenv("HOME");
  return user && *user ? std::string(user) + "/.keras" : std::string("/tmp/.keras");
}

std::string cache_dir() {
  const std::string home = keras_home();
  return (::access(home.c_str(), W_OK) == 0 ? home : std::string("/tmp/.keras")) + "/datasets";
}

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
  return core::compression::read_file(path, uint64_t(16) << 30, who + ": '" + path + "'");
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
  const std::vector<int64_t> rows(index.begin() + begin, index.begin() + end);
  return core::ops::take(x, core::constant(rows, core::Shape({static_cast<int64_t>(rows.size())})), 0);
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
  const std::string ctx = who + ": '" + path + "'";
  const std::string tar = utils::detail::tar_bytes(read_file(path, who), ctx);
  std::map<std::string, std::string> out;
  utils::detail::walk_tar(tar, ctx, [&](const utils::detail::TarEntry& e) {
    if (e.type != '0') return;
    for (const std::string& want : names)
      if (e.name.size() >= want.size() && e.name.compare(e.name.size() - want.size(), want.size(), want) == 0 &&
          (e.name.size() == want.size() || e.name[e.name.size() - want.size() - 1] == '/'))
        out[want] = std::string(e.data);
  });
  return out;
}

}  // namespace detail
}  // namespace keras::datasets
