// initializers_registry.cpp - the initializers' names and classes: get(name),
// serialize/deserialize with Keras's config keys and defaults, register_initializer.
#include <map>
#include <set>
#include <stdexcept>

#include "keras/config_reader.h"
#include "keras/family_registry.h"
#include "keras/initializers.h"
#include "keras/initializers/stft.h"

namespace keras::initializers {

namespace {
// Reads a config's keys with Keras's defaults; rejects keys the class does not take.
keras::detail::ConfigReader reader(const std::string& cls, const keras::Config& c, std::set<std::string> allowed) {
  return {"initializers.deserialize", cls, c, std::move(allowed)};
}
// Keras's seed: an integer, or null for an unseeded initializer (-1).
int64_t seed(keras::detail::ConfigReader& r) {
  const keras::Value* v = r.find("seed");
  if (!v) return -1;
  if (v->type() != keras::Value::Type::integer)
    r.fail("expected the seed of " + r.class_name() + " to be an integer or null, but received " + v->to_json());
  return v->as_int();
}

using Table = std::map<std::string, Factory>;

template <class T>
Factory preset(const char* cls) {
  return [cls](const keras::Config& c) -> InitializerPtr {
    auto r = reader(cls, c, {"seed"});
    return std::make_shared<T>(seed(r));
  };
}

// Class names -> factories from a config.
const Table& builtin_classes() {
  static const Table table = [] {
    Table t;
    t["Zeros"] = [](const keras::Config& c) -> InitializerPtr {
      reader("Zeros", c, {});
      return std::make_shared<Zeros>();
    };
    t["Ones"] = [](const keras::Config& c) -> InitializerPtr {
      reader("Ones", c, {});
      return std::make_shared<Ones>();
    };
    t["Constant"] = [](const keras::Config& c) -> InitializerPtr {
      auto r = reader("Constant", c, {"value"});
      return std::make_shared<Constant>(r.number("value", 0.0));
    };
    t["STFT"] = [](const keras::Config& c) -> InitializerPtr {
      auto r = reader("STFT", c, {"side", "window", "scaling", "periodic"});
      return std::make_shared<STFT>(STFTOptions{.side = r.string("side", "real"),
                                                .window = r.optional_string("window", "hann").value_or(""),
                                                .scaling = r.optional_string("scaling", "density").value_or(""),
                                                .periodic = r.boolean("periodic", false)});
    };
    t["Identity"] = [](const keras::Config& c) -> InitializerPtr {
      auto r = reader("Identity", c, {"gain"});
      return std::make_shared<Identity>(r.number("gain", 1.0));
    };
    t["RandomNormal"] = [](const keras::Config& c) -> InitializerPtr {
      auto r = reader("RandomNormal", c, {"mean", "stddev", "seed"});
      return std::make_shared<RandomNormal>(RandomNormalOptions{
          .mean = r.number("mean", 0.0), .stddev = r.number("stddev", 0.05), .seed = seed(r)});
    };
    t["RandomUniform"] = [](const keras::Config& c) -> InitializerPtr {
      auto r = reader("RandomUniform", c, {"minval", "maxval", "seed"});
      return std::make_shared<RandomUniform>(RandomUniformOptions{
          .minval = r.number("minval", -0.05), .maxval = r.number("maxval", 0.05), .seed = seed(r)});
    };
    t["TruncatedNormal"] = [](const keras::Config& c) -> InitializerPtr {
      auto r = reader("TruncatedNormal", c, {"mean", "stddev", "seed"});
      return std::make_shared<TruncatedNormal>(TruncatedNormalOptions{
          .mean = r.number("mean", 0.0), .stddev = r.number("stddev", 0.05), .seed = seed(r)});
    };
    t["VarianceScaling"] = [](const keras::Config& c) -> InitializerPtr {
      auto r = reader("VarianceScaling", c, {"scale", "mode", "distribution", "seed"});
      return std::make_shared<VarianceScaling>(VarianceScalingOptions{
          .scale = r.number("scale", 1.0),
          .mode = r.string("mode", "fan_in"),
          .distribution = r.string("distribution", "truncated_normal"),
          .seed = seed(r)});
    };
    t["GlorotNormal"] = preset<GlorotNormal>("GlorotNormal");
    t["GlorotUniform"] = preset<GlorotUniform>("GlorotUniform");
    t["HeNormal"] = preset<HeNormal>("HeNormal");
    t["HeUniform"] = preset<HeUniform>("HeUniform");
    t["LecunNormal"] = preset<LecunNormal>("LecunNormal");
    t["LecunUniform"] = preset<LecunUniform>("LecunUniform");
    t["Orthogonal"] = [](const keras::Config& c) -> InitializerPtr {
      auto r = reader("Orthogonal", c, {"gain", "seed"});
      return std::make_shared<Orthogonal>(OrthogonalOptions{.gain = r.number("gain", 1.0), .seed = seed(r)});
    };
    return t;
  }();
  return table;
}

// Every name get() and deserialize() accept -> the class it means.
detail::FamilyRegistry<InitializerPtr>& registry() {
  static auto* r = new detail::FamilyRegistry<InitializerPtr>(Family::initializer, 
      "initializer", "initializers", builtin_classes(),
      {// the other names of the built-in classes
          {"zeros", "Zeros"},
          {"zero", "Zeros"},
          {"ones", "Ones"},
          {"one", "Ones"},
          {"constant", "Constant"},
          {"identity", "Identity"},
          {"IdentityInitializer", "Identity"},
          {"stft", "STFT"},
          {"STFTInitializer", "STFT"},
          {"random_normal", "RandomNormal"},
          {"normal", "RandomNormal"},
          {"random_uniform", "RandomUniform"},
          {"uniform", "RandomUniform"},
          {"truncated_normal", "TruncatedNormal"},
          {"variance_scaling", "VarianceScaling"},
          {"glorot_normal", "GlorotNormal"},
          {"glorot_uniform", "GlorotUniform"},
          {"he_normal", "HeNormal"},
          {"he_uniform", "HeUniform"},
          {"lecun_normal", "LecunNormal"},
          {"lecun_uniform", "LecunUniform"},
          {"orthogonal", "Orthogonal"},
          {"OrthogonalInitializer", "Orthogonal"}});
  return *r;
}
}  // namespace

std::vector<std::string> names() { return registry().names(); }

InitializerPtr get(const std::string& name) { return registry().get(name); }

keras::Config serialize(const Initializer& initializer) { return detail::serialize_object(initializer); }

InitializerPtr deserialize(const keras::Config& config) { return registry().deserialize(config); }

void register_initializer(const std::string& class_name, Factory factory) {
  registry().add(class_name, std::move(factory), "register_initializer");
}

}  // namespace keras::initializers
