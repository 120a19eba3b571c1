#include "keras/layers/text_vectorization.h"
#include "keras/layers/options_base.h"

#include <algorithm>
#include <stdexcept>

#include "core/ops.h"
#include "core/string_ops.h"
#include "keras/data/dataset.h"
#include "keras/layers/args.h"
#include "keras/layers/categorical_encode.h"

namespace keras::layers {
namespace strings = core::strings;
using Rows = std::vector<std::vector<std::string>>;

namespace {
// Keras's DEFAULT_STRIP_REGEX, an RE2 pattern (TensorFlow's regex_replace runs RE2 too).
const char* const kStripPunctuation = R"re([!"#$%&()\*\+,-\./:;<=>?@\[\\\]^_`{|}~\'])re";

// tf.strings.unicode_split(s, "UTF-8"): one string per character; an ill-formed byte
// becomes U+FFFD (errors="replace").
std::vector<std::string> utf8_chars(const std::string& s) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    bool ok = n > 0 && i + n <= s.size();
    for (size_t k = 1; ok && k < n; ++k) ok = (static_cast<unsigned char>(s[i + k]) & 0xC0) == 0x80;
    if (ok) {
      out.push_back(s.substr(i, n));
      i += n;
    } else {
      out.emplace_back("\xEF\xBF\xBD");
      ++i;
    }
  }
  return out;
}

Rows rows_of(const core::RaggedTensor& r, const std::string& who) {
  if (!r.defined() || r.ragged_rank() != 1 || r.flat_values().dtype() != DType::string)
    throw std::invalid_argument(who + ": a custom split must return a RaggedTensor of strings with one ragged "
                                "dimension");
  const std::vector<int64_t> splits = core::ops::cast(r.row_splits(), DType::int64).to_vector<int64_t>();
  const std::vector<std::string> v = r.flat_values().to_vector<std::string>();
  Rows rows;
  for (size_t i = 0; i + 1 < splits.size(); ++i) rows.emplace_back(v.begin() + splits[i], v.begin() + splits[i + 1]);
  return rows;
}

bool valid_mode(const std::string& m) { return m == "int" || detail::is_encoding_mode(m); }
}  // namespace

TextVectorizationLayer::TextVectorizationLayer(const TextVectorizationOptions& o)
    : Layer("TextVectorization", LayerOptions{.name = o.name, .trainable = true, .dynamic = true, .autocast = false,
                                              .input_shape = o.input_shape}),
      o_(o) {
  if (!valid_mode(o.output_mode))
    throw std::invalid_argument(name() + ": unknown value for output_mode; allowed values are 'int', 'one_hot', "
                                "'multi_hot', 'count', 'tf_idf', but received output_mode=" + o.output_mode);
  const std::string& st = o.standardize;
  if (!o.standardize_fn && st != "lower_and_strip_punctuation" && st != "lower" && st != "strip_punctuation" &&
      st != "none")
    throw std::invalid_argument(name() + ": unknown value for standardize; allowed values are "
                                "'lower_and_strip_punctuation', 'lower', 'strip_punctuation', 'none' or a callable, "
                                "but received standardize=" + st);
  if (!o.split_fn && o.split != "whitespace" && o.split != "character" && o.split != "none")
    throw std::invalid_argument(name() + ": unknown value for split; allowed values are 'whitespace', 'character', "
                                "'none' or a callable, but received split=" + o.split);
  for (int64_t w : o.ngrams)
    if (w < 1)
      throw std::invalid_argument(name() + ": ngram widths must be >= 1, but received " + std::to_string(w));
  if (o.output_mode != "int" && o.output_sequence_length != -1)
    throw std::invalid_argument(name() + ": output_sequence_length must not be set if output_mode is not 'int', "
                                "but received output_sequence_length=" + std::to_string(o.output_sequence_length));
  if (o.output_sequence_length < -1 || o.output_sequence_length == 0)
    throw std::invalid_argument(name() + ": output_sequence_length must be a positive integer, but received " +
                                std::to_string(o.output_sequence_length));
  if (o.ragged && o.output_mode != "int")
    throw std::invalid_argument(name() + ": ragged must not be true if output_mode is not 'int', but received "
                                "output_mode=" + o.output_mode);
  StringLookupOptions lo;
  lo.max_tokens = o.max_tokens;
  lo.mask_token = "";
  lo.vocabulary = o.vocabulary;
  lo.idf_weights = o.idf_weights;
  lo.output_mode = o.output_mode;
  lo.sparse = o.sparse;
  lo.pad_to_max_tokens = o.pad_to_max_tokens;
  lo.name = name() + "_lookup";
  lookup_ = StringLookup(lo);
}

