// dist_fileshard.cpp - dist_check fileshard: fit() and evaluate() under a strategy on a
// file source sharded by FILE, with uneven shards.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "dist_common.h"

namespace dist_check {

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
    return keras::data::TextLineDataset(files)
        .map([&parse, count](const Tensor& t) { return parse(t, count); })
        .batch(8);
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
  watch.on_epoch_begin = [&](int, const keras::Logs&) {
    std::fill(reads.begin(), reads.end(), 0.0);
    counting = true;
  };
  watch.on_train_batch_end = [&](int64_t, const keras::Logs&) { ++steps[size_t(per_epoch.size())]; };
  watch.on_epoch_end = [&](int, const keras::Logs&) {
    per_epoch.push_back(reads);
    counting = false;
  };
  const std::string bar_file = dir + "/progbar" + std::to_string(rank) + ".txt";
  std::FILE* bar = std::fopen(bar_file.c_str(), "w");
  if (!bar) throw std::runtime_error("fileshard: cannot write " + bar_file);
  std::vector<keras::callbacks::CallbackArg> cbs = {keras::callbacks::LambdaCallback(watch)};
  if (rank == 0) cbs.push_back(std::make_shared<keras::callbacks::ProgbarLogger>(2, bar));
  keras::callbacks::History h = model->fit(
      pipeline(names, true),
      {.epochs = epochs, .verbose = 0, .callbacks = cbs, .validation_data = keras::ValidationData(pipeline(names))});
  std::fclose(bar);
  const keras::Logs eval = model->evaluate(pipeline(names), {.verbose = 0});
  expect_replicas_equal(strategy, *model, "fileshard fit");

  // The steps: 15 every epoch on both ranks (rank 0: 7 batches of 8 and one of 1 -> 15 parts).
  for (int e = 0; e < epochs; ++e)
    expect(steps[size_t(e)] == 15, "fileshard: rank " + std::to_string(rank) + " ran " +
                                       std::to_string(steps[size_t(e)]) + " steps in epoch " + std::to_string(e + 1) +
                                       ", expected 15");
  // Every line once an epoch, read by the rank that owns its file.
  expect(per_epoch.size() == size_t(epochs), "fileshard: epochs seen");
  for (size_t e = 0; e < per_epoch.size(); ++e) {
    for (int i = 0; i < total_lines; ++i)
      if (per_epoch[e][size_t(i)] != 0 && owner(i) != rank)
        expect(false, "fileshard: rank " + std::to_string(rank) + " read line " + std::to_string(i) +
                          " of another rank's file");
    const std::vector<double> sum =
        strategy.reduce(dist::ReduceOp::SUM, keras::constant(per_epoch[e], keras::Shape{int64_t(total_lines)}))
            .to_vector<double>();
    for (int i = 0; i < total_lines; ++i)
      expect(sum[size_t(i)] == 1.0, "fileshard: epoch " + std::to_string(e + 1) + " read line " + std::to_string(i) +
                                        " " + std::to_string(sum[size_t(i)]) + " times over the ranks");
  }
  // History: the same on both ranks (rank 0's, broadcast by a mean, equals each).
  for (const auto& [key, values] : h.history) {
    const Tensor mine = keras::constant(values, keras::Shape{int64_t(values.size())});
    expect(max_abs_diff(strategy.reduce(dist::ReduceOp::MEAN, mine), mine) == 0.0,
           "fileshard: History[" + key + "] differs between the ranks");
  }
  expect(h.history.count("val_loss") && h.history.count("val_accuracy"),
         "fileshard: History has the validation's keys");

  // One process on the same global steps: step s is rank 0's part s and rank 1's part s.
  auto parts_of = [&](const std::vector<std::string>& files) {
    std::vector<std::pair<Tensor, Tensor>> parts;
    for (const keras::data::Element& e : pipeline(files)) {
      const int64_t n = e[0].shape()[0];
      for (int j = 0; j < 2; ++j) {
        const dist::RowRange r = dist::replica_rows(n, j, 2);
        if (r.end > r.begin)
          parts.push_back(
              {ops::slice(e[0], {r.begin, 0}, {r.end - r.begin, 8}), ops::slice(e[1], {r.begin}, {r.end - r.begin})});
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
  expect(worst <= 2e-5,
         "fileshard: weights differ from one process on the same global steps by " + std::to_string(worst));
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

  // An empty shard: rank 1's only file has no line. It joins every step with no rows (10:
  // rank 0's 37 lines in batches of 8, 5 and the 5 cut in 2) and evaluate still equals one
  // process's. When every shard is empty, fit raises on both ranks instead of hanging.
  const std::string empty0 = dir + "/empty0.txt", empty1 = dir + "/empty1.txt";
  if (rank == 0) {
    std::ofstream a(empty0), b(empty1);
  }
  strategy.barrier();
  int64_t empty_steps = 0;
  keras::callbacks::LambdaCallbackOptions count;
  count.on_train_batch_end = [&](int64_t, const keras::Logs&) { ++empty_steps; };
  model->fit(pipeline({names[0], empty1}),
             {.epochs = 1, .verbose = 0, .callbacks = {keras::callbacks::LambdaCallback(count)}});
  expect(empty_steps == 10, "fileshard: with an empty shard rank " + std::to_string(rank) + " ran " +
                                std::to_string(empty_steps) + " steps, expected 10");
  expect_replicas_equal(strategy, *model, "fileshard with an empty shard");
  const keras::Logs eval_empty = model->evaluate(pipeline({names[0], empty1}), {.verbose = 0});
  plain->set_weights(model->get_weights());
  const keras::Logs eval_empty_ref = plain->evaluate(pipeline({names[0]}), {.verbose = 0});
  for (const auto& [key, value] : eval_empty_ref)
    expect(eval_empty.count(key) && std::abs(eval_empty.at(key) - value) <= 1e-5 * std::max(1.0, std::abs(value)),
           "fileshard: evaluate()[" + key + "] with an empty shard");
  std::string error;
  try {
    model->fit(pipeline({empty0, empty1}), {.epochs = 1, .verbose = 0});
  } catch (const std::invalid_argument& e) {
    error = e.what();
  }
  expect(error.find("the dataset is empty") != std::string::npos,
         "fileshard: fit on empty shards everywhere: expected \"the dataset is empty\", got \"" + error + "\"");

  if (g_failures) return 1;
  if (rank == 0)
    std::printf(
        "PASS fileshard: 3 uneven files sharded by FILE (57 and 11 lines): both ranks ran 15 steps an epoch, "
        "every line once an epoch, History equal, weights within %.2g of one process on the same global "
        "steps, evaluate exact, progress bar 15/15; an empty shard joins with no rows, all empty raises\n",
        worst);
  return 0;
}

}  // namespace dist_check
