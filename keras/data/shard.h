// shard.h - splitting a Dataset between workers: tf.data.Dataset.shard, and the
// auto-sharding tf.distribute applies to a worker's input (tf.data.experimental.
// AutoShardPolicy), by file where the dataset's source reads files.
//
//   auto lines = keras::data::TextLineDataset(files).map(parse).batch(32);
//   auto mine = keras::data::auto_shard(lines, strategy.num_replicas_in_sync(), strategy.rank());
//   // 8 files and 2 workers: this worker reads files rank, rank + 2, ... through map and batch
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "keras/data/dataset.h"

namespace keras::data {

/// How auto_shard splits a dataset between workers (tf.data.experimental.AutoShardPolicy).
enum class AutoShardPolicy {
  AUTO,  ///< FILE when the source reads at least as many files as there are workers, else DATA
  FILE,  ///< worker i reads the source's files i, i + N, ... through the same pipeline
  DATA,  ///< every worker reads everything and keeps every N-th element (shard(N, i))
  OFF,   ///< no sharding: every worker reads everything
};

/// tf.data.Dataset.shard(num_shards, index): the elements index, index + num_shards,
/// index + 2 num_shards, ... of `ds` (std::invalid_argument unless num_shards >= 1 and
/// 0 <= index < num_shards).
Dataset shard(const Dataset& ds, int64_t num_shards, int64_t index);

/// The part of `ds` that worker `index` of `num_workers` reads, as tf.distribute's
/// auto-sharding gives it (see AutoShardPolicy). FILE makes the pipeline again over the
/// worker's files (every transformation after the file source is applied again; one that
/// joins datasets, zip or concatenate, or window, drops the file list, so AUTO then
/// shards by DATA). DATA appends shard(num_workers, index), so a batched dataset is split
/// by whole batches, as TensorFlow's DATA policy splits what the dataset produces. FILE
/// on a source with fewer files than workers raises std::invalid_argument, as do
/// num_workers < 1 and an index outside [0, num_workers).
Dataset auto_shard(const Dataset& ds, int64_t num_workers, int64_t index, AutoShardPolicy policy = AutoShardPolicy::AUTO);

/// The policy auto_shard(ds, num_workers, i, policy) applies: OFF with one worker or
/// OFF asked; AUTO resolves to FILE when the source reads at least num_workers files,
/// else DATA (TensorFlow's AUTO); FILE and DATA as asked (auto_shard raises on FILE
/// without enough files; this returns FILE).
AutoShardPolicy applied_shard_policy(const Dataset& ds, int64_t num_workers,
                                     AutoShardPolicy policy = AutoShardPolicy::AUTO);

/// The files `ds`'s source reads (a TextLineDataset's, kept through the transformations
/// after it), or none.
std::vector<std::string> source_files(const Dataset& ds);

}  // namespace keras::data
