// mpi_replicas.h - (private to keras-cpp-distribute) the collectives over MPI, and the
// NCCL all-reduce that a CUDA build adds. No MPI or NCCL type appears here either: the
// implementations keep them in their .cpp files.
#pragma once
#include <memory>
#include <vector>

#include "keras/distribute/cross_replica.h"
#include "keras/distribute/strategy.h"

namespace keras::distribute::detail {

/// Initializes MPI once per process (finalized at exit) and returns the collectives of
/// MPI_COMM_WORLD (a duplicate, whose errors raise std::runtime_error).
std::shared_ptr<CrossReplica> mpi_replicas(const StrategyOptions& options);

/// Wait for every process of `replicas` (an MPI barrier).
void mpi_barrier(CrossReplica& replicas);

/// True when every process of `replicas` runs on this machine.
bool mpi_single_host(CrossReplica& replicas);

/// The collectives of `mpi` with the all-reduce done by NCCL on GPU `rank % devices`
/// (broadcasts stay on MPI, which also hands out NCCL's unique id). Raises
/// std::runtime_error without a CUDA build, without a GPU, or when NCCL fails.
std::shared_ptr<CrossReplica> nccl_replicas(std::shared_ptr<CrossReplica> mpi);

/// See distribute::nccl_available / cuda_device_count.
bool nccl_built();
/// See distribute::cuda_device_count.
int cuda_devices();
/// The rows [r.begin, r.end) of each tensor's first axis (a global batch's part for one
/// replica; the callers check the batch first).
std::vector<Tensor> slice_rows(const std::vector<Tensor>& batch, RowRange r);

}  // namespace keras::distribute::detail
