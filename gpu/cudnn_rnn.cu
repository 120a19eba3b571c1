// cudnn_rnn.cu - the fused recurrent ops (core/rnn.h) on cuDNN's RNN API (v8), the
// launchers of gpu/rnn.h. One layer, one direction, linear input, two bias vectors, no
// dropout (a rate-0 dropout descriptor), batch-major unpadded data
// (CUDNN_RNN_DATA_LAYOUT_BATCH_MAJOR_UNPACKED: x (batch, time, input) as it is), every
// sequence of the full length. The Keras weights are packed into cuDNN's weight space by
// a kernel on each call (index arithmetic: gpu/cudnn_rnn.cuh) and the weight gradients
// unpacked back. Each device keeps its RNN descriptors, keyed by (cell, dtype, input,
// units, math type), and where cuDNN places each matrix in their weight space.
// Everything runs on the device's stream; nothing waits for the device.
//
// Math: float32 with FMA math (float32 stays float32, as cuBLAS) unless TensorFloat-32 is
// enabled (core/debugging.h), then cuDNN's default math; float64 in float64; float16 data
// with float32 arithmetic on tensor cores (bfloat16, which cuDNN's RNN does not take,
// follows the engine's half rule: float32 inside).
#include <cstring>
#include <map>
#include <mutex>
#include <stdexcept>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "core/debugging.h"
#include "gpu/context.cuh"
#include "gpu/cudnn.cuh"
#include "gpu/cudnn_rnn.cuh"
#include "gpu/rnn.h"

