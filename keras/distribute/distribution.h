// distribution.h - Keras 3's distribution API (keras.distribution) in keras-cpp-distribute:
// devices, initialize(), and the DataParallel distribution, which mirrors models over the
// processes of an MPI job (one device per process):
//
//   namespace kd = keras::distribution;
//   kd::initialize();                                   // mpirun -np 2 ./train
//   kd::set_distribution(kd::DataParallel());           // over list_devices()
//   auto model = keras::Sequential({...});              // mirrored over the processes
//   model->compile({...});
//   model->fit(x, y, {.batch_size = 64});               // the global batch, split by rows
//
// The layout classes (DeviceMesh, TensorLayout, LayoutMap) are in layout.h.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "keras/data/dataset.h"
#include "keras/distribute/cross_replica.h"
#include "keras/distribute/layout.h"

namespace keras::core {
class Variable;
}

namespace keras::distribution {
using core::Tensor;  ///< keras::Tensor

/// The devices of `device_type` ("cpu" or "gpu"; empty: "gpu" when there is one, else
/// "cpu"), named "<type>:<id>". Before initialize(), this process's own devices ("cpu:0";
/// its GPUs "gpu:0", "gpu:1", ...); after it, one device per process of the job, whose id
/// is the process id ("cpu:0" .. "cpu:<N-1>"; "gpu:<i>" when every process has a GPU).
/// An unknown type raises std::invalid_argument; a type with no device gives none.
std::vector<std::string> list_devices(const std::string& device_type = "");
/// list_devices(device_type).size().
int64_t get_device_count(const std::string& device_type = "");

/// Keras's initialize(job_addresses, num_processes, process_id): joins the processes of
/// the MPI job this program runs in (`mpirun -np N program`; without mpirun, a job of
/// one). Arguments left out are read from KERAS_DISTRIBUTION_JOB_ADDRESSES,
/// KERAS_DISTRIBUTION_NUM_PROCESSES and KERAS_DISTRIBUTION_PROCESS_ID when set; a
/// num_processes or process_id that is not the job's raises std::invalid_argument (MPI's
/// launcher places the processes, so job_addresses is not used). A second call raises
/// std::logic_error; MPI failing raises std::runtime_error.
void initialize(std::optional<std::string> job_addresses = std::nullopt, std::optional<int> num_processes = std::nullopt,
                std::optional<int> process_id = std::nullopt);
/// Whether initialize() was called.
bool is_initialized();
/// The number of processes of the job (1 before initialize()).
int num_processes();
/// This process's id in the job, 0 .. num_processes() - 1 (0 before initialize()).
int process_id();

class DistributionScope;

/// keras.distribution.Distribution: how variables and data are placed on a device mesh.
class Distribution : public std::enable_shared_from_this<Distribution> {
 public:
  virtual ~Distribution();
  /// The mesh.
  const DeviceMesh& device_mesh() const { return mesh_; }
  /// The mesh axis the batch is split over.
  const std::string& batch_dim_name() const { return batch_dim_name_; }
  /// Whether distribute_dataset() gives each process its part (Keras's
  /// auto_shard_dataset; default true).
  bool auto_shard_dataset() const { return auto_shard_; }
  /// Sets auto_shard_dataset().
  void set_auto_shard_dataset(bool value) { auto_shard_ = value; }
  /// The number of processes (Keras's num_processes).
  int num_processes() const { return num_processes_; }
  /// How many copies of the model train on different data (Keras's num_model_replicas).
  virtual int64_t num_model_replicas() const = 0;
  /// Which part of the data this process takes (Keras's data_shard_id).
  int64_t data_shard_id() const;
  /// The layout of a batch of `data_shape` (its first axis split over batch_dim_name()).
  virtual TensorLayout get_data_layout(const std::vector<int64_t>& data_shape) const = 0;
  /// The layout of a variable.
  virtual TensorLayout get_variable_layout(const core::Variable& variable) const = 0;
  /// The layout of an intermediate tensor at `path`, or none.
  virtual std::optional<TensorLayout> get_tensor_layout(const std::string& path) const = 0;
  /// Keras's distribute_dataset: with several processes and auto_shard_dataset(), the
  /// rows of each batch of `dataset` (global batches, every component's first axis) that
  /// this process takes, as fit() splits them (contiguous slices, the first
  /// rows % processes processes one row more); otherwise `dataset`. fit(), evaluate() and
  /// predict() of a model made under the distribution take the global data and split it
  /// themselves; this is for custom loops.
  data::Dataset distribute_dataset(const data::Dataset& dataset) const;
  /// Makes this distribution current (set_distribution) while the returned object lives;
  /// the previous one is current again after it.
  [[nodiscard]] DistributionScope scope();
  /// The collectives models made under the distribution are mirrored over (null in one
  /// process).
  const distribute::CrossReplicaPtr& cross_replica() const { return replicas_; }
  /// Keras's repr: "<DataParallel device_mesh=<DeviceMesh shape=(2,), axis_names=['batch']>>".
  std::string str() const;
  /// "DataParallel".
  const std::string& class_name() const { return class_name_; }

