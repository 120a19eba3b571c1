// onnx_cases.h - the models the ONNX export is checked on: every layer class that has an
// ONNX mapping, Dense with every built-in activation, Sequential, Functional (several
// inputs and outputs) and nested models, with seeded weights and inputs. The test suite
// checks their files' structure (tests/keras/test_onnx_export.cpp); write_onnx_cases
// writes them with inputs and keras-cpp's outputs for tests/onnx/check_onnx.py, which
// runs them in onnxruntime.
#pragma once
#include <string>
#include <vector>

#include "keras/keras.h"

namespace onnx_cases {

struct Case {
  std::string name;
  keras::ModelPtr model;
  std::vector<keras::Tensor> inputs;  // a batch of 3
};

std::vector<Case> all_cases();

// keras-cpp's outputs for the case's inputs (training = false).
std::vector<keras::Tensor> predictions(const Case& c);

}  // namespace onnx_cases
