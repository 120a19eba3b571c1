// write_onnx_cases - writes the models of onnx_cases.h for tests/onnx/check_onnx.py: for
// each case NAME, NAME.onnx (Model::export_graph with format "onnx"), its inputs
// NAME.in<i>.npy and keras-cpp's outputs NAME.out<i>.npy (training = false), in the
// order of the ONNX graph's inputs and outputs.
//
//   write_onnx_cases OUT_DIR
#include <filesystem>
#include <iostream>

#include "onnx/onnx_cases.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: write_onnx_cases OUT_DIR\n";
    return 2;
  }
  const std::filesystem::path dir = argv[1];
  std::filesystem::create_directories(dir);
  try {
    for (const onnx_cases::Case& c : onnx_cases::all_cases()) {
      c.model->export_graph((dir / (c.name + ".onnx")).string(), {.format = "onnx"});
      for (size_t i = 0; i < c.inputs.size(); ++i)
        keras::save_npy((dir / (c.name + ".in" + std::to_string(i) + ".npy")).string(), c.inputs[i]);
      std::vector<keras::Tensor> out = onnx_cases::predictions(c);
      for (size_t i = 0; i < out.size(); ++i)
        keras::save_npy((dir / (c.name + ".out" + std::to_string(i) + ".npy")).string(), out[i]);
      std::cout << c.name << ": " << c.inputs.size() << " inputs, " << out.size() << " outputs\n";
    }
  } catch (const std::exception& e) {
    std::cerr << "write_onnx_cases: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