Rows TextVectorizationLayer::tokenize(const Tensor& x) const {
  if (!x.defined()) throw std::invalid_argument(name() + ": received an undefined tensor");
  if (x.dtype() != DType::string)
    throw std::invalid_argument(name() + ": expected string input, but received dtype " + core::dtype_name(x.dtype()) +
                                " (shape " + x.shape().str() + ")");
  const auto& d = x.shape().dims();
  const bool splitting = o_.split_fn || o_.split != "none";
  if (splitting && d.size() > 1 && !(d.size() == 2 && d[1] == 1))
    throw std::invalid_argument(name() + ": when using TextVectorization to tokenize strings, the input rank must be "
                                "1 or the last shape dimension must be 1, but received input shape " + x.shape().str());
  Tensor s = core::constant(x.to_vector<std::string>());
  if (o_.standardize_fn) {
    s = o_.standardize_fn(s);
    if (!s.defined() || s.dtype() != DType::string)
      throw std::invalid_argument(name() + ": a custom standardize must return a string tensor");
    s = core::constant(s.to_vector<std::string>());
  } else {
    if (o_.standardize == "lower" || o_.standardize == "lower_and_strip_punctuation") s = strings::lower(s);
    if (o_.standardize == "strip_punctuation" || o_.standardize == "lower_and_strip_punctuation")
      s = strings::regex_replace(s, kStripPunctuation, "");
  }
  Rows rows;
  if (o_.split_fn) {
    rows = rows_of(o_.split_fn(s), name());
  } else if (o_.split == "whitespace") {
    rows = rows_of(strings::split(s), name());
  } else {
    for (const std::string& v : s.to_vector<std::string>())
      rows.push_back(o_.split == "character" ? utf8_chars(v) : std::vector<std::string>{v});
  }
  if (o_.ngrams.empty()) return rows;
  for (auto& row : rows) {  // tf.strings.ngrams(row, widths, separator=" "): width by width
    std::vector<std::string> out;
    for (int64_t w : o_.ngrams)
      for (size_t i = 0; i + static_cast<size_t>(w) <= row.size(); ++i) {
        std::string g = row[i];
        for (size_t k = 1; k < static_cast<size_t>(w); ++k) g += " " + row[i + k];
        out.push_back(std::move(g));
      }
    row = std::move(out);
  }
  return rows;
}

core::RaggedTensor TextVectorizationLayer::call_ragged(const Tensor& x) {
  if (o_.output_mode != "int")
    throw std::invalid_argument(name() + ": ragged ids need output_mode 'int', but output_mode=" + o_.output_mode);
  if (!lookup_->has_vocabulary())
    throw std::invalid_argument(name() + ": the layer has no vocabulary: call adapt() or set_vocabulary() first");
  const Rows rows = tokenize(x);
  std::vector<int64_t> splits{0}, ids;
  for (const auto& row : rows) {
    std::vector<int64_t> r = lookup_->lookup(row);
    if (o_.output_sequence_length != -1 && static_cast<int64_t>(r.size()) > o_.output_sequence_length)
      r.resize(static_cast<size_t>(o_.output_sequence_length));
    ids.insert(ids.end(), r.begin(), r.end());
    splits.push_back(static_cast<int64_t>(ids.size()));
  }
  return core::RaggedTensor::from_row_splits(core::constant(ids), core::constant(splits));
}

