// mixed_precision.h - keras.mixed_precision: dtype policies (Keras 3's DTypePolicy) and
// the global policy that layers created without a dtype take.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/dtype.h"
#include "keras/config.h"

namespace keras::mixed_precision {

class DTypePolicyMap;

/// Keras 3's DTypePolicy: the dtype a layer computes in and the dtype of its variables.
/// "mixed_float16" / "mixed_bfloat16" compute in float16 / bfloat16 with float32
/// variables; a dtype name ("float32", "bfloat16", "int32", ...) uses that dtype for both
/// (integer and bool policies are for inputs and preprocessing layers: nothing is cast).
/// "int8_from_<source>" is Keras's QuantizedDTypePolicy: the dtypes of the source policy,
/// with int8 weights (Layer::quantize("int8") sets it); "int4/<block_size>_from_<source>"
/// is Keras's Int4DTypePolicy (int4 weights packed two per byte, grouped along the input
/// axis in blocks of block_size with a zero point, or per output channel for -1);
/// "float8_from_<source>" is Keras's QuantizedFloat8DTypePolicy (float8 training: float
/// weights, inputs and kernel quantized to float8_e4m3fn and back, output gradients to
/// float8_e5m2, with scales that follow an amax history).
class DTypePolicy {
 public:
  /// The policy named `name`; any other name raises std::invalid_argument listing the
  /// valid ones.
  DTypePolicy(std::string_view name = "float32");  // NOLINT: implicit, as Keras takes names
  /// The same as DTypePolicy(name).
  DTypePolicy(const char* name) : DTypePolicy(std::string_view(name)) {}  // NOLINT
  /// The same as DTypePolicy(name).
  DTypePolicy(const std::string& name) : DTypePolicy(std::string_view(name)) {}  // NOLINT
  /// The policy of a dtype (both dtypes `dtype`).
  DTypePolicy(core::DType dtype);  // NOLINT
  /// A DTypePolicyMap as a layer's policy (Keras's DTypePolicyMap is a DTypePolicy): the
  /// name "map_<default>" and the default policy's dtypes; a layer given it takes the
  /// map's policy for its path when it is built, and passes the map to its sublayers.
  DTypePolicy(const DTypePolicyMap& map);  // NOLINT
  /// The map this policy stands for (see above); null for other policies.
  const DTypePolicyMap* policy_map() const { return map_.get(); }
  /// The policy's name ("mixed_float16").
  const std::string& name() const { return name_; }
  /// The dtype of the layer's computations (its inputs are cast to it).
  core::DType compute_dtype() const { return compute_; }
  /// The dtype of the layer's variables.
  core::DType variable_dtype() const { return variable_; }
  /// Whether compute_dtype differs from variable_dtype (a mixed policy).
  bool is_mixed() const { return compute_ != variable_; }
  /// The quantization mode of a quantized policy ("int8", "int4", "float8"); empty for others.
  const std::string& quantization_mode() const { return mode_; }
  /// An int4 policy's block size (Keras's Int4DTypePolicy.block_size: -1 per output
  /// channel, else the group size along the input axis); 0 for other policies.
  int64_t int4_block_size() const { return block_; }
  /// A float8 policy's amax history length (Keras's QuantizedFloat8DTypePolicy.
  /// amax_history_length: the window of past absolute maxima a scale follows); 0 for
  /// other policies.
  int64_t amax_history_length() const { return amax_history_; }
  /// The policy a quantized one was made from ("float32" for "int8_from_float32"); the
  /// policy's own name for other policies.
  const std::string& source_name() const { return mode_.empty() ? name_ : source_; }
  /// Keras's QuantizedDTypePolicy(mode, source): mode + "_from_" + source's name, for mode
  /// "int8", or "int4/<block_size>" (Int4DTypePolicy; block_size -1 or positive; "int4"
  /// alone is "int4/128", Keras's default Int4QuantizationConfig); throws
  /// std::invalid_argument for another mode (naming it), a bad block size, a source that
  /// is already quantized, and a float16 compute dtype (as Keras does).
  static DTypePolicy quantized(const std::string& mode, const DTypePolicy& source);
  /// Keras's QuantizedFloat8DTypePolicy("float8_from_<source>", amax_history_length):
  /// float8 training (Layer::quantize("float8") makes one with 1024). Throws as quantized(),
  /// and for a length below 1.
  static DTypePolicy float8(const DTypePolicy& source, int64_t amax_history_length = 1024);
  /// Keras's serialized form, as a layer config's "dtype" holds it:
  /// {"module": "keras", "class_name": "DTypePolicy", "config": {"name": ...},
  /// "registered_name": null}; a quantized policy is class "QuantizedDTypePolicy" with
  /// config {"mode": ..., "source_name": ...} ("Int4DTypePolicy", mode "int4/128", for int4;
  /// "QuantizedFloat8DTypePolicy" with "amax_history_length" for float8).
  Config serialize() const;
  /// The policy of a serialized form (or of a plain name string, as older configs hold).
  static DTypePolicy deserialize(const Config& config);
  /// Same name (and, for float8, the same amax history length).
  bool operator==(const DTypePolicy& other) const {
    return name_ == other.name_ && amax_history_ == other.amax_history_ && map_ == other.map_;
  }