namespace keras::core::cuda {
namespace {

const char* op_name(const RnnDims& d, bool grad) {
  if (d.cell == RnnCell::kLstm) return grad ? "lstm_sequence_grad" : "lstm_sequence";
  return grad ? "gru_sequence_grad" : "gru_sequence";
}

// cuDNN with the RNN entry points, or an error naming the op.
const CudnnApi& rnn_api(const char* op) {
  const CudnnApi* api = cudnn_api();
  if (api == nullptr || !api->rnn)
    throw std::invalid_argument(std::string(op) +
                                ": the CUDA kernel runs on cuDNN's RNN API, which is not available (libcudnn "
                                "not found or without the RNN entry points, or KERAS_CPP_CUDNN=0)");
  return *api;
}

struct TypeInfo {
  cudnnDataType_t data, prec;
  cudnnMathType_t math;
  size_t bytes;
};

TypeInfo type_info(const RnnDims& d, const char* op, int device) {
  switch (d.dtype) {
    case DType::float32:
      return {CUDNN_DATA_FLOAT, CUDNN_DATA_FLOAT,
              tensor_float_32_execution_enabled() ? CUDNN_DEFAULT_MATH : CUDNN_FMA_MATH, 4};
    case DType::float64: return {CUDNN_DATA_DOUBLE, CUDNN_DATA_DOUBLE, CUDNN_DEFAULT_MATH, 8};
    // float16 data with float32 arithmetic, on tensor cores.
    case DType::float16: return {CUDNN_DATA_HALF, CUDNN_DATA_FLOAT, CUDNN_TENSOR_OP_MATH, 2};
    default:
      throw std::invalid_argument(std::string(op) + ": no kernel for device " + device_name(device) + " and dtype " +
                                  dtype_name(d.dtype));
  }
}

// cuDNN's sizes are int: each of batch, time, input, units must fit (input 0 runs as 1,
// with zero weights and inputs: cuDNN takes no empty input vector).
void check_fits(const RnnDims& d, const char* op) {
  const int64_t big = int64_t(1) << 31;
  if (d.batch >= big || d.time >= big || d.input >= big || d.units >= big || d.batch * d.units >= big)
    throw std::invalid_argument(std::string(op) + ": the CUDA kernel (cuDNN) takes sizes below 2^31, but received "
                                "batch " + std::to_string(d.batch) + ", time " + std::to_string(d.time) +
                                ", input " + std::to_string(d.input) + ", units " + std::to_string(d.units));
}

int64_t cudnn_input(const RnnDims& d) { return d.input > 0 ? d.input : 1; }

// One device's descriptor for one (cell, dtype, input, units, math), kept for the process.
struct RnnDesc {
  cudnnRNNDescriptor_t rnn = nullptr;
  cudnnDropoutDescriptor_t dropout = nullptr;
  size_t weight_bytes = 0;
  RnnWeightMap map;
};

// Checks that a matrix or bias descriptor cuDNN gave is a packed row-major (rows, cols)
// block, the layout the packing assumes (a bias: cols 1): its axes of extent above 1,
// outer to inner, must be rows with stride cols, then cols with stride 1 (whatever unit
// axes cuDNN adds around them).
void check_param(const CudnnApi& api, cudnnTensorDescriptor_t t, const void* addr, int64_t rows, int64_t cols,
                 int id, const char* what, int device) {
  cudnnDataType_t dt;
  int nb = 0, dims[8] = {}, strides[8] = {};
  check_cudnn(api.get_tensor(t, 8, &dt, &nb, dims, strides), "cudnnGetTensorNdDescriptor", device);
  std::vector<std::pair<int64_t, int64_t>> got, want;
  for (int i = 0; i < nb && i < 8; ++i)
    if (dims[i] > 1) got.push_back({dims[i], strides[i]});
  if (rows > 1) want.push_back({rows, cols});
  if (cols > 1) want.push_back({cols, 1});
  if (addr != nullptr && nb >= 1 && got == want) return;
  std::string shape;
  for (int i = 0; i < nb && i < 8; ++i)
    shape += (i ? ", " : "") + std::to_string(dims[i]) + "/" + std::to_string(strides[i]);
  throw CudaError("cudnnGetRNNWeightParams on " + device_name(device) + ": linLayerID " + std::to_string(id) + "'s " +
                  what + " has dims/strides (" + shape + "), expected a packed row-major (" + std::to_string(rows) +
                  ", " + std::to_string(cols) + ") block");
}

// Where cuDNN places each linear layer's matrix and bias (element offsets).
RnnWeightMap weight_map(const CudnnApi& api, cudnnHandle_t h, const RnnDesc& d, const RnnDims& dims, size_t elem,
                        int device) {
  RnnWeightMap m;
  m.gru = dims.cell == RnnCell::kGru;
  m.gates = m.gru ? 3 : 4;
  m.input = cudnn_input(dims);
  m.units = dims.units;
  DeviceScratch space(d.weight_bytes, device);  // addresses only: nothing is read or written
  cudnnTensorDescriptor_t md = nullptr, bd = nullptr;
  check_cudnn(api.create_tensor(&md), "cudnnCreateTensorDescriptor", device);
  check_cudnn(api.create_tensor(&bd), "cudnnCreateTensorDescriptor", device);
  try {
    for (int id = 0; id < 2 * m.gates; ++id) {
      void *ma = nullptr, *ba = nullptr;
      check_cudnn(api.rnn_weight_params(h, d.rnn, 0, d.weight_bytes, space.as<void>(), id, md, &ma, bd, &ba),
                  "cudnnGetRNNWeightParams", device);
      const int64_t cols = id < m.gates ? m.input : m.units;
      check_param(api, md, ma, m.units, cols, id, "matrix", device);
      check_param(api, bd, ba, m.units, 1, id, "bias", device);
      m.mat[id] = int64_t(static_cast<char*>(ma) - space.as<char>()) / int64_t(elem);
      m.bias[id] = int64_t(static_cast<char*>(ba) - space.as<char>()) / int64_t(elem);
    }
  } catch (...) {
    api.destroy_tensor(md);
    api.destroy_tensor(bd);
    throw;
  }
  api.destroy_tensor(md);
  api.destroy_tensor(bd);
  return m;
}

// Sets up d: the dropout (rate 0: no random states are made or read) and RNN
// descriptors, the weight space's size and where cuDNN places each parameter.
void make_desc(const CudnnApi& api, cudnnHandle_t h, const RnnDims& dims, const TypeInfo& ti, int device, RnnDesc& d) {
  check_cudnn(api.create_dropout(&d.dropout), "cudnnCreateDropoutDescriptor", device);
  check_cudnn(api.set_dropout(d.dropout, h, 0.0f, nullptr, 0, 0), "cudnnSetDropoutDescriptor", device);
  check_cudnn(api.create_rnn(&d.rnn), "cudnnCreateRNNDescriptor", device);
  const int units = int(dims.units);
  check_cudnn(api.set_rnn(d.rnn, CUDNN_RNN_ALGO_STANDARD, dims.cell == RnnCell::kLstm ? CUDNN_LSTM : CUDNN_GRU,
                          CUDNN_RNN_DOUBLE_BIAS, CUDNN_UNIDIRECTIONAL, CUDNN_LINEAR_INPUT, ti.data, ti.prec, ti.math,
                          int(cudnn_input(dims)), units, units, 1, d.dropout,
                          // cuDNN permits the unpacked data layouts only with padded I/O
                          // enabled (every sequence here has the full length: no padding).
                          CUDNN_RNN_PADDED_IO_ENABLED),
              "cudnnSetRNNDescriptor_v8", device);
  check_cudnn(api.rnn_weight_space(h, d.rnn, &d.weight_bytes), "cudnnGetRNNWeightSpaceSize", device);
  d.map = weight_map(api, h, d, dims, ti.bytes, device);
}

const RnnDesc& rnn_desc(const CudnnApi& api, const RnnDims& dims, const TypeInfo& ti, int device) {
  using Key = std::tuple<int, int, int, int64_t, int64_t, int>;
  static std::mutex mu;
  static std::map<Key, RnnDesc> cache;
  const Key key{device, int(dims.cell), int(dims.dtype), cudnn_input(dims), dims.units, int(ti.math)};
  std::lock_guard<std::mutex> lock(mu);
  if (auto it = cache.find(key); it != cache.end()) return it->second;
  const cudnnHandle_t h = cudnn_handle(device);
  RnnDesc d;
  try {
    make_desc(api, h, dims, ti, device, d);
  } catch (...) {  // nothing half-made stays
    if (d.rnn) api.destroy_rnn(d.rnn);
    if (d.dropout) api.destroy_dropout(d.dropout);
    throw;
  }
  return cache.emplace(key, d).first->second;
}

// The per-call descriptors: x and y as RNN data (batch-major, every sequence full
// length) and the (1, batch, units) state tensors.
struct CallDescs {
  const CudnnApi& api;
  int device;
  cudnnRNNDataDescriptor_t x = nullptr, y = nullptr;
  cudnnTensorDescriptor_t h = nullptr;
  CallDescs(const CudnnApi& a, const RnnDims& d, const TypeInfo& ti, int dev) : api(a), device(dev) {
    try {
      set(d, ti);
    } catch (...) {
      release();
      throw;
    }
  }
  ~CallDescs() { release(); }
  CallDescs(const CallDescs&) = delete;
  CallDescs& operator=(const CallDescs&) = delete;

