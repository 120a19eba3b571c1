#include "keras/datasets/imdb.h"

#include <stdexcept>

#include "keras/datasets/sequence_files.h"

namespace keras::datasets::imdb {

std::pair<SequenceSplit, SequenceSplit> load_data(const LoadDataOptions& o) {
  const std::string who = "imdb.load_data";
  if (o.test_split)
    throw std::invalid_argument(who + ": Unrecognized keyword arguments: test_split (imdb's splits are its file's)");
  std::vector<detail::Sequences> parts =
      detail::load_shuffled(o, "imdb.npz", {{"x_train", "y_train"}, {"x_test", "y_test"}}, who);
  if (o.maxlen && *o.maxlen && (parts[0].x.empty() || parts[1].x.empty()))
    throw std::invalid_argument(who + ": After filtering for sequences shorter than maxlen=" +
                                std::to_string(*o.maxlen) + ", no sequence was kept. Increase maxlen.");
  std::vector<SequenceSplit> s = detail::limit_words(std::move(parts), o, who);
  return {std::move(s[0]), std::move(s[1])};
}

std::map<std::string, int64_t> get_word_index(const std::string& path) {
  return detail::read_word_index(path, "imdb.get_word_index");
}

}  // namespace keras::datasets::imdb
