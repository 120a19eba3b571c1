// dist_mlp.cpp - data-parallel scaling of the Fashion-MNIST MLP (784-300-100-10, as
// bench_mlp_fashion) or CNN (bench_cnn_fashion's), and the transport under them. Run it on
// 1 and on N ranks:
//   build/bench/bench_dist_mlp                 (one process)
//   mpirun -np 2 --allow-run-as-root --oversubscribe build/bench/bench_dist_mlp
// Prints JSON lines (from rank 0):
//   {"bench":"pingpong", ...}   MPI_Send/Recv between ranks 0 and 1 (N >= 2): one-way time
//                               per message size; alpha (latency, s) and beta (s/byte) fitted
//                               by least squares to t = alpha + beta * bytes
//   {"bench":"allreduce", ...}  MPI_Allreduce of float32 buffers, 4 B .. 64 MiB
//   {"bench":"mlp"|"cnn", ...}  fit() on per-replica batch B (global B * N, weak scaling),
//                               once with the all-reduce overlapped with the backward pass
//                               ("overlap":true) and once after it (false): step time, the
//                               gradient all-reduce time per step (measured around the
//                               strategy's collectives, after a timed barrier:
//                               wait_ms_per_step is the wait for the other ranks), samples/s
// The data are seeded random images (the timing does not depend on the pixels), so the
// benchmark needs no dataset. Flags: --model mlp|cnn --batch 32 (per replica) --steps 200
//   --threads 1 --bucket-bytes 4194304 --overlap both|on|off --sweep 1 (pingpong, allreduce)
//   --barrier 1 (0: no timed barrier before each all-reduce; its time is then in the
//   all-reduce's) --repeat 1 (runs the on/off pair this many times, alternating)
#define OMPI_SKIP_MPICXX 1  // the C API only (Open MPI's C++ bindings warn under -Wextra)
#include <mpi.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "bench_util.h"
#include "keras/distribute/strategy.h"
#include "keras/keras.h"

namespace layers = keras::layers;
namespace ops = keras::ops;
namespace dist = keras::distribute;
using keras::Tensor;

namespace {
// The strategy's collectives with the time spent in all-reduce added up. Each all-reduce
// is preceded by a barrier, timed apart: the wait for the slowest rank (skew: scheduling,
// load) is then not counted as transfer time.
class TimedReplicas : public dist::CrossReplica {
 public:
  explicit TimedReplicas(dist::CrossReplicaPtr inner) : inner_(std::move(inner)) {}
  ~TimedReplicas() override { stop_comm_thread(); }
  bool overlap() const override { return inner_->overlap(); }
  int num_replicas() const override { return inner_->num_replicas(); }
  int replica_id() const override { return inner_->replica_id(); }
  int64_t bucket_bytes() const override { return inner_->bucket_bytes(); }
  void all_reduce_sum(float* d, int64_t n) override {
    wait();
    auto t0 = bench::Clock::now();
    inner_->all_reduce_sum(d, n);
    seconds += bench::seconds_since(t0);
    bytes += n * 4;
  }
  void all_reduce_sum(double* d, int64_t n) override {
    wait();
    auto t0 = bench::Clock::now();
    inner_->all_reduce_sum(d, n);
    seconds += bench::seconds_since(t0);
    bytes += n * 8;
  }
  void broadcast(void* d, int64_t b, int root) override { inner_->broadcast(d, b, root); }
  void wait() {
    if (!barrier) return;
    auto t0 = bench::Clock::now();
    MPI_Barrier(MPI_COMM_WORLD);
    wait_seconds += bench::seconds_since(t0);
  }
  double seconds = 0, wait_seconds = 0;
  int64_t bytes = 0;
  bool barrier = true;

