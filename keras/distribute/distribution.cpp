// distribution.cpp - keras.distribution over the MPI job (mpi_replicas.cpp): devices,
// initialize(), Distribution / DataParallel, the current distribution and
// distribute_tensor.
#include "keras/distribute/distribution.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <stdexcept>

#include "core/device.h"
#include "core/ops.h"
#include "core/autodiff.h"
#include "keras/distribute/current_replicas.h"
#include "keras/distribute/mpi_replicas.h"

namespace keras::distribution {
namespace ops = core::ops;
namespace {

// The job initialize() joined: its collectives, and whether every process has a GPU.
struct Job {
  std::mutex mutex;
  distribute::CrossReplicaPtr replicas;
  bool gpus_everywhere = false;
};
Job& job() {
  static Job j;
  return j;
}
distribute::CrossReplicaPtr job_replicas() {
  std::lock_guard<std::mutex> lock(job().mutex);
  return job().replicas;
}

thread_local DistributionPtr t_distribution;

std::optional<int> env_int(const char* name) {
  const char* v = std::getenv(name);
  if (!v || !*v) return std::nullopt;
  char* end = nullptr;
  const long n = std::strtol(v, &end, 10);
  if (*end) throw std::invalid_argument(std::string(name) + ": expected an integer, but received '" + v + "'");
  return int(n);
}

// The size of the MPI job the launcher started (Open MPI's or a PMI's variable), 1 when none.
int launched_processes() {
  for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE"})
    if (auto n = env_int(name)) return *n;
  return 1;
}

std::string devices_repr(const std::vector<std::string>& d) {
  std::string s = "[";
  for (size_t i = 0; i < d.size(); ++i) s += (i ? ", '" : "'") + d[i] + "'";
  return s + "]";
}
}  // namespace

// ---- devices and the job ---------------------------------------------------------------
std::vector<std::string> list_devices(const std::string& device_type) {
  std::string type = device_type;
  std::transform(type.begin(), type.end(), type.begin(), [](unsigned char c) { return char(std::tolower(c)); });
  if (type == "cuda") type = "gpu";
  const distribute::CrossReplicaPtr r = job_replicas();
  const bool gpus = r ? job().gpus_everywhere : core::cuda_device_count() > 0;
  if (type.empty()) type = gpus ? "gpu" : "cpu";
  if (type != "cpu" && type != "gpu")
    throw std::invalid_argument("list_devices: expected device_type 'cpu' or 'gpu', but received '" + device_type + "'");
  int64_t n = 0;
  if (r) n = (type == "cpu" || gpus) ? r->num_replicas() : 0;
  else n = type == "cpu" ? 1 : core::cuda_device_count();
  std::vector<std::string> out;
  for (int64_t i = 0; i < n; ++i) out.push_back(type + ":" + std::to_string(i));
  return out;
}

int64_t get_device_count(const std::string& device_type) { return int64_t(list_devices(device_type).size()); }

void initialize(std::optional<std::string> job_addresses, std::optional<int> num_processes, std::optional<int> process_id) {
  (void)job_addresses;  // MPI's launcher connects the processes (KERAS_DISTRIBUTION_JOB_ADDRESSES alike)
  if (!num_processes) num_processes = env_int("KERAS_DISTRIBUTION_NUM_PROCESSES");
  if (!process_id) process_id = env_int("KERAS_DISTRIBUTION_PROCESS_ID");
  std::lock_guard<std::mutex> lock(job().mutex);
  if (job().replicas) throw std::logic_error("keras::distribution::initialize: already called; it joins the job once");
  distribute::CrossReplicaPtr r = distribute::detail::mpi_replicas(distribute::StrategyOptions{});
  if (num_processes && *num_processes != r->num_replicas())
    throw std::invalid_argument("keras::distribution::initialize: expected num_processes=" +
                                std::to_string(*num_processes) + ", but the MPI job has " +
                                std::to_string(r->num_replicas()) + " (launch with mpirun -np " +
                                std::to_string(*num_processes) + ")");
  if (process_id && *process_id != r->replica_id())
    throw std::invalid_argument("keras::distribution::initialize: expected process_id=" + std::to_string(*process_id) +
                                ", but this process's MPI rank is " + std::to_string(r->replica_id()));
  double with_gpu = core::cuda_device_count() > 0 ? 1.0 : 0.0;
  r->all_reduce_sum(&with_gpu, 1);
  job().gpus_everywhere = int(with_gpu) == r->num_replicas();
  job().replicas = std::move(r);
}

bool is_initialized() { return job_replicas() != nullptr; }
int num_processes() {
  const distribute::CrossReplicaPtr r = job_replicas();
  return r ? r->num_replicas() : 1;
}
int process_id() {
  const distribute::CrossReplicaPtr r = job_replicas();
  return r ? r->replica_id() : 0;
}

// ---- Distribution -----------------------------------------------------------------------
Distribution::Distribution(std::string class_name, DeviceMesh mesh, std::string batch_dim_name, bool auto_shard_dataset)
    : class_name_(std::move(class_name)),
      mesh_(std::move(mesh)),
      batch_dim_name_(std::move(batch_dim_name)),
      auto_shard_(auto_shard_dataset),
      num_processes_(distribution::num_processes()),
      process_id_(distribution::process_id()) {}

Distribution::~Distribution() = default;

int64_t Distribution::data_shard_id() const {
  const int64_t replicas = num_model_replicas();
  if (replicas >= num_processes_) return process_id_;
  return process_id_ / (num_processes_ / replicas);
}

data::Dataset Distribution::distribute_dataset(const data::Dataset& dataset) const {
  if (num_processes_ <= 1 || !auto_shard_) return dataset;
  const int n = num_processes_, id = process_id_;
  return dataset.map_fn([n, id](const data::Element& batch) {
    int64_t rows = -1;
    for (const Tensor& t : batch) {
      if (t.rank() == 0 || (rows >= 0 && t.shape()[0] != rows))
        throw std::invalid_argument(
            "distribute_dataset: expected batches whose components share a first (batch) axis, but received shape " +
            t.shape().str() + (rows >= 0 ? " after " + std::to_string(rows) + " rows" : std::string()) +
            "; batch the dataset first, e.g. dataset.batch(batch_size)");
      rows = t.shape()[0];
    }
    return data::Element(
        distribute::detail::slice_rows(batch.components(), distribute::replica_rows(std::max<int64_t>(rows, 0), id, n)),
        batch.names());
  });
}

DistributionScope Distribution::scope() { return DistributionScope(shared_from_this()); }

std::string Distribution::str() const { return "<" + class_name_ + " device_mesh=" + mesh_.str() + ">"; }

// ---- DataParallel -----------------------------------------------------------------------
namespace {
DeviceMesh data_parallel_mesh(const DataParallelOptions& o) {
  if (o.device_mesh && !o.devices.empty())
    throw std::invalid_argument("DataParallel: give a device_mesh or devices, not both (received a mesh " +
                                o.device_mesh->str() + " and devices " + devices_repr(o.devices) + ")");
  if (o.device_mesh) {
    if (o.device_mesh->shape().size() != 1)
      std::fprintf(stderr,
                   "Warning: Expect the input mesh to be 1D, but received mesh.devices.ndim=%zu. The first axis will "
                   "be used for data-parallel sharding.\n",
                   o.device_mesh->shape().size());
    return *o.device_mesh;
  }
  std::vector<std::string> devices = o.devices.empty() ? list_devices() : o.devices;
  return DeviceMesh({int64_t(devices.size())}, {DEFAULT_BATCH_DIM_NAME}, devices);
}
}  // namespace

DataParallelDistribution::DataParallelDistribution(const DataParallelOptions& o)
    : DataParallelDistribution(data_parallel_mesh(o), o.auto_shard_dataset) {}

DataParallelDistribution::DataParallelDistribution(const DeviceMesh& mesh, bool auto_shard_dataset)
    : Distribution("DataParallel", mesh, mesh.axis_names().front(), auto_shard_dataset) {
  const int processes = num_processes();
  if (!is_initialized() && launched_processes() > 1)
    std::fprintf(stderr,
                 "Warning: DataParallel: this process is one of %d an MPI launcher started, but "
                 "keras::distribution::initialize() was not called: it trains alone\n",
                 launched_processes());
  // One device per process: the mesh must hold the job's devices of one type, each once.
  const std::vector<std::string>& devices = device_mesh().devices();
  const std::string type = devices.front().substr(0, devices.front().find(':'));
  std::vector<std::string> job_devices;
  if (type == "cpu" || type == "gpu") job_devices = list_devices(type);
  std::vector<std::string> sorted = devices, want = job_devices;
  std::sort(sorted.begin(), sorted.end());
  std::sort(want.begin(), want.end());
  if (sorted != want)
    throw std::invalid_argument("DataParallel: keras-cpp runs one device per process, so the mesh must hold the " +
                                std::to_string(processes) + " device(s) of the job (" + devices_repr(job_devices) +
                                "), but received " + devices_repr(devices) +
                                (int64_t(devices.size()) > processes
                                     ? "; launch one process per device (mpirun -np " + std::to_string(devices.size()) +
                                           ") and call keras::distribution::initialize()"
                                     : ""));
  if (processes > 1) set_cross_replica(job_replicas());
}

TensorLayout DataParallelDistribution::get_data_layout(const std::vector<int64_t>& data_shape) const {
  if (data_shape.empty())
    throw std::invalid_argument("DataParallel.get_data_layout: expected a shape with a batch axis, but received ()");
  std::vector<LayoutAxis> axes(data_shape.size());
  axes[0] = batch_dim_name();
  return TensorLayout(axes, device_mesh());
}

TensorLayout DataParallelDistribution::get_variable_layout(const core::Variable& variable) const {
  return TensorLayout(std::vector<LayoutAxis>(size_t(variable.shape().rank())), device_mesh());
}

std::optional<TensorLayout> DataParallelDistribution::get_tensor_layout(const std::string&) const {
  return std::nullopt;
}

std::shared_ptr<DataParallelDistribution> DataParallel(const DataParallelOptions& options) {
  return std::make_shared<DataParallelDistribution>(options);
}

// ---- the current distribution -----------------------------------------------------------
void set_distribution(DistributionPtr value) {
  distribute::detail::exchange_current(value ? value->cross_replica() : nullptr);
  t_distribution = std::move(value);
}

DistributionPtr distribution() { return t_distribution; }

DistributionScope::DistributionScope(DistributionPtr d) : previous_(distribution()) { set_distribution(std::move(d)); }
DistributionScope::~DistributionScope() { set_distribution(std::move(previous_)); }

// ---- distribute_tensor ------------------------------------------------------------------
Tensor distribute_tensor(const Tensor& tensor, const TensorLayout& layout) {
  if (!layout.device_mesh())
    throw std::invalid_argument("distribute_tensor: the layout " + layout.str() + " has no device mesh");
  const DeviceMesh& mesh = *layout.device_mesh();
  const std::vector<LayoutAxis>& axes = layout.axes();
  if (int64_t(axes.size()) > tensor.rank())
    throw std::invalid_argument("distribute_tensor: the layout " + layout.str() + " has " +
                                std::to_string(axes.size()) + " axes, more than the tensor of shape " +
                                tensor.shape().str());
  std::optional<std::vector<int64_t>> at;
  for (const std::string& type : {std::string("cpu"), std::string("gpu")}) {
    const std::vector<std::string> mine = list_devices(type);
    if (size_t(process_id()) < mine.size() && (at = mesh.coordinates(mine[size_t(process_id())]))) break;
  }
  if (!at)
    throw std::invalid_argument("distribute_tensor: this process's device (process " + std::to_string(process_id()) +
                                ") is not in the mesh " + mesh.str() + " (devices " + devices_repr(mesh.devices()) +
                                ")");
  std::vector<int64_t> begin(size_t(tensor.rank()), 0), size = tensor.shape().dims();
  std::vector<std::string> used;
  for (size_t d = 0; d < axes.size(); ++d) {
    if (!axes[d]) continue;
    if (std::find(used.begin(), used.end(), *axes[d]) != used.end())
      throw std::invalid_argument("distribute_tensor: the layout " + layout.str() + " names the mesh axis '" +
                                  *axes[d] + "' twice");
    used.push_back(*axes[d]);
    const size_t m = mesh.axis_index(*axes[d]);
    const int64_t parts = mesh.shape()[m], dim = tensor.shape()[int64_t(d)];
    if (dim % parts != 0)
      throw std::invalid_argument("distribute_tensor: axis " + std::to_string(d) + " of the tensor of shape " +
                                  tensor.shape().str() + " is split over the mesh axis '" + *axes[d] + "' of size " +
                                  std::to_string(parts) + ", which does not divide " + std::to_string(dim));
    size[d] = dim / parts;
    begin[d] = (*at)[m] * size[d];
  }
  return ops::slice(tensor, begin, size);
}

}  // namespace keras::distribution
