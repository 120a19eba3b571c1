// file_shard_source.cpp - the steps of a file-sharded distributed pass: this replica's
// batches cut into per-replica parts, and a per-step all-reduce of the rows that ends the
// pass on every replica together.
#include "keras/trainers/file_shard_source.h"

#include <deque>
#include <stdexcept>
#include <string>

#include "keras/data/shard.h"

namespace keras::detail {
namespace {

class FileShardSource : public BatchSource {
 public:
  FileShardSource(std::unique_ptr<BatchSource> local, distribute::CrossReplica& replicas, std::string fn)
      : local_(std::move(local)), replicas_(replicas), fn_(std::move(fn)) {}
  int64_t steps() const override { return -1; }
  void end_pass() override { local_->end_pass(); }
  void begin_pass(int epoch, uint64_t seed) override {
    local_->begin_pass(epoch, seed);
    parts_.clear();
    decided_ = false;
    steps_ = 0;
  }
  bool has_next() override {
    if (decided_) return global_rows_ > 0;
    if (parts_.empty() && local_->has_next()) split(local_->next());
    double rows = parts_.empty() ? 0.0 : double(parts_.front().size);
    replicas_.all_reduce_sum(&rows, 1);  // every replica, every step: the same count
    global_rows_ = int64_t(rows);
    decided_ = true;
    if (global_rows_ == 0 && steps_ == 0)  // (on every replica alike: a shard may be empty, not all)
      throw std::invalid_argument(fn_ + ": the dataset is empty (no replica's files gave a batch)");
    return global_rows_ > 0;
  }
  Batch next() override {
    if (!has_next()) throw std::logic_error("file-sharded input: no batch left");
    decided_ = false;
    ++steps_;
    Batch b;
    if (!parts_.empty()) {
      b = std::move(parts_.front());
      parts_.pop_front();
    }
    b.global_rows = global_rows_;
    return b;
  }
  bool ran_out() const override { return local_->ran_out(); }

 private:
  // One batch of this replica's files, cut as a global batch is between the replicas.
  void split(const Batch& b) {
    const int n = replicas_.num_replicas();
    for (int j = 0; j < n; ++j) {
      const distribute::RowRange r = distribute::replica_rows(b.size, j, n);
      if (r.end <= r.begin) continue;
      Batch part;
      part.x = rows(b.x, r.begin, r.end);
      part.y = rows(b.y, r.begin, r.end);
      if (b.sample_weight.defined()) part.sample_weight = rows({b.sample_weight}, r.begin, r.end)[0];
      part.size = r.end - r.begin;
      parts_.push_back(std::move(part));
    }
  }
  std::unique_ptr<BatchSource> local_;
  distribute::CrossReplica& replicas_;
  std::deque<Batch> parts_;
  std::string fn_;
  bool decided_ = false;
  int64_t global_rows_ = 0, steps_ = 0;  // steps_: of this pass
};
}  // namespace

bool shards_by_file(const data::Dataset& ds, const distribute::CrossReplica* replicas, int64_t max_steps) {
  if (!replicas || replicas->num_replicas() <= 1 || max_steps > 0) return false;
  return data::applied_shard_policy(ds, replicas->num_replicas()) == data::AutoShardPolicy::FILE;
}

std::unique_ptr<BatchSource> file_shard_source(std::unique_ptr<BatchSource> local, distribute::CrossReplica& replicas,
                                               const std::string& fn) {
  return std::make_unique<FileShardSource>(std::move(local), replicas, fn);
}

std::unique_ptr<BatchSource> replica_dataset_source(const data::Dataset& ds, const Model& model, const char* fn,
                                                    int64_t max_steps, const char* steps_option,
                                                    std::map<int64_t, double> class_weight, bool shuffle) {
  distribute::CrossReplica* replicas = model.replicas().get();
  max_steps = capped_steps(max_steps, fn);
  if (!shards_by_file(ds, replicas, max_steps))
    return dataset_source(ds, model, fn, true, max_steps, steps_option, std::move(class_weight), false, shuffle);
  const data::Dataset mine =
      data::auto_shard(ds, replicas->num_replicas(), replicas->replica_id(), data::AutoShardPolicy::FILE);
  std::unique_ptr<BatchSource> local =
      dataset_source(mine, model, fn, true, max_steps, steps_option, std::move(class_weight), /*may_be_empty=*/true);
  return file_shard_source(std::move(local), *replicas, fn);
}

}  // namespace keras::detail
