// test_examples.cpp - integration tests of the programs in examples/: each runs in its
// short mode (--short: a few batches or one small epoch) and the test asserts what the
// example claims from its "result: key=value ..." line. An example whose data is not
// installed (Fashion-MNIST, scikit-learn's CSV files) is reported as skipped (skips.h);
// an example that exits 77 (its data missing) while the test ran fails.
#include <doctest/doctest.h>
#include <sys/wait.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "examples_dir.h"  // KERAS_EXAMPLES_DIR, written by tests/meson.build
#include "files.h"
#include "keras/summary.h"
#include "skips.h"
#include "test_data_dir.h"  // KERAS_TEST_DATA_DIR

namespace {

struct ExampleRun {
  int exit_code = -1;
  std::string output;                         // stdout and stderr
  std::map<std::string, std::string> result;  // the "result:" line
  double num(const std::string& key) const {
    auto it = result.find(key);
    if (it == result.end()) {
      FAIL_CHECK("the result line has no key '" << key << "'");
      return 0.0;
    }
    return std::strtod(it->second.c_str(), nullptr);
  }
  const std::string& str(const std::string& key) const {
    static const std::string missing = "<missing>";
    auto it = result.find(key);
    return it == result.end() ? missing : it->second;
  }
};

// Runs examples/<name> with `args` and parses its last "result:" line.
ExampleRun run_example(const std::string& name, const std::string& args = "--short") {
  ExampleRun run;
  const std::string path = std::string(KERAS_EXAMPLES_DIR) + "/" + name;
  REQUIRE_MESSAGE(std::filesystem::exists(path), "the example " << path << " is not built (run ninja)");
  const std::string cmd = "'" + path + "' " + args + " 2>&1";
  FILE* pipe = popen(cmd.c_str(), "r");
  REQUIRE_MESSAGE(pipe != nullptr, "popen failed for " << cmd);
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, pipe)) > 0) run.output.append(buf, n);
  const int status = pclose(pipe);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::istringstream lines(run.output);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.rfind("result:", 0) != 0) continue;
    run.result.clear();
    std::istringstream items(line.substr(7));
    std::string item;
    while (items >> item) {
      const size_t eq = item.find('=');
      if (eq != std::string::npos) run.result[item.substr(0, eq)] = item.substr(eq + 1);
    }
  }
  return run;
}

// Whether the example ran: a failure shows its output. Exit code 77 (data missing) is a
// failure too: a test whose data may be absent is skipped before it runs (skips.h).
void require_ran(const ExampleRun& run) {
  REQUIRE_MESSAGE(run.exit_code != 77, "the example found no data (exit code 77) although the test "
                                       "was not skipped:\n" << run.output);
  REQUIRE_MESSAGE(run.exit_code == 0, "exit code " << run.exit_code << ", output:\n" << run.output);
  REQUIRE_MESSAGE(!run.result.empty(), "no result line in the output:\n" << run.output);
}

using th::have_boston_csv;
using th::have_fashion_mnist;

}  // namespace

TEST_CASE("examples: tensors_tour shows dtypes, indexing, variables and xtensor interop") {
  ExampleRun run = run_example("tensors_tour");
  require_ran(run);
  CHECK(run.str("t_shape") == "(2,3)");
  CHECK(run.str("t_dtype") == "float32");
  CHECK(run.num("slice_sum") == 16.0);  // t[:, 1:] = [[2, 3], [5, 6]]
  CHECK(run.str("newaxis_shape") == "(2,1)");
  CHECK(run.num("square_sum") == 91.0);
  CHECK(run.str("gram") == "14,32,32,77");
  CHECK(run.str("range_dtype") == "int32");  // range(10) is int32 ...
  CHECK(run.str("int64_dtype") == "int64");  // ... int64 data stays int64 ...
  CHECK(run.num("mix_raised") == 1.0);       // ... and adding them raises
  CHECK(run.num("float_mix_raised") == 1.0);
  CHECK(run.str("cast_dtype") == "int64");
  CHECK(run.num("cast_sum") == 595.0);  // sum(0..9) + sum(10..100 by 10)
  CHECK(run.num("variable_01") == 42.5);
  CHECK(run.num("variable_sum") == 83.0);  // [[2, 42, 6], [8, 10, 12]] + 0.5 each
  CHECK(run.num("assign_shape_raised") == 1.0);
  CHECK(run.str("xtensor_dtype") == "float64");
  CHECK(run.num("xtensor_square_sum") == 45.0);
  CHECK(run.num("xtensor_roundtrip") == 1.0);
  CHECK(run.num("xtensor_square_matches") == 1.0);
}