Tensor TextVectorizationLayer::call(const Tensor& x, bool) {
  if (o_.ragged) return call_ragged(x).as_tensor();  // a RaggedTensor handle (Keras: a tf.RaggedTensor)
  if (!lookup_->has_vocabulary())
    throw std::invalid_argument(name() + ": the layer has no vocabulary: call adapt() or set_vocabulary() first");
  const Rows rows = tokenize(x);
  const bool split_none = !o_.split_fn && o_.split == "none";
  const bool int_mode = o_.output_mode == "int";
  size_t longest = 0;
  for (const auto& r : rows) longest = std::max(longest, r.size());
  size_t len = longest;
  if (int_mode && o_.output_sequence_length != -1) len = static_cast<size_t>(o_.output_sequence_length);
  if (split_none && !int_mode) {  // one token per string: each a sample of its own
    std::vector<std::string> tokens;
    for (const auto& r : rows) tokens.push_back(r.at(0));
    const Shape s = x.shape().rank() <= 1 ? Shape{static_cast<int64_t>(rows.size()), 1} : x.shape();
    return lookup_->encode(lookup_->lookup(tokens, true), s);
  }
  if (split_none && o_.output_sequence_length == -1) {
    std::vector<std::string> tokens;
    for (const auto& r : rows) tokens.push_back(r.at(0));
    return core::constant(lookup_->lookup(tokens), x.shape());
  }
  // Rows padded to len: with 0 (the mask index) for ids, with -1 (dropped) for encoders.
  std::vector<int64_t> idx(rows.size() * len, int_mode ? 0 : -1);
  for (size_t r = 0; r < rows.size(); ++r) {
    const std::vector<int64_t> ids = lookup_->lookup(rows[r], !int_mode);
    std::copy_n(ids.begin(), std::min(len, ids.size()), idx.begin() + static_cast<std::ptrdiff_t>(r * len));
  }
  Shape shape = x.shape().rank() == 0 ? Shape{static_cast<int64_t>(len)}
                                      : Shape{static_cast<int64_t>(rows.size()), static_cast<int64_t>(len)};
  if (int_mode) return core::constant(idx, shape);
  return lookup_->encode(idx, shape);
}

std::vector<ShapeSpec> TextVectorizationLayer::compute_output_shape(const std::vector<ShapeSpec>& shapes) {
  const ShapeSpec& s = shapes.at(0);
  const int64_t batch = s.empty() ? 1 : s[0];
  if (o_.output_mode == "int") return {{batch, o_.ragged ? -1 : o_.output_sequence_length}};
  const int64_t depth = o_.pad_to_max_tokens && o_.max_tokens != -1 ? o_.max_tokens : lookup_->vocabulary_size();
  if (o_.output_mode == "one_hot") return {{batch, -1, depth}};
  return {{batch, depth}};
}

void TextVectorizationLayer::adapt(const Tensor& data) {
  if (!data.defined()) throw std::invalid_argument(name() + ": adapt() received an undefined tensor");
  StringLookupLayer::AdaptState st;
  lookup_->count_documents(tokenize(data), st);
  lookup_->finish_adapt(st);
}

void TextVectorizationLayer::adapt(const data::Dataset& ds) {
  StringLookupLayer::AdaptState st;
  for (const data::Element& e : ds) {
    if (e.size() != 1)
      throw std::invalid_argument(name() + ": adapt() expects a dataset of string tensors, but received elements " +
                                  e.spec());
    lookup_->count_documents(tokenize(e[0]), st);
  }
  lookup_->finish_adapt(st);
}

std::vector<std::string> TextVectorizationLayer::get_vocabulary(bool include_special) const {
  return lookup_->get_vocabulary(include_special);
}
void TextVectorizationLayer::set_vocabulary(const std::vector<std::string>& v, const std::vector<double>& idf) {
  lookup_->set_vocabulary(v, idf);
}
int64_t TextVectorizationLayer::vocabulary_size() const { return lookup_->vocabulary_size(); }

std::vector<std::pair<std::string, Tensor>> TextVectorizationLayer::stored_named_tensors() const {
  std::vector<std::pair<std::string, Tensor>> out = lookup_->stored_named_tensors();
  if (!out.empty()) out.emplace_back("_lookup_layer/" + out[0].first, out[0].second);
  return out;
}