 private:
  void set(const RnnDims& d, const TypeInfo& ti) {
    std::vector<int> lengths(size_t(d.batch), int(d.time));
    check_cudnn(api.create_rnn_data(&x), "cudnnCreateRNNDataDescriptor", device);
    check_cudnn(api.create_rnn_data(&y), "cudnnCreateRNNDataDescriptor", device);
    check_cudnn(api.create_tensor(&h), "cudnnCreateTensorDescriptor", device);
    check_cudnn(api.set_rnn_data(x, ti.data, CUDNN_RNN_DATA_LAYOUT_BATCH_MAJOR_UNPACKED, int(d.time), int(d.batch),
                                 int(cudnn_input(d)), lengths.data(), nullptr),
                "cudnnSetRNNDataDescriptor", device);
    check_cudnn(api.set_rnn_data(y, ti.data, CUDNN_RNN_DATA_LAYOUT_BATCH_MAJOR_UNPACKED, int(d.time), int(d.batch),
                                 int(d.units), lengths.data(), nullptr),
                "cudnnSetRNNDataDescriptor", device);
    const int dims[3] = {1, int(d.batch), int(d.units)}, strides[3] = {int(d.batch * d.units), int(d.units), 1};
    check_cudnn(api.set_tensor(h, ti.data, 3, dims, strides), "cudnnSetTensorNdDescriptor", device);
  }
  void release() {
    if (h) api.destroy_tensor(h);
    if (y) api.destroy_rnn_data(y);
    if (x) api.destroy_rnn_data(x);
  }
};

__global__ void fill_lengths_kernel(int32_t* p, int64_t n, int32_t v) {
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += int64_t(gridDim.x) * blockDim.x)
    p[i] = v;
}

// Keras part (rows, cols) <-> its places in a weight space (elements of T's size).
template <class T>
__global__ void pack_kernel(RnnWeightMap m, RnnPart part, int64_t rows, int64_t cols, T* keras, T* space,
                            bool to_space) {
  const int64_t n = rows * cols;
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += int64_t(gridDim.x) * blockDim.x) {
    const int64_t k = rnn_weight_index(m, part, i / cols, i % cols);
    if (to_space) space[k] = keras[i];
    else keras[i] = space[k];
  }
}

