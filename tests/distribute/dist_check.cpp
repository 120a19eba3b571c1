// dist_check.cpp - the distributed-training checks, run under mpirun by
// tests/distribute/run.sh (each mode prints "PASS ..." and exits 0, or prints what
// differs and exits 1; 77 means skipped).
//
//   dist_check equivalence          2-rank fit == single-process fit with the same global
//                                   batch and data order: weights, History, evaluate;
//                                   strategy.run / reduce in a custom loop
//   dist_check resume DIR OUT [KILL_EPOCH KILL_BATCH]
//                                   fit with BackupAndRestore(DIR); rank 1 kills itself
//                                   with SIGKILL at that batch when given; rank 0 writes
//                                   the final weights to OUT (raw bytes)
//   dist_check shard DIR            strategy.shard_dataset (auto_shard) on every rank: over 5 files (FILE)
//                                   the ranks read disjoint files and together every line
//                                   once; over 1 file (DATA) disjoint elements, together all
//   dist_check fileshard DIR        (dist_fileshard.cpp) fit / evaluate on 3 uneven files,
//                                   sharded by FILE (AUTO): both ranks run the longer
//                                   shard's steps, every line once an epoch, History equal,
//                                   weights as one process on the same global steps
//   dist_check distribution         (dist_distribution.cpp) keras::distribution: layouts,
//                                   devices, DataParallel fit == one process's, splits
//   dist_check nccl                 the equivalence check over NCCL (skipped, 77, with
//                                   fewer than 2 GPUs or without a CUDA build)
#include <csignal>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "dist_common.h"

