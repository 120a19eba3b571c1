// no_nccl.cpp - the NCCL entry points of a build without CUDA: no devices, and a clear
// error for CommunicationImplementation::NCCL (nccl_replicas.cpp replaces this file in a
// CUDA build).
#include <stdexcept>

#include "keras/distribute/mpi_replicas.h"

namespace keras::distribute::detail {

std::shared_ptr<CrossReplica> nccl_replicas(std::shared_ptr<CrossReplica>) {
  throw std::runtime_error("distribute: CommunicationImplementation::NCCL needs keras-cpp built with CUDA "
                           "(meson setup -Dcuda=enabled); this build has MPI only");
}
bool nccl_built() { return false; }
int cuda_devices() { return 0; }

}  // namespace keras::distribute::detail