void pack(const RnnWeightMap& m, RnnPart part, int64_t rows, int64_t cols, const void* keras, void* space,
          bool to_space, size_t elem, int device) {
  if (rows * cols == 0) return;
  const cudaStream_t s = context(device).stream;
  void* k = const_cast<void*>(keras);  // read only when to_space
  const unsigned g = grid_for(rows * cols);
  auto run = [&](auto zero) {  // the elements moved as unsigned integers of their size
    using T = decltype(zero);
    pack_kernel<<<g, kBlock, 0, s>>>(m, part, rows, cols, static_cast<T*>(k), static_cast<T*>(space), to_space);
  };
  if (elem == 8) run(uint64_t{});
  else if (elem == 4) run(uint32_t{});
  else run(uint16_t{});
  check_launch(to_space ? "rnn (weights to cuDNN's weight space)" : "rnn (weight gradients from cuDNN's weight space)",
               device);
}

// Everything one call uses: the descriptors, the packed weights, the sequence lengths on
// the device, and cuDNN's workspace and reserve sizes (training mode, which the backward
// pass also uses).
struct Call {
  const CudnnApi& api;
  const RnnDims d;
  const int device;
  const TypeInfo ti;
  const cudnnHandle_t handle;
  const RnnDesc& desc;
  CallDescs descs;
  DeviceScratch lengths, weights, zero_x;
  size_t work_bytes = 0, reserve_bytes = 0;
  const void* x;

  Call(const RnnInputs& in, const char* op, int dev)
      : api(rnn_api(op)), d(in.dims), device(dev), ti(type_info(in.dims, op, dev)), handle(cudnn_handle(dev)),
        desc(rnn_desc(api, d, ti, dev)), descs(api, d, ti, dev), lengths(size_t(d.batch) * 4, dev),
        weights(desc.weight_bytes, dev), zero_x(d.input > 0 ? 1 : size_t(d.batch * d.time) * ti.bytes, dev),
        x(d.input > 0 ? in.x : zero_x.as<void>()) {
    const cudaStream_t s = context(device).stream;
    fill_lengths_kernel<<<grid_for(d.batch), kBlock, 0, s>>>(lengths.as<int32_t>(), d.batch, int32_t(d.time));
    check_launch("rnn (sequence lengths)", device);
    if (d.input == 0)
      check(cudaMemsetAsync(zero_x.as<void>(), 0, size_t(d.batch * d.time) * ti.bytes, s), "cudaMemsetAsync", device);
    // Zero first: LSTM's recurrent-side biases and any gaps cuDNN leaves.
    check(cudaMemsetAsync(weights.as<void>(), 0, desc.weight_bytes, s), "cudaMemsetAsync", device);
    const int64_t gu = desc.map.gates * d.units;
    pack(desc.map, RnnPart::kKernel, d.input, gu, in.kernel, weights.as<void>(), true, ti.bytes, device);
    pack(desc.map, RnnPart::kRecurrent, d.units, gu, in.recurrent, weights.as<void>(), true, ti.bytes, device);
    pack(desc.map, RnnPart::kBias, desc.map.gru ? 2 : 1, gu, in.bias, weights.as<void>(), true, ti.bytes, device);
    check_cudnn(api.rnn_temp_space(handle, desc.rnn, CUDNN_FWD_MODE_TRAINING, descs.x, &work_bytes, &reserve_bytes),
                "cudnnGetRNNTempSpaceSizes", device);
  }

