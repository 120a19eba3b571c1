// test_cross_replica.cpp - the trainer's distribution hooks (keras/distribute/
// cross_replica.h) in one process, with simulated replicas: every "other" replica holds
// the same values as this one, so a sum over R replicas is R times the value. The real
// multi-process checks run under mpirun (tests/distribute/run.sh).
#include <algorithm>
#include <atomic>
#include <cstdio>
#include <thread>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

#include "keras/callbacks.h"
#include "keras/data/shard.h"
#include "keras/data/text_line_dataset.h"
#include "keras/keras.h"
#include "files.h"
#include "reference.h"

using namespace th;
namespace dist = keras::distribute;
namespace layers = keras::layers;

namespace {
class SimulatedReplicas : public dist::CrossReplica {
 public:
  SimulatedReplicas(int n, int id, int64_t bucket_bytes, bool overlap = false)
      : n_(n), id_(id), bucket_(bucket_bytes), overlap_(overlap) {}
  ~SimulatedReplicas() override { stop_comm_thread(); }
  int num_replicas() const override { return n_; }
  int replica_id() const override { return id_; }
  int64_t bucket_bytes() const override { return bucket_; }
  bool overlap() const override { return overlap_; }
  void all_reduce_sum(float* d, int64_t n) override {
    record();
    float_calls.push_back(n);
    for (int64_t i = 0; i < n; ++i) d[i] *= float(n_);
  }
  void all_reduce_sum(double* d, int64_t n) override {
    record();
    double_calls.push_back(n);
    for (int64_t i = 0; i < n; ++i) d[i] *= double(n_);
  }
  void broadcast(void*, int64_t, int) override { ++broadcasts; }
  std::vector<int64_t> float_calls, double_calls;
  std::vector<std::thread::id> threads;  // the thread of each all-reduce
  int broadcasts = 0;
  std::atomic<bool> fail{false};  // all-reduces raise (a lost replica)

 private:
  void record() {
    threads.push_back(std::this_thread::get_id());
    if (fail) throw std::runtime_error("simulated: rank 1 is gone");
  }
  int n_, id_;
  int64_t bucket_;
  bool overlap_;
};
}  // namespace

TEST_CASE("distribute: replica_rows splits a global batch into contiguous slices, the first ones one row larger") {
  auto rows = [](int64_t n, int id, int r) {
    dist::RowRange x = dist::replica_rows(n, id, r);
    return std::pair{x.begin, x.end};
  };
  CHECK(rows(10, 0, 2) == std::pair<int64_t, int64_t>{0, 5});
  CHECK(rows(10, 1, 2) == std::pair<int64_t, int64_t>{5, 10});
  CHECK(rows(11, 0, 2) == std::pair<int64_t, int64_t>{0, 6});
  CHECK(rows(11, 1, 2) == std::pair<int64_t, int64_t>{6, 11});
  CHECK(rows(1, 1, 2) == std::pair<int64_t, int64_t>{1, 1});  // no rows for the last replica
  CHECK(rows(7, 0, 3) == std::pair<int64_t, int64_t>{0, 3});
  CHECK(rows(7, 1, 3) == std::pair<int64_t, int64_t>{3, 5});
  CHECK(rows(7, 2, 3) == std::pair<int64_t, int64_t>{5, 7});
}

TEST_CASE("distribute: all_reduce packs tensors into buckets of bucket_bytes, per dtype, eagerly and traced") {
  auto rp = std::make_shared<SimulatedReplicas>(3, 0, 12);  // 3 floats or 1 double (and a half) per bucket
  SimulatedReplicas& r = *rp;
  const Tensor a = make(uniform(2, -1, 1, 1), Shape{2}), b = make(uniform(5, -1, 1, 2), Shape{5, 1});
  const Tensor c = make(uniform(3, -1, 1, 3), Shape{3}, keras::DType::float64);
  std::vector<Tensor> sum = dist::all_reduce(rp, {a, b, c}, dist::ReduceOp::SUM);
  // Last tensor first: c alone (float64), b alone (5 floats, in pieces of 3), then a.
  CHECK(r.float_calls == std::vector<int64_t>{3, 2, 2});
  CHECK(r.double_calls == std::vector<int64_t>{1, 1, 1});
  REQUIRE(sum.size() == 3);
  CHECK(sum[1].shape() == Shape{5, 1});
  CHECK(sum[2].dtype() == keras::DType::float64);
  check_values(sum[0], values(ops::multiply(a, keras::constant(3.0f))), 0);
  check_values(sum[1], values(ops::multiply(b, keras::constant(3.0f))), 0);
  check_values(sum[2], values(ops::multiply(c, keras::constant(3.0, keras::DType::float64))), 0);
  std::vector<Tensor> mean = dist::all_reduce(rp, {a, b, c}, dist::ReduceOp::MEAN);
  check_values(mean[1], values(b), 1e-7);
  check_values(mean[2], values(c), 1e-15);
  // In a traced function: host nodes that reduce at every call.
  r.float_calls.clear();
  auto f = keras::function([rp](const Tensor& x) { return dist::all_reduce(rp, {ops::multiply(x, x)}, dist::ReduceOp::SUM)[0]; });
  check_values(f(a), values(ops::multiply(ops::multiply(a, a), keras::constant(3.0f))), 1e-7);
  check_values(f(a), values(ops::multiply(ops::multiply(a, a), keras::constant(3.0f))), 1e-7);
  CHECK(r.float_calls.size() >= 2);
  CHECK_THROWS_WITH_AS(dist::all_reduce(rp, {keras::constant({1, 2})}, dist::ReduceOp::SUM),
                       doctest::Contains("expected float32 or float64 tensors, but value 0 has dtype int32"),
                       std::invalid_argument);
  CHECK_THROWS_AS(dist::all_reduce(nullptr, {a}, dist::ReduceOp::SUM), std::invalid_argument);
}

