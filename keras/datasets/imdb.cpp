#include "keras/datasets/imdb.h"

#include <stdexcept>

#include "keras/datasets/dataset_files.h"
#include "keras/datasets/sequence_files.h"

namespace keras::datasets::imdb {
namespace {
const std::string kOrigin = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/";
}

std::pair<SequenceSplit, SequenceSplit> load_data(const LoadDataOptions& o) {
  const std::string who = "imdb.load_data";
  detail::LegacyRandomState rng(o.seed, who);
  const std::string path = detail::locate(o.path, kOrigin + "imdb.npz", who);
  std::vector<detail::Sequences> parts =
      detail::read_sequence_npz(path, {{"x_train", "y_train"}, {"x_test", "y_test"}}, who);
  const detail::SequenceRules rules{o.num_words, o.maxlen, o.start_char, o.oov_char, o.skip_top, o.index_from};
  for (auto& p : parts) {  // one generator: the training split is shuffled first
    p = detail::reorder(p, rng.shuffled_range(static_cast<int64_t>(p.x.size())));
    detail::shift_and_filter(p, rules);
  }
  if (o.maxlen && *o.maxlen && (parts[0].x.empty() || parts[1].x.empty()))
    throw std::invalid_argument(who + ": After filtering for sequences shorter than maxlen=" +
                                std::to_string(*o.maxlen) + ", no sequence was kept. Increase maxlen.");
  std::vector<SequenceSplit> s = detail::limit_words(std::move(parts), rules, who);
  return {std::move(s[0]), std::move(s[1])};
}

std::map<std::string, int64_t> get_word_index(const std::string& path) {
  return detail::read_word_index(path, kOrigin + "imdb_word_index.json", "imdb.get_word_index");
}

}  // namespace keras::datasets::imdb
