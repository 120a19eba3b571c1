// trainer_internal.h - (keras-internal) what the trainer's steps (trainer.cpp) and its
// loops (loops.cpp) share.
#pragma once
#include <atomic>
#include <cstdint>
#include <stdexcept>
#include <thread>

#include "keras/models/model.h"

namespace keras {

// fit/evaluate in one thread at a time: the first call of a thread claims the model,
// nested calls of that thread pass, another thread's call raises.
class RunGuard {
 public:
  RunGuard(Model& m, const char* what) : m_(m) {
    const std::thread::id self = std::this_thread::get_id();
    std::thread::id none{};
    if (m.runner_.load() == self) return;
    if (!m.runner_.compare_exchange_strong(none, self))
      throw std::runtime_error(m.name() + ": " + what + "() was called while another thread runs fit() or evaluate() on "
                               "this model; a model trains and evaluates in one thread at a time (predict, get_weights "
                               "and save are safe from other threads)");
    owner_ = true;
  }
  ~RunGuard() {
    if (owner_) m_.runner_.store(std::thread::id{});
  }
  RunGuard(const RunGuard&) = delete;
  RunGuard& operator=(const RunGuard&) = delete;

 private:
  Model& m_;
  bool owner_ = false;
};

// The step functions of a model (Model::run_step's kind).
enum StepKind { kTrain, kTest, kPredict };

// A file-sharded step (detail::Batch::global_rows): the rows of the global step over the
// replicas, of which the batch run_step gets is this replica's own part; -1 otherwise. Set
// by the fit and evaluate loops around run_step (thread-local: a thread runs one loop).
extern thread_local int64_t t_own_part_of;

struct OwnPart {
  explicit OwnPart(int64_t global_rows) { t_own_part_of = global_rows; }
  ~OwnPart() { t_own_part_of = -1; }
  OwnPart(const OwnPart&) = delete;
  OwnPart& operator=(const OwnPart&) = delete;
};

}  // namespace keras