TEST_CASE("distribute: models and optimizers created under a ReplicaScope are mirrored; scopes nest") {
  auto outer = std::make_shared<SimulatedReplicas>(2, 0, 1 << 20);
  auto inner = std::make_shared<SimulatedReplicas>(4, 1, 1 << 20);
  CHECK(dist::current() == nullptr);
  keras::Ref<keras::SequentialModel> m;
  std::shared_ptr<keras::optimizers::Optimizer> opt;
  {
    dist::ReplicaScope s(outer);
    CHECK(dist::current() == outer);
    {
      dist::ReplicaScope s2(inner);
      CHECK(dist::current() == inner);
    }
    CHECK(dist::current() == outer);
    m = keras::Sequential({layers::Dense(2, {.input_shape = {3}})});
    opt = keras::optimizers::SGD();
  }
  CHECK(dist::current() == nullptr);
  CHECK(m->replicas() == outer);
  CHECK(opt->replicas() == outer);
  auto plain = keras::Sequential({layers::Dense(2, {.input_shape = {3}})});
  plain->compile({.optimizer = "sgd", .loss = "mse"});
  CHECK(plain->replicas() == nullptr);
  CHECK(plain->optimizer()->replicas() == nullptr);
  // compile() hands the model's replicas to an optimizer created outside the scope.
  m->compile({.optimizer = "sgd", .loss = "mse"});
  CHECK(m->optimizer()->replicas() == outer);
}

TEST_CASE("distribute: fit with simulated replicas equals one process on the whole batch (loss scale, gradient sum, "
          "summed metric state); only the chief writes logs") {
  // The global batch is two copies of the same rows: replica 0 takes the first copy, its
  // loss is scaled by 1/2 and the simulated sum doubles its gradient, which is the whole
  // batch's gradient; the metrics' summed state reads the whole batch's values.
  const int64_t half = 6;
  Tensor xh = make(uniform(half * 3, -1, 1, 31), Shape{half, 3}), yh = make(uniform(half * 2, -1, 1, 32), Shape{half, 2});
  Tensor x = ops::concat({xh, xh}, 0), y = ops::concat({yh, yh}, 0);
  auto build = [](const std::shared_ptr<dist::CrossReplica>& r) {
    std::optional<dist::ReplicaScope> scope;
    if (r) scope.emplace(r);
    keras::ops::set_random_seed(4);
    auto m = keras::Sequential({layers::Dense(4, {.activation = "tanh", .input_shape = {3}}), layers::Dense(2)});
    m->compile({.optimizer = keras::optimizers::Adam({.learning_rate = 0.05}), .loss = "mse", .metrics = {"mae"}});
    return m;
  };
  const std::string csv = (std::filesystem::temp_directory_path() / "keras_cpp_cross_replica_log.csv").string();
  for (int id : {0, 1}) {
    std::filesystem::remove(csv);
    auto replicas = std::make_shared<SimulatedReplicas>(2, id, 16);
    auto m = build(replicas);
    auto ref = build(nullptr);
    keras::callbacks::History h = m->fit(x, y, {.batch_size = 2 * half, .epochs = 3, .verbose = 0,
                                                .callbacks = {keras::callbacks::CSVLogger(csv)}, .shuffle = false});
    keras::callbacks::History h_ref = ref->fit(x, y, {.batch_size = 2 * half, .epochs = 3, .verbose = 0, .shuffle = false});
    CHECK(replicas->broadcasts > 0);  // replica 0's weights (and the shuffle seed) are broadcast
    if (id == 0) {
      // Replica 0's rows are the first copy: exactly the whole batch's statistics.
      for (const char* key : {"loss", "mae"})
        for (size_t e = 0; e < 3; ++e) CHECK(h.history[key][e] == doctest::Approx(h_ref.history[key][e]).epsilon(1e-5));
      const auto w = m->get_weights(), w_ref = ref->get_weights();
      for (size_t i = 0; i < w.size(); ++i) check_values(w[i], values(w_ref[i]), 1e-5);
    }
    CHECK(std::filesystem::exists(csv) == (id == 0));  // the chief alone writes the CSV log
  }
  std::filesystem::remove(csv);
}

