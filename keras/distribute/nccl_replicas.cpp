// nccl_replicas.cpp - (CUDA builds) the all-reduce on NCCL: each process takes GPU
// `rank % devices`, rank 0's ncclUniqueId travels over MPI, and a sum copies the host
// buffer to the GPU, runs ncclAllReduce there and copies it back (the engine's tensors
// live on the CPU today). Broadcasts stay on MPI.
#include <cuda_runtime_api.h>
#include <nccl.h>

#include <stdexcept>
#include <string>

#include "keras/distribute/mpi_replicas.h"

namespace keras::distribute::detail {
namespace {

void cuda_check(cudaError_t e, const char* what) {
  if (e != cudaSuccess) throw std::runtime_error(std::string("distribute (NCCL): ") + what + ": " + cudaGetErrorString(e));
}
void nccl_check(ncclResult_t r, const char* what) {
  if (r != ncclSuccess) throw std::runtime_error(std::string("distribute (NCCL): ") + what + ": " + ncclGetErrorString(r));
}

class NcclReplicas : public CrossReplica {
 public:
  explicit NcclReplicas(std::shared_ptr<CrossReplica> mpi) : mpi_(std::move(mpi)) {
    int devices = 0;
    if (cudaGetDeviceCount(&devices) != cudaSuccess || devices == 0)
      throw std::runtime_error("distribute (NCCL): no CUDA device on rank " + std::to_string(mpi_->replica_id()));
    device_ = mpi_->replica_id() % devices;
    cuda_check(cudaSetDevice(device_), "cudaSetDevice");
    ncclUniqueId id{};
    if (mpi_->replica_id() == 0) nccl_check(ncclGetUniqueId(&id), "ncclGetUniqueId");
    mpi_->broadcast(&id, sizeof id, 0);
    nccl_check(ncclCommInitRank(&comm_, mpi_->num_replicas(), id, mpi_->replica_id()), "ncclCommInitRank");
    cuda_check(cudaStreamCreate(&stream_), "cudaStreamCreate");
  }
  ~NcclReplicas() override {
    stop_comm_thread();
    if (buffer_) cudaFree(buffer_);
    if (stream_) cudaStreamDestroy(stream_);
    if (comm_) ncclCommDestroy(comm_);
  }
  int num_replicas() const override { return mpi_->num_replicas(); }
  int replica_id() const override { return mpi_->replica_id(); }
  int64_t bucket_bytes() const override { return mpi_->bucket_bytes(); }
  bool overlap() const override { return mpi_->overlap(); }
  void broadcast(void* data, int64_t bytes, int root) override { mpi_->broadcast(data, bytes, root); }
  void all_reduce_sum(float* data, int64_t n) override { reduce(data, n, ncclFloat32); }
  void all_reduce_sum(double* data, int64_t n) override { reduce(data, n, ncclFloat64); }

 private:
  template <class T>
  void reduce(T* data, int64_t n, ncclDataType_t type) {
    if (n <= 0) return;
    const size_t bytes = size_t(n) * sizeof(T);
    cuda_check(cudaSetDevice(device_), "cudaSetDevice");
    if (bytes > capacity_) {
      if (buffer_) cudaFree(buffer_);
      buffer_ = nullptr;
      cuda_check(cudaMalloc(&buffer_, bytes), "cudaMalloc");
      capacity_ = bytes;
    }
    cuda_check(cudaMemcpyAsync(buffer_, data, bytes, cudaMemcpyHostToDevice, stream_), "cudaMemcpyAsync");
    nccl_check(ncclAllReduce(buffer_, buffer_, size_t(n), type, ncclSum, comm_, stream_), "ncclAllReduce");
    cuda_check(cudaMemcpyAsync(data, buffer_, bytes, cudaMemcpyDeviceToHost, stream_), "cudaMemcpyAsync");
    cuda_check(cudaStreamSynchronize(stream_), "cudaStreamSynchronize");
  }
  std::shared_ptr<CrossReplica> mpi_;
  int device_ = 0;
  ncclComm_t comm_ = nullptr;
  cudaStream_t stream_ = nullptr;
  void* buffer_ = nullptr;
  size_t capacity_ = 0;
};
}  // namespace

std::shared_ptr<CrossReplica> nccl_replicas(std::shared_ptr<CrossReplica> mpi) {
  return std::make_shared<NcclReplicas>(std::move(mpi));
}
bool nccl_built() { return true; }
int cuda_devices() {
  int n = 0;
  return cudaGetDeviceCount(&n) == cudaSuccess ? n : 0;
}

}  // namespace keras::distribute::detail