  void forward(const RnnInputs& in, bool training, void* y, void* h, void* c, void* reserve) const {
    size_t work = work_bytes, unused = 0;
    if (!training)
      check_cudnn(api.rnn_temp_space(handle, desc.rnn, CUDNN_FWD_MODE_INFERENCE, descs.x, &work, &unused),
                  "cudnnGetRNNTempSpaceSizes", device);
    DeviceScratch ws(work, device);
    check_cudnn(api.rnn_forward(handle, desc.rnn, training ? CUDNN_FWD_MODE_TRAINING : CUDNN_FWD_MODE_INFERENCE,
                                lengths.as<int32_t>(), descs.x, x, descs.y, y, descs.h, in.h0, h, descs.h, in.c0, c,
                                desc.weight_bytes, weights.as<void>(), work, ws.as<void>(),
                                training ? reserve_bytes : 0, training ? reserve : nullptr),
                "cudnnRNNForward", device);
  }
};

void check_reserve(const Call& call, int64_t got, const char* op) {
  if (got != int64_t(call.reserve_bytes))
    throw std::invalid_argument(std::string(op) + ": expected reserve of " + std::to_string(call.reserve_bytes) +
                                " bytes (cuDNN's reserve space of lstm_sequence / gru_sequence with training = true "
                                "on " + device_name(call.device) + "), but received " + std::to_string(got) + " bytes");
}

}  // namespace

int64_t cudnn_rnn_reserve_bytes(const RnnDims& dims, int device) {
  const char* op = op_name(dims, false);
  if (dims.batch == 0) return 0;
  const CudnnApi& api = rnn_api(op);
  const TypeInfo ti = type_info(dims, op, device);
  check_fits(dims, op);
  DeviceGuard guard(device);
  const RnnDesc& desc = rnn_desc(api, dims, ti, device);
  const CallDescs descs(api, dims, ti, device);
  size_t work = 0, reserve = 0;
  check_cudnn(api.rnn_temp_space(cudnn_handle(device), desc.rnn, CUDNN_FWD_MODE_TRAINING, descs.x, &work, &reserve),
              "cudnnGetRNNTempSpaceSizes", device);
  return int64_t(reserve);
}

void cudnn_rnn_forward(const RnnInputs& in, bool training, void* y, void* h, void* c, void* reserve,
                       int64_t reserve_bytes, int device) {
  const char* op = op_name(in.dims, false);
  if (in.dims.batch == 0) return;  // every output is empty
  check_fits(in.dims, op);
  DeviceGuard guard(device);
  const Call call(in, op, device);
  if (training) check_reserve(call, reserve_bytes, op);
  call.forward(in, training, y, h, c, reserve);
}

