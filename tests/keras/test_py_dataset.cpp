// test_py_dataset.cpp - keras::utils::PyDataset: its batches as a Dataset, fit / evaluate /
// predict on it with Keras 3's epoch hooks (begin, the pass's batches, end), fit's batch
// shuffling, steps_per_epoch continuing a pass, infinite datasets, worker threads, errors.
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include "helpers.h"
#include "keras/keras.h"

using namespace th;
namespace data = keras::data;
namespace layers = keras::layers;

TEST_SUITE_BEGIN("data_pipeline");

namespace {
// Batch i: x = i (2 rows of 3), y = 2 i; logs what is called ("begin", the indices, "end").
class Batches : public keras::utils::PyDataset {
 public:
  using Log = std::vector<std::string>;  // "begin", the indices, "end"
  explicit Batches(std::optional<int64_t> n, const keras::utils::PyDatasetOptions& o = {}) : PyDataset(o), n_(n) {}
  std::optional<int64_t> num_batches() const override { return n_; }
  data::Element get_item(int64_t i) override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      log_.push_back(std::to_string(i));
      threads_.insert(std::this_thread::get_id());
    }
    return {ops::full({2, 3}, double(i)), ops::full({2, 1}, 2.0 * double(i))};
  }
  void on_epoch_begin() override { log_.push_back("begin"); }
  void on_epoch_end() override { log_.push_back("end"); }
  Log take_log() { return std::exchange(log_, {}); }
  // The indices fetched, in order.
  std::vector<int64_t> indices() const {
    std::vector<int64_t> out;
    for (const std::string& e : log_)
      if (e != "begin" && e != "end") out.push_back(std::stoll(e));
    return out;
  }
  std::set<std::thread::id> threads() const { return threads_; }

 private:
  std::optional<int64_t> n_;
  std::mutex mu_;
  Log log_;
  std::set<std::thread::id> threads_;
};

Batches::Log pass(std::initializer_list<int64_t> indices) {
  Batches::Log out{"begin"};
  for (int64_t i : indices) out.push_back(std::to_string(i));
  out.push_back("end");
  return out;
}
Batches::Log concat(std::initializer_list<Batches::Log> logs) {
  Batches::Log out;
  for (const auto& l : logs) out.insert(out.end(), l.begin(), l.end());
  return out;
}

keras::Ref<keras::SequentialModel> model() {
  ops::set_random_seed(1);
  auto m = keras::Sequential({layers::Dense(1, {.input_shape = {3}})});
  m->compile({.optimizer = "sgd", .loss = "mse"});
  return m;
}
}  // namespace

TEST_CASE("PyDataset: a Dataset of its batches, in index order") {
  auto py = std::make_shared<Batches>(3);
  data::Dataset ds = py;  // implicit, as fit takes it
  CHECK(ds.cardinality() == 3);
  std::vector<double> firsts;
  for (const data::Element& e : ds) {
    REQUIRE(e.size() == 2);
    firsts.push_back(values(e[0])[0]);
  }
  CHECK(firsts == std::vector<double>{0, 1, 2});
  CHECK(py->take_log() == Batches::Log{"0", "1", "2"});  // no epoch hooks outside the trainers
  CHECK(data::Dataset(std::make_shared<Batches>(std::nullopt)).cardinality() == data::INFINITE_CARDINALITY);
  CHECK_THROWS_MSG(data::Dataset::from_py_dataset(nullptr), std::invalid_argument,
                   "from_py_dataset: expected a PyDataset, but received a null pointer");
  CHECK_THROWS_MSG(Batches(3, {.workers = -1}), std::invalid_argument,
                   "PyDataset: expected workers >= 0, but received -1");
  CHECK_THROWS_MSG(Batches(3, {.max_queue_size = 0}), std::invalid_argument,
                   "PyDataset: expected max_queue_size >= 1, but received 0");
}

TEST_CASE("PyDataset: fit calls the epoch hooks around each epoch and each validation pass, as Keras 3") {
  auto m = model(), twin = model();
  auto train = std::make_shared<Batches>(4), val = std::make_shared<Batches>(2);
  m->fit(train, {.epochs = 2, .verbose = 0, .validation_data = val, .shuffle = false});
  CHECK(train->take_log() == concat({pass({0, 1, 2, 3}), pass({0, 1, 2, 3})}));
  CHECK(val->take_log() == concat({pass({0, 1}), pass({0, 1})}));
  // The same batches as arrays give the same weights.
  std::vector<Tensor> xs, ys;
  for (int64_t i = 0; i < 4; ++i) {
    xs.push_back(ops::full({2, 3}, double(i)));
    ys.push_back(ops::full({2, 1}, 2.0 * double(i)));
  }
  twin->fit(ops::concat(xs, 0), ops::concat(ys, 0), {.batch_size = 2, .epochs = 2, .verbose = 0, .shuffle = false});
  CHECK(same_bits(m->get_weights(), twin->get_weights()));

  // evaluate and predict: one pass each.
  auto e = std::make_shared<Batches>(3);
  m->evaluate(e, {.verbose = 0});
  CHECK(e->take_log() == pass({0, 1, 2}));
  auto p = std::make_shared<Batches>(3);
  Tensor out = m->predict(p, {.verbose = 0});
  CHECK(out.shape() == Shape{6, 1});
  CHECK(p->take_log() == pass({0, 1, 2}));
  const Tensor rows = ops::concat({ops::full({2, 3}, 0.0), ops::full({2, 3}, 1.0), ops::full({2, 3}, 2.0)}, 0);
  check_values(out, values(m->predict(rows, {.verbose = 0})));
}

