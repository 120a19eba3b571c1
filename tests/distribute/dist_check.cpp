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
//   dist_check fileshard DIR        fit / evaluate on 3 uneven files, sharded by FILE (AUTO): both
//                                   ranks run the longer shard's steps, every line once an epoch,
//                                   History equal, weights as one process on the same global steps
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

#include <keras/keras.h>
#include <keras/distribute/strategy.h>

namespace {
namespace ops = keras::ops;
namespace dist = keras::distribute;
using keras::Tensor;

int g_failures = 0;
void expect(bool ok, const std::string& what) {
  if (!ok) {
    std::fprintf(stderr, "FAIL: %s\n", what.c_str());
    ++g_failures;
  }
}

// Seeded data: n samples of 8 features, 3 classes.
std::pair<Tensor, Tensor> make_data(int64_t n, uint64_t seed) {
  ops::set_random_seed(seed);
  Tensor x = ops::random_normal({n, 8});
  Tensor y = ops::cast(ops::random_uniform({n}, {.minval = 0, .maxval = 3}), keras::DType::int32);
  return {x, y};
}

std::shared_ptr<keras::SequentialModel> make_model(uint64_t seed) {
  ops::set_random_seed(seed);
  auto m = keras::Sequential({keras::layers::Dense(16, {.activation = "relu", .input_shape = {8}}),
                              keras::layers::Dense(3, {.activation = "softmax"})});
  m->compile({.optimizer = keras::optimizers::Adam({.learning_rate = 0.01}),
              .loss = "sparse_categorical_crossentropy",
              .metrics = {"accuracy"}});
  return m;
}

double max_abs_diff(const Tensor& a, const Tensor& b) {
  return ops::max(ops::abs(ops::subtract(ops::cast(a, keras::DType::float64), ops::cast(b, keras::DType::float64))))
      .item<double>();
}

// Every replica holds the same weights: their mean over the replicas equals each one.
void expect_replicas_equal(const dist::MultiWorkerMirroredStrategy& s, keras::Model& m, const std::string& what) {
  for (const Tensor& w : m.get_weights()) {
    Tensor mean = s.reduce(dist::ReduceOp::MEAN, w);
    expect(max_abs_diff(mean, w) == 0.0, what + ": replicas hold different weights");
  }
}

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

// fit and evaluate on a TextLineDataset of 3 uneven files: AUTO shards it by FILE (rank 0
// reads files 0 and 2, 57 lines; rank 1 file 1, 11 lines), each rank cuts its batches of
// 8 into 2 steps, and the ranks agree on the end of the pass each step: both run the
// longer shard's 15 steps (rank 1 joins with no rows once it ran out), every line is read
// exactly once an epoch by the rank owning its file, History is the same on both ranks,
// the weights equal one process training on the same global steps (rank 0's part and rank
// 1's part of each), and evaluate's metrics equal one process's over the whole dataset.
int fileshard(const std::string& dir) {
  // 256-byte buckets overlapped with the backward pass: the traced step's all-reduces on
  // the communication thread meet rank 1's eager zero-gradient steps once it ran out.
  dist::MultiWorkerMirroredStrategy strategy({.bucket_bytes = 256});
  const int replicas = strategy.num_replicas_in_sync(), rank = strategy.rank();
  if (replicas != 2) throw std::runtime_error("fileshard: run with 2 ranks");
  const std::vector<int> lines = {37, 11, 20};
  std::vector<std::string> names;
  int total_lines = 0;
  for (size_t f = 0; f < lines.size(); ++f) names.push_back(dir + "/lines" + std::to_string(f) + ".txt");
  if (rank == 0)
    for (size_t f = 0; f < lines.size(); ++f) {
      std::ofstream out(names[f]);
      for (int l = 0; l < lines[f]; ++l) out << total_lines + l << "\n";
      total_lines += lines[f];
    }
  total_lines = 37 + 11 + 20;
  strategy.barrier();
  auto owner = [&](int line) { return line < 37 ? 0 : line < 48 ? 1 : 0; };  // files 0, 2 -> rank 0; file 1 -> rank 1
  std::vector<double> reads(size_t(total_lines), 0.0);  // lines this rank parsed (fit's passes)
  bool counting = false;  // in fit's training passes (not its validation)
  auto parse = [&](const Tensor& line, bool count) {
    const int id = std::stoi(line.to_vector<std::string>()[0]);
    if (count && counting) reads[size_t(id)] += 1;
    std::vector<float> x(8);
    for (size_t k = 0; k < 8; ++k) x[k] = float(std::sin(0.37 * double(id) * double(k + 1)));
    return std::vector<Tensor>{keras::constant(x, keras::Shape{8}), keras::constant(int32_t(id % 3))};
  };
  auto pipeline = [&](const std::vector<std::string>& files, bool count = false) {
    return keras::data::TextLineDataset(files).map([&parse, count](const Tensor& t) { return parse(t, count); }).batch(8);
  };

  std::shared_ptr<keras::SequentialModel> model;
  {
    auto scope = strategy.scope();
    model = make_model(500 + uint64_t(rank));  // rank 0's weights are broadcast
  }
  const int epochs = 3;
  std::vector<int64_t> steps(epochs, 0);
  std::vector<std::vector<double>> per_epoch;
  keras::callbacks::LambdaCallbackOptions watch;
  watch.on_epoch_begin = [&](int, const keras::Logs&) { std::fill(reads.begin(), reads.end(), 0.0); counting = true; };
  watch.on_train_batch_end = [&](int64_t, const keras::Logs&) { ++steps[size_t(per_epoch.size())]; };
  watch.on_epoch_end = [&](int, const keras::Logs&) { per_epoch.push_back(reads); counting = false; };
  const std::string bar_file = dir + "/progbar" + std::to_string(rank) + ".txt";
  std::FILE* bar = std::fopen(bar_file.c_str(), "w");
  if (!bar) throw std::runtime_error("fileshard: cannot write " + bar_file);
  std::vector<keras::callbacks::CallbackArg> cbs = {keras::callbacks::LambdaCallback(watch)};
  if (rank == 0) cbs.push_back(std::make_shared<keras::callbacks::ProgbarLogger>(2, bar));
  keras::callbacks::History h =
      model->fit(pipeline(names, true), {.epochs = epochs, .verbose = 0, .callbacks = cbs,
                                         .validation_data = keras::ValidationData(pipeline(names))});
  std::fclose(bar);
  const keras::Logs eval = model->evaluate(pipeline(names), {.verbose = 0});
  expect_replicas_equal(strategy, *model, "fileshard fit");

  // The steps: 15 every epoch on both ranks (rank 0: 7 batches of 8 and one of 1 -> 15 parts).
  for (int e = 0; e < epochs; ++e)
    expect(steps[size_t(e)] == 15, "fileshard: rank " + std::to_string(rank) + " ran " + std::to_string(steps[size_t(e)]) +
                                       " steps in epoch " + std::to_string(e + 1) + ", expected 15");
  // Every line once an epoch, read by the rank that owns its file.
  expect(per_epoch.size() == size_t(epochs), "fileshard: epochs seen");
  for (size_t e = 0; e < per_epoch.size(); ++e) {
    for (int i = 0; i < total_lines; ++i)
      if (per_epoch[e][size_t(i)] != 0 && owner(i) != rank)
        expect(false, "fileshard: rank " + std::to_string(rank) + " read line " + std::to_string(i) + " of another rank's file");
    const std::vector<double> sum =
        strategy.reduce(dist::ReduceOp::SUM, keras::constant(per_epoch[e], keras::Shape{int64_t(total_lines)})).to_vector<double>();
    for (int i = 0; i < total_lines; ++i)
      expect(sum[size_t(i)] == 1.0, "fileshard: epoch " + std::to_string(e + 1) + " read line " + std::to_string(i) + " " +
                                        std::to_string(sum[size_t(i)]) + " times over the ranks");
  }
  // History: the same on both ranks (rank 0's, broadcast by a mean, equals each).
  for (const auto& [key, values] : h.history) {
    const Tensor mine = keras::constant(values, keras::Shape{int64_t(values.size())});
    expect(max_abs_diff(strategy.reduce(dist::ReduceOp::MEAN, mine), mine) == 0.0, "fileshard: History[" + key + "] differs between the ranks");
  }
  expect(h.history.count("val_loss") && h.history.count("val_accuracy"), "fileshard: History has the validation's keys");

  // One process on the same global steps: step s is rank 0's part s and rank 1's part s.
  auto parts_of = [&](const std::vector<std::string>& files) {
    std::vector<std::pair<Tensor, Tensor>> parts;
    for (const keras::data::Element& e : pipeline(files)) {
      const int64_t n = e[0].shape()[0];
      for (int j = 0; j < 2; ++j) {
        const dist::RowRange r = dist::replica_rows(n, j, 2);
        if (r.end > r.begin)
          parts.push_back({ops::slice(e[0], {r.begin, 0}, {r.end - r.begin, 8}), ops::slice(e[1], {r.begin}, {r.end - r.begin})});
      }
    }
    return parts;
  };
  const auto p0 = parts_of({names[0], names[2]}), p1 = parts_of({names[1]});
  expect(p0.size() == 15 && p1.size() == 4, "fileshard: the ranks' parts");
  auto ref = make_model(500);
  for (int e = 0; e < epochs; ++e)
    for (size_t s = 0; s < p0.size(); ++s) {
      Tensor xs = p0[s].first, ys = p0[s].second;
      if (s < p1.size()) {
        xs = ops::concat({xs, p1[s].first}, 0);
        ys = ops::concat({ys, p1[s].second}, 0);
      }
      ref->train_on_batch({xs}, {ys});
    }
  double worst = 0;
  for (size_t i = 0; i < model->get_weights().size(); ++i)
    worst = std::max(worst, max_abs_diff(model->get_weights()[i], ref->get_weights()[i]));
  expect(worst <= 2e-5, "fileshard: weights differ from one process on the same global steps by " + std::to_string(worst));
  // evaluate: the metrics summed over the ranks are those of the whole dataset.
  auto plain = make_model(500);
  plain->set_weights(model->get_weights());
  const keras::Logs eval_ref = plain->evaluate(pipeline(names), {.verbose = 0});
  for (const auto& [key, value] : eval_ref)
    expect(eval.count(key) && std::abs(eval.at(key) - value) <= 1e-5 * std::max(1.0, std::abs(value)),
           "fileshard: evaluate()[" + key + "] = " + std::to_string(eval.count(key) ? eval.at(key) : -1.0) +
               ", one process " + std::to_string(value));
  // The chief's progress bar: the 15 steps, learnt in the first epoch.
  if (rank == 0) {
    std::ifstream in(bar_file);
    int full = 0;
    for (std::string l; std::getline(in, l);) full += l.rfind("15/15 - ", 0) == 0;
    expect(full == epochs, "fileshard: the progress bar shows 15/15 on " + std::to_string(full) + " of " +
                               std::to_string(epochs) + " epochs");
  }
  if (g_failures) return 1;
  if (rank == 0)
    std::printf("PASS fileshard: 3 uneven files sharded by FILE (57 and 11 lines): both ranks ran 15 steps an epoch, "
                "every line once an epoch, History equal, weights within %.2g of one process on the same global "
                "steps, evaluate exact, progress bar 15/15\n", worst);
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
  std::fprintf(stderr, "usage: dist_check equivalence [BUCKET_BYTES [OVERLAP 0|1]] | resume DIR OUT [KILL_EPOCH KILL_BATCH] | shard DIR | fileshard DIR | nccl\n");
  return 2;
}
