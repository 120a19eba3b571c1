// py_dataset_internal.h - (internal to keras) what the trainers need of a PyDataset's
// dataset: the PyDataset behind it, and one pass over its batches in a given order.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "keras/utils/py_dataset.h"

namespace keras::utils::detail {

/// The PyDataset when `ds` is data::Dataset::from_py_dataset's dataset itself (not a
/// transformation of it), else null.
std::shared_ptr<PyDataset> py_dataset_of(const data::Dataset& ds);
/// py's batches get_item(order[0]), get_item(order[1]), ... (no order: 0, 1, ... as
/// from_py_dataset's), fetched as from_py_dataset's dataset fetches them (on the
/// workers); py_dataset_of does not see through it.
data::Dataset py_dataset_pass(const std::shared_ptr<PyDataset>& py, std::optional<std::vector<int64_t>> order);

}  // namespace keras::utils::detail