 private:
  // Keras's mode string: "int8", "int4/<block_size>".
  std::string mode_string() const { return block_ != 0 ? mode_ + "/" + std::to_string(block_) : mode_; }
  std::string name_, mode_, source_;
  int64_t block_ = 0;
  int64_t amax_history_ = 0;
  core::DType compute_ = core::DType::float32, variable_ = core::DType::float32;
  std::shared_ptr<const DTypePolicyMap> map_;
};

/// Keras 3's DTypePolicyMap: layer paths (Layer::path) -> policies, for models whose
/// layers mix policies (some sublayers quantized). A key is an exact path or a regular
/// expression (ECMAScript) that must match a whole path: "encoder/.*" selects every layer
/// under "encoder", "encoder" only the layer at that path.
///   DTypePolicyMap map("float32");
///   map.set("encoder/.*", "bfloat16");
///   map["encoder/dense"].name();   // "bfloat16"
class DTypePolicyMap {
 public:
  /// `default_policy` is what unmatched paths get; unset, the global policy at each
  /// lookup (and the config saves null, so a loader's global policy applies). Entries in
  /// order (set() each).
  explicit DTypePolicyMap(std::optional<DTypePolicy> default_policy = std::nullopt,
                          const std::vector<std::pair<std::string, DTypePolicy>>& policy_map = {});
  /// The default policy (the given one, else global_policy()).
  DTypePolicy default_policy() const;
  /// Keras's name: "map_" + the default policy's name.
  std::string name() const { return "map_" + default_policy().name(); }
  /// The policy of `path`: an exact key's, else the one key matching it as a regular
  /// expression, else the default; std::invalid_argument when several keys match
  /// (naming them).
  DTypePolicy operator[](const std::string& path) const;
  /// Adds `key`; std::invalid_argument when it is already there, or when `policy` is
  /// itself a map.
  void set(const std::string& key, const DTypePolicy& policy);
  /// Removes `key`; returns whether it was there.
  bool erase(const std::string& key);
  /// Whether `key` is one of the keys (no pattern matching).
  bool contains(const std::string& key) const;
  /// The number of keys.
  size_t size() const { return entries_.size(); }
  /// The keys and their policies, in the order they were set.
  const std::vector<std::pair<std::string, DTypePolicy>>& entries() const { return entries_; }
  /// Keras's serialized form: {"module": "keras.dtype_policies", "class_name":
  /// "DTypePolicyMap", "config": {"default_policy": ..., "policy_map": {key: policy}}}.
  Config serialize() const;
  /// The map of a serialized form (std::invalid_argument naming what is wrong).
  static DTypePolicyMap deserialize(const Config& config);

 private:
  std::optional<DTypePolicy> default_;
  std::vector<std::pair<std::string, DTypePolicy>> entries_;
};

/// Sets the policy of layers created from now on without a dtype (process-wide, as
/// keras.mixed_precision.set_global_policy).
void set_global_policy(const DTypePolicy& policy);
/// The global policy (until one is set: config::floatx()'s, "float32" by default).
DTypePolicy global_policy();
/// Forgets the policy set_global_policy set, so the global policy follows
/// config::floatx() again (Keras's set_dtype_policy(None)).
void clear_global_policy();

}  // namespace keras::mixed_precision
