// index_lookup_adapt.cpp - IndexLookup's adapt(): counting tokens (and, for tf_idf, the
// documents holding each) over a tensor or a dataset, then the vocabulary Keras would build.
#include <algorithm>
#include <cmath>
#include <set>
#include <stdexcept>

#include "keras/data/dataset.h"
#include "keras/layers/index_lookup.h"
#include "keras/layers/index_lookup_internal.h"

namespace keras::layers {

template <class K>
void IndexLookup<K>::count_documents(const std::vector<std::vector<K>>& docs, AdaptState& st) const {
  auto special = [&](const K& t) { return (o_.mask_token && t == *o_.mask_token) || t == oov_token(); };
  const bool tf_idf = o_.output_mode == "tf_idf";
  for (const std::vector<K>& doc : docs) {
    std::set<K> seen;
    for (const K& t : doc) {
      if (special(t)) continue;
      ++st.counts[t];
      if (tf_idf && seen.insert(t).second) ++st.doc_counts[t];
    }
  }
  st.documents += static_cast<int64_t>(docs.size());
}

template <class K>
void IndexLookup<K>::count_tensor(const Tensor& data, AdaptState& st) const {
  const std::vector<K> tokens = detail::read_tokens(data, name(), static_cast<K*>(nullptr));
  // Documents: each element of a scalar or 1-d input, each row of the last axis otherwise.
  const auto& d = data.shape().dims();
  const size_t len = d.size() >= 2 ? static_cast<size_t>(d.back()) : 1;
  std::vector<std::vector<K>> docs;
  if (len > 0)
    for (size_t i = 0; i < tokens.size(); i += len)
      docs.emplace_back(tokens.begin() + static_cast<std::ptrdiff_t>(i),
                        tokens.begin() + static_cast<std::ptrdiff_t>(i + len));
  count_documents(docs, st);
}

template <class K>
void IndexLookup<K>::finish_adapt(const AdaptState& st) {
  const auto& doc_counts = st.doc_counts;
  const int64_t docs = st.documents;
  std::vector<std::pair<K, int64_t>> sorted(st.counts.begin(), st.counts.end());
  // Most frequent first, ties by the larger token (Keras: np.lexsort((tokens, counts))[::-1]).
  std::sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) {
    return a.second != b.second ? a.second > b.second : a.first > b.first;
  });
  if (o_.max_tokens != -1) {
    const int64_t keep = std::max<int64_t>(0, o_.max_tokens - token_start());
    if (static_cast<int64_t>(sorted.size()) > keep) sorted.resize(static_cast<size_t>(keep));
  }
  std::vector<K> vocab;
  std::vector<double> idf;
  for (const auto& [t, n] : sorted) {
    vocab.push_back(t);
    if (o_.output_mode == "tf_idf") {
      auto it = doc_counts.find(t);
      const double dc = it == doc_counts.end() ? 0.0 : static_cast<double>(it->second);
      // Keras's inverse document frequency, in float32 as Keras stores it.
      idf.push_back(static_cast<float>(std::log(1.0 + static_cast<double>(docs) / (1.0 + dc))));
    }
  }
  tokens_.clear();
  index_.clear();
  idf_.clear();
  if (o_.output_mode == "tf_idf" && vocab.empty()) {
    idf_.assign(static_cast<size_t>(token_start()), 0.0);
    return;
  }
  set_vocabulary(vocab, idf);
}

template <class K>
void IndexLookup<K>::adapt(const Tensor& data) {
  if (!data.defined()) throw std::invalid_argument(name() + ": adapt() received an undefined tensor");
  AdaptState st;
  count_tensor(data, st);
  finish_adapt(st);
}

template <class K>
void IndexLookup<K>::adapt(const data::Dataset& ds) {
  AdaptState st;
  for (const data::Element& e : ds) {
    if (e.size() != 1)
      throw std::invalid_argument(name() + ": adapt() expects a dataset of single tensors, but received elements " +
                                  e.spec());
    count_tensor(e[0], st);
  }
  finish_adapt(st);
}

template class IndexLookup<std::string>;
template class IndexLookup<int64_t>;

}  // namespace keras::layers