TEST_CASE("examples: custom_loss trains with a Huber function and a Huber subclass, saved with its threshold" *
          doctest::skip(th::skip_without("sklearn_csv", have_boston_csv()))) {
  ExampleRun run = run_example("custom_loss");
  require_ran(run);
  CHECK(run.num("fn_last_loss") < run.num("fn_first_loss") * 0.5);
  CHECK(run.num("class_last_loss") < run.num("class_first_loss") * 0.5);
  // Both models beat predicting the mean price.
  CHECK(run.num("fn_test_mae") < run.num("baseline_test_mae") * 0.75);
  CHECK(run.num("class_test_mae") < run.num("baseline_test_mae") * 0.75);
  // A closure for threshold 2 comes back as the registered function (threshold 1):
  // at an error of 1.5 the loss was 1.5^2 / 2 and is now 1.5 - 0.5.
  CHECK(run.num("closure_loss_before") == doctest::Approx(1.125));
  CHECK(run.num("closure_loss_after") == doctest::Approx(1.0));
  // The subclass keeps its threshold, and the loaded model predicts the same.
  CHECK(run.num("loaded_threshold") == 2.0);
  CHECK(run.num("class_loss_before") == doctest::Approx(1.125));
  CHECK(run.num("class_loss_after") == doctest::Approx(1.125));
  CHECK(run.num("loaded_prediction_diff") == 0.0);
  CHECK(run.num("loaded_test_mae") == doctest::Approx(run.num("class_test_mae")));
}

TEST_CASE("examples: custom_layer's layers, LayerNormalization exercise and training" *
          doctest::skip(th::skip_without("fashion_mnist", have_fashion_mnist()))) {
  ExampleRun run = run_example("custom_layer");
  require_ran(run);
  CHECK(run.num("mydense_weights") == 2.0);  // kernel and bias, created by build()
  CHECK(run.num("mydense_params") == 15.0);  // 4 x 3 + 3
  CHECK(run.num("exp_sum") == doctest::Approx(std::exp(-1.0) + 1.0 + std::exp(1.0)).epsilon(1e-5));
  CHECK(run.num("exp_weights") == 0.0);
  CHECK(run.num("multi_outputs") == 3.0);
  CHECK(run.num("multi_sum") == 6.0);
  CHECK(run.num("multi_product") == 8.0);
  CHECK(run.num("multi_ratio") == 0.5);
  CHECK(run.num("noise_train_std") == doctest::Approx(0.1).epsilon(0.05));  // noise in training
  CHECK(run.num("noise_inference_diff") == 0.0);                            // none in inference
  CHECK(run.num("dynamic") == 1.0);
  CHECK(run.num("scaled_max") == doctest::Approx(1.0));
  CHECK(run.num("layernorm_max_diff") < 1e-5);  // matches the built-in LayerNormalization
  CHECK(run.num("loss_after") < run.num("loss_before"));
  CHECK(run.num("loss_after") < 1.0);
  CHECK(run.num("test_accuracy") > 0.6);  // chance is 0.1
  CHECK(run.num("predict_diff") == 0.0);
  CHECK(run.num("config_roundtrip") == 1.0);
}

TEST_CASE("examples: custom_model's residual blocks and tracked reconstruction loss" *
          doctest::skip(th::skip_without("fashion_mnist", have_fashion_mnist()))) {
  ExampleRun run = run_example("custom_model");
  require_ran(run);
  // 784x128 + 128, two blocks of 2 x (128x128 + 128) (the first one reused 4 times),
  // 128x10 + 10, and the reconstruction layer 128x784 + 784 created by build().
  CHECK(run.num("params") == 268954.0);
  CHECK(run.num("model_losses") == 1.0);  // the reconstruction loss from add_loss()
  CHECK(run.num("history_has_reconstruction") == 1.0);
  CHECK(run.num("history_has_val_reconstruction") == 1.0);
  CHECK(run.num("loss_after") < run.num("loss_before"));
  CHECK(run.num("reconstruction_after") < run.num("reconstruction_before"));
  CHECK(run.num("reconstruction_after") > 0.0);
  CHECK(run.num("test_accuracy") > 0.5);  // chance is 0.1
}