 protected:
  /// The base of a distribution on `mesh` splitting the batch over `batch_dim_name`.
  Distribution(std::string class_name, DeviceMesh mesh, std::string batch_dim_name, bool auto_shard_dataset);
  /// Sets the collectives (see cross_replica()).
  void set_cross_replica(distribute::CrossReplicaPtr replicas) { replicas_ = std::move(replicas); }

 private:
  std::string class_name_;
  DeviceMesh mesh_;
  std::string batch_dim_name_;
  bool auto_shard_;
  int num_processes_, process_id_;
  distribute::CrossReplicaPtr replicas_;
};
/// A shared distribution.
using DistributionPtr = std::shared_ptr<Distribution>;

/// DataParallel's arguments (Keras's, at most one of device_mesh and devices).
struct DataParallelOptions {
  /// A mesh whose first axis is the batch axis (a mesh of more axes warns, as Keras, and
  /// still splits over all its devices).
  std::optional<DeviceMesh> device_mesh{};
  /// The devices of a one-axis mesh named "batch".
  std::vector<std::string> devices{};
  /// See Distribution::auto_shard_dataset.
  bool auto_shard_dataset = true;
};

/// keras.distribution.DataParallel: the model is replicated on every device of the mesh
/// and each takes its rows of the batch; gradients are summed over the replicas before
/// each update. keras-cpp runs one device per process: the mesh's devices must be the
/// job's devices, one per process (list_devices() after initialize()). Models, optimizers
/// and metrics made while it is current (set_distribution, scope()) are mirrored over the
/// processes, as under MultiWorkerMirroredStrategy::scope().
class DataParallelDistribution : public Distribution {
 public:
  /// See DataParallel().
  explicit DataParallelDistribution(const DataParallelOptions& options = {});
  int64_t num_model_replicas() const override { return device_mesh().size(); }
  TensorLayout get_data_layout(const std::vector<int64_t>& data_shape) const override;
  /// Replicated: nullopt for every axis.
  TensorLayout get_variable_layout(const core::Variable& variable) const override;
  /// None.
  std::optional<TensorLayout> get_tensor_layout(const std::string& path) const override;

 private:
  DataParallelDistribution(const DeviceMesh& mesh, bool auto_shard_dataset);
};
/// keras.distribution.DataParallel(device_mesh, devices, auto_shard_dataset): over the
/// mesh given, the devices given, or list_devices(). std::invalid_argument when both a mesh
/// and devices are given, or the mesh's devices are not the job's (one per process; their
/// count and names in the message).
std::shared_ptr<DataParallelDistribution> DataParallel(const DataParallelOptions& options = {});

/// Makes `value` the current distribution of this thread (Keras's set_distribution; null
/// clears it). Models, optimizers and metrics made while a multi-process distribution is
/// current are mirrored over its processes.
void set_distribution(DistributionPtr value);
/// The current distribution of this thread, or null.
DistributionPtr distribution();

/// What Distribution::scope() returns.
class DistributionScope {
 public:
  /// Makes `d` current.
  explicit DistributionScope(DistributionPtr d);
  /// Makes the previous distribution current again.
  ~DistributionScope();
  DistributionScope(DistributionScope&&) = delete;
  DistributionScope& operator=(DistributionScope&&) = delete;

 private:
  DistributionPtr previous_;
};

/// Keras's distribute_tensor(tensor, layout): this process's part of `tensor` under
/// `layout` (each tensor axis named in the layout split evenly over that mesh axis; the
/// whole tensor when nothing is split across processes). std::invalid_argument when the
/// layout has no mesh or more axes than the tensor, names a mesh axis twice, splits an
/// axis whose size the mesh axis does not divide, or when this process's device is not
/// in the mesh.
Tensor distribute_tensor(const Tensor& tensor, const TensorLayout& layout);

}  // namespace keras::distribution
