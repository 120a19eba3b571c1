// test_checkpoint_callbacks.cpp - ModelCheckpoint (file names, when it saves, what it
// prints) and BackupAndRestore (resuming an interrupted fit in the same process; the
// killed-process tests are in test_crash_safety.cpp).
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <vector>

#include "capture.h"
#include "files.h"
#include "helpers.h"
#include "keras/callbacks/backup_and_restore.h"
#include "keras/callbacks/model_checkpoint.h"
#include "keras/keras.h"
#include "keras/saving/saving.h"

using namespace th;
namespace fs = std::filesystem;
namespace layers = keras::layers;
namespace cb = keras::callbacks;

namespace {

// A model with every kind of training randomness: an unseeded Dropout (core's global
// generator), a seeded GaussianNoise (its own seed generator), Adam's slots.
keras::Ref<keras::SequentialModel> noisy_model(uint64_t seed) {
  keras::ops::set_random_seed(seed);
  auto m = keras::Sequential({layers::Dense(16, {.activation = "relu", .name = "hidden", .input_shape = {6}}),
                              layers::Dropout(0.25, {.name = "drop"}),
                              layers::GaussianNoise(0.1, {.seed = 5, .name = "noise"}),
                              layers::Dense(3, {.activation = "softmax", .name = "out"})});
  m->compile({.optimizer = keras::optimizers::Adam({.learning_rate = 0.01}), .loss = "sparse_categorical_crossentropy",
              .metrics = {"accuracy"}});
  return m;
}

keras::Ref<keras::SequentialModel> small_model() {
  auto m = keras::Sequential({layers::Dense(4, {.activation = "relu", .name = "hidden", .input_shape = {6}}),
                              layers::Dense(3, {.activation = "softmax", .name = "out"})});
  m->compile({.optimizer = "adam", .loss = "sparse_categorical_crossentropy"});
  return m;
}

}  // namespace

