#include "keras/datasets/reuters.h"

#include "keras/datasets/dataset_files.h"
#include "keras/datasets/sequence_files.h"

namespace keras::datasets::reuters {
namespace {
const std::string kOrigin = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/";
}

std::pair<SequenceSplit, SequenceSplit> load_data(const LoadDataOptions& o) {
  const std::string who = "reuters.load_data";
  detail::LegacyRandomState rng(o.seed, who);
  const std::string path = detail::locate(o.path, kOrigin + "reuters.npz", who);
  detail::Sequences all = std::move(detail::read_sequence_npz(path, {{"x", "y"}}, who)[0]);
  const detail::SequenceRules rules{o.num_words, o.maxlen, o.start_char, o.oov_char, o.skip_top, o.index_from};
  all = detail::reorder(all, rng.shuffled_range(static_cast<int64_t>(all.x.size())));
  detail::shift_and_filter(all, rules);
  const auto n = static_cast<int64_t>(all.x.size());
  const auto cut = static_cast<int64_t>(static_cast<double>(n) * (1 - o.test_split));
  if (cut < 0 || cut > n)
    throw std::invalid_argument(who + ": test_split=" + std::to_string(o.test_split) + " cuts " + std::to_string(n) +
                                " samples at " + std::to_string(cut));
  std::vector<int64_t> head(static_cast<std::size_t>(cut)), tail(static_cast<std::size_t>(n - cut));
  for (int64_t i = 0; i < n; ++i) (i < cut ? head[i] : tail[i - cut]) = i;
  std::vector<SequenceSplit> s =
      detail::limit_words({detail::reorder(all, head), detail::reorder(all, tail)}, rules, who);
  return {std::move(s[0]), std::move(s[1])};
}

std::map<std::string, int64_t> get_word_index(const std::string& path) {
  return detail::read_word_index(path, kOrigin + "reuters_word_index.json", "reuters.get_word_index");
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
