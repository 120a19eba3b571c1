// text_vectorization.h - TextVectorization (Keras 3's keras.layers.TextVectorization):
// strings to token ids or encoded token vectors. Each string is (1) standardized
// ("lower_and_strip_punctuation" by default: ASCII lower case, then Keras's punctuation
// class removed; "lower", "strip_punctuation", "none", or a callable on the string
// tensor), (2) split into tokens ("whitespace" by default, "character": UTF-8
// characters, "none": the whole string is one token, or a callable giving a RaggedTensor),
// (3) extended with ngrams (ngram widths, joined by a space, widths in order), (4) looked
// up in a StringLookup vocabulary with mask token "" (index 0: padding) and one OOV index.
//
// output_mode "int" gives (batch, output_sequence_length) int64 ids, padded with 0 or cut
// (without a length: padded to the batch's longest row), or ragged rows (ragged = true:
// a RaggedTensor::as_tensor() handle from a normal call, or call_ragged()). "multi_hot",
// "count" and "tf_idf" give (batch, vocabulary_size()) vectors
// ("one_hot" one vector per token). Inputs are a 1-d string tensor, or 2-d with a last
// axis of size 1. adapt() learns the vocabulary (most frequent first, see
// index_lookup.h); get_config() carries it, so a saved model keeps it. A custom callable
// cannot be written to a config: get_config() names it "custom" and from_config raises.
//   auto tv = keras::layers::TextVectorization({.max_tokens = 20000, .output_sequence_length = 200});
//   tv->adapt(texts);
//   keras::Tensor ids = tv(keras::constant({"The cat sat."}));   // (1, 200) int64
#pragma once
#include <functional>

#include "core/ragged.h"
#include "keras/layers/string_lookup.h"

namespace keras::layers {

/// Options of TextVectorization (the keyword arguments of keras.layers.TextVectorization).
struct TextVectorizationOptions {
  /// Largest vocabulary, padding and OOV included (Keras `max_tokens`; -1: None).
  int64_t max_tokens = -1;
  /// "lower_and_strip_punctuation" (default), "lower", "strip_punctuation" or "none".
  std::string standardize = "lower_and_strip_punctuation";
  /// A custom standardization (string tensor in, string tensor out); replaces `standardize`.
  std::function<Tensor(const Tensor&)> standardize_fn{};
  /// "whitespace" (default), "character" or "none".
  std::string split = "whitespace";
  /// A custom split (1-d string tensor in, RaggedTensor of tokens out); replaces `split`.
  std::function<core::RaggedTensor(const Tensor&)> split_fn{};
  /// The ngram widths (Keras `ngrams`: n means {1, ..., n}); empty: none.
  std::vector<int64_t> ngrams{};
  /// "int" (default), "one_hot", "multi_hot", "count" or "tf_idf".
  std::string output_mode = "int";
  /// Pad or cut the ids to this length (output_mode "int" only; -1: None).
  int64_t output_sequence_length = -1;
  /// Encoded outputs have max_tokens entries even when the vocabulary is smaller.
  bool pad_to_max_tokens = false;
  /// A given vocabulary (without or with the special tokens "" and "[UNK]" first).
  std::vector<std::string> vocabulary{};
  /// The idf weight of each vocabulary token (tf_idf with a given vocabulary).
  std::vector<double> idf_weights{};
  bool sparse = false;   ///< encoded outputs as a SparseTensor handle
  /// Ragged output (output_mode "int"): calling the layer gives a RaggedTensor handle
  /// (RaggedTensor::as_tensor(), for Embedding and the 1-d global poolings in a model);
  /// call_ragged() gives the RaggedTensor itself.
  bool ragged = false;
  std::string name{};       ///< layer name (default: generated)
  ShapeSpec input_shape{};  ///< without the batch axis (first layer of a Sequential)
};

/// keras.layers.TextVectorization, made by TextVectorization().
class TextVectorizationLayer : public Layer {
 public:
  /// Throws std::invalid_argument for bad options (as Keras's ValueError).
  explicit TextVectorizationLayer(const TextVectorizationOptions& options = {});
  Tensor call(const Tensor& x, bool training) override;
  std::vector<ShapeSpec> compute_output_shape(const std::vector<ShapeSpec>& shapes) override;
  /// int64 ids (tf_idf: float32), whatever the policy, as Keras.
  DType output_dtype() const override { return o_.output_mode == "tf_idf" ? DType::float32 : DType::int64; }
  Config get_config() const override;
  /// Rebuilds the layer from a get_config() config (the registry's loader for "TextVectorization").
  static LayerPtr from_config(const Config& c);

  /// The ids of each string as ragged rows (output_mode "int"; ragged or not): the
  /// RaggedTensor that a ragged layer's call returns as a handle.
  core::RaggedTensor call_ragged(const Tensor& x);
  /// Learns the vocabulary from a string tensor (1-d, or 2-d with a last axis of 1).
  void adapt(const Tensor& data);
  /// The same over every element of a dataset of string tensors (batched or not).
  void adapt(const data::Dataset& data);
  /// The vocabulary by index ("" and "[UNK]" first in int mode).
  std::vector<std::string> get_vocabulary(bool include_special_tokens = true) const;
  /// Replaces the vocabulary (and idf weights for tf_idf).
  void set_vocabulary(const std::vector<std::string>& vocabulary, const std::vector<double>& idf_weights = {});
  /// The number of ids (special tokens included).
  int64_t vocabulary_size() const;
  /// tf_idf: the lookup's idf weights as Keras stores them, under "vars/idf_weights" and
  /// "_lookup_layer/vars/idf_weights".
  std::vector<std::pair<std::string, Tensor>> stored_named_tensors() const override;
  /// Either of those paths, in tf_idf mode.
  bool stores_named_tensor(const std::string& path) const override;
  /// Takes either of those paths.
  void load_stored_named_tensors(const std::vector<std::pair<std::string, Tensor>>& entries) override;
  /// The token rows of each input string: standardized, split and with ngrams.
  std::vector<std::vector<std::string>> tokenize(const Tensor& x) const;

 private:
  TextVectorizationOptions o_;
  std::vector<int64_t> ngram_widths_;
  Ref<StringLookupLayer> lookup_;
};

/// keras.layers.TextVectorization: strings to token ids or token vectors.
Ref<TextVectorizationLayer> TextVectorization(const TextVectorizationOptions& options = {});

}  // namespace keras::layers