TEST_CASE("ModelCheckpoint: the filepath is formatted like Python's str.format") {
  auto path = [](const std::string& pattern, keras::Logs logs, int epoch = 4, std::optional<int64_t> batch = std::nullopt) {
    return cb::ModelCheckpoint(pattern, {.save_freq = batch ? cb::SaveFreq(1) : cb::SaveFreq("epoch")})
        .format_filepath(epoch, batch, logs);
  };
  CHECK(path("ckpt-{epoch:02d}-{val_loss:.2f}.kcpp", {{"val_loss", 0.12345}}) == "ckpt-05-0.12.kcpp");
  CHECK(path("m{epoch}.kcpp", {}) == "m5.kcpp");
  CHECK(path("{loss}", {{"loss", 0.5}}) == "0.5");          // str(float): repr
  CHECK(path("{loss}", {{"loss", 1.0}}) == "1.0");
  CHECK(path("{loss}", {{"loss", 1e-05}}) == "1e-05");
  CHECK(path("{loss}", {{"loss", 0.1 + 0.2}}) == "0.30000000000000004");
  CHECK(path("{loss}", {{"loss", 12345.0}}) == "12345.0");
  CHECK(path("{loss}", {{"loss", 1e16}}) == "1e+16");
  CHECK(path("{loss:.3e}", {{"loss", 0.000123}}) == "1.230e-04");
  CHECK(path("{loss:.3}", {{"loss", 2.0}}) == "2.0");
  CHECK(path("{loss:.3}", {{"loss", 0.123456}}) == "0.123");
  CHECK(path("{loss:g}", {{"loss", 0.5}}) == "0.5");
  CHECK(path("{loss:+.1f}", {{"loss", 0.25}}) == "+0.2");
  CHECK(path("{loss:08.3f}", {{"loss", -1.5}}) == "-001.500");
  CHECK(path("{accuracy:.1%}", {{"accuracy", 0.853}}) == "85.3%");
  CHECK(path("[{epoch:>4}]", {}) == "[   5]");
  CHECK(path("[{epoch:<4d}]", {}) == "[5   ]");
  CHECK(path("[{epoch:*^5}]", {}) == "[**5**]");
  CHECK(path("{epoch:.2f}", {}) == "5.00");  // an int formats as a float too
  CHECK(path("{{literal}}-{epoch}", {}) == "{literal}-5");
  CHECK(path("e{epoch}-b{batch:03d}", {{"loss", 1}}, 0, 9) == "e1-b010");  // both 1-based
  CHECK(path("{val_loss:.4f}", {{"val_loss", 0.25}, {"loss", 1}}) == "0.2500");

  CHECK_THROWS_WITH_AS(path("ckpt-{val_acc:.2f}.kcpp", {{"loss", 0.5}, {"val_loss", 0.4}}),
                       "ModelCheckpoint: failed to format the filepath \"ckpt-{val_acc:.2f}.kcpp\": no value for the "
                       "placeholder 'val_acc' (available: epoch, loss, val_loss)",
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS(path("{batch}", {{"loss", 0.5}}), doctest::Contains("'batch'"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(path("{loss:d}", {{"loss", 0.5}}), doctest::Contains("unknown format code 'd'"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(path("{epoch:.2d}", {}), doctest::Contains("precision not allowed"), std::invalid_argument);
  // Syntax errors are caught by the constructor.
  CHECK_THROWS_WITH_AS(cb::ModelCheckpoint("m-{epoch.kcpp"), doctest::Contains("single '{'"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(cb::ModelCheckpoint("m-}.kcpp"), doctest::Contains("single '}'"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(cb::ModelCheckpoint("m-{epoch:.2q}.kcpp"), doctest::Contains("unsupported format specifier '.2q'"),
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS(cb::ModelCheckpoint("m.kcpp", {.save_freq = "batch"}),
                       "save_freq: expected 'epoch' or an integer number of batches, but received 'batch'",
                       std::invalid_argument);
  CHECK_THROWS_AS(cb::ModelCheckpoint("m.kcpp", {.save_freq = 0}), std::invalid_argument);
  CHECK_THROWS_WITH_AS(cb::ModelCheckpoint("m.kcpp", {.mode = "best"}), doctest::Contains("received 'best'"),
                       std::invalid_argument);
  CHECK_THROWS_AS(cb::ModelCheckpoint(""), std::invalid_argument);
}

TEST_CASE("ModelCheckpoint: saves every epoch under the formatted names, in new folders; weights only") {
  TempDir dir;
  auto [x, y] = classes(60);
  auto model = small_model();
  auto full = std::make_shared<cb::ModelCheckpoint>(dir.file("models/m-{epoch:02d}.kcpp"));
  auto weights = std::make_shared<cb::ModelCheckpoint>(dir.file("w-{epoch}-{loss:.3f}.weights"),
                                                       cb::ModelCheckpointOptions{.save_weights_only = true});
  keras::callbacks::History h =
      model->fit(x, y, {.batch_size = 16, .epochs = 3, .verbose = 0, .callbacks = {full, weights}, .seed = 2});
  for (int e = 1; e <= 3; ++e) CHECK(fs::exists(dir.file("models/m-0" + std::to_string(e) + ".kcpp")));
  char last[64];
  std::snprintf(last, sizeof last, "w-3-%.3f.weights", h.history["loss"][2]);
  REQUIRE(fs::exists(dir.file(last)));
  std::snprintf(last, sizeof last, "w-1-%.3f.weights", h.history["loss"][0]);
  CHECK(fs::exists(dir.file(last)));

  // The last full save is the trained model; the last weights file has its weights.
  keras::ModelPtr loaded = keras::saving::load_model(dir.file("models/m-03.kcpp"));
  CHECK(same_bits(loaded->get_weights(), model->get_weights()));
  auto other = small_model();
  std::snprintf(last, sizeof last, "w-3-%.3f.weights", h.history["loss"][2]);
  keras::saving::load_weights(*other, dir.file(last));
  CHECK(same_bits(other->get_weights(), model->get_weights()));

  // A path that is an existing folder is an error, not a silent overwrite.
  fs::create_directories(dir.file("taken.kcpp"));
  auto bad = std::make_shared<cb::ModelCheckpoint>(dir.file("taken.kcpp"));
  CHECK_THROWS_WITH_AS(model->fit(x, y, {.epochs = 1, .verbose = 0, .callbacks = {bad}}),
                       doctest::Contains("is an existing directory"), std::runtime_error);
}

TEST_CASE("ModelCheckpoint: save_best_only, modes, initial_value_threshold and Keras's messages") {
  TempDir dir;
  auto model = small_model();
  auto run = [&](cb::ModelCheckpoint& c, const std::vector<double>& values, const std::string& key) {
    c.set_model(model.get());
    c.on_train_begin({});
    for (size_t e = 0; e < values.size(); ++e) {
      c.on_epoch_begin(int(e), {});
      c.on_epoch_end(int(e), {{"loss", 1.0}, {key, values[e]}});
    }
  };
  auto saved = [&](const std::string& prefix, int epochs) {
    std::string s;
    for (int e = 1; e <= epochs; ++e) s += fs::exists(dir.file(prefix + std::to_string(e) + ".kcpp")) ? '1' : '0';
    return s;
  };
  {  // auto on a loss: minimum, printed as Keras prints it
    cb::ModelCheckpoint c(dir.file("a{epoch}.kcpp"), {.verbose = 1, .save_best_only = true});
    Capture out(1);
    run(c, {0.5, 0.7, 0.3, 0.3}, "val_loss");
    const std::string text = out.text();
    CHECK(saved("a", 4) == "1010");  // an equal value is no improvement
    CHECK(c.best() == 0.3);
    CHECK(text.find("\nEpoch 1: val_loss improved from inf to 0.50000, saving model to " + dir.file("a1.kcpp") + "\n") !=
          std::string::npos);
    CHECK(text.find("\nEpoch 2: val_loss did not improve from 0.50000\n") != std::string::npos);
    CHECK(text.find("\nEpoch 3: val_loss improved from 0.50000 to 0.30000, saving model to ") != std::string::npos);
  }
  {  // auto on an accuracy: maximum
    cb::ModelCheckpoint c(dir.file("b{epoch}.kcpp"), {.monitor = "val_accuracy", .save_best_only = true});
    run(c, {0.5, 0.4, 0.9}, "val_accuracy");
    CHECK(saved("b", 3) == "101");
  }
  {  // explicit max on a loss-like name
    cb::ModelCheckpoint c(dir.file("c{epoch}.kcpp"), {.save_best_only = true, .mode = "max"});
    run(c, {0.5, 0.7, 0.3}, "val_loss");
    CHECK(saved("c", 3) == "110");
  }
  {  // the first value must beat the threshold
    cb::ModelCheckpoint c(dir.file("d{epoch}.kcpp"),
                          {.save_best_only = true, .mode = "min", .initial_value_threshold = 0.4});
    run(c, {0.5, 0.35, 0.45}, "val_loss");
    CHECK(saved("d", 3) == "010");
    CHECK(c.best() == 0.35);
  }
  {  // without save_best_only every epoch is saved, whatever the value
    cb::ModelCheckpoint c(dir.file("e{epoch}.kcpp"), {.verbose = 1});
    Capture out(1);
    run(c, {0.5, 0.7}, "val_loss");
    CHECK(saved("e", 2) == "11");
    CHECK(out.text().find("\nEpoch 2: saving model to " + dir.file("e2.kcpp") + "\n") != std::string::npos);
  }
  {  // a missing monitored value: Keras 3's warning on stderr (once), and it saves anyway
    cb::ModelCheckpoint c(dir.file("f{epoch}.kcpp"), {.save_best_only = true});
    Capture err(2);
    run(c, {0.5, 0.4}, "val_acc");
    const std::string text = err.text();
    CHECK(saved("f", 2) == "11");
    const std::string warning = "UserWarning: Can save best model only with val_loss available.\n";
    CHECK(text.find(warning) != std::string::npos);
    CHECK(text.find(warning) == text.rfind(warning));
  }
}

TEST_CASE("ModelCheckpoint: save_freq counts batches across epochs as Keras does") {
  TempDir dir;
  auto model = small_model();
  cb::ModelCheckpoint c(dir.file("b-{epoch}-{batch}.kcpp"), {.save_freq = 2});
  c.set_model(model.get());
  c.on_train_begin({});
  for (int e = 0; e < 2; ++e) {
    c.on_epoch_begin(e, {});
    for (int64_t b = 0; b < 5; ++b) c.on_train_batch_end(b, {{"loss", 1.0}});
    c.on_epoch_end(e, {{"loss", 1.0}});  // no save at the end of an epoch
  }
  std::vector<std::string> files;
  for (const auto& entry : fs::directory_iterator(dir.path)) files.push_back(entry.path().filename().string());
  std::sort(files.begin(), files.end());
  CHECK(files == std::vector<std::string>{"b-1-2.kcpp", "b-1-4.kcpp", "b-2-1.kcpp", "b-2-3.kcpp", "b-2-5.kcpp"});
}

TEST_CASE("BackupAndRestore: a fit interrupted by an exception resumes with the weights of an uninterrupted run") {
  TempDir dir;
  auto [x, y] = classes(90);
  const keras::FitOptions base{.batch_size = 16, .epochs = 5, .verbose = 0, .validation_split = 0.2};
  // Reference: never interrupted.
  auto ref = noisy_model(7);
  keras::FitOptions o = base;
  ref->fit(x, y, o);

  struct Interrupt : std::runtime_error {
    Interrupt() : std::runtime_error("interrupted") {}
  };
  SUBCASE("backups at the end of each epoch") {
    auto backup = std::make_shared<cb::BackupAndRestore>(dir.file("backup"));
    auto stop = std::make_shared<cb::LambdaCallback>(cb::LambdaCallbackOptions{.on_epoch_end = [](int e, const keras::Logs&) {
      if (e == 2) throw Interrupt();
    }});
    auto m = noisy_model(7);
    o.callbacks = {backup, stop};
    CHECK_THROWS_AS(m->fit(x, y, o), Interrupt);
    CHECK(fs::exists(backup->checkpoint_path()));
    CHECK(!backup->restored());

    // Another initialization and global generator: everything that matters is restored
    // (weights, optimizer, fit's shuffling seed, the generators).
    auto resumed = noisy_model(99);
    o.callbacks = {backup};
    keras::callbacks::History h = resumed->fit(x, y, o);
    REQUIRE(backup->restored());
    CHECK(backup->restored()->first == 3);
    CHECK(backup->restored()->second == 0);
    CHECK(h.epoch == std::vector<int>{3, 4});
    CHECK(same_bits(resumed->get_weights(), ref->get_weights()));
    CHECK(resumed->optimizer()->iterations() == ref->optimizer()->iterations());
    CHECK(!fs::exists(backup->checkpoint_path()));  // deleted when fit ends normally
    CHECK(!fs::exists(dir.file("backup")));
  }
  SUBCASE("backups every 2 batches, interrupted twice in the middle of an epoch") {
    auto backup = std::make_shared<cb::BackupAndRestore>(dir.file("backup"), cb::BackupAndRestoreOptions{.save_freq = 2});
    // 5 steps per epoch; backups after every 2nd batch counted across epochs (Keras).
    int64_t seen = 0, stop_at = 13;
    auto stop = std::make_shared<cb::LambdaCallback>(cb::LambdaCallbackOptions{
        .on_train_batch_end = [&](int64_t, const keras::Logs&) {
          if (++seen == stop_at) throw Interrupt();
        }});
    auto m = noisy_model(7);
    o.callbacks = {backup, stop};
    CHECK_THROWS_AS(m->fit(x, y, o), Interrupt);  // at batch 13 (epoch 2, batch 2)
    REQUIRE(fs::exists(backup->checkpoint_path()));

    // The resumed run skips the 2 batches done and counts on from the backup: its next
    // backups follow batches (2, 3) and (3, 0), as in the first run.
    auto resumed = noisy_model(99);
    seen = 0;
    stop_at = 4;  // batches (2, 2), (2, 3), (2, 4), (3, 0)
    CHECK_THROWS_AS(resumed->fit(x, y, o), Interrupt);
    REQUIRE(backup->restored());
    CHECK(backup->restored()->first == 2);
    CHECK(backup->restored()->second == 2);

    auto again = noisy_model(98);
    o.callbacks = {backup};
    keras::callbacks::History h = again->fit(x, y, o);
    REQUIRE(backup->restored());
    CHECK(backup->restored()->first == 3);
    CHECK(backup->restored()->second == 1);
    CHECK(h.epoch == std::vector<int>{3, 4});
    CHECK(same_bits(again->get_weights(), ref->get_weights()));
  }
}

TEST_CASE("BackupAndRestore: delete_checkpoint=false keeps the backup; errors name the problem") {
  TempDir dir;
  auto [x, y] = classes(30);
  auto backup = std::make_shared<cb::BackupAndRestore>(dir.file("b"), cb::BackupAndRestoreOptions{.delete_checkpoint = false});
  auto m = noisy_model(3);
  m->fit(x, y, {.batch_size = 10, .epochs = 2, .verbose = 0, .callbacks = {backup}});
  REQUIRE(fs::exists(backup->checkpoint_path()));
  // A finished run resumes after its last epoch: nothing left to do, weights kept.
  auto again = noisy_model(4);
  keras::callbacks::History h = again->fit(x, y, {.batch_size = 10, .epochs = 2, .verbose = 0, .callbacks = {backup}});
  CHECK(h.epoch.empty());
  CHECK(same_bits(again->get_weights(), m->get_weights()));
  // More epochs continue from there.
  h = again->fit(x, y, {.batch_size = 10, .epochs = 3, .verbose = 0, .callbacks = {backup}});
  CHECK(h.epoch == std::vector<int>{2});

  // A model that is not built cannot take the backup.
  auto lazy = keras::Sequential({layers::Dense(16, {.activation = "relu", .name = "hidden"}),
                                 layers::Dense(3, {.activation = "softmax", .name = "out"})});
  lazy->compile({.optimizer = "adam", .loss = "sparse_categorical_crossentropy"});
  CHECK_THROWS_WITH_AS(lazy->fit(x, y, {.epochs = 3, .verbose = 0, .callbacks = {backup}}),
                       doctest::Contains("must be built before fit()"), std::invalid_argument);
  CHECK_THROWS_AS(cb::BackupAndRestore(""), std::invalid_argument);
  CHECK_THROWS_AS(cb::BackupAndRestore("x", {.save_freq = -3}), std::invalid_argument);
}
