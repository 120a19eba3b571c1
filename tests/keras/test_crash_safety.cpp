// test_crash_safety.cpp - processes killed with SIGKILL: a fit() killed after a backup
// resumes (BackupAndRestore) to the weights of an uninterrupted run, and a save killed at
// any point leaves the previous file loadable.
//
// Each test forks a child that only trains or saves and never returns (it is killed or
// _exit()s). The engine's thread pool rebuilds itself in the child (its workers are not
// copied by fork), so the child can use several threads like the parent.
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <functional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "files.h"
#include "helpers.h"
#include "keras/callbacks/backup_and_restore.h"
#include "keras/keras.h"
#include "keras/saving/saving.h"

using namespace th;
namespace fs = std::filesystem;
namespace layers = keras::layers;
namespace cb = keras::callbacks;

namespace {

// Runs `body` in a forked child, which ends with _exit(0), or _exit(3) on an exception.
pid_t spawn(const std::function<void()>& body) {
  std::fflush(stdout);
  std::fflush(stderr);
  pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    try {
      body();
    } catch (...) {
      ::_exit(3);
    }
    ::_exit(0);
  }
  return pid;
}

int wait_status(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return status;
}

// Waits up to a minute for a child that should end by itself; a hung child is killed
// and fails the test instead of hanging it.
int wait_status_or_fail(pid_t pid) {
  int status = 0;
  for (int i = 0; i < 6000; ++i) {
    const pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid) return status;
    if (r < 0 && errno != EINTR) FAIL("waitpid failed: ", std::strerror(errno));
    ::usleep(10000);
  }
  ::kill(pid, SIGKILL);
  wait_status(pid);
  FAIL("the child process hung");
  return status;
}

// Every kind of training randomness: an unseeded Dropout, a seeded GaussianNoise, fit's
// shuffling seed drawn from the global generator, Adam's slots.
keras::Ref<keras::SequentialModel> noisy_model() {
  keras::ops::set_random_seed(2024);
  auto m = keras::Sequential({layers::Dense(32, {.activation = "relu", .name = "hidden", .input_shape = {6}}),
                              layers::Dropout(0.2, {.name = "drop"}),
                              layers::GaussianNoise(0.05, {.seed = 9, .name = "noise"}),
                              layers::Dense(3, {.activation = "softmax", .name = "out"})});
  m->compile({.optimizer = keras::optimizers::Adam({.learning_rate = 0.01}), .loss = "sparse_categorical_crossentropy"});
  return m;
}

}  // namespace

TEST_CASE("crash safety: a fit killed after a backup resumes to the weights of an uninterrupted run") {
  TempDir dir;
  auto [x, y] = classes(120);
  const keras::FitOptions base{.batch_size = 16, .epochs = 6, .verbose = 0};
  auto ref = noisy_model();
  ref->fit(x, y, base);

  struct Case {
    const char* name;
    cb::SaveFreq save_freq;
    int kill_epoch;       // SIGKILL at the end of this epoch (after its backup) ...
    int64_t kill_batch;   // ... or after this many batches in all
    int resumed_epoch;
    int64_t resumed_step;
  };
  // 120 samples, batch 16: 8 steps per epoch. Every 3 batches, the last backup before
  // batch 23 (epoch 2, batch 6) is after batch 21: epoch 2, 5 batches done.
  for (const Case& c : {Case{"per epoch", "epoch", 2, -1, 3, 0}, Case{"every 3 batches", 3, -1, 23, 2, 5}}) {
    CAPTURE(c.name);
    const std::string backup_dir = dir.file(std::string("backup_") + (c.kill_epoch >= 0 ? "epoch" : "batch"));
    pid_t pid = spawn([&] {
      auto m = noisy_model();
      auto backup = std::make_shared<cb::BackupAndRestore>(backup_dir, cb::BackupAndRestoreOptions{.save_freq = c.save_freq});
      int64_t batches = 0;
      auto killer = std::make_shared<cb::LambdaCallback>(cb::LambdaCallbackOptions{
          .on_epoch_end = [&](int e, const keras::Logs&) {
            if (e == c.kill_epoch) ::raise(SIGKILL);
          },
          .on_train_batch_end = [&](int64_t, const keras::Logs&) {
            if (++batches == c.kill_batch) ::raise(SIGKILL);
          }});
      keras::FitOptions o = base;
      o.callbacks = {backup, killer};
      m->fit(x, y, o);
    });
    const int status = wait_status_or_fail(pid);
    REQUIRE(WIFSIGNALED(status));
    CHECK(WTERMSIG(status) == SIGKILL);
    auto backup = std::make_shared<cb::BackupAndRestore>(backup_dir, cb::BackupAndRestoreOptions{.save_freq = c.save_freq});
    REQUIRE(fs::exists(backup->checkpoint_path()));

    auto resumed = noisy_model();
    keras::FitOptions o = base;
    o.callbacks = {backup};
    keras::callbacks::History h = resumed->fit(x, y, o);
    REQUIRE(backup->restored());
    CHECK(backup->restored()->first == c.resumed_epoch);
    CHECK(backup->restored()->second == c.resumed_step);
    CHECK(h.epoch.front() == c.resumed_epoch);
    CHECK(same_bits(resumed->get_weights(), ref->get_weights()));
    CHECK(resumed->optimizer()->iterations() == ref->optimizer()->iterations());
    CHECK(!fs::exists(backup_dir));  // deleted when fit() ends normally
  }
}

