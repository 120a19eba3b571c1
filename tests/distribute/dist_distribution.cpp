// dist_distribution.cpp - dist_check distribution: keras::distribution (Keras 3's
// keras.distribution), run alone and under mpirun -np 2 (tests/distribute/run.sh):
// the layout classes against Keras 3.15's checks and messages; devices before and after
// initialize(); DataParallel's mesh and layouts; a model made under set_distribution /
// scope() is mirrored and its fit equals one process's; distribute_tensor and
// distribute_dataset give each process its part, together everything.
#include <cmath>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>

#include <keras/distribute/distribution.h>

#include "dist_common.h"

namespace dist_check {
namespace {
namespace kd = keras::distribution;

template <class E, class F>
void expect_throws(F f, const std::string& message_part, const std::string& what) {
  try {
    f();
    expect(false, what + ": did not throw");
  } catch (const E& e) {
    expect(std::string(e.what()).find(message_part) != std::string::npos,
           what + ": message '" + e.what() + "' lacks '" + message_part + "'");
  }
}

// Keras 3.15's layout classes: checks, messages, repr and the LayoutMap lookups of its
// docstring.
void layouts() {
  expect_throws<std::invalid_argument>([] { kd::DeviceMesh({}, {}, {"cpu:0"}); },
                                       "Shape and axis_names cannot be empty. Received: shape=(), axis_names=[]",
                                       "empty mesh");
  expect_throws<std::invalid_argument>([] { kd::DeviceMesh({2}, {"batch", "model"}, {"cpu:0", "cpu:1"}); },
                                       "Shape and axis_names should have same size. Received: shape=(2,), "
                                       "axis_names=['batch', 'model']",
                                       "mesh ranks");
  expect_throws<std::invalid_argument>([] { kd::DeviceMesh({4}, {"batch"}, {"cpu:0", "cpu:1"}); },
                                       "Shape does not match the number of devices. Received: shape=(4,); "
                                       "devices.shape=(2,)",
                                       "mesh size");
  const std::vector<std::string> eight = {"cpu:0", "cpu:1", "cpu:2", "cpu:3", "cpu:4", "cpu:5", "cpu:6", "cpu:7"};
  kd::DeviceMesh mesh({2, 4}, {"batch", "model"}, eight);
  expect(mesh.str() == "<DeviceMesh shape=(2, 4), axis_names=['batch', 'model']>", "mesh repr: " + mesh.str());
  expect(mesh.coordinates("cpu:6") == std::vector<int64_t>{1, 2}, "row-major coordinates");
  expect(!mesh.coordinates("gpu:0"), "a device outside the mesh");

  kd::TensorLayout l({"batch", std::nullopt}, mesh);
  expect(l.str() == "<TensorLayout axes=('batch', None), device_mesh=<DeviceMesh shape=(2, 4), axis_names=['batch', "
                    "'model']>>",
         "layout repr: " + l.str());
  expect_throws<std::invalid_argument>([&] { kd::TensorLayout({"data"}, mesh); },
                                       "Invalid axis names for Layout. Valid axis names: {'batch', 'model'}, Got "
                                       "{'data'}",
                                       "layout axes");
  expect_throws<std::invalid_argument>([&] { l.set_device_mesh(mesh); }, "Cannot override device mesh value",
                                       "mesh set twice");

  kd::LayoutMap map(mesh);
  map.set(".*dense.*kernel", {std::nullopt, "model"});
  map.set(".*dense.*bias", {"model"});
  map.set(".*conv2d.*kernel", {std::nullopt, std::nullopt, std::nullopt, "model"});
  map.set(".*conv2d.*bias", {"model"});
  auto axes_of = [&](const std::string& path) {
    std::optional<kd::TensorLayout> found = map[path];
    return found ? found->axes() : std::vector<kd::LayoutAxis>{"<none>"};
  };
  expect(axes_of("dense_1.kernel") == std::vector<kd::LayoutAxis>{std::nullopt, "model"}, "dense_1.kernel");
  expect(axes_of("dense_2.bias") == std::vector<kd::LayoutAxis>{"model"}, "dense_2.bias");
  expect(axes_of("my_model/conv2d_123/kernel").size() == 4, "my_model/conv2d_123/kernel");
  expect(axes_of("my_model/conv3d_1/kernel") == std::vector<kd::LayoutAxis>{"<none>"}, "conv3d: no layout");
  expect(map[".*dense.*bias"]->device_mesh() == mesh, "the map's mesh given to its layouts");
  expect_throws<std::invalid_argument>([&] { map.set(".*dense.*bias", {"batch"}); },
                                       ".*dense.*bias already exist in the LayoutMap with value <TensorLayout "
                                       "axes=('model',)",
                                       "duplicate key");
  map.set("dense_1.*", {std::nullopt});
  expect_throws<std::invalid_argument>([&] { (void)map["dense_1.kernel"]; },
                                       "Path 'dense_1.kernel' matches multiple layout specification keys: "
                                       "['.*dense.*kernel', 'dense_1.*']",
                                       "several matches");
  expect(map.erase("dense_1.*") && !map.contains("dense_1.*") && map.size() == 4, "erase");
}

// The process's part of a [rows, 8] tensor under the data layout, and of its columns.
void tensors(const kd::Distribution& dp, int procs, int rank) {
  const Tensor x = ops::reshape(ops::arange(0.0, double(procs * 4 * 8)), {procs * 4, 8});
  const Tensor mine = kd::distribute_tensor(x, dp.get_data_layout({procs * 4, 8}));
  expect(mine.shape() == keras::Shape{4, 8}, "distribute_tensor rows: " + mine.shape().str());
  expect(max_abs_diff(mine, ops::slice(x, {rank * 4, 0}, {4, 8})) == 0, "distribute_tensor: this process's rows");
  const Tensor cols = kd::distribute_tensor(x, kd::TensorLayout({std::nullopt, "batch"}, dp.device_mesh()));
  expect(cols.shape() == keras::Shape{procs * 4, 8 / procs}, "distribute_tensor columns: " + cols.shape().str());
  expect(max_abs_diff(kd::distribute_tensor(x, dp.get_variable_layout(keras::Variable(x))), x) == 0,
         "a replicated layout gives the whole tensor");
  if (procs > 1)
    expect_throws<std::invalid_argument>(
        [&] { kd::distribute_tensor(ops::zeros({3, 8}), dp.get_data_layout({3, 8})); }, "which does not divide 3",
        "distribute_tensor: uneven split");
  expect_throws<std::invalid_argument>([&] { kd::distribute_tensor(x, kd::TensorLayout({"batch"})); }, "has no device mesh",
                                       "distribute_tensor without a mesh");
}

}  // namespace

int distribution_api() {
  layouts();
  // Before initialize(): this process's devices.
  const bool gpu = keras::core::cuda_device_count() > 0;
  if (!gpu) {
    expect(kd::list_devices() == std::vector<std::string>{"cpu:0"}, "list_devices() before initialize");
    expect(kd::get_device_count("gpu") == 0, "no GPU");
  }
  expect_throws<std::invalid_argument>([] { kd::list_devices("tpu"); }, "expected device_type 'cpu' or 'gpu'", "tpu");
  expect(!kd::is_initialized() && kd::num_processes() == 1 && kd::process_id() == 0, "one process before initialize");

  expect_throws<std::invalid_argument>([] { kd::initialize(std::nullopt, 5); }, "expected num_processes=5",
                                       "initialize with the wrong count");
  kd::initialize();
  expect_throws<std::logic_error>([] { kd::initialize(); }, "already called", "initialize twice");
  const int procs = kd::num_processes(), rank = kd::process_id();
  std::vector<std::string> cpus;
  for (int i = 0; i < procs; ++i) cpus.push_back("cpu:" + std::to_string(i));
  expect(kd::list_devices("cpu") == cpus, "list_devices(cpu) after initialize: one per process");

  // DataParallel over the job.
  auto dp = kd::DataParallel({.devices = cpus});
  expect(dp->str() == "<DataParallel device_mesh=<DeviceMesh shape=(" + std::to_string(procs) +
                          ",), axis_names=['batch']>>",
         "DataParallel repr: " + dp->str());
  expect(dp->num_model_replicas() == procs && dp->data_shard_id() == rank && dp->batch_dim_name() == "batch",
         "DataParallel replicas and shard");
  expect(dp->get_data_layout({32, 8}).axes() == std::vector<kd::LayoutAxis>{"batch", std::nullopt}, "data layout");
  expect(!dp->get_tensor_layout("dense/kernel"), "no tensor layouts");
  expect_throws<std::invalid_argument>([] { kd::DataParallel({.devices = {"cpu:0", "cpu:7", "cpu:9"}}); },
                                       "one device per process", "DataParallel over devices the job lacks");
  expect_throws<std::invalid_argument>(
      [&] { kd::DataParallel({.device_mesh = dp->device_mesh(), .devices = cpus}); }, "not both", "mesh and devices");
  tensors(*dp, procs, rank);

  // fit under set_distribution equals one process's fit on the same global batches.
  auto [x, y] = make_data(97, 21);
  kd::set_distribution(dp);
  expect(kd::distribution() == dp, "distribution() after set_distribution");
  auto model = make_model(500 + uint64_t(rank));  // rank 0's initial weights are broadcast
  kd::set_distribution(nullptr);
  expect((procs == 1) == !model->replicas(), "a model made under DataParallel is mirrored");
  auto ref = make_model(500);
  const keras::FitOptions fit{.batch_size = 16, .epochs = 2, .verbose = 0, .seed = 3};
  keras::callbacks::History h = model->fit(x, y, fit), h_ref = ref->fit(x, y, fit);
  double worst = 0;
  for (size_t i = 0; i < model->get_weights().size(); ++i)
    worst = std::max(worst, max_abs_diff(model->get_weights()[i], ref->get_weights()[i]));
  expect(worst <= 2e-5, "DataParallel fit: weights differ from one process's by " + std::to_string(worst));
  for (size_t e = 0; e < 2; ++e)
    expect(std::abs(h.history["loss"][e] - h_ref.history["loss"][e]) <= 1e-5, "DataParallel fit: History");
  {
    auto scope = dp->scope();
    expect(kd::distribution() == dp && (procs == 1) == !make_model(1)->replicas(), "scope() makes it current");
  }
  expect(kd::distribution() == nullptr && !make_model(1)->replicas(), "scope() ends");

  // distribute_dataset: each process its rows of every batch, together every row once.
  const Tensor ids = ops::arange(0.0, 23.0);
  double seen = 0, count = 0;
  for (const keras::data::Element& e : dp->distribute_dataset(keras::data::Dataset::from_tensor_slices({ids}).batch(10)))
    for (float v : e[0].to_vector<float>()) seen += v, count += 1;
  std::vector<Tensor> sums = {keras::constant(seen), keras::constant(count)};
  if (dp->cross_replica()) sums = dist::all_reduce(dp->cross_replica(), sums, dist::ReduceOp::SUM);
  expect(sums[0].item<double>() == 22.0 * 23 / 2 && sums[1].item<double>() == 23, "distribute_dataset covers the rows");
  expect(procs == 1 || count < 23, "distribute_dataset splits the rows");

  if (g_failures) return 1;
  if (rank == 0)
    std::printf("PASS distribution: %d process(es): layouts as Keras 3; DataParallel fit equals one process's "
                "(weights within %.2g); distribute_tensor and distribute_dataset split by process\n",
                procs, worst);
  return 0;
}
}  // namespace dist_check
