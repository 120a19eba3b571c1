#include "keras/datasets/sequence_files.h"

#include <algorithm>
#include <limits>
#include <stdexcept>

#include "core/npy.h"
#include "core/npz_members.h"
#include "core/ops.h"
#include "keras/config.h"
#include "keras/datasets/dataset_files.h"
#include "keras/datasets/unpickle.h"

namespace keras::datasets::detail {

namespace {

std::vector<Sequences> read_sequence_npz(const std::string& path,
                                         const std::vector<std::pair<std::string, std::string>>& names,
                                         const std::string& who) {
  const auto members = core::load_npz_members(path);
  auto member = [&](const std::string& name) -> const std::string& {
    for (const auto& [k, v] : members)
      if (k == name) return v;
    throw std::runtime_error(who + ": '" + path + "' has no array '" + name + "'");
  };
  std::vector<Sequences> out;
  for (const auto& [x_name, y_name] : names) {
    const std::string ctx = who + ": '" + path + "': " + x_name;
    pickle::Ref xs = pickle::load_object_npy(member(x_name), ctx);
    if (!xs) throw std::runtime_error(ctx + ": expected an object array of id lists");
    if (xs->shape.size() != 1) throw std::runtime_error(ctx + ": expected a 1-d object array of id lists");
    Sequences s;
    s.x.reserve(xs->items.size());
    for (const pickle::Ref& item : xs->items) s.x.push_back(pickle::to_ints(*item, ctx));
    const std::string& y_bytes = member(y_name);
    s.y = core::load_npy_bytes(y_bytes.data(), y_bytes.size(), path + ": " + y_name);
    if (s.y.rank() != 1 || s.y.shape()[0] != static_cast<int64_t>(s.x.size()))
      throw std::runtime_error(who + ": '" + path + "': " + y_name + " has shape " + s.y.shape().str() +
                               ", expected (" + std::to_string(s.x.size()) + ",), one label per sample of " + x_name);
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace

Sequences reorder(const Sequences& s, const std::vector<int64_t>& order) {
  Sequences r;
  r.x.reserve(order.size());
  for (int64_t i : order) r.x.push_back(s.x[static_cast<std::size_t>(i)]);
  r.y = take_rows(s.y, order, 0, static_cast<int64_t>(order.size()));
  return r;
}

namespace {
void shift_and_filter(Sequences& s, const SequenceLoadOptions& r) {
  for (auto& x : s.x) {
    for (int64_t& w : x) w += r.index_from;
    if (r.start_char) x.insert(x.begin(), *r.start_char);
  }
  if (!r.maxlen || *r.maxlen == 0) return;
  std::vector<int64_t> keep;
  for (std::size_t i = 0; i < s.x.size(); ++i)
    if (static_cast<int64_t>(s.x[i].size()) < *r.maxlen) keep.push_back(static_cast<int64_t>(i));
  s = reorder(s, keep);
}
}  // namespace

std::vector<Sequences> load_shuffled(const SequenceLoadOptions& o, const std::string& file,
                                     const std::vector<std::pair<std::string, std::string>>& names,
                                     const std::string& who) {
  LegacyRandomState rng(o.seed, who);
  const std::string path = locate(o.path.empty() ? file : o.path, keras_origin(file), who);
  std::vector<Sequences> parts = read_sequence_npz(path, names, who);
  for (auto& p : parts) {  // one generator, the parts in turn
    p = reorder(p, rng.shuffled_range(static_cast<int64_t>(p.x.size())));
    shift_and_filter(p, o);
  }
  return parts;
}

std::vector<SequenceSplit> limit_words(std::vector<Sequences> parts, const SequenceLoadOptions& r,
                                       const std::string& who) {
  int64_t num_words = r.num_words.value_or(0);
  if (num_words == 0) {  // Keras: max(max(x) for x in xs), so the largest id itself is out
    bool any = false;
    for (const auto& p : parts)
      for (const auto& x : p.x) {
        if (x.empty())
          throw std::invalid_argument(who + ": a sample has no ids, so the largest id (num_words unset) is undefined");
        num_words =
            any ? std::max(num_words, *std::max_element(x.begin(), x.end())) : *std::max_element(x.begin(), x.end());
        any = true;
      }
    if (!any)
      throw std::invalid_argument(who + ": no sample is left, so the largest id (num_words unset) is undefined");
  }
  std::vector<SequenceSplit> out;
  for (auto& p : parts) {
    SequenceSplit s;
    s.y = p.y;
    s.x.reserve(p.x.size());
    for (const auto& x : p.x) {
      std::vector<int32_t> ids;
      ids.reserve(x.size());
      for (int64_t w : x) {
        int64_t v = w;
        if (!(r.skip_top <= w && w < num_words)) {
          if (!r.oov_char) continue;
          v = *r.oov_char;
        }
        if (v < std::numeric_limits<int32_t>::min() || v > std::numeric_limits<int32_t>::max())
          throw std::invalid_argument(who + ": the id " + std::to_string(v) + " does not fit in int32");
        ids.push_back(static_cast<int32_t>(v));
      }
      s.x.push_back(std::move(ids));
    }
    out.push_back(std::move(s));
  }
  return out;
}

std::map<std::string, int64_t> read_word_index(const std::string& path, const std::string& who) {
  const std::string file = locate(path, keras_origin(path), who);
  const Value v = Value::from_json(read_file(file, who));
  if (!v.is_object()) throw std::runtime_error(who + ": '" + file + "' is not a JSON object of word -> id");
  std::map<std::string, int64_t> out;
  for (const auto& [word, id] : v.items()) {
    if (id.type() != Value::Type::integer)
      throw std::runtime_error(who + ": '" + file + "': the id of '" + word + "' is not an integer");
    out[word] = id.as_int();
  }
  return out;
}

}  // namespace keras::datasets::detail