// The child's temporary files (write_file_atomically: ".<name>.tmp.<pid>.<n>") and their sizes.
static std::vector<uintmax_t> temp_sizes(const fs::path& dir, const std::string& name, pid_t pid) {
  const std::string prefix = "." + name + ".tmp." + std::to_string(pid) + ".";
  std::vector<uintmax_t> sizes;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (entry.path().filename().string().rfind(prefix, 0) != 0) continue;
    uintmax_t n = fs::file_size(entry.path(), ec);
    if (!ec) sizes.push_back(n);
  }
  return sizes;
}

TEST_CASE("crash safety: a save killed in mid-write leaves the previous file loadable (100 kills)") {
  TempDir dir;
  // About 1 MB of weights, so that a save is written in many pieces.
  auto model = keras::Sequential({layers::Dense(512, {.name = "a", .input_shape = {256}}),
                                  layers::Dense(256, {.name = "b"}), layers::Dense(10, {.name = "c"})});
  model->compile({.optimizer = "sgd", .loss = "mse"});
  const std::vector<Tensor> v0 = model->get_weights();
  std::vector<Tensor> v1;
  for (const Tensor& w : v0) v1.push_back(keras::ops::add(w, keras::ops::ones_like(w)));

  for (const bool weights_only : {false, true}) {
    CAPTURE(weights_only);
    const fs::path sub = dir.path / (weights_only ? "weights" : "model");
    fs::create_directories(sub);
    const std::string path = (sub / (weights_only ? "w.weights" : "m.kcpp")).string();
    const std::string name = fs::path(path).filename().string();
    auto save = [&](const std::vector<Tensor>& v) {
      model->set_weights(v);
      if (weights_only) keras::saving::save_weights(*model, path);
      else keras::saving::save_model(*model, path);
    };
    save(v0);
    const uintmax_t full = fs::file_size(path);  // both versions have this size
    // Each trial ends a saving child at a random byte of the file written. Even trials
    // are exact: the child completes 0-2 saves, then may write only `target` bytes to
    // any file (RLIMIT_FSIZE), so SIGXFSZ ends it in mid-write, at that byte. Odd trials
    // SIGKILL the child once the parent sees `target` bytes of its temporary file (the
    // save may have moved on to the sync or the rename by then). Whether a kill landed
    // in mid-write is read afterwards from what it left (a temporary file shorter than
    // the whole), not from a clock.
    std::mt19937 rng(weights_only ? 2 : 1);
    std::uniform_real_distribution<double> fraction(0.0, 0.95);
    auto version = [&](int i) -> const std::vector<Tensor>& { return i % 2 ? v0 : v1; };  // v1 first

    const int trials = 50;
    int saw_v0 = 0, saw_v1 = 0, mid_write = 0;
    std::vector<Tensor> before = v0;  // the file's content before the trial
    for (int t = 0; t < trials; ++t) {
      const auto target = uintmax_t(fraction(rng) * double(full)) + 1;
      const int completed = int(rng() % 3);
      const bool exact = t % 2 == 0;
      pid_t pid;
      if (exact) {
        pid = spawn([&] {
          for (int i = 0; i < completed; ++i) save(version(i));
          const rlimit no_core{0, 0}, limit{rlim_t(target), rlim_t(target)};
          ::setrlimit(RLIMIT_CORE, &no_core);
          ::setrlimit(RLIMIT_FSIZE, &limit);
          save(version(completed));
        });
      } else {
        pid = spawn([&] {
          for (int i = 0;; ++i) save(version(i));
        });
        for (bool hit = false; !hit;) {
          for (uintmax_t n : temp_sizes(sub, name, pid)) hit |= n >= target && n < full;
          int st = 0;
          REQUIRE_MESSAGE(::waitpid(pid, &st, WNOHANG) == 0, "the saving child ended by itself");
          if (!hit) std::this_thread::sleep_for(std::chrono::microseconds(50));  // a polling interval
        }
        ::kill(pid, SIGKILL);
      }
      const int status = wait_status(pid);
      REQUIRE(WIFSIGNALED(status));
      CHECK(WTERMSIG(status) == (exact ? SIGXFSZ : SIGKILL));
      for (uintmax_t n : temp_sizes(sub, name, pid)) mid_write += n < full;

      // The file is whole: one of the two versions, never a mix or a truncation.
      std::vector<Tensor> got;
      if (weights_only) {
        auto fresh = keras::Sequential({layers::Dense(512, {.name = "a", .input_shape = {256}}),
                                        layers::Dense(256, {.name = "b"}), layers::Dense(10, {.name = "c"})});
        keras::saving::load_weights(*fresh, path);
        got = fresh->get_weights();
      } else {
        got = keras::saving::load_model(path)->get_weights();
      }
      const bool is0 = same_bits(got, v0), is1 = same_bits(got, v1);
      CHECK((is0 || is1));
      saw_v0 += is0;
      saw_v1 += is1;
      // An exact trial leaves the last completed save, or the file as it was.
      if (exact) CHECK(same_bits(got, completed == 0 ? before : version(completed - 1)));
      before = got;
      // What a kill leaves besides the file: temporary files named after it, at most one
      // per kill.
      size_t strays = 0;
      for (const auto& entry : fs::directory_iterator(sub)) {
        const std::string e = entry.path().filename().string();
        if (e == name) continue;
        CHECK_MESSAGE(e.find(name) != std::string::npos, "unexpected file ", e);
        ++strays;
      }
      CHECK(strays <= size_t(t + 1));
    }
    CHECK(saw_v0 + saw_v1 == trials);
    // The point of the test: kills that interrupted the writing of the file (all the
    // exact ones, and the odd ones that caught the write).
    MESSAGE(mid_write << " of " << trials << " kills landed in mid-write");
    CHECK(mid_write >= trials / 2);
  }
}
