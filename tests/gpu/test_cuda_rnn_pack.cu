// The index arithmetic of the fused recurrent ops' weight packing (gpu/cudnn_rnn.cuh: where
// each Keras weight goes in cuDNN's RNN weight space), run on the host in every CUDA build,
// also without a GPU, with made-up placements of cuDNN's matrices and biases (out of order,
// with gaps): every Keras element gets its own place, the gates land on cuDNN's linear
// layers (GRU's z and r swapped), each matrix is the transpose of its Keras block, LSTM's
// recurrent-side biases stay untouched, and unpacking returns the Keras tensors.
// Compiled by nvcc (CUDA builds only).
#include <doctest/doctest.h>

#include <cstdint>
#include <set>
#include <vector>

#include "core/cuda_backend.h"
#include "gpu/cudnn_rnn.cuh"
#include "gpu/rnn.h"
#include "helpers.h"
#include "skips.h"

using namespace th;
namespace kc = keras::core::cuda;

namespace {

// A weight space with cuDNN's 2 * gates matrices and biases placed in reverse order with
// a gap of 3 elements after each, as a library could.
struct Space {
  kc::RnnWeightMap m;
  int64_t size = 0;
};

Space made_up(bool gru, int64_t input, int64_t units) {
  Space s;
  s.m.gru = gru;
  s.m.gates = gru ? 3 : 4;
  s.m.input = input;
  s.m.units = units;
  int64_t at = 0;
  for (int id = 2 * s.m.gates - 1; id >= 0; --id) {
    s.m.bias[id] = at;
    at += units + 3;
    s.m.mat[id] = at;
    at += units * (id < s.m.gates ? input : units) + 3;
  }
  s.size = at;
  return s;
}

struct Part {
  kc::RnnPart part;
  int64_t rows, cols;
  std::vector<double> values;
};

std::vector<Part> keras_parts(const kc::RnnWeightMap& m) {
  const int64_t gu = m.gates * m.units;
  std::vector<Part> parts = {{kc::RnnPart::kKernel, m.input, gu, {}},
                             {kc::RnnPart::kRecurrent, m.units, gu, {}},
                             {kc::RnnPart::kBias, m.gru ? 2 : 1, gu, {}}};
  double v = 1;
  for (Part& p : parts)
    for (int64_t i = 0; i < p.rows * p.cols; ++i) p.values.push_back(v++);
  return parts;
}

void check_layout(bool gru, int64_t input, int64_t units) {
  CAPTURE(gru);
  CAPTURE(input);
  CAPTURE(units);
  const Space s = made_up(gru, input, units);
  const kc::RnnWeightMap& m = s.m;
  std::vector<Part> parts = keras_parts(m);
  std::vector<double> space(size_t(s.size), 0.0);
  std::set<int64_t> used;
  for (const Part& p : parts)  // pack
    for (int64_t r = 0; r < p.rows; ++r)
      for (int64_t c = 0; c < p.cols; ++c) {
        const int64_t k = kc::rnn_weight_index(m, p.part, r, c);
        REQUIRE(k >= 0);
        REQUIRE(k < s.size);
        CHECK(used.insert(k).second);  // one place per element
        space[size_t(k)] = p.values[size_t(r * p.cols + c)];
      }
  // The gates: Keras gate g is cuDNN's linear layer perm[g] (input side), + gates on the
  // recurrent side; its matrix (units, cols) row u, column r is Keras's (r, g * units + u).
  const int perm_lstm[4] = {0, 1, 2, 3}, perm_gru[3] = {1, 0, 2};
  const int* perm = gru ? perm_gru : perm_lstm;
  for (int g = 0; g < m.gates; ++g) {
    CHECK(kc::rnn_cudnn_gate(m, g) == perm[g]);
    for (int64_t u = 0; u < units; ++u) {
      for (int64_t r = 0; r < input; ++r)
        CHECK(space[size_t(m.mat[perm[g]] + u * input + r)] == parts[0].values[size_t(r * parts[0].cols + g * units + u)]);
      for (int64_t r = 0; r < units; ++r)
        CHECK(space[size_t(m.mat[m.gates + perm[g]] + u * units + r)] ==
              parts[1].values[size_t(r * parts[1].cols + g * units + u)]);
      CHECK(space[size_t(m.bias[perm[g]] + u)] == parts[2].values[size_t(g * units + u)]);
      if (gru)  // row 1: the recurrent side (inside the reset gate's product for h)
        CHECK(space[size_t(m.bias[m.gates + perm[g]] + u)] == parts[2].values[size_t(parts[2].cols + g * units + u)]);
      else  // LSTM: the recurrent-side biases are not written (zero in the weight space)
        CHECK(space[size_t(m.bias[m.gates + perm[g]] + u)] == 0.0);
    }
  }
  const int64_t keras_total = (input + units + (gru ? 2 : 1)) * m.gates * units;
  CHECK(int64_t(used.size()) == keras_total);
  for (Part& p : parts) {  // unpack: the same places give the Keras tensors back
    std::vector<double> back(p.values.size(), -1.0);
    for (int64_t r = 0; r < p.rows; ++r)
      for (int64_t c = 0; c < p.cols; ++c)
        back[size_t(r * p.cols + c)] = space[size_t(kc::rnn_weight_index(m, p.part, r, c))];
    CHECK(back == p.values);
  }
  CHECK(kc::rnn_part_rows(m, kc::RnnPart::kKernel) == input);
  CHECK(kc::rnn_part_rows(m, kc::RnnPart::kRecurrent) == units);
  CHECK(kc::rnn_part_rows(m, kc::RnnPart::kBias) == (gru ? 2 : 1));
}

}  // namespace

