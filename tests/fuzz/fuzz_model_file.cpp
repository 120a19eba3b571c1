// fuzz_model_file.cpp - libFuzzer target for the model file loader: any bytes must load
// or raise a std::exception, never crash, read out of bounds or allocate without bound.
//
// Inputs of odd size are read with checksum verification off (mutated bytes would
// otherwise almost always stop at a checksum). With KERAS_FUZZ_SEEDS=<folder> set, the first run writes valid seed files there (a
// compiled model, a weights file and a checkpoint).
#include <cstdint>
#include <cstdlib>
#include <exception>
#include <string>
#include <string_view>

#include "keras/keras.h"
#include "keras/saving/format.h"
#include "keras/saving/saving.h"

namespace {
void write_seeds(const std::string& dir) {
  namespace layers = keras::layers;
  auto model = keras::Sequential({layers::Dense(3, {.activation = "relu", .input_shape = {2}}), layers::Dense(1)});
  model->compile({.optimizer = "adam", .loss = "mse", .metrics = {"mae"}});
  keras::Tensor x = keras::ops::ones({4, 2}), y = keras::ops::zeros({4, 1});
  model->fit(x, y, {.batch_size = 2, .epochs = 1, .verbose = 0});
  model->save(dir + "/model.kcpp");
  model->save_weights(dir + "/model.weights");
  keras::Config meta = keras::Config::object();
  meta["epoch"] = 1;
  keras::saving::save_checkpoint(*model, dir + "/model.ckpt", meta);
}
}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  if (const char* dir = std::getenv("KERAS_FUZZ_SEEDS")) write_seeds(dir);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  // Odd sizes skip the checksums, so mutations also reach the parsers behind them.
  keras::saving::format::detail::set_verify_checksums(size % 2 == 0);
  try {
    keras::saving::load_model_from_memory(bytes, {}, "fuzz");
  } catch (const std::exception&) {
  }
  // Weights and checkpoint files: the container and every tensor list.
  try {
    auto c = keras::saving::format::read_container(bytes, "fuzz");
    for (const auto& [name, payload] : c.sections)
      if (name == "weights" || name == "optimizer") keras::saving::format::decode_tensors(payload, "fuzz");
      else keras::Config::from_json(payload);
  } catch (const std::exception&) {
  }
  return 0;
}
