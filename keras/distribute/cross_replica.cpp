// cross_replica.cpp - the strategy scope, bucketed all-reduce of tensors (overlapped with
// the backward pass through the communication thread of comm_thread.h), variable
// broadcast and the split of a global batch (see cross_replica.h).
#include "keras/distribute/cross_replica.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <string>
#include <utility>

#include "core/control_flow.h"
#include "core/graph.h"
#include "core/ops.h"
#include "keras/distribute/comm_thread.h"
#include "keras/distribute/current_replicas.h"

namespace keras::distribute {
namespace {
thread_local CrossReplicaPtr t_current;

// A bucket: tensors (indices into the values) of one dtype, all-reduced together.
struct Bucket {
  DType dtype{};
  std::vector<size_t> members;
  int64_t elements = 0;
};

// The values last first (a backward pass makes the gradients of the last layers first),
// packed per dtype into buckets of up to `bytes`; a larger tensor has a bucket of its own.
std::vector<Bucket> plan_buckets(const std::vector<Tensor>& values, int64_t bytes) {
  std::vector<Bucket> buckets;
  int open[2] = {-1, -1};  // the bucket being filled, per dtype
  for (size_t k = values.size(); k-- > 0;) {
    const bool f64 = values[k].dtype() == DType::float64;
    const int64_t n = values[k].size(), size = f64 ? 8 : 4;
    int& o = open[f64];
    if (o >= 0 && (buckets[size_t(o)].elements + n) * size > bytes) o = -1;
    if (o < 0) {
      buckets.push_back({values[k].dtype(), {}, 0});
      o = int(buckets.size()) - 1;
    }
    buckets[size_t(o)].members.push_back(k);
    buckets[size_t(o)].elements += n;
  }
  return buckets;
}

Tensor on_cpu(const Tensor& t) { return t.device().is_cpu() ? t : t.to(core::Device::cpu()); }

// Copies the tensors `parts` (of the bucket's dtype) one after another into `out`.
void pack(const std::vector<Tensor>& parts, void* out) {
  auto* p = static_cast<char*>(out);
  for (const Tensor& t : parts) {
    const Tensor c = on_cpu(t);
    std::memcpy(p, c.raw_data(), c.nbytes());
    p += c.nbytes();
  }
}

// The `n` summed values at `data` as a flat tensor, divided by the replicas for MEAN.
template <class T>
Tensor flat_values(const T* data, int64_t n, DType dtype, ReduceOp op, int replicas) {
  Tensor out = core::ops::empty(core::Shape({n}), dtype);
  T* o = out.mutable_data<T>();
  const T scale = op == ReduceOp::MEAN ? T(1) / T(replicas) : T(1);
  for (int64_t k = 0; k < n; ++k) o[k] = data[k] * scale;
  return out;
}
Tensor flat_result(const void* data, int64_t n, DType dtype, ReduceOp op, int replicas) {
  return dtype == DType::float64 ? flat_values(static_cast<const double*>(data), n, dtype, op, replicas)
                                 : flat_values(static_cast<const float*>(data), n, dtype, op, replicas);
}

// Reduces one bucket now, on this thread, in `buffer` (room for b.elements of either
// dtype; a traced step keeps one per bucket, so no step pays for fresh pages).
Tensor reduce_bucket(CrossReplica& r, const std::vector<Tensor>& parts, const Bucket& b, ReduceOp op,
                     std::vector<double>& buffer) {
  pack(parts, buffer.data());
  detail::sum_in_chunks(r, buffer.data(), b.dtype, b.elements);
  return flat_result(static_cast<const void*>(buffer.data()), b.elements, b.dtype, op, r.num_replicas());
}

// Starts the all-reduce of a bucket on the communication thread: an `early` host node
// (it runs as soon as the bucket's tensors exist); its result is a token for the wait.
Tensor start_bucket(const CrossReplicaPtr& r, const std::vector<Tensor>& parts,
                    const std::shared_ptr<detail::PendingReduce>& pending) {
  auto start = [r, pending](const std::vector<Tensor>& in) {
    pending->begin();
    try {
      pack(in, pending->data());
    } catch (...) {
      pending->finish(std::current_exception());
      throw;
    }
    r->comm_thread().submit(pending);
    return std::vector<Tensor>{core::constant(0.0f)};
  };
  return core::graph::early_host_function(start, parts, {core::TensorSpec{{}, DType::float32}})[0];
}

// Waits for a bucket started by start_bucket: the flat summed values.
Tensor wait_bucket(const CrossReplicaPtr& r, const Tensor& token, const std::shared_ptr<detail::PendingReduce>& pending,
                   ReduceOp op) {
  auto wait = [r, pending, op](const std::vector<Tensor>&) {
    pending->wait();
    return std::vector<Tensor>{
        flat_result(pending->data(), pending->elements(), pending->dtype(), op, r->num_replicas())};
  };
  return core::ops::host_function(wait, {token}, {core::TensorSpec{{pending->elements()}, pending->dtype()}})[0];
}

// The values of a bucket from its flat result.
void unpack(const Tensor& flat, const std::vector<Tensor>& values, const Bucket& b, std::vector<Tensor>& out) {
  int64_t offset = 0;
  for (size_t i : b.members) {
    const int64_t n = values[i].size();
    out[i] = core::ops::reshape(core::ops::slice(flat, {offset}, {n}), values[i].shape().dims());
    offset += n;
  }
}
}  // namespace

CrossReplicaPtr current() { return t_current; }
CrossReplicaPtr detail::exchange_current(CrossReplicaPtr replicas) { return std::exchange(t_current, std::move(replicas)); }

ReplicaScope::ReplicaScope(CrossReplicaPtr replicas) : previous_(std::move(t_current)) {
  t_current = std::move(replicas);
}
ReplicaScope::~ReplicaScope() { t_current = std::move(previous_); }

std::vector<Tensor> all_reduce(const CrossReplicaPtr& replicas, const std::vector<Tensor>& values, ReduceOp op) {
  if (!replicas) throw std::invalid_argument("distribute::all_reduce: expected replicas, but received null");
  for (size_t i = 0; i < values.size(); ++i) {
    const DType d = values[i].dtype();
    if (d != DType::float32 && d != DType::float64)
      throw std::invalid_argument("distribute::all_reduce: expected float32 or float64 tensors, but value " +
                                  std::to_string(i) + " has dtype " + std::string(core::dtype_name(d)));
  }
  if (values.empty()) return {};
  const std::vector<Bucket> buckets = plan_buckets(values, replicas->bucket_bytes());
  auto members = [&](const Bucket& b) {
    std::vector<Tensor> parts;
    for (size_t i : b.members) parts.push_back(values[i]);
    return parts;
  };
  std::vector<Tensor> out(values.size());
  if (replicas->overlap()) {
    // Every bucket is started (the starts move up to where their tensors are made), then
    // waited for here, in the same order.
    std::vector<std::shared_ptr<detail::PendingReduce>> pending;
    std::vector<Tensor> tokens;
    for (const Bucket& b : buckets) {
      pending.push_back(std::make_shared<detail::PendingReduce>(b.dtype, b.elements));
      tokens.push_back(start_bucket(replicas, members(b), pending.back()));
    }
    for (size_t k = 0; k < buckets.size(); ++k)
      unpack(wait_bucket(replicas, tokens[k], pending[k], op), values, buckets[k], out);
    return out;
  }
  // Without overlap: a host node per bucket, in turn, reduces it on this thread (the
  // nodes keep `replicas` alive in a traced graph).
  for (const Bucket& b : buckets) {
    CrossReplicaPtr r = replicas;
    auto buffer = std::make_shared<std::vector<double>>(size_t(b.elements));
    auto reduce = [r, b, op, buffer](const std::vector<Tensor>& in) {
      return std::vector<Tensor>{reduce_bucket(*r, in, b, op, *buffer)};
    };
    unpack(core::ops::host_function(reduce, members(b), {core::TensorSpec{{b.elements}, b.dtype}})[0], values, b, out);
  }
  return out;
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