TEST_CASE("distribute: with overlap, a traced train step starts each bucket's all-reduce on the communication thread "
          "as soon as the backward pass made it, and equals the step without overlap") {
  Tensor x = make(uniform(16 * 4, -1, 1, 41), Shape{16, 4}), y = make(uniform(16 * 2, -1, 1, 42), Shape{16, 2});
  auto build = [](const std::shared_ptr<dist::CrossReplica>& r) {
    dist::ReplicaScope scope(r);
    keras::ops::set_random_seed(6);
    auto m = keras::Sequential({layers::Dense(8, {.activation = "tanh", .input_shape = {4}}),
                                layers::Dense(6, {.activation = "tanh"}), layers::Dense(2)});
    m->compile({.optimizer = keras::optimizers::Adam({.learning_rate = 0.05}), .loss = "mse"});
    return m;
  };
  // 64-byte buckets (16 floats), last variable first: {dense_2's 2 + 12}, {dense_1's bias 6},
  // {dense_1's kernel 48, in 3 pieces}, {dense's bias 8}, {dense's kernel 32, in 2 pieces}.
  auto overlapped = std::make_shared<SimulatedReplicas>(2, 0, 64, true);
  auto in_turn = std::make_shared<SimulatedReplicas>(2, 0, 64, false);
  auto m = build(overlapped), ref = build(in_turn);
  const keras::FitOptions fit{.batch_size = 16, .epochs = 3, .verbose = 0, .shuffle = false};
  keras::callbacks::History h = m->fit(x, y, fit), h_ref = ref->fit(x, y, fit);
  CHECK(overlapped->float_calls == in_turn->float_calls);
  CHECK(overlapped->float_calls.size() == 3 * 8);  // 8 per step (the metrics are summed as float64)
  const auto w = m->get_weights(), w_ref = ref->get_weights();
  for (size_t i = 0; i < w.size(); ++i) check_values(w[i], values(w_ref[i]), 0);  // bit for bit
  for (size_t e = 0; e < 3; ++e) CHECK(h.history["loss"][e] == h_ref.history["loss"][e]);
  // The gradient all-reduces ran on one thread, not this one (which ran the metrics').
  std::vector<std::thread::id> gradient_threads;
  for (std::thread::id t : overlapped->threads)
    if (t != std::this_thread::get_id()) gradient_threads.push_back(t);
  CHECK(gradient_threads.size() == 3 * 8);
  CHECK(std::all_of(gradient_threads.begin(), gradient_threads.end(), [&](auto t) { return t == gradient_threads[0]; }));
  for (std::thread::id t : in_turn->threads) CHECK(t == std::this_thread::get_id());
  // In the graph, the first bucket's start runs before the backward pass's last matmul
  // (dense's kernel gradient); the waits come after it.
  const auto& nodes = m->train_function()->graph_nodes();
  int first_host = -1, last_host = -1, last_matmul = -1;
  for (size_t i = 0; i < nodes.size(); ++i) {
    if (nodes[i].op == "host_function") {
      if (first_host < 0) first_host = int(i);
      last_host = int(i);
    }
    if (nodes[i].op.find("matmul") != std::string::npos) last_matmul = int(i);
  }
  REQUIRE(first_host >= 0);
  CHECK(first_host < last_matmul);
  CHECK(last_host > last_matmul);

  // A failed all-reduce on the communication thread raises at the step's wait.
  overlapped->fail = true;
  CHECK_THROWS_WITH_AS(m->train_on_batch({x}, {y}), doctest::Contains("simulated: rank 1 is gone"), std::runtime_error);
  overlapped->fail = false;
  CHECK_NOTHROW(m->train_on_batch({x}, {y}));  // the next step starts afresh
}

