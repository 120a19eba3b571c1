#include "keras/layers/index_lookup.h"

#include <algorithm>
#include <set>
#include <stdexcept>

#include "core/ops.h"
#include "core/string_ops.h"
#include "keras/layers/args.h"
#include "keras/layers/categorical_encode.h"
#include "keras/layers/index_lookup_internal.h"

namespace keras::layers {
namespace ops = core::ops;

namespace {
// What differs between string and integer tokens: reading them, hashing unknown ones,
// writing them back (to tensors and configs).
std::string token_str(const std::string& s) { return "'" + s + "'"; }
std::string token_str(int64_t v) { return std::to_string(v); }

int64_t oov_bucket(const std::string& s, int64_t n) {
  return static_cast<int64_t>(core::strings::fingerprint64(s) % static_cast<uint64_t>(n));
}
int64_t oov_bucket(int64_t v, int64_t n) { return ((v % n) + n) % n; }

Tensor make_tokens(const std::vector<std::string>& v, const Shape& s) { return core::constant(v, s); }
Tensor make_tokens(const std::vector<int64_t>& v, const Shape& s) { return core::constant(v, s); }

Value to_value(const std::string& s) { return Value(s); }
Value to_value(int64_t v) { return Value(static_cast<long long>(v)); }
void from_value(const Value& v, std::string& out) { out = v.as_string(); }
void from_value(const Value& v, int64_t& out) { out = v.as_int(); }

template <class K>
K default_oov() {
  if constexpr (std::is_same_v<K, std::string>) return "[UNK]";
  else return -1;
}

DType lookup_output_dtype(const std::string& mode, bool invert, bool string_tokens) {
  if (invert) return string_tokens ? DType::string : DType::int64;
  return mode == "tf_idf" ? DType::float32 : DType::int64;
}
}  // namespace

namespace detail {
std::vector<std::string> read_tokens(const Tensor& x, const std::string& who, std::string*) {
  if (x.dtype() != DType::string)
    throw std::invalid_argument(who + ": expected input of dtype string, but received dtype " +
                                core::dtype_name(x.dtype()) + " (shape " + x.shape().str() + ")");
  return x.to_vector<std::string>();
}
std::vector<int64_t> read_tokens(const Tensor& x, const std::string& who, int64_t*) {
  if (x.dtype() == DType::int64) return x.to_vector<int64_t>();
  if (!core::is_integer(x.dtype()) && !core::is_floating(x.dtype()))
    throw std::invalid_argument(who + ": expected input of an integer dtype, but received dtype " +
                                core::dtype_name(x.dtype()) + " (shape " + x.shape().str() + ")");
  try {
    return ops::cast_exact(x, DType::int64).to_vector<int64_t>();
  } catch (const core::ConversionError& e) {
    throw std::invalid_argument(who + ": expected integer tokens, but received " + e.what());
  }
}
}  // namespace detail

template <class K>
IndexLookup<K>::IndexLookup(const std::string& cls, const IndexLookupOptions<K>& o)
    : Layer(cls, LayerOptions{.name = o.name, .trainable = true, .dynamic = true, .autocast = false,
                              .input_shape = o.input_shape}),
      o_(o) {
  if (o.output_mode != "int" && !detail::is_encoding_mode(o.output_mode))
    throw std::invalid_argument(name() + ": unknown value for output_mode; allowed values are 'int', 'one_hot', "
                                "'multi_hot', 'count', 'tf_idf', but received output_mode=" + o.output_mode);
  if (o.max_tokens != -1 && o.max_tokens <= 1)
    throw std::invalid_argument(name() + ": if set, max_tokens must be greater than 1, but received max_tokens=" +
                                std::to_string(o.max_tokens));
  if (o.num_oov_indices < 0)
    throw std::invalid_argument(name() + ": num_oov_indices must be greater than or equal to 0, but received "
                                "num_oov_indices=" + std::to_string(o.num_oov_indices));
  if (o.invert && o.output_mode != "int")
    throw std::invalid_argument(name() + ": output_mode must be 'int' when invert is true, but received "
                                "output_mode=" + o.output_mode);
  if (o.sparse && o.output_mode == "int")
    throw std::invalid_argument(name() + ": sparse=true needs an encoding output_mode (one_hot, multi_hot, "
                                "count, tf_idf), but received output_mode=int");
  if (!o.idf_weights.empty() && o.output_mode != "tf_idf")
    throw std::invalid_argument(name() + ": idf_weights should only be set if output_mode is 'tf_idf', but "
                                "received output_mode=" + o.output_mode);
  if (o.mask_token && *o.mask_token == oov_token())
    throw std::invalid_argument(name() + ": mask_token and oov_token must differ, but both are " +
                                token_str(*o.mask_token));
  if (!o.vocabulary.empty()) {
    set_vocabulary(o.vocabulary, o.idf_weights);
  } else if (!o.idf_weights.empty()) {
    throw std::invalid_argument(name() + ": idf_weights were given without a vocabulary");
  }
}

template <class K>
int64_t IndexLookup<K>::oov_start() const {
  return o_.mask_token && o_.output_mode == "int" ? 1 : 0;
}
template <class K>
int64_t IndexLookup<K>::token_start() const {
  return oov_start() + o_.num_oov_indices;
}
template <class K>
K IndexLookup<K>::oov_token() const {
  return o_.oov_token ? *o_.oov_token : default_oov<K>();
}

template <class K>
int64_t IndexLookup<K>::vocabulary_size() const {
  return token_start() + static_cast<int64_t>(tokens_.size());
}

template <class K>
std::vector<K> IndexLookup<K>::get_vocabulary(bool include_special) const {
  std::vector<K> v;
  if (include_special) {
    if (oov_start() == 1) v.push_back(*o_.mask_token);
    for (int64_t i = 0; i < o_.num_oov_indices; ++i) v.push_back(oov_token());
  }
  v.insert(v.end(), tokens_.begin(), tokens_.end());
  return v;
}

template <class K>
void IndexLookup<K>::set_vocabulary(const std::vector<K>& vocabulary, const std::vector<double>& idf_weights) {
  if (o_.output_mode == "tf_idf" && idf_weights.empty())
    throw std::invalid_argument(name() + ": when specifying the vocabulary in tf_idf output mode, the idf_weights "
                                "argument must also be provided");
  if (!idf_weights.empty() && o_.output_mode != "tf_idf")
    throw std::invalid_argument(name() + ": idf_weights should only be set if output_mode is 'tf_idf', but received "
                                "output_mode=" + o_.output_mode);
  // Special tokens at the front, exactly as get_vocabulary() lists them, are accepted.
  std::vector<K> special;
  if (oov_start() == 1) special.push_back(*o_.mask_token);
  for (int64_t i = 0; i < o_.num_oov_indices; ++i) special.push_back(oov_token());
  size_t skip = 0;
  if (vocabulary.size() >= special.size() && !special.empty() &&
      std::equal(special.begin(), special.end(), vocabulary.begin()))
    skip = special.size();
  std::vector<K> tokens(vocabulary.begin() + static_cast<std::ptrdiff_t>(skip), vocabulary.end());
  // Keras: with the special tokens listed, the idf weights are the whole vocabulary's
  // (their front values kept as given); without them, the front is padded with the mean.
  std::vector<double> idf = idf_weights, front;
  if (!idf.empty() && skip > 0 && idf.size() == vocabulary.size()) {
    front.assign(idf.begin(), idf.begin() + static_cast<std::ptrdiff_t>(skip));
    idf.erase(idf.begin(), idf.begin() + static_cast<std::ptrdiff_t>(skip));
  }
  std::set<K> seen, repeated;
  for (const K& t : tokens)
    if (!seen.insert(t).second) repeated.insert(t);
  if (!repeated.empty()) {
    std::string r;
    for (const K& t : repeated) r += (r.empty() ? "" : ", ") + token_str(t);
    throw std::invalid_argument(name() + ": the passed vocabulary has at least one repeated term; the repeated "
                                "terms are: [" + r + "]");
  }
  if (o_.mask_token && seen.count(*o_.mask_token))
    throw std::invalid_argument(name() + ": found the reserved mask token " + token_str(*o_.mask_token) +
                                " at an unexpected location in the vocabulary; either remove all mask and OOV "
                                "tokens, or list them first as get_vocabulary() does");
  if (o_.invert && seen.count(oov_token()))
    throw std::invalid_argument(name() + ": found the reserved OOV token " + token_str(oov_token()) +
                                " at an unexpected location in the vocabulary of an inverted layer");
  const int64_t size = token_start() + static_cast<int64_t>(tokens.size());
  if (o_.max_tokens != -1 && size > o_.max_tokens)
    throw std::invalid_argument(name() + ": attempted to set a vocabulary larger than the maximum vocabulary size; "
                                "received vocabulary size " + std::to_string(size) + ", max_tokens is " +
                                std::to_string(o_.max_tokens));
  if (!idf.empty() && idf.size() != tokens.size())
    throw std::invalid_argument(name() + ": expected idf_weights of the vocabulary's length " +
                                std::to_string(tokens.size()) + ", but received " + std::to_string(idf.size()));
  tokens_ = std::move(tokens);
  index_.clear();
  for (size_t i = 0; i < tokens_.size(); ++i) index_[tokens_[i]] = token_start() + static_cast<int64_t>(i);
  idf_.clear();
  if (!idf.empty() || !front.empty()) {
    double mean = 0;
    for (double w : idf) mean += w;
    mean = idf.empty() ? 0.0 : mean / static_cast<double>(idf.size());
    if (front.empty()) front.assign(static_cast<size_t>(token_start()), mean);
    idf_ = std::move(front);
    idf_.insert(idf_.end(), idf.begin(), idf.end());
  }
}

template <class K>
std::vector<int64_t> IndexLookup<K>::lookup(const std::vector<K>& tokens, bool for_encoding) const {
  std::vector<int64_t> out(tokens.size());
  for (size_t i = 0; i < tokens.size(); ++i) {
    const K& t = tokens[i];
    if (o_.mask_token && t == *o_.mask_token) {
      out[i] = for_encoding || o_.output_mode != "int" ? -1 : 0;
      continue;
    }
    auto it = index_.find(t);
    if (it != index_.end()) {
      out[i] = it->second;
    } else if (o_.num_oov_indices == 0) {
      throw std::invalid_argument(name() + ": when num_oov_indices=0 all inputs should be in the vocabulary, but "
                                  "received the unknown token " + token_str(t));
    } else {
      out[i] = oov_start() + (o_.num_oov_indices == 1 ? 0 : oov_bucket(t, o_.num_oov_indices));
    }
  }
  return out;
}

template <class K>
Tensor IndexLookup<K>::encode(const std::vector<int64_t>& idx, const Shape& shape) const {
  detail::EncodeArgs a;
  a.mode = o_.output_mode;
  a.depth = o_.pad_to_max_tokens && o_.max_tokens != -1 ? o_.max_tokens : vocabulary_size();
  a.dtype = output_dtype();
  a.sparse = o_.sparse;
  std::vector<double> idf = idf_;
  idf.resize(static_cast<size_t>(a.depth), 0.0);
  a.idf = &idf;
  a.who = name();
  return detail::encode_categorical(idx, shape, a);
}

template <class K>
Tensor IndexLookup<K>::call(const Tensor& x, bool) {
  if (tokens_.empty())
    throw std::invalid_argument(name() + ": the layer has no vocabulary: call adapt() on data holding tokens, or "
                                "set_vocabulary(), before calling it on input of shape " + x.shape().str());
  if (o_.output_mode == "tf_idf" && idf_.empty())
    throw std::invalid_argument(name() + ": tf_idf output needs idf weights: call adapt() or set_vocabulary() with "
                                "idf_weights before calling the layer");
  if (o_.invert) {
    if (!core::is_integer(x.dtype()))
      throw std::invalid_argument(name() + ": an inverted lookup expects integer indices, but received dtype " +
                                  core::dtype_name(x.dtype()));
    const std::vector<int64_t> idx = ops::cast(x, DType::int64).to_vector<int64_t>();
    const std::vector<K> vocab = get_vocabulary();
    std::vector<K> out(idx.size());
    for (size_t i = 0; i < idx.size(); ++i)
      out[i] = idx[i] >= 0 && idx[i] < static_cast<int64_t>(vocab.size()) ? vocab[static_cast<size_t>(idx[i])]
                                                                           : oov_token();
    return make_tokens(out, x.shape());
  }
  const std::vector<K> tokens = detail::read_tokens(x, name(), static_cast<K*>(nullptr));
  if (o_.output_mode == "int") return core::constant(lookup(tokens), x.shape());
  return encode(lookup(tokens, true), x.shape());
}

template <class K>
core::RaggedTensor IndexLookup<K>::operator()(const core::RaggedTensor& tokens) {
  if (!tokens.defined()) throw std::invalid_argument(name() + ": received an undefined RaggedTensor");
  if (o_.output_mode != "int")
    throw std::invalid_argument(name() + ": ragged input needs output_mode 'int', but output_mode=" + o_.output_mode);
  return tokens.with_flat_values(Layer::operator()(tokens.flat_values()));
}

// (The policy is Keras's, the global one's or the config's, which Keras ignores here.)
template <class K>
DType IndexLookup<K>::output_dtype() const {
  return lookup_output_dtype(o_.output_mode, o_.invert, std::is_same_v<K, std::string>);
}

template <class K>
std::vector<ShapeSpec> IndexLookup<K>::compute_output_shape(const std::vector<ShapeSpec>& shapes) {
  ShapeSpec s = shapes.at(0);
  if (o_.output_mode == "int") return {s};
  const int64_t depth = o_.pad_to_max_tokens && o_.max_tokens != -1 ? o_.max_tokens : vocabulary_size();
  return {detail::encoded_shape(s, o_.output_mode, depth)};
}

template <class K>
Config IndexLookup<K>::get_config() const {
  Config c = base_config();
  c["invert"] = o_.invert;
  c["max_tokens"] = o_.max_tokens == -1 ? Value() : Value(static_cast<long long>(o_.max_tokens));
  c["num_oov_indices"] = static_cast<long long>(o_.num_oov_indices);
  c["oov_token"] = to_value(oov_token());
  c["mask_token"] = o_.mask_token ? to_value(*o_.mask_token) : Value();
  c["output_mode"] = o_.output_mode;
  c["sparse"] = o_.sparse;
  c["pad_to_max_tokens"] = o_.pad_to_max_tokens;
  // The vocabulary without special tokens (given or adapted), and its idf weights.
  std::vector<Value> vocab, idf;
  for (const K& t : tokens_) vocab.push_back(to_value(t));
  for (size_t i = static_cast<size_t>(token_start()); i < idf_.size() && !tokens_.empty(); ++i) idf.emplace_back(idf_[i]);
  c["vocabulary"] = tokens_.empty() ? Value() : Value(vocab);
  c["idf_weights"] = idf.empty() ? Value() : Value(idf);
  c["vocabulary_size"] = static_cast<long long>(vocabulary_size());
  c["oov_method"] = "floormod";  // Keras's only method for several OOV indices
  return c;
}

template <class K>
IndexLookupOptions<K> IndexLookup<K>::options_from_config(const Config& c) {
  LayerOptions base = layer_options_from(c);
  IndexLookupOptions<K> o;
  o.name = base.name;
  o.input_shape = base.input_shape;
  o.invert = c.get("invert", false).as_bool();
  const Value mt = c.get("max_tokens", Value());
  o.max_tokens = mt.is_null() ? -1 : mt.as_int();
  o.num_oov_indices = c.get("num_oov_indices", 1).as_int();
  const Value oov = c.get("oov_token", Value());
  if (!oov.is_null()) from_value(oov, o.oov_token.emplace());
  const Value mask = c.get("mask_token", Value());
  if (!mask.is_null()) from_value(mask, o.mask_token.emplace());
  o.output_mode = c.get("output_mode", "int").as_string();
  o.sparse = c.get("sparse", false).as_bool();
  o.pad_to_max_tokens = c.get("pad_to_max_tokens", false).as_bool();
  const Value vocab = c.get("vocabulary", Value());
  if (!vocab.is_null())
    for (const Value& v : vocab.as_list()) from_value(v, o.vocabulary.emplace_back());
  const Value idf = c.get("idf_weights", Value());
  if (!idf.is_null())
    for (const Value& v : idf.as_list()) o.idf_weights.push_back(v.as_double());
  return o;
}

template <class K>
std::vector<std::pair<std::string, Tensor>> IndexLookup<K>::stored_named_tensors() const {
  if (o_.output_mode != "tf_idf" || idf_.empty()) return {};
  std::vector<float> w(idf_.begin(), idf_.end());
  if (o_.pad_to_max_tokens && o_.max_tokens > static_cast<int64_t>(w.size())) w.resize(size_t(o_.max_tokens), 0.0f);
  return {{"vars/idf_weights", core::constant(w, Shape{static_cast<int64_t>(w.size())})}};
}

template <class K>
void IndexLookup<K>::load_stored_named_tensors(const std::vector<std::pair<std::string, Tensor>>& entries) {
  for (const auto& [path, t] : entries) {
    if (!stores_named_tensor(path)) continue;
    const int64_t n = vocabulary_size();
    if (t.rank() != 1 || t.shape()[0] < n || !core::is_floating(t.dtype()))
      throw std::invalid_argument(name() + ": expected idf_weights of at least the vocabulary size " +
                                  std::to_string(n) + " (a 1-d float tensor), but received " +
                                  core::dtype_name(t.dtype()) + " " + t.shape().str());
    const std::vector<double> w = ops::cast(t, DType::float64).template to_vector<double>();
    idf_.assign(w.begin(), w.begin() + n);
  }
}

template class IndexLookup<std::string>;
template class IndexLookup<int64_t>;

}  // namespace keras::layers
