// cross_replica.h - what a distribution strategy gives the trainer: the collective
// operations of a set of replicas (one per process), and the scope that hands them to
// the models and optimizers created under it.
//
// This header belongs to the keras-cpp library and names no communication library: a
// strategy (keras/distribute/strategy.h, in the separate keras-cpp-distribute library)
// implements CrossReplica with MPI or NCCL. A program that uses no strategy never links
// or loads them.
#pragma once
#include <cstdint>
#include <memory>
#include <vector>

#include "core/autodiff.h"
#include "core/tensor.h"

namespace keras::distribute {
using core::DType;   ///< keras::DType
using core::Tensor;  ///< keras::Tensor

/// How strategy.reduce() combines the replicas' values (tf.distribute.ReduceOp).
enum class ReduceOp {
  SUM,   ///< the sum over the replicas
  MEAN,  ///< the sum divided by the number of replicas
};

/// The collective operations of the replicas of a strategy. Every replica calls the same
/// operations in the same order with the same sizes (the trainer does: each step makes
/// the same calls on every replica).
class CrossReplica {
 public:
  virtual ~CrossReplica() = default;
  /// The number of replicas (tf.distribute's num_replicas_in_sync).
  virtual int num_replicas() const = 0;
  /// This replica's index, 0 .. num_replicas() - 1 (the MPI rank).
  virtual int replica_id() const = 0;
  /// Replica 0 prints the progress bar and writes checkpoints and logs.
  bool is_chief() const { return replica_id() == 0; }
  /// Sums `n` floats over the replicas, in place.
  virtual void all_reduce_sum(float* data, int64_t n) = 0;
  /// Sums `n` doubles over the replicas, in place.
  virtual void all_reduce_sum(double* data, int64_t n) = 0;
  /// Copies `bytes` bytes from replica `root` to every replica.
  virtual void broadcast(void* data, int64_t bytes, int root) = 0;
  /// The size in bytes of the buckets gradients are packed into for all-reduce.
  virtual int64_t bucket_bytes() const = 0;
};

/// A shared handle to a strategy's collectives (null: not distributed).
using CrossReplicaPtr = std::shared_ptr<CrossReplica>;

/// The collectives of the innermost active strategy scope of this thread, or null.
CrossReplicaPtr current();

/// Makes `replicas` current for this thread while alive (what strategy.scope() returns):
/// models, optimizers and metrics created meanwhile are mirrored over those replicas.
class ReplicaScope {
 public:
  /// Enters the scope of `replicas`.
  explicit ReplicaScope(CrossReplicaPtr replicas);
  /// Leaves it: the enclosing scope (or none) is current again.
  ~ReplicaScope();
  ReplicaScope(const ReplicaScope&) = delete;             ///< not copyable
  ReplicaScope& operator=(const ReplicaScope&) = delete;  ///< not copyable

 private:
  CrossReplicaPtr previous_;
};

/// Sums (or averages) float32 / float64 tensors over the replicas. The tensors are packed
/// into buckets of `replicas.bucket_bytes()` (several small tensors share one all-reduce,
/// a large one is cut into several) and reduced bucket by bucket; the result has each
/// input's shape and dtype. Inside a traced function this is one host node that runs at
/// every call and keeps `replicas` alive. Any other dtype raises std::invalid_argument
/// naming it.
std::vector<Tensor> all_reduce(const CrossReplicaPtr& replicas, const std::vector<Tensor>& values, ReduceOp op);

/// Copies the values of `variables` on replica `root` to every replica (their shapes and
/// dtypes must agree; a mismatch raises std::runtime_error on the replica that sees it).
void broadcast_variables(CrossReplica& replicas, const std::vector<core::Variable>& variables, int root = 0);

/// The rows [begin, end) of a global batch of `rows` rows that replica `replica_id` of
/// `num_replicas` takes: contiguous slices in replica order, the first `rows %
/// num_replicas` replicas one row more (tf.distribute's split of a global batch).
struct RowRange {
  int64_t begin = 0;  ///< first row
  int64_t end = 0;    ///< one past the last row
};
/// See RowRange.
RowRange replica_rows(int64_t rows, int replica_id, int num_replicas);

}  // namespace keras::distribute
