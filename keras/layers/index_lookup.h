// index_lookup.h - IndexLookup, the base of StringLookup and IntegerLookup (Keras 3's
// keras.layers.IndexLookup): maps tokens (strings or int64) to indices in a vocabulary.
//
// The indices are laid out as Keras does: with output_mode "int", the mask token (when
// set) is index 0; then num_oov_indices out-of-vocabulary indices; then the vocabulary.
// An unknown token goes to the one OOV index, or with several to OOV index
// hash(token) % num_oov_indices (FarmHash Fingerprint64 for strings, floormod for
// integers, as TensorFlow). Other output modes encode each sample as one_hot / multi_hot /
// count / tf_idf vectors of vocabulary_size() (max_tokens with pad_to_max_tokens); there
// the mask token has no index and is dropped. invert maps indices back to tokens.
//
// The vocabulary is given (`.vocabulary`, set_vocabulary) or computed by adapt(): tokens
// sorted by count, most frequent first, ties broken by the larger token (as Keras's
// lexsort), cut to max_tokens. The vocabulary is part of get_config() (Keras saves an
// adapted one as an asset file; here it travels in the config), so a saved model keeps it.
// These layers run on the host (their ops depend on values): they are dynamic, so a
// traced model runs them as host functions, like tf.data preprocessing.
#pragma once
#include <optional>
#include <unordered_map>

#include "core/ragged.h"
#include "keras/layers/layer.h"

namespace keras::data { class Dataset; }

namespace keras::layers {

/// The keyword arguments of Keras's StringLookup / IntegerLookup; K is std::string or int64_t.
template <class K>
struct IndexLookupOptions {
  /// Largest vocabulary, special tokens included (Keras `max_tokens`; -1: None); must be > 1.
  int64_t max_tokens = -1;
  /// Out-of-vocabulary indices (Keras `num_oov_indices`, default 1; 0: unknown tokens raise).
  int64_t num_oov_indices = 1;
  /// The token standing for masked input (Keras `mask_token`, default None).
  std::optional<K> mask_token{};
  /// What invert returns for OOV indices (Keras `oov_token`; default "[UNK]" or -1).
  std::optional<K> oov_token{};
  /// A given vocabulary (empty: none; adapt() or set_vocabulary() give one). It may
  /// start with the special tokens exactly as get_vocabulary() lists them.
  std::vector<K> vocabulary{};
  /// The idf weight of each vocabulary token (output_mode "tf_idf" with a given vocabulary).
  std::vector<double> idf_weights{};
  /// Map indices back to tokens (Keras `invert`; output_mode "int" only).
  bool invert = false;
  /// "int" (default), "one_hot", "multi_hot", "count" or "tf_idf".
  std::string output_mode = "int";
  /// Encoded outputs as a SparseTensor handle (SparseTensor::as_tensor).
  bool sparse = false;
  /// Encoded outputs have max_tokens entries even when the vocabulary is smaller.
  bool pad_to_max_tokens = false;
  std::string name{};         ///< layer name (default: generated)
  ShapeSpec input_shape{};    ///< without the batch axis (first layer of a Sequential)
};

/// The lookup layer shared by StringLookupLayer (K = std::string) and IntegerLookupLayer
/// (K = int64_t). Bad options raise std::invalid_argument with Keras's reasons.
template <class K>
class IndexLookup : public Layer {
 public:
  /// class_name: "StringLookup" or "IntegerLookup".
  IndexLookup(const std::string& class_name, const IndexLookupOptions<K>& options);
  using Layer::operator();
  /// Ragged tokens (output_mode "int", or invert): the lookup of the flat values, with the
  /// same row partitions (as Keras on the TensorFlow backend); encoding modes raise.
  core::RaggedTensor operator()(const core::RaggedTensor& tokens);
  /// Looks the tokens of x up (or, inverted, the indices); raises std::invalid_argument
  /// before the layer has a vocabulary, or for input of the wrong dtype.
  Tensor call(const Tensor& x, bool training) override;
  /// The input shape ("int"), or the encoded shape with vocabulary_size() entries.
  std::vector<ShapeSpec> compute_output_shape(const std::vector<ShapeSpec>& shapes) override;
  /// int64 ids (tf_idf: float32; inverted: the tokens' dtype), whatever the policy, as Keras.
  DType output_dtype() const override;
  /// Keras's config, with the vocabulary (given or adapted) and its idf weights.
  Config get_config() const override;

