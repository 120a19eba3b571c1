// file_shard_source.h - (internal to keras/trainers/) fit and evaluate on a Dataset under
// a distribution strategy whose source has files: each replica reads its own files
// (data::auto_shard, FILE) and the replicas agree, step by step, on when the pass ends.
#pragma once
#include <map>
#include <memory>
#include <string>

#include "keras/distribute/cross_replica.h"
#include "keras/trainers/batch_sources.h"

namespace keras::detail {

// Whether fit/evaluate over `replicas` read `ds` sharded by file: AUTO resolves to FILE
// (the source reads at least num_replicas files) and no steps option (steps_per_epoch,
// steps, validation_steps: max_steps > 0) counts batches. Otherwise every replica reads
// the global batches and takes its rows of each (DATA).
bool shards_by_file(const data::Dataset& ds, const distribute::CrossReplica* replicas, int64_t max_steps);

// The batches of one replica's file shard as the steps of a distributed loop. `local`
// reads this replica's files (the pipeline over them, batched by the global batch size);
// each of its batches is cut into num_replicas parts (distribute::replica_rows; empty
// parts are dropped), one per step, so that a step consumes about one global batch over
// the replicas (TensorFlow rebatches a file-sharded worker's batches the same way).
// Every has_next() sums this replica's rows with the others' (one all-reduce): the pass
// goes on while any replica has data, and a replica that ran out takes part in the step
// with no rows (a Batch of size 0), as TensorFlow's distributed iterator pads an
// exhausted worker with empty batches. The pass therefore has the same number of steps
// on every replica, the longest shard's; steps() is unknown (-1): the progress bar
// learns it in the first epoch. A replica's shard may be empty; when every one is, the
// first has_next of a pass raises std::invalid_argument on every replica (`fn` names the
// caller).
std::unique_ptr<BatchSource> file_shard_source(std::unique_ptr<BatchSource> local, distribute::CrossReplica& replicas,
                                               const std::string& fn);

// fit's and evaluate's source for a Dataset with targets (dataset_source's arguments):
// over this replica's files through file_shard_source when shards_by_file, else the
// whole dataset's global batches (`shuffle`: a PyDataset's batch order, see dataset_source).
std::unique_ptr<BatchSource> replica_dataset_source(const data::Dataset& ds, const Model& model, const char* fn,
                                                    int64_t max_steps, const char* steps_option,
                                                    std::map<int64_t, double> class_weight = {}, bool shuffle = false);

}  // namespace keras::detail
