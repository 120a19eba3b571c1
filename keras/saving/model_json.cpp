// model_json.cpp - Keras's model.to_json() and keras.models.model_from_json: a model's
// architecture (and compile configuration) as Keras 3's serialized JSON, and back (Keras
// 2's JSON too); and
// get_compile_config / compile_from_config in Keras's form.
#include <stdexcept>
#include <string>
#include <string_view>

#include "keras/saving/file_config.h"
#include "keras/saving/keras_config.h"
#include "keras/saving/keras_file.h"
#include "keras/saving/legacy_h5_model.h"
#include "keras/saving/saving.h"

namespace keras {

std::string Model::to_json(int indent) const {
  auto lock = lock_state();
  Value v = saving::detail::cpp_to_keras(*this);
  if (compiled() && optimizer()) v["compile_config"] = saving::detail::keras_compile_config(*this);
  return v.to_json(indent);
}

Config Model::get_compile_config() const {
  if (!compiled() || !optimizer()) return Config();
  return saving::detail::keras_compile_config(*this);
}

void Model::compile_from_config(const Config& config) {
  if (!config.is_object() || !config.contains("optimizer"))
    throw std::invalid_argument(name() + ".compile_from_config: expected a compile configuration with an "
                                "\"optimizer\" (as get_compile_config() returns), but received " + config.to_json());
  saving::detail::restore_compile(*this, config);
}

namespace saving {

ModelPtr model_from_json(std::string_view json, const LoadOptions& options) {
  const std::string source = "model_from_json";
  const CustomObjectScope scope(options.custom_objects);  // known for this call only, as in Keras
  Config keras_cfg = detail::parse_json(json, source, "the JSON");
  if (keras_cfg.is_object() && !keras_cfg.contains("module")) {  // Keras 2's to_json() (no module at the top)
    const Value* version = keras_cfg.find("keras_version");
    const bool keras2 = !version || version->type() != Value::Type::string || version->as_string().rfind("3.", 0) != 0;
    keras_cfg = detail::keras2_model_config(keras_cfg, keras2);
  }
  ModelPtr model = detail::model_from_keras_config(keras_cfg, source);
  detail::check_honoured(keras_cfg, *model, source);
  if (options.compile) detail::compile_from_keras_config(*model, keras_cfg, source);
  return model;
}

}  // namespace saving
}  // namespace keras