TEST_CASE("distribute: fit and evaluate on a Dataset whose source has files read this replica's files (AUTO: FILE), "
          "each batch cut into per-replica steps, with one all-reduce of the rows per step") {
  th::TempDir dir;
  // Lines "x0 x1 x2 y0 y1"; 4 files: replica 0 of 2 reads files 0 and 2 (10 + 6 lines).
  const std::vector<int> lines = {10, 7, 6, 3};
  std::vector<std::string> files;
  int64_t id = 0;
  for (size_t f = 0; f < lines.size(); ++f) {
    files.push_back(dir.file("part" + std::to_string(f) + ".txt"));
    std::ofstream out(files.back());
    for (int l = 0; l < lines[f]; ++l, ++id)
      out << std::sin(id * 0.7) << " " << std::cos(id * 1.3) << " " << (id % 5) * 0.2 << " " << std::sin(id * 0.3)
          << " " << (id % 3) - 1.0 << "\n";
  }
  auto parse = [](const Tensor& line) {
    std::istringstream in(line.to_vector<std::string>()[0]);
    std::vector<float> v(5);
    for (float& x : v) in >> x;
    return std::vector<Tensor>{keras::constant(std::vector<float>(v.begin(), v.begin() + 3), Shape{3}),
                               keras::constant(std::vector<float>(v.begin() + 3, v.end()), Shape{2})};
  };
  auto pipeline = [&](const std::vector<std::string>& names, int64_t batch) {
    return keras::data::TextLineDataset(names).map(parse).batch(batch);
  };
  auto build = [](const std::shared_ptr<dist::CrossReplica>& r) {
    std::optional<dist::ReplicaScope> scope;
    if (r) scope.emplace(r);
    keras::ops::set_random_seed(8);
    auto m = keras::Sequential({layers::Dense(4, {.activation = "tanh", .input_shape = {3}}), layers::Dense(2)});
    m->compile({.optimizer = keras::optimizers::Adam({.learning_rate = 0.05}), .loss = "mse", .metrics = {"mae"}});
    return m;
  };
  auto replicas = std::make_shared<SimulatedReplicas>(2, 0, 1 << 20);
  auto m = build(replicas);
  CHECK(keras::data::applied_shard_policy(pipeline(files, 8), 2) == keras::data::AutoShardPolicy::FILE);
  int64_t steps = 0;
  keras::callbacks::LambdaCallbackOptions count;
  count.on_train_batch_end = [&](int64_t, const keras::Logs&) { ++steps; };
  replicas->double_calls.clear();
  keras::callbacks::History h =
      m->fit(pipeline(files, 8), {.epochs = 2, .verbose = 0, .callbacks = {keras::callbacks::LambdaCallback(count)}});
  // Replica 0's 16 lines in batches of 8, each cut into 2 steps of 4 rows: 4 steps an epoch.
  CHECK(steps == 8);
  // Every "other" replica holds the same rows (the simulated sum doubles them): the loss
  // scale is 4 / 8, the summed gradient that of replica 0's 4 rows. So it trains as one
  // process on replica 0's files in batches of 4.
  auto ref = build(nullptr);
  keras::callbacks::History h_ref = ref->fit(pipeline({files[0], files[2]}, 4), {.epochs = 2, .verbose = 0});
  for (const char* key : {"loss", "mae"})
    for (size_t e = 0; e < 2; ++e) CHECK(h.history[key][e] == doctest::Approx(h_ref.history[key][e]).epsilon(1e-5));
  const auto w = m->get_weights(), w_ref = ref->get_weights();
  for (size_t i = 0; i < w.size(); ++i) check_values(w[i], values(w_ref[i]), 1e-5);
  // One 1-double all-reduce (the step's rows) before each step and one that ends each pass
  // (and fit's agreement on reading the metrics after each batch).
  CHECK(std::count(replicas->double_calls.begin(), replicas->double_calls.end(), int64_t(1)) == 1 + 2 * (4 + 1));
  keras::Logs ev = m->evaluate(pipeline(files, 8), {.verbose = 0});
  keras::Logs ev_ref = ref->evaluate(pipeline({files[0], files[2]}, 8), {.verbose = 0});
  CHECK(ev["loss"] == doctest::Approx(ev_ref["loss"]).epsilon(1e-5));
  // Fewer files than replicas: every replica reads the global batches (DATA).
  CHECK(keras::data::applied_shard_policy(pipeline({files[0]}, 8), 2) == keras::data::AutoShardPolicy::DATA);
  // Every shard empty (the simulated replicas' rows sum to 0): the dataset is empty.
  const std::string e0 = dir.file("empty0.txt"), e1 = dir.file("empty1.txt");
  {
    std::ofstream a(e0), b(e1);
  }
  CHECK_THROWS_WITH_AS(m->fit(pipeline({e0, e1}, 8), {.verbose = 0}),
                       doctest::Contains("fit: the dataset is empty (no replica's files gave a batch)"),
                       std::invalid_argument);
}
