// strategy.cpp - MultiWorkerMirroredStrategy and MirroredStrategy over the collectives
// of mpi_replicas.cpp (and nccl_replicas.cpp in a CUDA build).
#include "keras/distribute/strategy.h"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "core/ops.h"
#include "keras/distribute/mpi_replicas.h"

namespace keras::distribute {

MultiWorkerMirroredStrategy::MultiWorkerMirroredStrategy(const StrategyOptions& options)
    : mpi_(detail::mpi_replicas(options)), replicas_(mpi_) {
  if (options.communication == CommunicationImplementation::NCCL) replicas_ = detail::nccl_replicas(mpi_);
}

MultiWorkerMirroredStrategy::~MultiWorkerMirroredStrategy() = default;

int MultiWorkerMirroredStrategy::num_replicas_in_sync() const { return replicas_->num_replicas(); }
int MultiWorkerMirroredStrategy::rank() const { return replicas_->replica_id(); }

std::vector<Tensor> MultiWorkerMirroredStrategy::distribute_batch(const std::vector<Tensor>& global_batch) const {
  int64_t rows = -1;
  for (size_t i = 0; i < global_batch.size(); ++i) {
    const Tensor& t = global_batch[i];
    if (t.rank() == 0)
      throw std::invalid_argument("MultiWorkerMirroredStrategy: batch element " + std::to_string(i) +
                                  " is a scalar; expected tensors whose first axis is the batch");
    if (rows >= 0 && t.shape()[0] != rows)
      throw std::invalid_argument("MultiWorkerMirroredStrategy: batch elements have " + std::to_string(rows) + " and " +
                                  std::to_string(t.shape()[0]) + " rows; expected the same batch size");
    rows = t.shape()[0];
  }
  return detail::slice_rows(global_batch, replica_rows(std::max<int64_t>(rows, 0), rank(), num_replicas_in_sync()));
}

std::vector<Tensor> detail::slice_rows(const std::vector<Tensor>& batch, RowRange r) {
  std::vector<Tensor> out;
  for (const Tensor& t : batch) {
    std::vector<int64_t> begin(size_t(t.rank()), 0), size = t.shape().dims();
    begin[0] = r.begin;
    size[0] = r.end - r.begin;
    out.push_back(core::ops::slice(t, begin, size));
  }
  return out;
}

Tensor MultiWorkerMirroredStrategy::reduce(ReduceOp op, const Tensor& value) const {
  return all_reduce(replicas_, {value}, op)[0];
}

void MultiWorkerMirroredStrategy::barrier() const { detail::mpi_barrier(*mpi_); }

MirroredStrategy::MirroredStrategy(StrategyOptions options)
    : MultiWorkerMirroredStrategy((options.communication = CommunicationImplementation::NCCL, options)) {
  if (!detail::mpi_single_host(*mpi_))
    throw std::runtime_error("MirroredStrategy: the job's processes run on several machines; MirroredStrategy is for "
                             "the GPUs of one machine (use MultiWorkerMirroredStrategy)");
}

bool nccl_available() { return detail::nccl_built(); }
int cuda_device_count() { return detail::cuda_devices(); }

}  // namespace keras::distribute
