// path_match.h - (keras-internal) Keras's lookup of a path among the keys of a path map
// (OptimizerMap, DTypePolicyMap): an exact key first, else the one key that matches the
// whole path as a regular expression. Included only by those maps' .cpp files.
#pragma once
#include <optional>
#include <regex>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace keras::detail {

/// The index in `entries` of `path`'s key (see above), or none; `owner` and `what` word
/// the error when several keys match ("<owner>: <what> 'a', 'b'").
template <class V>
std::optional<size_t> match_path(const std::vector<std::pair<std::string, V>>& entries, const std::string& path,
                                 const std::string& owner, const std::string& what) {
  for (size_t i = 0; i < entries.size(); ++i)
    if (entries[i].first == path) return i;
  std::vector<size_t> hits;
  for (size_t i = 0; i < entries.size(); ++i)
    if (std::regex_match(path, std::regex(entries[i].first))) hits.push_back(i);
  if (hits.size() > 1) {
    std::string keys;
    for (size_t i : hits) keys += (keys.empty() ? "'" : ", '") + entries[i].first + "'";
    throw std::invalid_argument(owner + ": " + what + " " + keys + "; each path must match at most one key");
  }
  return hits.empty() ? std::nullopt : std::optional<size_t>(hits[0]);
}

/// Throws std::invalid_argument (naming `owner`) unless `key` is a valid regular expression.
inline void check_path_key(const std::string& owner, const std::string& key) {
  try {
    std::regex check(key);
  } catch (const std::regex_error& e) {
    throw std::invalid_argument(owner + ": key '" + key + "' is not a valid regular expression: " + e.what());
  }
}

}  // namespace keras::detail
