#include "keras/mixed_precision.h"

#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>

#include "keras/path_match.h"
#include "keras/settings.h"

namespace keras::mixed_precision {

DTypePolicy::DTypePolicy(std::string_view name) : name_(name) {
  using core::DType;
  // Keras's dtype_policies.get: "<mode>_from_<source>" is a QuantizedDTypePolicy.
  if (const size_t at = name.find("_from_"); at != std::string_view::npos) {
    *this = quantized(std::string(name.substr(0, at)), DTypePolicy(name.substr(at + 6)));
    return;
  }
  if (name == "mixed_float16") {
    compute_ = DType::float16, variable_ = DType::float32;
  } else if (name == "mixed_bfloat16") {
    compute_ = DType::bfloat16, variable_ = DType::float32;
  } else {
    // Keras 3's _parse_name: any other name is a dtype, used for both (float for layers
    // that compute, integer or bool for inputs and preprocessing).
    core::DType d;
    try {
      d = core::dtype_from_name(name);
    } catch (const std::exception&) {
      d = core::DType::string;
    }
    if (d == core::DType::string && name != "string")
      throw std::invalid_argument("DTypePolicy: cannot convert '" + std::string(name) +
                                  "' to a mixed precision DTypePolicy; valid policies include 'mixed_float16', "
                                  "'mixed_bfloat16', and the name of any float dtype such as 'float32'");
    compute_ = variable_ = d;
  }
}

DTypePolicy::DTypePolicy(core::DType dtype) : DTypePolicy(std::string_view(core::dtype_name(dtype))) {}

namespace {
// "int4" (Keras's default Int4QuantizationConfig: blocks of 128) or "int4/<block_size>"
// (-1 or a positive size); nullopt for other modes.
std::optional<int64_t> int4_block(const std::string& mode) {
  if (mode == "int4") return 128;
  if (mode.rfind("int4/", 0) != 0) return std::nullopt;
  const std::string digits = mode.substr(5);
  size_t used = 0;
  long long b = 0;
  try {
    b = std::stoll(digits, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != digits.size() || digits.empty() || (b != -1 && b <= 0))
    throw std::invalid_argument("Int4DTypePolicy: block_size must be None, -1, or a positive integer. Received: "
                                "mode='" + mode + "'");
  return b;
}

// Keras's GPTQDTypePolicy and AWQDTypePolicy modes "gptq/<weight_bits>/<group_size>" (bits
// 2, 3, 4 or 8) and "awq/4/<group_size>", group size -1 or positive: the algorithm's name,
// or empty for other modes; std::invalid_argument for a bad gptq or awq one.
std::string calibrated_mode(const std::string& mode) {
  for (const char* algo : {"gptq", "awq"})
    if (mode == algo)
      throw std::invalid_argument(std::string(algo == std::string("gptq") ? "GPTQ" : "AWQ") +
                                  "DTypePolicy: expected the mode '" + algo + "/<weight_bits>/<group_size>' (as "
                                  "keras::quantizers::" + algo + "_quantize makes it, e.g. '" + algo +
                                  "/4/128'), but received '" + algo + "'");
  const std::string algo = mode.rfind("gptq/", 0) == 0 ? "gptq" : mode.rfind("awq/", 0) == 0 ? "awq" : "";
  if (algo.empty()) return "";
  const std::string cls = algo == "gptq" ? "GPTQDTypePolicy" : "AWQDTypePolicy";
  const std::string rest = mode.substr(algo.size() + 1);
  const size_t slash = rest.find('/');
  long long bits = 0, group = 0;
  bool ok = slash != std::string::npos && slash > 0 && slash + 1 < rest.size();
  if (ok) {
    try {
      size_t u1 = 0, u2 = 0;
      bits = std::stoll(rest.substr(0, slash), &u1);
      group = std::stoll(rest.substr(slash + 1), &u2);
      ok = u1 == slash && u2 == rest.size() - slash - 1;
    } catch (const std::exception&) {
      ok = false;
    }
  }
  if (!ok)
    throw std::invalid_argument("Invalid mode for " + cls + ". Expected format '" + algo +
                                "/<weight_bits>/<group_size>', but got '" + mode + "'.");
  if (algo == "awq" && bits != 4)
    throw std::invalid_argument("Invalid weight_bits in mode. AWQ only supports 4-bit quantization, but got " +
                                std::to_string(bits) + " from '" + mode + "'.");
  if (bits != 2 && bits != 3 && bits != 4 && bits != 8)
    throw std::invalid_argument("Invalid weight_bits in mode. Supported values are 2, 3, 4, and 8, but got " +
                                std::to_string(bits) + " from '" + mode + "'.");
  if (group < -1 || group == 0)
    throw std::invalid_argument("Invalid group_size in mode. Supported values are -1 (whole-tensor) or a positive "
                                "integer, but got " + std::to_string(group) + " from '" + mode + "'.");
  return algo;
}
}  // namespace

DTypePolicy DTypePolicy::quantized(const std::string& mode, const DTypePolicy& source) {
  if (mode == "float8") return float8(source);
  const std::optional<int64_t> block = int4_block(mode);
  const std::string calibrated = block ? "" : calibrated_mode(mode);
  if (mode != "int8" && !block && calibrated.empty())
    throw std::invalid_argument("QuantizedDTypePolicy: invalid quantization mode '" + mode + "': keras-cpp quantizes "
                                "to 'int8', 'int4' / 'int4/<block_size>', 'float8', 'gptq/<weight_bits>/<group_size>' "
                                "and 'awq/4/<group_size>'");
  if (!source.mode_.empty())
    throw std::invalid_argument("QuantizedDTypePolicy: the source policy '" + source.name_ + "' is already quantized");
  if (!core::is_floating(source.compute_))
    throw std::invalid_argument("QuantizedDTypePolicy: quantization needs a floating source policy, but received '" +
                                source.name_ + "'");
  if (source.compute_ == core::DType::float16)
    throw std::invalid_argument("Quantization mode='" + mode + "' doesn't work well with compute_dtype='float16' "
                                "(policy '" + source.name_ + "')");
  DTypePolicy p = source;
  p.mode_ = block ? "int4" : !calibrated.empty() ? calibrated : mode;
  p.block_ = block.value_or(0);
  // (a gptq or awq policy keeps its bits and group size in its name, "gptq/4/128_from_float32")
  p.name_ = (!calibrated.empty() ? mode : p.mode_string()) + "_from_" + source.name_;
  p.source_ = source.name_;
  return p;
}

DTypePolicy DTypePolicy::float8(const DTypePolicy& source, int64_t amax_history_length) {
  if (amax_history_length < 1)
    throw std::invalid_argument("QuantizedFloat8DTypePolicy: expected amax_history_length >= 1, but received " +
                                std::to_string(amax_history_length));
  if (!source.mode_.empty())
    throw std::invalid_argument("QuantizedFloat8DTypePolicy: the source policy '" + source.name_ +
                                "' is already quantized");
  if (!core::is_floating(source.compute_))
    throw std::invalid_argument("QuantizedFloat8DTypePolicy: float8 training needs a floating source policy, but "
                                "received '" + source.name_ + "'");
  DTypePolicy p = source;  // (Keras allows float16 compute for float8, unlike int8 and int4)
  p.mode_ = "float8";
  p.amax_history_ = amax_history_length;
  p.name_ = "float8_from_" + source.name_;
  p.source_ = source.name_;
  return p;
}

Config DTypePolicy::serialize() const {
  if (map_) return map_->serialize();
  Config inner = Config::object();
  Config c = Config::object();
  c["module"] = "keras";
  if (!mode_.empty()) {
    const bool calibrated = mode_ == "gptq" || mode_ == "awq";
    inner["mode"] = calibrated ? name_.substr(0, name_.find("_from_")) : mode_string();
    inner["source_name"] = source_;
    // (as Keras writes Int4DTypePolicy, QuantizedFloat8DTypePolicy, GPTQDTypePolicy and
    // AWQDTypePolicy)
    if (block_ != 0 || amax_history_ != 0 || calibrated) c["module"] = "keras.dtype_policies";
    c["class_name"] = block_ != 0          ? "Int4DTypePolicy"
                      : amax_history_ != 0 ? "QuantizedFloat8DTypePolicy"
                      : mode_ == "gptq"    ? "GPTQDTypePolicy"
                      : mode_ == "awq"     ? "AWQDTypePolicy"
                                           : "QuantizedDTypePolicy";
    if (amax_history_ != 0) inner["amax_history_length"] = static_cast<long long>(amax_history_);
    c["config"] = inner;
    c["registered_name"] = nullptr;
    return c;
  }
  inner["name"] = name_;
  c["class_name"] = "DTypePolicy";
  c["config"] = inner;
  c["registered_name"] = nullptr;
  return c;
}

DTypePolicy DTypePolicy::deserialize(const Config& config) {
  if (config.type() == Value::Type::string) return DTypePolicy(config.as_string());
  if (config.is_null()) return global_policy();  // Keras writes a null name for "the global policy"
  if (config.is_object() && config.get("class_name", "").as_string() == "DTypePolicyMap")
    return DTypePolicy(DTypePolicyMap::deserialize(config));
  if (!config.is_object() || !config.contains("config"))
    throw std::invalid_argument(std::string("DTypePolicy: expected a serialized policy {\"class_name\": \"DTypePolicy\", "
                                            "\"config\": {\"name\": ...}} or a name, but received a ") + config.type_name());
  const std::string cls = config.get("class_name", "DTypePolicy").as_string();
  if (cls == "QuantizedFloat8DTypePolicy") {
    const Config& inner = config.at("config");
    if (inner.get("mode", "float8").as_string() != "float8")
      throw std::invalid_argument("QuantizedFloat8DTypePolicy: expected mode 'float8', but received '" +
                                  inner.at("mode").as_string() + "'");
    return float8(DTypePolicy(inner.at("source_name").as_string()), inner.get("amax_history_length", 1024).as_int());
  }
  if (cls == "QuantizedDTypePolicy" || cls == "Int4DTypePolicy" || cls == "GPTQDTypePolicy" || cls == "AWQDTypePolicy") {
    const Config& inner = config.at("config");
    std::string mode = inner.at("mode").as_string();
    // An older QuantizedDTypePolicy "int4" is per channel (Keras's get_block_size_for_layer).
    if (cls == "QuantizedDTypePolicy" && mode == "int4") mode = "int4/-1";
    const Value& source = inner.get("source_name", Value());
    return quantized(mode, source.is_null() ? global_policy() : DTypePolicy(source.as_string()));
  }
  if (cls != "DTypePolicy")
    throw std::invalid_argument("DTypePolicy: expected class_name DTypePolicy, QuantizedDTypePolicy, "
                                "Int4DTypePolicy, GPTQDTypePolicy, AWQDTypePolicy or QuantizedFloat8DTypePolicy, but "
                                "received '" + cls + "'");
  const Value& name = config.at("config").get("name", Value());
  return name.is_null() ? global_policy() : DTypePolicy(name.as_string());
}

// ---- DTypePolicyMap -----------------------------------------------------------------------
DTypePolicy::DTypePolicy(const DTypePolicyMap& map) : DTypePolicy(map.default_policy()) {
  name_ = map.name();  // the default's dtypes and quantization mode, as Keras's map has
  map_ = std::make_shared<const DTypePolicyMap>(map);
}

DTypePolicyMap::DTypePolicyMap(std::optional<DTypePolicy> default_policy,
                               const std::vector<std::pair<std::string, DTypePolicy>>& policy_map)
    : default_(std::move(default_policy)) {
  if (default_ && default_->policy_map())
    throw std::invalid_argument("DTypePolicyMap: the default policy cannot be a DTypePolicyMap");
  for (const auto& [key, policy] : policy_map) set(key, policy);
}

DTypePolicy DTypePolicyMap::default_policy() const { return default_ ? *default_ : global_policy(); }

DTypePolicy DTypePolicyMap::operator[](const std::string& path) const {
  const auto i = detail::match_path(entries_, path, "DTypePolicyMap",
                                    "path '" + path + "' matches multiple dtype policy specification keys:");
  return i ? entries_[*i].second : default_policy();
}

void DTypePolicyMap::set(const std::string& key, const DTypePolicy& policy) {
  if (contains(key))
    throw std::invalid_argument("DTypePolicyMap: '" + key + "' is already a key (with policy '" + (*this)[key].name() +
                                "'); keys may not repeat");
  if (policy.policy_map())
    throw std::invalid_argument("DTypePolicyMap: the policy of '" + key + "' cannot be a DTypePolicyMap");
  detail::check_path_key("DTypePolicyMap", key);
  entries_.emplace_back(key, policy);
}

bool DTypePolicyMap::erase(const std::string& key) {
  for (auto it = entries_.begin(); it != entries_.end(); ++it)
    if (it->first == key) {
      entries_.erase(it);
      return true;
    }
  return false;
}

bool DTypePolicyMap::contains(const std::string& key) const {
  for (const auto& e : entries_)
    if (e.first == key) return true;
  return false;
}

Config DTypePolicyMap::serialize() const {
  Config map = Config::object();
  for (const auto& [key, policy] : entries_) map[key] = policy.serialize();
  Config inner = Config::object();
  inner["default_policy"] = default_ ? default_->serialize() : Value();
  inner["policy_map"] = map;
  Config c = Config::object();
  c["module"] = "keras.dtype_policies";
  c["class_name"] = "DTypePolicyMap";
  c["config"] = inner;
  c["registered_name"] = nullptr;
  return c;
}

DTypePolicyMap DTypePolicyMap::deserialize(const Config& config) {
  if (!config.is_object() || config.get("class_name", "").as_string() != "DTypePolicyMap" ||
      !config.contains("config") || !config.at("config").is_object())
    throw std::invalid_argument("DTypePolicyMap: expected {\"class_name\": \"DTypePolicyMap\", \"config\": "
                                "{\"default_policy\": ..., \"policy_map\": {...}}}, but received " + config.to_json());
  const Config& inner = config.at("config");
  const Value& d = inner.get("default_policy", Value());
  DTypePolicyMap out(d.is_null() ? std::nullopt : std::optional<DTypePolicy>(DTypePolicy::deserialize(d)));
  const Value& map = inner.get("policy_map", Config::object());
  if (!map.is_object())
    throw std::invalid_argument("DTypePolicyMap: expected policy_map to be an object, but received a " +
                                std::string(map.type_name()));
  for (const auto& [key, policy] : map.items()) out.set(key, DTypePolicy::deserialize(policy));
  return out;
}

namespace {
std::mutex g_mutex;
std::optional<DTypePolicy>& global() {  // unset: config::floatx()'s policy
  static std::optional<DTypePolicy> p;
  return p;
}
}  // namespace

void set_global_policy(const DTypePolicy& policy) {
  std::lock_guard<std::mutex> lock(g_mutex);
  global() = policy;
}

void clear_global_policy() {
  std::lock_guard<std::mutex> lock(g_mutex);
  global().reset();
}

DTypePolicy global_policy() {
  std::lock_guard<std::mutex> lock(g_mutex);
  if (global()) return *global();
  return DTypePolicy(config::floatx());
}

}  // namespace keras::mixed_precision
