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
#include <mutex>
#include <vector>

#include "core/autodiff.h"
#include "core/tensor.h"

namespace keras::distribute {
namespace detail {
class CommThread;
}  // namespace detail
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
  /// A replica set with no communication thread yet.
  CrossReplica();
  /// Stops the communication thread, if one was started.
  virtual ~CrossReplica();
  CrossReplica(const CrossReplica&) = delete;             ///< not copyable
  CrossReplica& operator=(const CrossReplica&) = delete;  ///< not copyable
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
  /// Whether a traced step all-reduces each bucket of gradients on a communication thread
  /// as soon as the backward pass has made it, overlapping the rest of the backward pass
  /// (StrategyOptions::overlap); false: every bucket after the backward pass, in turn.
  virtual bool overlap() const { return false; }

  /// (for all_reduce) The thread that runs this replica set's overlapped all-reduces,
  /// one at a time in the order they were started, started on first use.
  detail::CommThread& comm_thread();

 protected:
  /// Ends the communication thread (after its current all-reduce); an implementation
  /// calls it first in its destructor, before it frees what all_reduce_sum uses.
  void stop_comm_thread();

 private:
  std::unique_ptr<detail::CommThread> comm_;
  std::once_flag comm_once_;
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

/// Sums (or averages) float32 / float64 tensors over the replicas. The tensors are packed,
/// last first (the order a backward pass makes gradients in), into buckets of up to
/// `replicas.bucket_bytes()` per dtype (small tensors share one all-reduce; a larger one
/// has a bucket of its own, reduced in pieces of bucket_bytes); the result has each input's shape and dtype. Inside a traced
/// function, with replicas.overlap(), each bucket is a pair of host nodes: an `early` one
/// that hands the bucket to the communication thread as soon as its tensors exist, and
/// one where the value is first needed that waits for the result (raising what the
/// all-reduce raised); without overlap, one host node reduces every bucket in turn. Any
/// other dtype raises std::invalid_argument naming it.
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