TEST_CASE("cuda rnn packing: Keras LSTM weights to cuDNN's weight space and back (host, no GPU needed)") {
  check_layout(false, 3, 2);
  check_layout(false, 1, 1);
  check_layout(false, 5, 7);
}

TEST_CASE("cuda rnn packing: Keras GRU weights (z, r, h; two bias rows) to cuDNN's r, z, h' and back") {
  check_layout(true, 3, 2);
  check_layout(true, 1, 1);
  check_layout(true, 4, 6);
}

TEST_CASE("cuda rnn packing: on a GPU, Keras weights go into cuDNN's weight space and come back unchanged" *
          doctest::skip(th::skip_without("gpu", keras::core::cuda_device_count() > 0))) {
  // The placements cuDNN reports (cudnnGetRNNWeightParams) and the packing kernels, bit
  // for bit, for every element size (an input width of 0 included).
  using keras::core::Device;
  uint64_t seed = 4000;
  for (DType dt : {DType::float32, DType::float64, DType::float16})
    for (bool lstm : {true, false})
      for (const int64_t input : {int64_t(0), int64_t(1), int64_t(5)}) {
        CAPTURE(keras::core::dtype_name(dt));
        CAPTURE(lstm);
        CAPTURE(input);
        const int64_t batch = 2, time = 3, units = 7, gu = (lstm ? 4 : 3) * units;
        auto t = [&](const Shape& s) {
          return make(uniform(s.num_elements(), -1, 1, seed++), s, dt).to(Device::cuda(0));
        };
        const Tensor x = t({batch, time, input}), h0 = t({batch, units}), c0 = t({batch, units});
        const Tensor kernel = t({input, gu}), recurrent = t({units, gu}), bias = lstm ? t({gu}) : t({2, gu});
        kc::RnnInputs in;
        in.dims = {lstm ? keras::core::RnnCell::kLstm : keras::core::RnnCell::kGru, batch, time, input, units, dt};
        in.x = x.raw_data();
        in.h0 = h0.raw_data();
        in.c0 = lstm ? c0.raw_data() : nullptr;
        in.kernel = kernel.raw_data();
        in.recurrent = recurrent.raw_data();
        in.bias = bias.raw_data();
        Tensor k2 = ops::zeros_like(kernel), r2 = ops::zeros_like(recurrent), b2 = ops::zeros_like(bias);
        kc::cudnn_rnn_weights_round_trip(in, k2.raw_mutable_data(), r2.raw_mutable_data(), b2.raw_mutable_data(), 0);
        auto host = [](const Tensor& v) { return values(ops::cast(v.cpu(), DType::float64)); };
        CHECK(host(k2) == host(kernel));
        CHECK(host(r2) == host(recurrent));
        CHECK(host(b2) == host(bias));
      }
}