TEST_CASE("examples: custom_metric's streaming precision is the precision; the mean of batches is not" *
          doctest::skip(th::skip_without("fashion_mnist", have_fashion_mnist()))) {
  ExampleRun run = run_example("custom_metric");
  require_ran(run);
  CHECK(run.num("positives") == doctest::Approx(0.1).epsilon(0.1));  // shirts are 1 image in 10
  // The streaming subclass gives the precision over all samples, as the built-in metric.
  CHECK(run.num("test_streaming") == doctest::Approx(run.num("test_exact")).epsilon(1e-5));
  CHECK(run.num("test_builtin") == doctest::Approx(run.num("test_exact")).epsilon(1e-5));
  CHECK(run.num("epoch_streaming") == doctest::Approx(run.num("epoch_builtin")).epsilon(1e-5));
  CHECK(run.num("test_exact") > 0.5);  // a random guess has the precision of the base rate, 0.1
  // The mean of per-batch precisions is a different number.
  CHECK(std::fabs(run.num("test_batch_mean") - run.num("test_exact")) > 0.05);
  CHECK(std::fabs(run.num("epoch_batch_mean") - run.num("epoch_streaming")) > 0.05);
  CHECK(run.num("rebuilt_threshold") == 0.7);
}

TEST_CASE("examples: fashion_mnist_cnn trains the CNN (Conv2D, BatchNormalization, MaxPooling2D)" *
          doctest::skip(th::skip_without("fashion_mnist", have_fashion_mnist()))) {
  ExampleRun run = run_example("fashion_mnist_cnn");
  require_ran(run);
  CHECK(run.num("epochs") == 2.0);
  CHECK(run.num("params") == 469098.0);  // Keras's count for this architecture
  // --short: 2 epochs at batch 16 on 3,600 images (0.78 training, 0.63 test here). The test
  // accuracy uses BatchNormalization's moving statistics, which 450 steps (momentum 0.99)
  // have only just settled: lower than the training accuracy, but far from chance (0.1).
  CHECK(run.num("train_accuracy") > 0.65);
  CHECK(run.num("test_accuracy") > 0.4);
}

TEST_CASE("examples: fashion_mnist_lstm trains an LSTM over the images' rows" *
          doctest::skip(th::skip_without("fashion_mnist", have_fashion_mnist()))) {
  ExampleRun run = run_example("fashion_mnist_lstm");
  require_ran(run);
  CHECK(run.num("epochs") == 2.0);
  CHECK(run.num("params") == 81674.0);  // Keras's count for LSTM(128) on 28 features + Dense(10)
  // --short: 2 epochs on 3,600 images (about 0.72 here); chance is 0.1.
  CHECK(run.num("train_accuracy") > 0.55);
  CHECK(run.num("test_accuracy") > 0.55);
}

TEST_CASE("examples: custom_training_loop trains with a GradientTape, then with two optimizers" *
          doctest::skip(th::skip_without("fashion_mnist", have_fashion_mnist()))) {
  th::TempDir logs;
  ExampleRun run = run_example("custom_training_loop", "--short --logdir '" + logs.file("tb") + "'");
  require_ran(run);
  // --logdir: each run's summaries, read back with keras::summary.
  for (const std::string run_name : {"adam", "sgd_adam"}) {
    CAPTURE(run_name);
    std::map<std::string, std::vector<int64_t>> train, validation;  // tag -> steps
    for (auto [folder, tags] : {std::pair{"train", &train}, std::pair{"validation", &validation}}) {
      const std::filesystem::path dir = std::filesystem::path(logs.file("tb")) / run_name / folder;
      REQUIRE(std::filesystem::is_directory(dir));
      for (const auto& file : std::filesystem::directory_iterator(dir))
        for (const keras::summary::Event& e : keras::summary::read_events(file.path().string()))
          for (const keras::summary::SummaryValue& v : e.summary) (*tags)[v.tag].push_back(e.step);
    }
    // 2 epochs of 63 steps: the loss at steps 0, 50, 100; the epoch means at epochs 0 and 1.
    CHECK(train["batch_loss"] == std::vector<int64_t>{0, 50, 100});
    CHECK(train["epoch_loss"] == std::vector<int64_t>{0, 1});
    CHECK(train["epoch_accuracy"] == std::vector<int64_t>{0, 1});
    CHECK(validation["epoch_accuracy"] == std::vector<int64_t>{0, 1});
    CHECK(train.size() == 3 + 6);  // and a histogram of each of the 6 weights
  }
  CHECK(run.output.find("Epoch 2/2") != std::string::npos);  // the progress bar
  CHECK(run.num("epochs") == 2.0);
  CHECK(run.num("val_epochs") == 2.0);  // validation at the end of each epoch
  // The epoch means are reset at each epoch, so the second one is lower.
  CHECK(run.num("last_epoch_loss") < run.num("first_epoch_loss"));
  CHECK(run.num("test_loss") < run.num("test_loss_before"));
  CHECK(run.num("test_accuracy") > 0.6);  // chance is 0.1
  CHECK(run.num("two_last_epoch_loss") < run.num("two_first_epoch_loss"));
  CHECK(run.num("two_test_loss") < run.num("two_test_loss_before"));
  CHECK(run.num("two_test_accuracy") > 0.6);
  // Both optimizers took every step: 2 epochs of 2000 samples in batches of 32.
  CHECK(run.num("lower_iterations") == 126.0);
  CHECK(run.num("upper_iterations") == 126.0);
}

