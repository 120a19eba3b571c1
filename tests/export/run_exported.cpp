// run_exported.cpp - loads an exported graph file (or an archive's endpoint) and runs it: a
// program that links only the engine (core/ and gpu/ objects, no keras/), so it has none of
// the model's code and none of its registered classes. tests/keras/test_export.cpp and
// test_export_archive.cpp run it.
//   run_exported FILE BATCH [ENDPOINT]   ->   "result: outputs=N sum=S shape=(B,...)"
// The input is filled with 0.01 * (i mod 100) for element i, for each input of the signature.
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <vector>

#include "core/export.h"
#include "core/export_archive.h"
#include "core/ops.h"

int main(int argc, char** argv) {
  if (argc != 3 && argc != 4) {
    std::fprintf(stderr, "usage: run_exported FILE BATCH [ENDPOINT]\n");
    return 2;
  }
  try {
    // A graph file, or with ENDPOINT an archive's endpoint.
    keras::core::LoadedFunction f;
    keras::core::LoadedArchive archive;
    if (argc == 4) archive = keras::core::load_archive(argv[1]);
    else f = keras::core::load_function(argv[1]);
    const std::vector<keras::core::TensorSpec>& signature = argc == 4 ? archive.signature(argv[3]) : f.signature();
    const int64_t batch = std::atoll(argv[2]);
    std::vector<keras::core::Tensor> inputs;
    for (const keras::core::TensorSpec& s : signature) {
      std::vector<int64_t> dims = s.shape;
      for (int64_t& d : dims) d = d < 0 ? batch : d;
      keras::core::Shape shape(dims);
      std::vector<double> v(static_cast<size_t>(shape.num_elements()));
      for (size_t i = 0; i < v.size(); ++i) v[i] = 0.01 * double(i % 100);
      inputs.push_back(keras::core::from_buffer(v.data(), keras::core::DType::float64, shape, s.dtype));
    }
    std::vector<keras::core::Tensor> out = argc == 4 ? archive.call(argv[3], inputs) : f(inputs);
    double sum = 0;
    for (const keras::core::Tensor& t : out) sum += keras::core::ops::sum(keras::core::ops::cast(t, keras::core::DType::float64)).item<double>();
    std::printf("result: outputs=%zu sum=%.17g shape=%s\n", out.size(), sum, out[0].shape().str().c_str());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
  return 0;
}
