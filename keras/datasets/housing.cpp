#include "keras/datasets/housing.h"

#include <stdexcept>

#include "core/npy.h"
#include "keras/datasets/dataset_files.h"

namespace keras::datasets {
namespace {

std::pair<Split, Split> load_housing(const std::string& path, const std::string& file, const std::string& version,
                                     double test_split, int64_t seed, const std::string& who) {
  if (!(test_split >= 0 && test_split < 1))  // checked first, as Keras
    throw std::invalid_argument(who + ": Invalid `test_split` argument: " + std::to_string(test_split) +
                                ". It must be between 0 and 1 (exclusive of 1).");
  const std::string found = detail::locate(path, detail::keras_origin(file), who);
  const auto arrays = core::load_npz(found);
  core::Tensor x = detail::npz_array(arrays, "x", found), y = detail::npz_array(arrays, "y", found);
  if (version == "small") {
    std::vector<int64_t> first(static_cast<std::size_t>(std::min<int64_t>(600, x.rank() ? x.shape()[0] : 0)));
    for (std::size_t i = 0; i < first.size(); ++i) first[i] = static_cast<int64_t>(i);
    x = detail::take_rows(x, first, 0, static_cast<int64_t>(first.size()));
    y = detail::take_rows(y, first, 0, static_cast<int64_t>(first.size()));
  }
  return detail::shuffled_split(x, y, test_split, seed, who);
}

}  // namespace

namespace boston_housing {
std::pair<Split, Split> load_data(const LoadDataOptions& o) {
  return load_housing(o.path, "boston_housing.npz", "large", o.test_split, o.seed, "boston_housing.load_data");
}
}  // namespace boston_housing

namespace california_housing {
std::pair<Split, Split> load_data(const LoadDataOptions& o) {
  if (o.version != "small" && o.version != "large")
    throw std::invalid_argument(
        "california_housing.load_data: Argument `version` must be one of 'small', 'large'. "
        "Received: version=" +
        o.version);
  return load_housing(o.path, "california_housing.npz", o.version, o.test_split, o.seed,
                      "california_housing.load_data");
}
}  // namespace california_housing

}  // namespace keras::datasets