TEST_CASE("PyDataset: fit shuffles the batch order at each epoch, reproducibly with a seed") {
  auto run = [](int64_t seed) {
    auto m = model();
    auto py = std::make_shared<Batches>(8);
    m->fit(py, {.epochs = 2, .verbose = 0, .seed = seed});
    return py->indices();
  };
  const std::vector<int64_t> a = run(5), b = run(5), c = run(6);
  REQUIRE(a.size() == 16);
  CHECK(a == b);
  CHECK(a != c);
  const std::vector<int64_t> e1(a.begin(), a.begin() + 8), e2(a.begin() + 8, a.end());
  CHECK(std::set<int64_t>(e1.begin(), e1.end()).size() == 8);  // each epoch: every batch once
  CHECK(std::set<int64_t>(e2.begin(), e2.end()).size() == 8);
  CHECK(e1 != e2);  // a new order at each epoch
  CHECK(e1 != std::vector<int64_t>{0, 1, 2, 3, 4, 5, 6, 7});
}

TEST_CASE("PyDataset: steps_per_epoch continues the pass into the next epoch (Keras 3); an infinite one needs it") {
  auto m = model();
  auto py = std::make_shared<Batches>(4);
  m->fit(py, {.epochs = 3, .verbose = 0, .shuffle = false, .steps_per_epoch = 3});
  // Keras 3: 0 1 2 | 3 (ran out: a warning) | 0 1 2.
  CHECK(py->take_log() == concat({pass({0, 1, 2}), pass({3}), pass({0, 1, 2})}));

  auto inf = std::make_shared<Batches>(std::nullopt);
  m->fit(inf, {.epochs = 2, .verbose = 0, .steps_per_epoch = 3});
  CHECK(inf->take_log() == concat({pass({0, 1, 2}), pass({3, 4, 5})}));
  CHECK_THROWS_MSG(m->fit(inf, {.epochs = 1, .verbose = 0}), std::invalid_argument,
                   "fit: the PyDataset is infinite (num_batches() is nullopt); give steps_per_epoch");
  CHECK_THROWS_MSG(m->predict(inf, {.verbose = 0}), std::invalid_argument,
                   "predict: the PyDataset is infinite (num_batches() is nullopt); give steps");
}

TEST_CASE("PyDataset: workers fetch batches on their threads, in order") {
  auto one = std::make_shared<Batches>(6);
  auto many = std::make_shared<Batches>(6, keras::utils::PyDatasetOptions{.workers = 3, .max_queue_size = 4});
  CHECK(many->workers() == 3);
  CHECK(many->max_queue_size() == 4);
  auto m = model();
  const Tensor a = m->predict(one, {.verbose = 0}), b = m->predict(many, {.verbose = 0});
  CHECK(same_bits({a}, {b}));
  CHECK(one->threads() == std::set<std::thread::id>{std::this_thread::get_id()});
  CHECK(many->threads().count(std::this_thread::get_id()) == 0);
  CHECK(many->threads().size() >= 1);
  const Batches::Log log = many->take_log();
  CHECK(log.front() == "begin");
  CHECK(log.back() == "end");
  CHECK(std::multiset<std::string>(log.begin() + 1, log.end() - 1) ==
        std::multiset<std::string>{"0", "1", "2", "3", "4", "5"});
  many->set_workers(0);  // 0 is taken as 1
  m->predict(many, {.verbose = 0});
  CHECK(many->threads().size() >= 1);
  CHECK_THROWS_MSG(many->set_max_queue_size(-2), std::invalid_argument,
                   "expected max_queue_size >= 1, but received -2");
}

namespace {
// get_item returns a batch of the wrong form.
class BadBatches : public keras::utils::PyDataset {
 public:
  std::optional<int64_t> num_batches() const override { return 2; }
  data::Element get_item(int64_t) override {
    return {ops::ones({2, 3}), ops::ones({2, 1}), ops::ones({2}), ops::ones({2})};
  }
};
class EmptyBatches : public keras::utils::PyDataset {
 public:
  std::optional<int64_t> num_batches() const override { return 1; }
  data::Element get_item(int64_t) override { return {}; }
};
}  // namespace

TEST_CASE("PyDataset: a batch of the wrong form raises, naming what fit expected") {
  auto m = model();
  CHECK_THROWS_MSG(m->fit(std::make_shared<BadBatches>(), {.verbose = 0}), std::invalid_argument,
                   "fit: expected dataset elements (x, y) or (x, y, sample_weight), but received");
  CHECK_THROWS_MSG(m->fit(std::make_shared<EmptyBatches>(), {.verbose = 0}), std::invalid_argument,
                   "PyDataset: get_item(0) returned an empty element; expected x, {x, y} or {x, y, sample_weight}");
}

TEST_SUITE_END();