namespace {
// A path under the layer's group as its lookup sublayer's ("_lookup_layer/vars/x" -> "vars/x").
std::string lookup_path(const std::string& path) {
  const std::string prefix = "_lookup_layer/";
  return path.rfind(prefix, 0) == 0 ? path.substr(prefix.size()) : path;
}
}  // namespace

bool TextVectorizationLayer::stores_named_tensor(const std::string& path) const {
  return lookup_->stores_named_tensor(lookup_path(path));
}

void TextVectorizationLayer::load_stored_named_tensors(const std::vector<std::pair<std::string, Tensor>>& entries) {
  for (const auto& [path, t] : entries) lookup_->load_stored_named_tensors({{lookup_path(path), t}});
}

Config TextVectorizationLayer::get_config() const {
  Config c = base_config();
  const Config lc = lookup_->get_config();
  c["max_tokens"] = lc.at("max_tokens");
  c["standardize"] = o_.standardize_fn ? Value("custom") : o_.standardize == "none" ? Value() : Value(o_.standardize);
  c["split"] = o_.split_fn ? Value("custom") : o_.split == "none" ? Value() : Value(o_.split);
  std::vector<Value> ng;
  for (int64_t w : o_.ngrams) ng.emplace_back(static_cast<long long>(w));
  c["ngrams"] = ng.empty() ? Value() : Value(ng);
  c["output_mode"] = o_.output_mode;
  c["output_sequence_length"] =
      o_.output_sequence_length == -1 ? Value() : Value(static_cast<long long>(o_.output_sequence_length));
  c["pad_to_max_tokens"] = o_.pad_to_max_tokens;
  c["sparse"] = o_.sparse;
  c["ragged"] = o_.ragged;
  c["vocabulary"] = lc.at("vocabulary");
  c["idf_weights"] = lc.at("idf_weights");
  c["encoding"] = "utf-8";
  c["vocabulary_size"] = static_cast<long long>(vocabulary_size());
  return c;
}

LayerPtr TextVectorizationLayer::from_config(const Config& c) {
  TextVectorizationOptions o;
  detail::read_base_options(c, o);
  const Value mt = c.get("max_tokens", Value());
  o.max_tokens = mt.is_null() ? -1 : mt.as_int();
  const Value st = c.get("standardize", "lower_and_strip_punctuation");
  const Value sp = c.get("split", "whitespace");
  o.standardize = st.is_null() ? "none" : st.as_string();
  o.split = sp.is_null() ? "none" : sp.as_string();
  if (o.standardize == "custom" || o.split == "custom")
    throw std::invalid_argument("TextVectorization: a custom standardize or split callable cannot be rebuilt from a "
                                "config; make the layer in code with the same callable and set_vocabulary()");
  const Value ng = c.get("ngrams", Value());
  if (ng.type() == Value::Type::list) {
    for (const Value& w : ng.as_list()) o.ngrams.push_back(w.as_int());
  } else if (!ng.is_null()) {
    const int64_t n = ng.as_int();
    if (n < 1) throw std::invalid_argument("TextVectorization: ngrams must be >= 1, but received " + std::to_string(n));
    for (int64_t w = 1; w <= n; ++w) o.ngrams.push_back(w);
  }
  o.output_mode = c.get("output_mode", "int").as_string();
  const Value len = c.get("output_sequence_length", Value());
  o.output_sequence_length = len.is_null() ? -1 : len.as_int();
  o.pad_to_max_tokens = c.get("pad_to_max_tokens", false).as_bool();
  o.sparse = c.get("sparse", false).as_bool();
  o.ragged = c.get("ragged", false).as_bool();
  const Value vocab = c.get("vocabulary", Value());
  if (!vocab.is_null())
    for (const Value& v : vocab.as_list()) o.vocabulary.push_back(v.as_string());
  const Value idf = c.get("idf_weights", Value());
  if (!idf.is_null())
    for (const Value& v : idf.as_list()) o.idf_weights.push_back(v.as_double());
  return make<TextVectorizationLayer>(o);
}

Ref<TextVectorizationLayer> TextVectorization(const TextVectorizationOptions& o) {
  return make<TextVectorizationLayer>(o);
}

}  // namespace keras::layers
