// strategy.h - data-parallel training over processes, as tf.distribute (the
// keras-cpp-distribute library, linked with Open MPI and, in a CUDA build, NCCL).
//
//   keras::distribute::MultiWorkerMirroredStrategy strategy;   // mpirun -np 4 ./train
//   std::shared_ptr<keras::SequentialModel> model;
//   {
//     auto scope = strategy.scope();
//     model = keras::Sequential({...});
//     model->compile({.optimizer = "adam", .loss = "...", .metrics = {"accuracy"}});
//   }
//   model->fit(x, y, {.batch_size = 64 * strategy.num_replicas_in_sync()});  // global batch
//
// Every process runs the same program; each is one replica. No MPI type appears here.
#pragma once
#include <cstdint>
#include <functional>
#include <type_traits>
#include <utility>
#include <vector>

#include "keras/data/shard.h"
#include "keras/distribute/cross_replica.h"

namespace keras::distribute {

/// How the replicas' all-reduce travels (tf.distribute.experimental.CommunicationImplementation).
enum class CommunicationImplementation {
  AUTO,  ///< MPI
  RING,  ///< MPI's all-reduce (Open MPI picks ring or tree by size)
  NCCL,  ///< NCCL on the GPUs (one GPU per process); needs a CUDA build
};

/// Options of a strategy.
struct StrategyOptions {
  /// Gradients are packed into buckets of this many bytes, one all-reduce each.
  int64_t bucket_bytes = 4 << 20;
  /// The all-reduce's transport.
  CommunicationImplementation communication = CommunicationImplementation::AUTO;
  /// Overlap the gradient all-reduce with the backward pass: in a traced train step, a
  /// communication thread all-reduces each bucket as soon as its gradients exist, and the
  /// step waits for it only before the optimizer update. False: the buckets are reduced
  /// one after another once the backward pass is over.
  bool overlap = true;
};

/// tf.distribute.MultiWorkerMirroredStrategy: one replica per process (launched with
/// `mpirun -np N program`); a program run without mpirun is one replica. Models,
/// optimizers and metrics created under scope() are mirrored: replica 0's initial weights
/// are broadcast, fit/evaluate split each global batch between the replicas, gradients
/// are summed over them and metrics read summed state. The first strategy initializes
/// MPI, which is finalized at exit.
class MultiWorkerMirroredStrategy {
 public:
  /// Joins the processes of the MPI job (std::runtime_error when MPI or, with
  /// CommunicationImplementation::NCCL, NCCL or the GPUs cannot be set up).
  explicit MultiWorkerMirroredStrategy(const StrategyOptions& options = {});
  virtual ~MultiWorkerMirroredStrategy();

  /// The number of replicas (processes in the job).
  int num_replicas_in_sync() const;
  /// This process's replica index (its MPI rank).
  int rank() const;
  /// Replica 0, which prints progress and writes checkpoints and logs.
  bool is_chief() const { return rank() == 0; }

  /// tf's strategy.scope(): while the returned object lives, models, optimizers and
  /// metrics created in this thread are mirrored over the replicas.
  [[nodiscard]] ReplicaScope scope() const { return ReplicaScope(replicas_); }

  /// This replica's rows of a global batch (each tensor's first axis): the contiguous
  /// slice distribute::replica_rows gives, as fit() takes them.
  std::vector<Tensor> distribute_batch(const std::vector<Tensor>& global_batch) const;

  /// tf's strategy.run(fn, args=(batch,)): calls `step` with this replica's rows of
  /// `global_batch`, inside scope() (an optimizer created under the scope sums the
  /// gradients it applies). Returns what `step` returns: this replica's value.
  template <class Step>
  auto run(Step&& step, const std::vector<Tensor>& global_batch) const {
    ReplicaScope s = scope();
    return std::forward<Step>(step)(distribute_batch(global_batch));
  }

  /// This replica's part of `dataset` (data::auto_shard over num_replicas_in_sync()
  /// workers, this one rank()): by file where the dataset's source reads at least that
  /// many files, else by element (AutoShardPolicy::AUTO), as tf.distribute shards a
  /// worker's input. For custom loops: fit() splits each global batch by rows instead.
  data::Dataset shard_dataset(const data::Dataset& dataset,
                              data::AutoShardPolicy policy = data::AutoShardPolicy::AUTO) const {
    return data::auto_shard(dataset, num_replicas_in_sync(), rank(), policy);
  }

  /// tf's strategy.reduce(op, value, axis=None): the replicas' values of a float32 or
  /// float64 tensor summed (SUM) or averaged (MEAN) over the replicas, on every replica.
  Tensor reduce(ReduceOp op, const Tensor& value) const;

  /// Waits until every replica calls it.
  void barrier() const;

  /// The collectives (what scope() hands to models and optimizers).
  const CrossReplicaPtr& cross_replica() const { return replicas_; }

 protected:
  /// The MPI collectives (barrier, broadcast).
  CrossReplicaPtr mpi_;

 private:
  CrossReplicaPtr replicas_;  // what models use: mpi_, or NCCL's all-reduce over it
};

/// tf.distribute.MirroredStrategy for the GPUs of one machine, one process per GPU
/// (`mpirun -np <GPUs> program`): a MultiWorkerMirroredStrategy whose all-reduce is NCCL.
/// It checks that every process runs on this machine; needs a CUDA build
/// (std::runtime_error otherwise).
class MirroredStrategy : public MultiWorkerMirroredStrategy {
 public:
  /// Joins the job's processes and sets up NCCL on their GPUs.
  explicit MirroredStrategy(StrategyOptions options = {});
};

/// Whether this build has the NCCL path (a CUDA build of keras-cpp-distribute).
bool nccl_available();

/// The number of CUDA devices visible to this process (0 without a CUDA build).
int cuda_device_count();

}  // namespace keras::distribute
