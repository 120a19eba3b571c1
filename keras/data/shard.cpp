// shard.cpp - shard (tf.data.Dataset.shard) and auto_shard (what tf.distribute's
// auto-sharding gives one worker: AutoShardPolicy FILE, DATA or AUTO), with the file list
// that a file source (TextLineDataset) passes to the transformations after it.
#include "keras/data/shard.h"

#include <stdexcept>
#include <string>

#include "keras/data/dataset_impl.h"

namespace keras::data {
namespace detail {
namespace {

class ShardNode : public Node {
 public:
  ShardNode(NodePtr input, int64_t shards, int64_t index) : input_(std::move(input)), shards_(shards), index_(index) {}
  int64_t cardinality() const override {
    const int64_t n = input_->cardinality();
    if (n < 0) return n;  // infinite or unknown
    return n > index_ ? (n - index_ - 1) / shards_ + 1 : 0;
  }
  IteratorPtr make_iterator() const override { return std::make_unique<It>(input_->make_iterator(), shards_, index_); }

 private:
  class It : public IteratorImpl {
   public:
    It(IteratorPtr input, int64_t shards, int64_t index) : input_(std::move(input)), shards_(shards), skip_(index) {}
    bool next(Element& out) override {
      // Elements index, index + shards, ...: pass over the other shards' elements.
      for (; skip_ > 0; --skip_)
        if (!input_->next(out)) return false;
      if (!input_->next(out)) return false;
      skip_ = shards_ - 1;
      return true;
    }

   private:
    IteratorPtr input_;
    int64_t shards_, skip_;
  };
  NodePtr input_;
  int64_t shards_, index_;
};
}  // namespace

Dataset DatasetAccess::with_files(Dataset d, std::vector<std::string> files, FileSource::Rebuild rebuild) {
  d.node_->files = std::make_shared<const FileSource>(FileSource{std::move(files), std::move(rebuild)});
  return d;
}

Dataset DatasetAccess::derive(const Dataset& from, NodePtr node, std::function<Dataset(const Dataset&)> again) {
  if (std::shared_ptr<const FileSource> source = from.node_->files)
    node->files = std::make_shared<const FileSource>(FileSource{
        source->files,
        [source, again](const std::vector<std::string>& files) { return again(source->rebuild(files)); }});
  return Dataset(std::move(node));
}
}  // namespace detail

Dataset shard(const Dataset& ds, int64_t num_shards, int64_t index) {
  if (num_shards < 1)
    throw std::invalid_argument("Dataset.shard: expected num_shards >= 1, but received " + std::to_string(num_shards));
  if (index < 0 || index >= num_shards)
    throw std::invalid_argument("Dataset.shard: expected 0 <= index < num_shards (" + std::to_string(num_shards) +
                                "), but received index " + std::to_string(index));
  return detail::DatasetAccess::derive(
      ds, std::make_shared<detail::ShardNode>(detail::DatasetAccess::node(ds), num_shards, index),
      [num_shards, index](const Dataset& d) { return shard(d, num_shards, index); });
}

std::vector<std::string> source_files(const Dataset& ds) {
  const auto& files = detail::DatasetAccess::node(ds)->files;
  return files ? files->files : std::vector<std::string>{};
}

AutoShardPolicy applied_shard_policy(const Dataset& ds, int64_t num_workers, AutoShardPolicy policy) {
  if (policy == AutoShardPolicy::OFF || num_workers <= 1) return AutoShardPolicy::OFF;
  if (policy != AutoShardPolicy::AUTO) return policy;
  return int64_t(source_files(ds).size()) >= num_workers ? AutoShardPolicy::FILE : AutoShardPolicy::DATA;
}

Dataset auto_shard(const Dataset& ds, int64_t num_workers, int64_t index, AutoShardPolicy policy) {
  if (num_workers < 1)
    throw std::invalid_argument("auto_shard: expected num_workers >= 1, but received " + std::to_string(num_workers));
  if (index < 0 || index >= num_workers)
    throw std::invalid_argument("auto_shard: expected 0 <= index < num_workers (" + std::to_string(num_workers) +
                                "), but received index " + std::to_string(index));
  const std::shared_ptr<const detail::FileSource> source = detail::DatasetAccess::node(ds)->files;
  const int64_t files = source ? int64_t(source->files.size()) : 0;
  policy = applied_shard_policy(ds, num_workers, policy);
  if (policy == AutoShardPolicy::OFF) return ds;
  if (policy == AutoShardPolicy::FILE && files < num_workers)
    throw std::invalid_argument("auto_shard: AutoShardPolicy::FILE needs a source with at least " +
                                std::to_string(num_workers) + " files (one per worker), but this dataset's source has " +
                                std::to_string(files) + (source ? "" : " (it reads no file list)"));
  if (policy == AutoShardPolicy::DATA) return shard(ds, num_workers, index);
  // FILE: worker `index` reads files index, index + num_workers, ... through the same pipeline.
  std::vector<std::string> mine;
  for (int64_t k = index; k < files; k += num_workers) mine.push_back(source->files[size_t(k)]);
  return source->rebuild(mine);
}

}  // namespace keras::data
