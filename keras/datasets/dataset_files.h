// dataset_files.h - (keras::datasets-internal) what the loaders share: finding a file in
// Keras's cache, NumPy's legacy RandomState shuffle (Keras shuffles its datasets with it,
// so the same seed gives the same order), rows of a tensor, and the shuffled train/test
// split of the regression datasets.
#pragma once
#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "core/tensor.h"
#include "keras/datasets/idx.h"

namespace keras::datasets::detail {

/// The file a loader reads: an absolute `path` as it is; a relative one in cache_dir()
/// (as Keras's get_file), else relative to the working folder. Missing, it raises
/// std::runtime_error naming where it looked and `origin`, the address Keras downloads
/// it from (`who`: "imdb.load_data").
std::string locate(const std::string& path, const std::string& origin, const std::string& who);

/// Keras's download address of a tf-keras-datasets file (the last part of `file`'s path):
/// https://storage.googleapis.com/tensorflow/tf-keras-datasets/<name>.
std::string keras_origin(const std::string& file);

/// True when `path` names an existing file or folder.
bool exists(const std::string& path);

/// The whole file (core::compression::read_file, up to 16 GiB), errors naming `who` and it.
std::string read_file(const std::string& path, const std::string& who);

/// numpy.random.RandomState(seed): MT19937 seeded as NumPy's legacy seeding (seed in
/// [0, 2^32), else std::invalid_argument as NumPy's ValueError).
class LegacyRandomState {
 public:
  LegacyRandomState(int64_t seed, const std::string& who);
  /// np.arange(n) after rng.shuffle (Fisher-Yates from the end, NumPy's masked
  /// rejection sampling of each index).
  std::vector<int64_t> shuffled_range(int64_t n);

 private:
  std::mt19937 mt_;
};

/// Rows [begin, end) of `index` taken from x (any dtype, first axis), in that order.
core::Tensor take_rows(const core::Tensor& x, const std::vector<int64_t>& index, int64_t begin, int64_t end);

/// Keras's regression datasets' split: rows shuffled by RandomState(seed), the first
/// int(n * (1 - test_split)) for training (test_split checked by the caller, in [0, 1)).
std::pair<Split, Split> shuffled_split(const core::Tensor& x, const core::Tensor& y, double test_split, int64_t seed,
                                       const std::string& who);

/// Reads a .npz file's arrays by name; a missing name raises naming the file.
core::Tensor npz_array(const std::vector<std::pair<std::string, core::Tensor>>& arrays, const std::string& name,
                       const std::string& path);

/// The regular files of a tar archive (gzip-compressed or not) whose paths end with one
/// of `names` ("cifar-10-batches-py/test_batch"), by that name; others are skipped. A
/// malformed archive raises std::runtime_error naming it.
std::map<std::string, std::string> read_tar_members(const std::string& path, const std::vector<std::string>& names,
                                                    const std::string& who);

}  // namespace keras::datasets::detail