TEST_CASE("examples: wide_and_deep trains a two-input model with fit() and with FTRL + Adam" *
          doctest::skip(th::skip_without("sklearn_csv", have_boston_csv()))) {
  ExampleRun run = run_example("wide_and_deep");
  require_ran(run);
  CHECK(run.num("inputs") == 2.0);
  CHECK(run.num("fit_last_loss") < run.num("fit_first_loss") * 0.2);
  CHECK(run.num("loop_last_loss") < run.num("loop_first_loss") * 0.2);
  // Both beat predicting the mean price by far.
  CHECK(run.num("fit_test_mse") < run.num("baseline_test_mse") * 0.5);
  CHECK(run.num("loop_test_mse") < run.num("baseline_test_mse") * 0.5);
  // Each optimizer took every step: 10 epochs of 405 rows in batches of 32.
  CHECK(run.num("ftrl_iterations") == 130.0);
  CHECK(run.num("adam_iterations") == 130.0);
}

TEST_CASE("examples: function_tour traces once per signature, runs control flow and prints optimized graphs") {
  ExampleRun run = run_example("function_tour");
  require_ran(run);
  CHECK(run.num("cube_traces") == 2);
  CHECK(run.num("side_effects") == 2);  // C++ code ran only while tracing
  CHECK(run.num("power_2_5") == 32);
  CHECK(run.num("power_traces") == 2);
  CHECK(run.num("counter") == 3);  // the assignment ran at every call
  CHECK(run.num("collatz_27") == 111);
  CHECK(run.num("collatz_6") == 8);
  CHECK(run.num("messy_nodes_traced") == 6);
  CHECK(run.num("messy_nodes") == 2);  // tanh, then multiply and add fused
  CHECK(run.num("export_max_diff") == 0);  // the reloaded graph gives the same bits
  CHECK(run.num("step_traces") == 1);
  CHECK(run.num("final_loss") < 0.1);  // 400 Adam steps on one batch fit it
}

TEST_CASE("examples: text_classification predicts a package's section from its description, above the baseline") {
  // 450 packages of 5 sections (tests/data/text_classification/Packages, by make_sample.py).
  const std::string packages = std::string(KERAS_TEST_DATA_DIR) + "/text_classification/Packages";
  ExampleRun run = run_example("text_classification", "--short --packages '" + packages + "'");
  require_ran(run);
  CHECK(run.num("packages") == 450.0);
  CHECK(run.num("sections") == 5.0);
  CHECK(run.num("vocabulary") > 100.0);
  CHECK(run.num("baseline_accuracy") < 0.35);
  CHECK(run.num("test_accuracy") > run.num("baseline_accuracy") + 0.1);
  // The recurrent variant (Embedding with mask_zero -> GRU) learns too.
  ExampleRun gru = run_example("text_classification", "--short --model gru --epochs 5 --packages '" + packages + "'");
  require_ran(gru);
  CHECK(gru.str("model") == "gru");
  CHECK(gru.num("test_accuracy") > gru.num("baseline_accuracy") + 0.1);
  // Ragged batches (Dataset::ragged_batch into Input(..., {.ragged = true})) learn too.
  ExampleRun rag = run_example("text_classification", "--short --batches ragged --packages '" + packages + "'");
  require_ran(rag);
  CHECK(rag.str("batches") == "ragged");
  CHECK(rag.num("test_accuracy") > rag.num("baseline_accuracy") + 0.1);
}
