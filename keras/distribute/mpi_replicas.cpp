// mpi_replicas.cpp - CrossReplica over Open MPI: all-reduce, broadcast and barrier on a
// duplicate of MPI_COMM_WORLD whose errors are returned (and raised as
// std::runtime_error naming the call) instead of aborting.
#include "keras/distribute/mpi_replicas.h"

#define OMPI_SKIP_MPICXX 1  // the C API only (Open MPI's C++ bindings warn under -Wextra)
#include <mpi.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <cstdlib>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

namespace keras::distribute::detail {
namespace {

void check(int rc, const char* what) {
  if (rc == MPI_SUCCESS) return;
  char text[MPI_MAX_ERROR_STRING];
  int len = 0;
  MPI_Error_string(rc, text, &len);
  int rank = -1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  throw std::runtime_error("distribute: " + std::string(what) + " failed on rank " + std::to_string(rank) + ": " +
                           std::string(text, size_t(len)));
}

void finalize_at_exit() {
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (!finalized) MPI_Finalize();
}

// MPI is initialized once per process; the first strategy does it. SERIALIZED: the
// collectives come from several threads (the step's, and the communication thread of an
// overlapped step) but never at once: every call holds the replicas' mutex. Returns the
// thread level MPI provides (an MPI initialized by the program may give less).
int init_mpi() {
  static std::once_flag once;
  static int provided = MPI_THREAD_SINGLE;
  std::call_once(once, [] {
    int initialized = 0;
    MPI_Initialized(&initialized);
    if (initialized) {
      MPI_Query_thread(&provided);
      return;
    }
    check(MPI_Init_thread(nullptr, nullptr, MPI_THREAD_SERIALIZED, &provided), "MPI_Init_thread");
    std::atexit(finalize_at_exit);
  });
  return provided;
}

class MpiReplicas : public CrossReplica {
 public:
  explicit MpiReplicas(const StrategyOptions& o) : bucket_bytes_(o.bucket_bytes) {
    if (o.bucket_bytes <= 0)
      throw std::invalid_argument("MultiWorkerMirroredStrategy: expected bucket_bytes > 0, but received " +
                                  std::to_string(o.bucket_bytes));
    // A communication thread may call MPI only with SERIALIZED (or MULTIPLE) support.
    const int level = init_mpi();
    overlap_ = o.overlap && level >= MPI_THREAD_SERIALIZED;
    check(MPI_Comm_dup(MPI_COMM_WORLD, &comm_), "MPI_Comm_dup");
    check(MPI_Comm_set_errhandler(comm_, MPI_ERRORS_RETURN), "MPI_Comm_set_errhandler");
    check(MPI_Comm_rank(comm_, &rank_), "MPI_Comm_rank");
    check(MPI_Comm_size(comm_, &size_), "MPI_Comm_size");
  }
  ~MpiReplicas() override {
    stop_comm_thread();
    int finalized = 0;
    MPI_Finalized(&finalized);
    if (!finalized) MPI_Comm_free(&comm_);
  }
  int num_replicas() const override { return size_; }
  int replica_id() const override { return rank_; }
  int64_t bucket_bytes() const override { return bucket_bytes_; }
  bool overlap() const override { return overlap_; }

  void all_reduce_sum(float* data, int64_t n) override { reduce(data, n, MPI_FLOAT); }
  void all_reduce_sum(double* data, int64_t n) override { reduce(data, n, MPI_DOUBLE); }

  void broadcast(void* data, int64_t bytes, int root) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto* p = static_cast<char*>(data);
    for (int64_t done = 0; done < bytes;) {
      const int n = int(std::min<int64_t>(bytes - done, INT_MAX));
      check(MPI_Bcast(p + done, n, MPI_BYTE, root, comm_), "MPI_Bcast");
      done += n;
    }
  }
  void barrier() {
    std::lock_guard<std::mutex> lock(mu_);
    check(MPI_Barrier(comm_), "MPI_Barrier");
  }
  // Holds off the communication thread while `comm()` is used directly.
  std::mutex& mutex() { return mu_; }
  MPI_Comm comm() const { return comm_; }

 private:
  template <class T>
  void reduce(T* data, int64_t n, MPI_Datatype type) {
    std::lock_guard<std::mutex> lock(mu_);
    for (int64_t done = 0; done < n;) {
      const int count = int(std::min<int64_t>(n - done, INT_MAX));
      check(MPI_Allreduce(MPI_IN_PLACE, data + done, count, type, MPI_SUM, comm_), "MPI_Allreduce");
      done += count;
    }
  }
  MPI_Comm comm_ = MPI_COMM_NULL;
  int rank_ = 0, size_ = 1;
  int64_t bucket_bytes_;
  bool overlap_ = false;
  std::mutex mu_;  // one MPI call at a time (MPI_THREAD_SERIALIZED)
};

MpiReplicas& as_mpi(CrossReplica& r) {
  auto* m = dynamic_cast<MpiReplicas*>(&r);
  if (!m) throw std::logic_error("distribute: expected MPI collectives");
  return *m;
}
}  // namespace

std::shared_ptr<CrossReplica> mpi_replicas(const StrategyOptions& options) {
  return std::make_shared<MpiReplicas>(options);
}

void mpi_barrier(CrossReplica& replicas) { as_mpi(replicas).barrier(); }

bool mpi_single_host(CrossReplica& replicas) {
  std::lock_guard<std::mutex> lock(as_mpi(replicas).mutex());
  MPI_Comm local = MPI_COMM_NULL;
  check(MPI_Comm_split_type(as_mpi(replicas).comm(), MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &local),
        "MPI_Comm_split_type");
  int local_size = 0;
  MPI_Comm_size(local, &local_size);
  MPI_Comm_free(&local);
  return local_size == replicas.num_replicas();
}

}  // namespace keras::distribute::detail
