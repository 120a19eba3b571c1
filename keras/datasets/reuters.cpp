#include "keras/datasets/reuters.h"

#include <stdexcept>

#include "keras/datasets/sequence_files.h"

namespace keras::datasets::reuters {

std::pair<SequenceSplit, SequenceSplit> load_data(const LoadDataOptions& o) {
  const std::string who = "reuters.load_data";
  detail::Sequences all = std::move(detail::load_shuffled(o, "reuters.npz", {{"x", "y"}}, who)[0]);
  const double test_split = o.test_split.value_or(0.2);
  const auto n = static_cast<int64_t>(all.x.size());
  const auto cut = static_cast<int64_t>(static_cast<double>(n) * (1 - test_split));
  if (cut < 0 || cut > n)
    throw std::invalid_argument(who + ": test_split=" + std::to_string(test_split) + " cuts " + std::to_string(n) +
                                " samples at " + std::to_string(cut));
  std::vector<int64_t> head(static_cast<std::size_t>(cut)), tail(static_cast<std::size_t>(n - cut));
  for (int64_t i = 0; i < n; ++i) (i < cut ? head[i] : tail[i - cut]) = i;
  std::vector<SequenceSplit> s = detail::limit_words({detail::reorder(all, head), detail::reorder(all, tail)}, o, who);
  return {std::move(s[0]), std::move(s[1])};
}

std::map<std::string, int64_t> get_word_index(const std::string& path) {
  return detail::read_word_index(path, "reuters.get_word_index");
}

const std::vector<std::string>& get_label_names() {
  static const std::vector<std::string> names = {
      "cocoa",     "grain",        "veg-oil", "earn",       "acq",      "wheat",    "copper",
      "housing",   "money-supply", "coffee",  "sugar",      "trade",    "reserves", "ship",
      "cotton",    "carcass",      "crude",   "nat-gas",    "cpi",      "money-fx", "interest",
      "gnp",       "meal-feed",    "alum",    "oilseed",    "gold",     "tin",      "strategic-metal",
      "livestock", "retail",       "ipi",     "iron-steel", "rubber",   "heat",     "jobs",
      "lei",       "bop",          "zinc",    "orange",     "pet-chem", "dlr",      "gas",
      "silver",    "wpi",          "hog",     "lead"};
  return names;
}

}  // namespace keras::datasets::reuters
