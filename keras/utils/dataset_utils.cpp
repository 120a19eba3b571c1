// dataset_utils.cpp - timeseries_dataset_from_array and split_dataset
// (keras/utils/dataset_utils.h).
#include "keras/utils/dataset_utils.h"

#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/core.h"
#include "keras/utils/permutation_internal.h"
#include "keras/data/dataset_impl.h"

namespace keras::utils {
namespace ops = core::ops;
using core::DType;
using core::Shape;
using data::Dataset;
using data::Element;

namespace {
[[noreturn]] void fail(const std::string& what) { throw std::invalid_argument(what); }

void check_timeseries(int64_t length, int64_t sequence_length, const TimeseriesOptions& o) {
  const std::string len = std::to_string(length);
  if (sequence_length <= 0)
    fail("timeseries_dataset_from_array: `sequence_length` must be higher than 0. Received: sequence_length=" +
         std::to_string(sequence_length));
  if (o.start_index && *o.start_index != 0) {
    if (*o.start_index < 0)
      fail("`start_index` must be 0 or greater. Received: start_index=" + std::to_string(*o.start_index));
    if (*o.start_index >= length)
      fail("`start_index` must be lower than the length of the data. Received: start_index=" +
           std::to_string(*o.start_index) + ", for data of length " + len);
  }
  if (o.end_index && *o.end_index != 0) {
    if (o.start_index && *o.start_index != 0 && *o.end_index <= *o.start_index)
      fail("`end_index` must be higher than `start_index`. Received: start_index=" + std::to_string(*o.start_index) +
           ", and end_index=" + std::to_string(*o.end_index));
    if (*o.end_index >= length)
      fail("`end_index` must be lower than the length of the data. Received: end_index=" +
           std::to_string(*o.end_index) + ", for data of length " + len);
    if (*o.end_index <= 0) fail("`end_index` must be higher than 0. Received: end_index=" + std::to_string(*o.end_index));
  }
  if (o.end_index && *o.end_index == 0)  // Keras reads 0 as unset; a range ending at 0 is empty
    fail("`end_index` must be higher than 0. Received: end_index=0");
  if (o.sampling_rate <= 0)
    fail("`sampling_rate` must be higher than 0. Received: sampling_rate=" + std::to_string(o.sampling_rate));
  if (o.sampling_rate >= length)
    fail("`sampling_rate` must be lower than the length of the data. Received: sampling_rate=" +
         std::to_string(o.sampling_rate) + ", for data of length " + len);
  if (o.sequence_stride <= 0)
    fail("`sequence_stride` must be higher than 0. Received: sequence_stride=" + std::to_string(o.sequence_stride));
  if (o.sequence_stride >= length)
    fail("`sequence_stride` must be lower than the length of the data. Received: sequence_stride=" +
         std::to_string(o.sequence_stride) + ", for data of length " + len);
  if (o.batch_size && *o.batch_size <= 0)
    fail("timeseries_dataset_from_array: `batch_size` must be higher than 0. Received: batch_size=" +
         std::to_string(*o.batch_size));
}
}  // namespace

Dataset timeseries_dataset_from_array(const Tensor& data, const Tensor& targets, int64_t sequence_length,
                                      const TimeseriesOptions& o) {
  if (!data.defined() || data.rank() == 0)
    fail("timeseries_dataset_from_array: expected `data` with a first (time) axis, but received " +
         std::string(data.defined() ? "a scalar" : "an undefined tensor"));
  if (targets.defined() && targets.rank() == 0)
    fail("timeseries_dataset_from_array: expected `targets` with a first (time) axis, but received a scalar");
  const int64_t length = data.shape()[0];
  check_timeseries(length, sequence_length, o);
  const int64_t start = o.start_index.value_or(0);
  const int64_t end = o.end_index.value_or(length);
  int64_t num_seqs = end - start - (sequence_length - 1) * o.sampling_rate;
  if (targets.defined()) num_seqs = std::min(num_seqs, targets.shape()[0]);
  std::vector<int64_t> positions;
  for (int64_t p = 0; p < num_seqs; p += o.sequence_stride) positions.push_back(p);
  int64_t seed = o.seed;
  if (o.shuffle) {
    if (seed < 0) seed = ops::random_uniform({}, {.minval = 0, .maxval = 1e6, .dtype = DType::float64}).item<int64_t>();
    const std::vector<int64_t> perm = detail::permutation(static_cast<int64_t>(positions.size()), seed);
    std::vector<int64_t> shuffled;
    for (int64_t i : perm) shuffled.push_back(positions[static_cast<size_t>(i)]);
    positions = std::move(shuffled);
  }
  // The windows are gathered from the rows [start, end) (targets from start on).
  const Tensor rows = data[{core::Slice(start, end)}];
  const Tensor target_rows = targets.defined() ? targets[{core::Slice(start, std::nullopt)}] : Tensor();
  const int64_t rate = o.sampling_rate;
  Dataset ds = Dataset::from_tensor_slices(core::constant(positions)).map([=](const Tensor& pos) -> Element {
    const int64_t p = pos.item<int64_t>();
    Tensor window = rows[{core::Slice(p, p + (sequence_length - 1) * rate + 1, rate)}];
    if (!target_rows.defined()) return Element{window};
    return Element{window, target_rows[p]};
  });
  if (o.batch_size) {
    if (o.shuffle) ds = ds.shuffle(*o.batch_size * 8, {.seed = seed});
    ds = ds.batch(*o.batch_size);
  } else if (o.shuffle) {
    ds = ds.shuffle(1024, {.seed = seed});
  }
  return ds;
}

namespace {
struct Sizes {
  int64_t left = 0, right = 0;
};

Sizes rescale(const SplitSize& left, const SplitSize& right, int64_t total) {
  if (left.is_none() && right.is_none())
    fail("At least one of the `left_size` or `right_size` must be specified. Received: left_size=None and right_size=None");
  auto zero = [](const SplitSize& s) { return s.count() == 0 || s.fraction() == 0.0; };
  if (zero(left) && zero(right))
    fail("Both `left_size` and `right_size` are zero. At least one of the split sizes must be non-zero.");
  auto show = [](const SplitSize& s) {
    if (s.count()) return std::to_string(*s.count());
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", s.fraction().value_or(0));
    return std::string(buf);
  };
  auto bad = [total](const SplitSize& s) {
    return (s.count() && (*s.count() <= 0 || *s.count() >= total)) ||
           (s.fraction() && (!(*s.fraction() > 0) || *s.fraction() >= 1));
  };
  if (bad(left))
    fail("`left_size` should be either a positive integer smaller than " + std::to_string(total) +
         ", or a float within the range `[0, 1]`. Received: left_size=" + show(left));
  if (bad(right))
    fail("`right_size` should be either a positive integer and smaller than " + std::to_string(total) +
         " or a float within the range `[0, 1]`. Received: right_size=" + show(right));
  if (left.fraction() && right.fraction() && *left.fraction() + *right.fraction() > 1)
    fail("The sum of `left_size` and `right_size` is greater than 1. It must be less than or equal to 1.");
  // Python's round(): halves to even.
  auto count = [total](const SplitSize& s) -> std::optional<int64_t> {
    if (s.count()) return s.count();
    if (s.fraction()) return static_cast<int64_t>(std::nearbyint(*s.fraction() * static_cast<double>(total)));
    return std::nullopt;
  };
  std::optional<int64_t> l = count(left), r = count(right);
  Sizes out{l ? *l : total - *r, r ? *r : total - *l};
  if (out.left + out.right > total)
    fail("The sum of `left_size` and `right_size` should be smaller than the " + std::to_string(total) +
         ". Received: left_size + right_size = " + std::to_string(out.left + out.right) +
         "and total_length = " + std::to_string(total));
  for (auto [n, side] : {std::pair{out.left, "left"}, std::pair{out.right, "right"}})
    if (n == 0)
      fail("With `dataset` of length=" + std::to_string(total) + ", `left_size`=" + std::to_string(out.left) +
           " and `right_size`=" + std::to_string(out.right) + ".Resulting " + side +
           " side dataset split will be empty. Adjust any of the aforementioned parameters");
  return out;
}

// The rows [begin, end) of the elements `order` names, stacked into one Element of arrays.
Element stack(const std::vector<Element>& elements, const std::vector<int64_t>& order, int64_t begin, int64_t end) {
  const Element& first = elements.front();
  std::vector<Tensor> columns;
  for (size_t c = 0; c < first.size(); ++c) {
    std::vector<Tensor> parts;
    for (int64_t i = begin; i < end; ++i) parts.push_back(elements[static_cast<size_t>(order[static_cast<size_t>(i)])][c]);
    columns.push_back(ops::stack(parts));
  }
  return Element(std::move(columns), first.names());
}

std::pair<Dataset, Dataset> split_elements(const std::vector<Element>& elements, const SplitDatasetOptions& o,
                                           int64_t batch_size) {
  const int64_t total = static_cast<int64_t>(elements.size());
  std::vector<int64_t> order(static_cast<size_t>(total));
  for (int64_t i = 0; i < total; ++i) order[static_cast<size_t>(i)] = i;
  if (o.shuffle) order = detail::permutation(total, o.seed);
  const Sizes s = rescale(o.left_size, o.right_size, total);
  Dataset left = Dataset::from_tensor_slices(stack(elements, order, 0, s.left));
  Dataset right = Dataset::from_tensor_slices(stack(elements, order, total - s.right, total));
  if (batch_size > 0) {
    left = left.batch(batch_size);
    right = right.batch(batch_size);
  }
  return {left, right};
}
}  // namespace

std::pair<Dataset, Dataset> split_dataset(const Dataset& dataset, const SplitDatasetOptions& o) {
  if (dataset.cardinality() == data::INFINITE_CARDINALITY)
    fail("split_dataset: expected a finite dataset, but received one of infinite cardinality (repeat() without a count)");
  const int64_t batch_size = data::detail::DatasetAccess::node(dataset)->batch_size();
  const Dataset rows = batch_size > 0 ? dataset.unbatch() : dataset;
  std::vector<Element> elements;
  for (const Element& e : rows) elements.push_back(e);
  if (elements.empty()) fail("split_dataset: expected a dataset with elements, but received an empty one");
  return split_elements(elements, o, batch_size);
}

std::pair<Dataset, Dataset> split_dataset(const Element& arrays, const SplitDatasetOptions& o) {
  return split_dataset(Dataset::from_tensor_slices(arrays), o);
}

}  // namespace keras::utils