 private:
  dist::CrossReplicaPtr inner_;
};

std::vector<int64_t> sizes_bytes() {
  std::vector<int64_t> s;
  for (int64_t b = 4; b <= (64 << 20); b *= 4) s.push_back(b);
  return s;
}

void pingpong(int rank) {
  std::vector<char> buf(64 << 20);
  std::vector<double> xs, ts;
  std::string rows;
  for (int64_t b : sizes_bytes()) {
    const int iters = b <= (1 << 16) ? 2000 : b <= (4 << 20) ? 50 : 8;
    MPI_Barrier(MPI_COMM_WORLD);
    auto round_trip = [&] {
      if (rank == 0) {
        MPI_Send(buf.data(), int(b), MPI_BYTE, 1, 0, MPI_COMM_WORLD);
        MPI_Recv(buf.data(), int(b), MPI_BYTE, 1, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
      } else if (rank == 1) {
        MPI_Recv(buf.data(), int(b), MPI_BYTE, 0, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        MPI_Send(buf.data(), int(b), MPI_BYTE, 0, 0, MPI_COMM_WORLD);
      }
    };
    const double t = bench::time_per_call(round_trip, iters, 5) / 2;  // one way
    xs.push_back(double(b));
    ts.push_back(t);
    char row[96];
    std::snprintf(row, sizeof row, "%s[%lld,%.3e]", rows.empty() ? "" : ",", (long long)b, t);
    rows += row;
  }
  // Least squares t = alpha + beta * bytes.
  double mx = 0, mt = 0;
  for (size_t i = 0; i < xs.size(); ++i) mx += xs[i] / double(xs.size()), mt += ts[i] / double(xs.size());
  double sxx = 0, sxt = 0;
  for (size_t i = 0; i < xs.size(); ++i) sxx += (xs[i] - mx) * (xs[i] - mx), sxt += (xs[i] - mx) * (ts[i] - mt);
  const double beta = sxt / sxx, alpha = ts.front();  // alpha: the smallest message's time
  if (rank == 0)
    std::printf("{\"bench\":\"pingpong\",\"alpha_s\":%.3e,\"beta_s_per_byte\":%.3e,\"bandwidth_GB_s\":%.3f,"
                "\"one_way_s\":[%s]}\n", alpha, beta, 1e-9 / beta, rows.c_str());
}

void allreduce_sweep(int rank, int size) {
  std::vector<float> buf((64 << 20) / 4, 1.0f);
  std::string rows;
  for (int64_t b : sizes_bytes()) {
    const int iters = b <= (1 << 16) ? 1000 : b <= (4 << 20) ? 30 : 5;
    MPI_Barrier(MPI_COMM_WORLD);
    const double t = bench::time_per_call(
        [&] { MPI_Allreduce(MPI_IN_PLACE, buf.data(), int(b / 4), MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD); }, iters, 5);
    char row[96];
    std::snprintf(row, sizeof row, "%s[%lld,%.3e]", rows.empty() ? "" : ",", (long long)b, t);
    rows += row;
  }
  if (rank == 0) std::printf("{\"bench\":\"allreduce\",\"ranks\":%d,\"seconds\":[%s]}\n", size, rows.c_str());
}

std::shared_ptr<keras::SequentialModel> make_model(const std::string& kind) {
  if (kind == "cnn")  // bench_cnn_fashion's
    return keras::Sequential({layers::Rescaling(1.0 / 255, 0.0, {.input_shape = {28, 28, 1}}),
                              layers::Conv2D(32, 3, {.padding = "same", .activation = "relu"}), layers::MaxPooling2D(2),
                              layers::Conv2D(64, 3, {.padding = "same", .activation = "relu"}), layers::MaxPooling2D(2),
                              layers::Flatten(), layers::Dense(128, {.activation = "relu"}), layers::Dense(10)});
  return keras::Sequential({layers::Rescaling(1.0 / 255, 0.0, {.input_shape = {784}}),
                            layers::Dense(300, {.activation = "relu"}), layers::Dense(100, {.activation = "relu"}),
                            layers::Dense(10)});
}

struct Run {
  std::string model;
  int64_t batch, steps, bucket;
  int threads;
  bool barrier;
};

// Trains `run.model` for run.steps steps under a strategy (overlap on or off) and prints its line.
void train(const Run& run, bool overlap) {
  dist::MultiWorkerMirroredStrategy strategy({.bucket_bytes = run.bucket, .overlap = overlap});
  const int rank = strategy.rank(), size = strategy.num_replicas_in_sync();
  auto timed = std::make_shared<TimedReplicas>(strategy.cross_replica());
  timed->barrier = run.barrier;
  const int64_t global = run.batch * size, n = global * run.steps;
  const std::vector<int64_t> image = run.model == "cnn" ? std::vector<int64_t>{28, 28, 1} : std::vector<int64_t>{784};
  std::vector<int64_t> shape = {n};
  shape.insert(shape.end(), image.begin(), image.end());
  ops::set_random_seed(1);
  Tensor x = ops::cast(ops::random_uniform(keras::Shape(shape), {.minval = 0, .maxval = 255}), keras::DType::uint8);
  Tensor y = ops::cast(ops::random_uniform({n}, {.minval = 0, .maxval = 10}), keras::DType::int32);
  std::shared_ptr<keras::SequentialModel> model;
  {
    dist::ReplicaScope scope(timed);
    model = make_model(run.model);
    model->compile({.optimizer = keras::optimizers::Adam({.learning_rate = 1e-3}),
                    .loss = keras::losses::SparseCategoricalCrossentropy({.from_logits = true})});
  }
  int64_t params = 0;
  for (const auto& w : model->trainable_weights()) params += w.shape().num_elements();
  // Warm-up epoch (tracing, slots), then the timed one.
  const int64_t warm = std::min<int64_t>(20, run.steps);
  std::vector<int64_t> begin(shape.size(), 0), warm_size = shape;
  warm_size[0] = global * warm;
  model->fit(ops::slice(x, begin, warm_size), ops::slice(y, {0}, {global * warm}),
             {.batch_size = global, .epochs = 1, .verbose = 0, .shuffle = false});
  timed->seconds = timed->wait_seconds = 0;
  timed->bytes = 0;
  strategy.barrier();
  auto t0 = bench::Clock::now();
  model->fit(x, y, {.batch_size = global, .epochs = 1, .verbose = 0, .shuffle = false});
  const double total = bench::seconds_since(t0);
  const double steps = double(run.steps);
  if (rank == 0)
    std::printf("{\"bench\":\"%s\",\"ranks\":%d,\"overlap\":%s,\"batch_per_replica\":%lld,\"global_batch\":%lld,"
                "\"threads\":%d,\"barrier\":%s,\"params\":%lld,\"gradient_bytes\":%lld,\"bucket_bytes\":%lld,\"steps\":%lld,"
                "\"step_ms\":%.4f,\"allreduce_ms_per_step\":%.4f,\"wait_ms_per_step\":%.4f,"
                "\"allreduce_bytes_per_step\":%lld,\"samples_per_s\":%.0f}\n",
                run.model.c_str(), size, overlap && strategy.cross_replica()->overlap() ? "true" : "false",
                (long long)run.batch, (long long)global, run.threads, run.barrier ? "true" : "false", (long long)params, (long long)(params * 4),
                (long long)run.bucket, (long long)run.steps, 1e3 * total / steps, 1e3 * timed->seconds / steps,
                1e3 * timed->wait_seconds / steps, (long long)(double(timed->bytes) / steps), double(n) / total);
  std::fflush(stdout);
}
}  // namespace

int main(int argc, char** argv) {
  Run run{"mlp", 32, 200, 4 << 20, 1, true};
  std::string overlap = "both";
  bool sweep = true;
  int repeat = 1;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string k = argv[i];
    if (k == "--batch") run.batch = std::atoll(argv[i + 1]);
    else if (k == "--steps") run.steps = std::atoll(argv[i + 1]);
    else if (k == "--threads") run.threads = std::atoi(argv[i + 1]);
    else if (k == "--bucket-bytes") run.bucket = std::atoll(argv[i + 1]);
    else if (k == "--model") run.model = argv[i + 1];
    else if (k == "--overlap") overlap = argv[i + 1];
    else if (k == "--sweep") sweep = std::atoi(argv[i + 1]) != 0;
    else if (k == "--barrier") run.barrier = std::atoi(argv[i + 1]) != 0;
    else if (k == "--repeat") repeat = std::max(1, std::atoi(argv[i + 1]));
    else run.model = "?";
  }
  if ((run.model != "mlp" && run.model != "cnn") || (overlap != "both" && overlap != "on" && overlap != "off")) {
    std::fprintf(stderr, "usage: bench_dist_mlp [--model mlp|cnn] [--batch 32] [--steps 200] [--threads 1] "
                         "[--bucket-bytes N] [--overlap both|on|off] [--sweep 1] [--barrier 1] [--repeat 1]\n");
    return 2;
  }
  keras::set_num_threads(run.threads);
  {
    dist::MultiWorkerMirroredStrategy strategy;  // initializes MPI
    const int rank = strategy.rank(), size = strategy.num_replicas_in_sync();
    if (size >= 2 && sweep) pingpong(rank);
    if (size >= 2 && sweep) allreduce_sweep(rank, size);
  }
  for (int r = 0; r < repeat; ++r) {  // alternated, so a change of load hits both alike
    if (overlap != "off") train(run, true);
    if (overlap != "on") train(run, false);
  }
  return 0;
}