  /// Computes the vocabulary (and idf weights for "tf_idf") from data: tokens of a string
  /// (StringLookup) or integer (IntegerLookup) tensor; each row of the
  /// last axis is a document (each element of a scalar or 1-d tensor) for tf_idf.
  void adapt(const Tensor& data);
  /// The same over every element of a dataset of tensors (a single component each).
  void adapt(const data::Dataset& data);
  /// The vocabulary by index; include_special_tokens=false leaves out mask and OOV tokens.
  std::vector<K> get_vocabulary(bool include_special_tokens = true) const;
  /// Replaces the vocabulary (and idf weights, "tf_idf" only); checks as the constructor.
  void set_vocabulary(const std::vector<K>& vocabulary, const std::vector<double>& idf_weights = {});
  /// The number of indices: special tokens plus vocabulary (Keras `vocabulary_size()`).
  int64_t vocabulary_size() const;
  /// Whether the vocabulary holds any token (given, set or adapted); calls raise until then.
  bool has_vocabulary() const { return !tokens_.empty(); }
  /// The idf weights by index (tf_idf; empty otherwise).
  const std::vector<double>& idf_weights() const { return idf_; }
  /// The index of each token as output_mode "int" gives it (mask: 0) or, with
  /// for_encoding, as the encoders see it (mask: -1, dropped).
  std::vector<int64_t> lookup(const std::vector<K>& tokens, bool for_encoding = false) const;
  /// Encodes indices from lookup(.., true) of shape `shape` as output_mode says.
  Tensor encode(const std::vector<int64_t>& indices, const Shape& shape) const;
  /// What adapt() gathers: token counts, document counts (tf_idf) and the document count.
  struct AdaptState {
    std::unordered_map<K, int64_t> counts;      ///< occurrences of each token
    std::unordered_map<K, int64_t> doc_counts;  ///< documents holding each token (tf_idf)
    int64_t documents = 0;                      ///< documents seen
  };
  /// adapt()'s first step, for layers built on this one (TextVectorization): counts the
  /// tokens of each document (mask and OOV tokens are not counted).
  void count_documents(const std::vector<std::vector<K>>& documents, AdaptState& state) const;
  /// adapt()'s last step: sorts the counted tokens into the vocabulary (and idf weights).
  void finish_adapt(const AdaptState& state);
  /// tf_idf with a vocabulary: {"vars/idf_weights", the idf weights by index (float32, zeros
  /// up to max_tokens with pad_to_max_tokens)}, as Keras's save_own_variables.
  std::vector<std::pair<std::string, Tensor>> stored_named_tensors() const override;
  /// "vars/idf_weights" in tf_idf mode.
  bool stores_named_tensor(const std::string& path) const override {
    return o_.output_mode == "tf_idf" && path == "vars/idf_weights";
  }
  /// Takes "vars/idf_weights": one weight per index, its vocabulary_size() first ones kept.
  void load_stored_named_tensors(const std::vector<std::pair<std::string, Tensor>>& entries) override;
  /// The options the layer was made with (vocabulary as given).
  const IndexLookupOptions<K>& options() const { return o_; }

 protected:
  /// Reads the base keyword arguments of a get_config() config into options.
  static IndexLookupOptions<K> options_from_config(const Config& c);

 private:
  int64_t oov_start() const;
  int64_t token_start() const;
  K oov_token() const;
  void count_tensor(const Tensor& data, AdaptState& state) const;

  IndexLookupOptions<K> o_;
  std::vector<K> tokens_;                    // the vocabulary without special tokens
  std::unordered_map<K, int64_t> index_;     // token -> index
  std::vector<double> idf_;                  // by index (tf_idf)
};

extern template class IndexLookup<std::string>;
extern template class IndexLookup<int64_t>;

}  // namespace keras::layers