namespace {
using namespace dist_check;

int equivalence(const dist::StrategyOptions& options) {
  dist::MultiWorkerMirroredStrategy strategy(options);
  const int replicas = strategy.num_replicas_in_sync(), rank = strategy.rank();
  // 193 = 6 * 32 + 1 rows: with 2 replicas the last global batch gives rank 1 no rows.
  auto [x, y] = make_data(193, 11);
  auto [xv, yv] = make_data(61, 12);
  const keras::FitOptions fit{.batch_size = 32, .epochs = 3, .verbose = rank == 0 ? 2 : 0,
                              .validation_data = keras::ValidationData{xv, yv}, .seed = 5};

  std::shared_ptr<keras::SequentialModel> model;
  {
    auto scope = strategy.scope();
    model = make_model(100 + uint64_t(rank));  // different initial weights: rank 0's are broadcast
  }
  expect(model->replicas() && model->replicas()->num_replicas() == replicas, "the model is mirrored");
  keras::callbacks::History h = model->fit(x, y, fit);
  keras::Logs eval = model->evaluate(xv, yv, {.batch_size = 16, .verbose = 0});
  expect_replicas_equal(strategy, *model, "fit");

  // The reference: one process, no strategy, the same global batch and data order.
  auto ref = make_model(100);
  keras::callbacks::History h_ref = ref->fit(x, y, {.batch_size = 32, .epochs = 3, .verbose = 0,
                                                    .validation_data = keras::ValidationData{xv, yv}, .seed = 5});
  keras::Logs eval_ref = ref->evaluate(xv, yv, {.batch_size = 16, .verbose = 0});
  const std::vector<Tensor> w = model->get_weights(), w_ref = ref->get_weights();
  expect(w.size() == w_ref.size(), "weight count");
  double worst = 0;
  for (size_t i = 0; i < w.size() && i < w_ref.size(); ++i) worst = std::max(worst, max_abs_diff(w[i], w_ref[i]));
  expect(worst <= 2e-5, "weights differ from the single-process run by " + std::to_string(worst));
  for (const auto& [key, values] : h_ref.history) {
    auto it = h.history.find(key);
    expect(it != h.history.end() && it->second.size() == values.size(), "History has " + key);
    if (it == h.history.end()) continue;
    for (size_t e = 0; e < values.size() && e < it->second.size(); ++e)
      expect(std::abs(it->second[e] - values[e]) <= 1e-5 * std::max(1.0, std::abs(values[e])),
             "History[" + key + "][" + std::to_string(e) + "] = " + std::to_string(it->second[e]) +
                 ", single process " + std::to_string(values[e]));
  }
  expect(h.history.size() == h_ref.history.size(), "History keys");
  for (const auto& [key, value] : eval_ref)
    expect(eval.count(key) && std::abs(eval[key] - value) <= 1e-5 * std::max(1.0, std::abs(value)),
           "evaluate()[" + key + "]");

  // A Dataset of global batches (shuffled with a seed, 2 epochs): each replica reads the
  // whole pipeline and takes its rows of every batch, as one process reading it does.
  {
    auto pipeline = [&] { return keras::data::Dataset::from_tensor_slices({x, y}).shuffle(64, {.seed = 9}).batch(32); };
    std::shared_ptr<keras::SequentialModel> dm;
    {
      auto scope = strategy.scope();
      dm = make_model(400 + uint64_t(rank));
    }
    auto dref = make_model(400);
    keras::callbacks::History hd = dm->fit(pipeline(), {.epochs = 2, .verbose = 0});
    keras::callbacks::History hd_ref = dref->fit(pipeline(), {.epochs = 2, .verbose = 0});
    double dworst = 0;
    for (size_t i = 0; i < dm->get_weights().size(); ++i)
      dworst = std::max(dworst, max_abs_diff(dm->get_weights()[i], dref->get_weights()[i]));
    expect(dworst <= 2e-5, "Dataset fit: weights differ from the single-process run by " + std::to_string(dworst));
    for (const char* key : {"loss", "accuracy"})
      for (size_t e = 0; e < 2; ++e)
        expect(std::abs(hd.history[key][e] - hd_ref.history[key][e]) <= 1e-5,
               std::string("Dataset fit: History[") + key + "][" + std::to_string(e) + "]");
  }

  // A custom loop: strategy.run splits the global batch, the optimizer created under the
  // scope sums the gradients, strategy.reduce sums the replicas' losses.
  std::shared_ptr<keras::optimizers::Optimizer> opt;
  std::shared_ptr<keras::SequentialModel> custom;
  {
    auto scope = strategy.scope();
    opt = keras::optimizers::SGD({.learning_rate = 0.1});
    custom = make_model(300);
  }
  auto plain_opt = keras::optimizers::SGD({.learning_rate = 0.1});
  auto plain = make_model(300);
  keras::losses::SparseCategoricalCrossentropy loss_fn({.reduction = "sum"});
  const Tensor xb = ops::slice(x, {0, 0}, {64, 8}), yb = ops::slice(y, {0}, {64});
  auto step = [&](keras::Model& m, keras::optimizers::Optimizer& o, const std::vector<Tensor>& b) {
    keras::GradientTape tape;
    Tensor loss = ops::divide(loss_fn(b[1], m(b[0], true)), keras::constant(64.0f));  // global batch size
    auto vars = m.trainable_weights();
    o.apply_gradients(tape.gradient(loss, vars), vars);
    return loss;
  };
  dist::broadcast_variables(*strategy.cross_replica(), custom->weights(), 0);
  Tensor per_replica = strategy.run([&](const std::vector<Tensor>& b) { return step(*custom, *opt, b); }, {xb, yb});
  Tensor total = strategy.reduce(dist::ReduceOp::SUM, per_replica);
  Tensor plain_loss = step(*plain, *plain_opt, {xb, yb});
  expect(std::abs(total.item<double>() - plain_loss.item<double>()) <= 1e-5, "strategy.reduce(SUM) of the losses");
  double custom_worst = 0;
  for (size_t i = 0; i < custom->get_weights().size(); ++i)
    custom_worst = std::max(custom_worst, max_abs_diff(custom->get_weights()[i], plain->get_weights()[i]));
  expect(custom_worst <= 1e-5, "custom loop weights differ by " + std::to_string(custom_worst));
  Tensor mean_rank = strategy.reduce(dist::ReduceOp::MEAN, keras::constant(float(rank)));
  expect(std::abs(mean_rank.item<double>() - (replicas - 1) / 2.0) < 1e-6, "strategy.reduce(MEAN)");

  if (g_failures) return 1;
  if (rank == 0)
    std::printf("PASS equivalence: %d replicas, %lld-byte buckets, overlap %s: weights within %.2g of one process, "
                "History and evaluate equal (arrays and a Dataset); custom loop with run/reduce\n",
                replicas, (long long)options.bucket_bytes, strategy.cross_replica()->overlap() ? "on" : "off", worst);
  return 0;
}

// Each rank reads its auto_shard of a TextLineDataset pipeline; the per-line counts,
// summed over the ranks, must be exactly one everywhere.
int shard(const std::string& dir) {
  dist::MultiWorkerMirroredStrategy strategy;
  const int replicas = strategy.num_replicas_in_sync(), rank = strategy.rank();
  const int files = 5, lines_per_file = 7;
  std::vector<std::string> names;
  for (int f = 0; f < files; ++f) names.push_back(dir + "/part" + std::to_string(f) + ".txt");
  if (rank == 0)
    for (int f = 0; f < files; ++f) {
      std::ofstream out(names[size_t(f)]);
      for (int l = 0; l < lines_per_file; ++l) out << f * lines_per_file + l << "\n";
    }
  strategy.barrier();
  auto counts_of = [&](const keras::data::Dataset& ds, std::vector<std::string>* mine) {
    std::vector<double> counts(size_t(files * lines_per_file), 0.0);
    for (const keras::data::Element& e : ds)
      for (const std::string& line : e[0].to_vector<std::string>()) {
        counts[size_t(std::stoi(line))] += 1;
        if (mine) mine->push_back(line);
      }
    return strategy.reduce(dist::ReduceOp::SUM, keras::constant(counts, keras::Shape{int64_t(counts.size())}))
        .to_vector<double>();
  };
  auto pipeline = [](const std::vector<std::string>& f) { return keras::data::TextLineDataset(f).batch(3); };
  // FILE (AUTO with 5 files >= replicas): this rank's files, every line once over the ranks.
  const keras::data::Dataset by_file = strategy.shard_dataset(pipeline(names));
  std::vector<std::string> read;
  const std::vector<double> total = counts_of(by_file, &read);
  for (size_t i = 0; i < total.size(); ++i)
    expect(total[i] == 1.0, "FILE: line " + std::to_string(i) + " was read " + std::to_string(total[i]) + " times");
  for (const std::string& line : read)
    expect((std::stoi(line) / lines_per_file) % replicas == rank,
           "FILE: rank " + std::to_string(rank) + " read line " + line + " of another rank's file");
  expect(keras::data::source_files(by_file).size() == size_t((files - rank + replicas - 1) / replicas), "FILE: this rank's files");
  // DATA (AUTO with 1 file < replicas, when replicas > 1): every replicas-th batch.
  const keras::data::Dataset by_data = strategy.shard_dataset(pipeline({names[0]}));
  const std::vector<double> one = counts_of(by_data, nullptr);
  for (size_t i = 0; i < one.size(); ++i)
    expect(one[i] == (i < size_t(lines_per_file) ? 1.0 : 0.0), "DATA: line " + std::to_string(i) + " read " +
                                                                     std::to_string(one[i]) + " times");
  if (g_failures) return 1;
  if (rank == 0)
    std::printf("PASS shard: %d replicas read disjoint files of 5 (FILE) and disjoint batches of 1 file (DATA), "
                "together every line once\n", replicas);
  return 0;
}

int resume(const std::string& dir, const std::string& out, int kill_epoch, int kill_batch) {
  // 256-byte buckets: the gradients travel in 3 buckets, overlapped with the backward pass.
  dist::MultiWorkerMirroredStrategy strategy({.bucket_bytes = 256});
  const int rank = strategy.rank();
  auto [x, y] = make_data(2000, 21);
  std::shared_ptr<keras::SequentialModel> model;
  {
    auto scope = strategy.scope();
    model = make_model(7);
  }
  keras::callbacks::LambdaCallbackOptions killer;
  killer.on_train_begin = [&](const keras::Logs&) {  // after BackupAndRestore's restore
    if (rank == 0 && (model->fit_start.epoch > 0 || model->fit_start.step > 0))
      std::printf("resumed at epoch %d, batch %lld\n", model->fit_start.epoch, (long long)model->fit_start.step);
  };
  killer.on_train_batch_begin = [&](int64_t batch, const keras::Logs&) {
    if (rank == 1 && kill_epoch >= 0 && model->optimizer()->iterations() == kill_epoch * 32 + kill_batch) {
      std::fprintf(stderr, "dist_check: rank 1 kills itself (SIGKILL) at epoch %d, batch %lld\n", kill_epoch,
                   (long long)batch);
      std::raise(SIGKILL);
    }
  };
  model->fit(x, y, {.batch_size = 64, .epochs = 6, .verbose = 0,
                    .callbacks = {keras::callbacks::BackupAndRestore(dir, {.save_freq = 10}),
                                  keras::callbacks::LambdaCallback(killer)},
                    .seed = 3});
  if (rank == 0) {
    std::ofstream f(out, std::ios::binary);
    for (const Tensor& w : model->get_weights()) f.write(static_cast<const char*>(w.raw_data()), std::streamsize(w.nbytes()));
    std::printf("PASS resume: wrote the final weights to %s\n", out.c_str());
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "";
  try {
    if (mode == "equivalence")  // [BUCKET_BYTES [OVERLAP 0|1]]
      return equivalence({.bucket_bytes = argc > 2 ? std::atoll(argv[2]) : dist::StrategyOptions{}.bucket_bytes,
                          .overlap = argc > 3 ? std::atoi(argv[3]) != 0 : true});
    if (mode == "resume" && argc >= 4)
      return resume(argv[2], argv[3], argc > 5 ? std::atoi(argv[4]) : -1, argc > 5 ? std::atoi(argv[5]) : 0);
    if (mode == "shard" && argc >= 3) return shard(argv[2]);
    if (mode == "fileshard" && argc >= 3) return fileshard(argv[2]);
    if (mode == "distribution") return distribution_api();
    if (mode == "nccl") {
      const int gpus = dist::cuda_device_count();
      if (!dist::nccl_available() || gpus < 2) {
        std::printf("SKIPPED nccl: needs a CUDA build and 2 GPUs (CUDA build: %s, GPUs: %d)\n",
                    dist::nccl_available() ? "yes" : "no", gpus);
        return 77;
      }
      return equivalence({.communication = dist::CommunicationImplementation::NCCL});
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "dist_check %s: %s\n", mode.c_str(), e.what());
    return 1;
  }
  std::fprintf(stderr,
               "usage: dist_check equivalence [BUCKET_BYTES [OVERLAP 0|1]] | resume DIR OUT [KILL_EPOCH KILL_BATCH] | "
               "shard DIR | fileshard DIR | distribution | nccl\n");
  return 2;
}
