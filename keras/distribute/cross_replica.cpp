// cross_replica.cpp - the strategy scope, bucketed all-reduce of tensors, variable
// broadcast and the split of a global batch (see cross_replica.h).
#include "keras/distribute/cross_replica.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <string>

#include "core/control_flow.h"
#include "core/ops.h"

namespace keras::distribute {
namespace {
thread_local CrossReplicaPtr t_current;

// Packs the elements [offset, offset + count) of the concatenation of `parts` (all of
// element type T) into `bucket`, or (unpack) writes the bucket back into `outs`.
template <class T>
void copy_range(const std::vector<const T*>& parts, const std::vector<T*>& outs, const std::vector<int64_t>& sizes,
                int64_t offset, int64_t count, T* bucket, bool pack) {
  int64_t start = 0;
  for (size_t i = 0; i < sizes.size() && count > 0; ++i) {
    const int64_t end = start + sizes[i];
    if (offset < end) {
      const int64_t from = offset - start, n = std::min(count, end - offset);
      if (pack)
        std::memcpy(bucket, parts[i] + from, size_t(n) * sizeof(T));
      else
        std::memcpy(outs[i] + from, bucket, size_t(n) * sizeof(T));
      bucket += n;
      offset += n;
      count -= n;
    }
    start = end;
  }
}

// Reduces the tensors of one dtype (indices `which` of `in`) into `out`, bucket by bucket.
template <class T>
void reduce_group(CrossReplica& r, const std::vector<Tensor>& in, std::vector<Tensor>& out,
                  const std::vector<size_t>& which, ReduceOp op) {
  if (which.empty()) return;
  std::vector<const T*> parts;
  std::vector<T*> outs;
  std::vector<int64_t> sizes;
  int64_t total = 0;
  for (size_t i : which) {
    out[i] = core::ops::empty(in[i].shape(), in[i].dtype());
    parts.push_back(in[i].data<T>());
    outs.push_back(out[i].mutable_data<T>());
    sizes.push_back(in[i].size());
    total += in[i].size();
  }
  const int64_t cap = std::max<int64_t>(1, r.bucket_bytes() / int64_t(sizeof(T)));
  std::vector<T> bucket(size_t(std::min(cap, std::max<int64_t>(total, 1))));
  const T scale = op == ReduceOp::MEAN ? T(1) / T(r.num_replicas()) : T(1);
  for (int64_t offset = 0; offset < total; offset += cap) {
    const int64_t n = std::min(cap, total - offset);
    copy_range<T>(parts, outs, sizes, offset, n, bucket.data(), true);
    r.all_reduce_sum(bucket.data(), n);
    if (op == ReduceOp::MEAN)
      for (int64_t k = 0; k < n; ++k) bucket[size_t(k)] *= scale;
    copy_range<T>(parts, outs, sizes, offset, n, bucket.data(), false);
  }
}

std::vector<Tensor> reduce_now(CrossReplica& r, const std::vector<Tensor>& values, ReduceOp op) {
  std::vector<Tensor> in(values.size()), out(values.size());
  std::vector<size_t> f32, f64;
  for (size_t i = 0; i < values.size(); ++i) {
    in[i] = values[i].device().is_cpu() ? values[i] : values[i].to(core::Device::cpu());
    (values[i].dtype() == DType::float32 ? f32 : f64).push_back(i);
  }
  reduce_group<float>(r, in, out, f32, op);
  reduce_group<double>(r, in, out, f64, op);
  return out;
}
}  // namespace

CrossReplicaPtr current() { return t_current; }

ReplicaScope::ReplicaScope(CrossReplicaPtr replicas) : previous_(std::move(t_current)) {
  t_current = std::move(replicas);
}
ReplicaScope::~ReplicaScope() { t_current = std::move(previous_); }

std::vector<Tensor> all_reduce(const CrossReplicaPtr& replicas, const std::vector<Tensor>& values, ReduceOp op) {
  if (!replicas) throw std::invalid_argument("distribute::all_reduce: expected replicas, but received null");
  std::vector<core::TensorSpec> specs;
  for (size_t i = 0; i < values.size(); ++i) {
    const DType d = values[i].dtype();
    if (d != DType::float32 && d != DType::float64)
      throw std::invalid_argument("distribute::all_reduce: expected float32 or float64 tensors, but value " +
                                  std::to_string(i) + " has dtype " + std::string(core::dtype_name(d)));
    specs.push_back({values[i].shape().dims(), d});
  }
  if (values.empty()) return {};
  CrossReplicaPtr r = replicas;  // a traced graph holding the node keeps the collectives alive
  return core::ops::host_function([r, op](const std::vector<Tensor>& v) { return reduce_now(*r, v, op); }, values, specs);
}

void broadcast_variables(CrossReplica& replicas, const std::vector<core::Variable>& variables, int root) {
  for (const core::Variable& v : variables) {
    Tensor value = v.value();
    if (!value.device().is_cpu()) value = value.to(core::Device::cpu());
    // The shape travels first, so a replica whose model differs gets an error, not garbage.
    const std::vector<int64_t>& dims = value.shape().dims();
    int64_t mine[3] = {int64_t(dims.size()), int64_t(value.dtype()), value.size()};
    int64_t header[3] = {mine[0], mine[1], mine[2]};
    replicas.broadcast(header, sizeof header, root);
    if (!std::equal(header, header + 3, mine))
      throw std::runtime_error("distribute: variable '" + v.name() + "' has shape " + value.shape().str() + " on replica " +
                               std::to_string(replicas.replica_id()) + " but another shape or dtype on replica " +
                               std::to_string(root) + "; every replica must build the same model");
    Tensor copy = core::ops::empty(value.shape(), value.dtype());
    std::memcpy(copy.raw_mutable_data(), value.raw_data(), value.nbytes());
    replicas.broadcast(copy.raw_mutable_data(), int64_t(copy.nbytes()), root);
    core::Variable(v).assign(copy);
  }
}

RowRange replica_rows(int64_t rows, int replica_id, int num_replicas) {
  const int64_t base = rows / num_replicas, extra = rows % num_replicas, id = replica_id;
  const int64_t begin = id * base + std::min(id, extra);
  return {begin, begin + base + (id < extra ? 1 : 0)};
}

}  // namespace keras::distribute