void cudnn_rnn_backward(const RnnInputs& in, const void* y, const void* reserve, int64_t reserve_bytes,
                        const void* dy, const void* dh, const void* dc, void* dx, void* dh0, void* dc0,
                        void* dkernel, void* drecurrent, void* dbias, int device) {
  const RnnDims& d = in.dims;
  const char* op = op_name(d, true);
  DeviceGuard guard(device);
  const cudaStream_t s = context(device).stream;
  const int64_t gates = d.cell == RnnCell::kLstm ? 4 : 3, gu = gates * d.units;
  const size_t elem = dtype_size(d.dtype);
  if (d.batch == 0) {  // no terms: the weight gradients are zero
    check(cudaMemsetAsync(dkernel, 0, size_t(d.input * gu) * elem, s), "cudaMemsetAsync", device);
    check(cudaMemsetAsync(drecurrent, 0, size_t(d.units * gu) * elem, s), "cudaMemsetAsync", device);
    check(cudaMemsetAsync(dbias, 0, size_t((d.cell == RnnCell::kGru ? 2 : 1) * gu) * elem, s), "cudaMemsetAsync",
          device);
    return;
  }
  check_fits(d, op);
  const Call call(in, op, device);
  // cuDNN's backward-data pass writes into the reserve space (for the weights pass), and
  // the op's reserve is an input that may be read again: it works on a copy. An empty
  // reserve (a forward with training = false): a training forward makes one here.
  DeviceScratch rs(call.reserve_bytes, device);
  const bool remake = reserve_bytes == 0 && call.reserve_bytes > 0;
  DeviceScratch y2(remake ? size_t(d.batch * d.time * d.units) * call.ti.bytes : 1, device);
  if (remake) {  // y as this training forward computes it, for the passes below
    call.forward(in, true, y2.as<void>(), nullptr, nullptr, rs.as<void>());
    y = y2.as<void>();
  } else {
    check_reserve(call, reserve_bytes, op);
    check(cudaMemcpyAsync(rs.as<void>(), reserve, call.reserve_bytes, cudaMemcpyDeviceToDevice, s), "cudaMemcpyAsync",
          device);
  }
  DeviceScratch ws(call.work_bytes, device), dx_unused(d.input > 0 ? 1 : size_t(d.batch * d.time) * call.ti.bytes, device);
  void* dxp = d.input > 0 ? dx : dx_unused.as<void>();
  check_cudnn(call.api.rnn_backward_data(call.handle, call.desc.rnn, call.lengths.as<int32_t>(), call.descs.y, y, dy,
                                         call.descs.x, dxp, call.descs.h, in.h0, dh, dh0, call.descs.h, in.c0, dc,
                                         dc0, call.desc.weight_bytes, call.weights.as<void>(), call.work_bytes,
                                         ws.as<void>(), call.reserve_bytes, rs.as<void>()),
              "cudnnRNNBackwardData_v8", device);
  DeviceScratch dw(call.desc.weight_bytes, device);
  check(cudaMemsetAsync(dw.as<void>(), 0, call.desc.weight_bytes, s), "cudaMemsetAsync", device);
  check_cudnn(call.api.rnn_backward_weights(call.handle, call.desc.rnn, CUDNN_WGRAD_MODE_ADD, call.lengths.as<int32_t>(),
                                            call.descs.x, call.x, call.descs.h, in.h0, call.descs.y, y,
                                            call.desc.weight_bytes, dw.as<void>(), call.work_bytes, ws.as<void>(),
                                            call.reserve_bytes, rs.as<void>()),
              "cudnnRNNBackwardWeights_v8", device);
  const RnnWeightMap& m = call.desc.map;
  pack(m, RnnPart::kKernel, d.input, gu, dkernel, dw.as<void>(), false, call.ti.bytes, device);
  pack(m, RnnPart::kRecurrent, d.units, gu, drecurrent, dw.as<void>(), false, call.ti.bytes, device);
  pack(m, RnnPart::kBias, m.gru ? 2 : 1, gu, dbias, dw.as<void>(), false, call.ti.bytes, device);
}

void cudnn_rnn_weights_round_trip(const RnnInputs& in, void* kernel, void* recurrent, void* bias, int device) {
  const RnnDims& d = in.dims;
  const char* op = op_name(d, false);
  if (d.batch < 1) throw std::invalid_argument(std::string(op) + ": the weight round trip needs a batch of at least 1");
  check_fits(d, op);
  DeviceGuard guard(device);
  const Call call(in, op, device);  // packs the weights
  const RnnWeightMap& m = call.desc.map;
  const int64_t gu = m.gates * d.units;
  pack(m, RnnPart::kKernel, d.input, gu, kernel, call.weights.as<void>(), false, call.ti.bytes, device);
  pack(m, RnnPart::kRecurrent, d.units, gu, recurrent, call.weights.as<void>(), false, call.ti.bytes, device);
  pack(m, RnnPart::kBias, m.gru ? 2 : 1, gu, bias, call.weights.as<void>(), false, call.ti.bytes, device);
}

}  // namespace keras::core::cuda
