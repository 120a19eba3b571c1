// example_util.h - what the example programs share: command-line flags (--short,
// --epochs N, --threads N, ...), the machine-readable "result:" line the integration
// tests parse (tests/examples/test_examples.cpp), and loading Fashion-MNIST.
//
// Every example's main is `return example::run(argc, argv, usage, body);`: bad flags
// print the usage and exit 2, a missing dataset prints "skipped: ..." and exits 77 (the
// tests report the example as skipped), any other exception prints "error: ..." and
// exits 1.
#pragma once
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <keras/keras.h>

namespace example {

// The data an example needs is not installed.
struct MissingData : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// --short (a run of a few seconds for the tests) and "--name value" flags.
class Flags {
 public:
  // value_flags: the names of the flags that take a value (without "--"); --short and
  // --threads N are always accepted.
  Flags(int argc, char** argv, std::vector<std::string> value_flags) {
    value_flags.push_back("threads");
    for (int i = 1; i < argc; ++i) {
      std::string a = argv[i];
      if (a == "--short") {
        short_ = true;
        continue;
      }
      bool known = false;
      for (const auto& f : value_flags) known = known || a == "--" + f;
      if (!known) throw std::invalid_argument("unknown flag " + a);
      if (i + 1 >= argc) throw std::invalid_argument("flag " + a + " needs a value");
      values_[a.substr(2)] = argv[++i];
    }
    if (values_.count("threads")) keras::set_num_threads(get_int("threads", 1));
  }
  bool short_run() const { return short_; }
  bool has(const std::string& name) const { return values_.count(name) > 0; }
  int64_t get_int(const std::string& name, int64_t fallback) const {
    auto it = values_.find(name);
    if (it == values_.end()) return fallback;
    char* end = nullptr;
    long long v = std::strtoll(it->second.c_str(), &end, 10);
    if (end == it->second.c_str() || *end != '\0')
      throw std::invalid_argument("--" + name + " expects an integer, but received '" + it->second + "'");
    return v;
  }
  std::string get_string(const std::string& name, const std::string& fallback) const {
    auto it = values_.find(name);
    return it == values_.end() ? fallback : it->second;
  }
  double get_double(const std::string& name, double fallback) const {
    auto it = values_.find(name);
    if (it == values_.end()) return fallback;
    char* end = nullptr;
    double v = std::strtod(it->second.c_str(), &end);
    if (end == it->second.c_str() || *end != '\0')
      throw std::invalid_argument("--" + name + " expects a number, but received '" + it->second + "'");
    return v;
  }

 private:
  bool short_ = false;
  std::map<std::string, std::string> values_;
};

// The line the integration tests read: "result: key=value key=value ...".
class Result {
 public:
  Result& add(const std::string& key, double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.6g", v);
    items_.emplace_back(key, buf);
    return *this;
  }
  Result& add(const std::string& key, const std::string& v) {  // spaces are dropped
    std::string compact;
    for (char c : v)
      if (c != ' ') compact += c;
    items_.emplace_back(key, compact);
    return *this;
  }
  void print() const {
    std::string line = "result:";
    for (const auto& [k, v] : items_) line += " " + k + "=" + v;
    std::printf("%s\n", line.c_str());
    std::fflush(stdout);
  }

 private:
  std::vector<std::pair<std::string, std::string>> items_;
};

// Runs body(flags), mapping failures to exit codes (2: bad flags, 77: data missing,
// 1: any other error).
inline int run(int argc, char** argv, const std::vector<std::string>& value_flags, const char* usage,
               const std::function<int(const Flags&)>& body) {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  std::unique_ptr<Flags> flags;
  try {
    flags = std::make_unique<Flags>(argc, argv, value_flags);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s\nusage: %s\n", e.what(), usage);
    return 2;
  }
  try {
    return body(*flags);
  } catch (const MissingData& e) {
    std::printf("skipped: %s\n", e.what());
    return 77;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
}

// ---- data ---------------------------------------------------------------------------------

// Rows [begin, end) of t (axis 0).
inline keras::Tensor rows(const keras::Tensor& t, int64_t begin, int64_t end) {
  std::vector<int64_t> b(size_t(t.rank()), 0), size = t.shape().dims();
  b[0] = begin;
  size[0] = end - begin;
  return keras::ops::slice(t, b, size);
}

// Fashion-MNIST with pixels scaled to [0, 1] (float32, (n, 28, 28)) and int32 labels.
struct FashionMnist {
  keras::Tensor x_train, y_train, x_test, y_test;
};

inline std::string fashion_mnist_dir() {
  const char* env = std::getenv("FASHION_MNIST_DIR");
  return env && *env ? env : "/usr/share/datasets/fashion-mnist";
}

// The first n_train training and n_test test images (-1: all of them). Throws
// MissingData when the files are not installed (Debian's dataset-fashion-mnist).
inline FashionMnist load_fashion_mnist(int64_t n_train = -1, int64_t n_test = -1) {
  const std::string dir = fashion_mnist_dir();
  if (!std::filesystem::exists(dir + "/train-images-idx3-ubyte.gz") &&
      !std::filesystem::exists(dir + "/train-images-idx3-ubyte"))
    throw MissingData("Fashion-MNIST is not installed in " + dir +
                      " (apt-get install dataset-fashion-mnist, or set FASHION_MNIST_DIR)");
  auto [train, test] = keras::datasets::fashion_mnist::load_data(dir);
  auto prepare = [](const keras::Tensor& x, const keras::Tensor& y, int64_t n, FashionMnist& out, bool is_train) {
    const int64_t total = x.shape()[0];
    const int64_t count = n < 0 || n > total ? total : n;
    keras::Tensor xs = keras::ops::cast(rows(x, 0, count), keras::DType::float32) * (1.0 / 255.0);
    keras::Tensor ys = keras::ops::cast(rows(y, 0, count), keras::DType::int32);
    (is_train ? out.x_train : out.x_test) = xs;
    (is_train ? out.y_train : out.y_test) = ys;
  };
  FashionMnist out;
  prepare(train.x, train.y, n_train, out, true);
  prepare(test.x, test.y, n_test, out, false);
  return out;
}

// The Boston house prices (scikit-learn's CSV, from Debian's python3-sklearn package):
// 506 districts, MEDV (median value, in $1000s) to predict from 12 features. The "B"
// column (derived from the share of Black residents) is left out, as scikit-learn
// removed the dataset over it. Split deterministically into train and test rows (a
// seeded permutation).
struct Regression {
  keras::Tensor x_train, y_train, x_test, y_test;  // float32; y is (n, 1)
  std::vector<std::string> feature_names;
};

inline const char* const kBostonCsv = "/usr/lib/python3/dist-packages/sklearn/datasets/data/boston_house_prices.csv";

inline Regression load_boston_housing(const std::string& path = kBostonCsv, double test_fraction = 0.2,
                                      int64_t seed = 42) {
  if (!std::filesystem::exists(path))
    throw MissingData(path + " does not exist (the default file comes with apt-get install python3-sklearn)");
  Regression r;
  r.feature_names = {"CRIM", "ZN", "INDUS", "CHAS", "NOX", "RM", "AGE", "DIS", "RAD", "TAX", "PTRATIO", "LSTAT"};
  // The first line holds the counts ("506,13,,,"); the column names follow.
  auto [x, y] = keras::data::read_csv_features_labels(path, "MEDV",
                                                      {.skip_rows = 1, .select_columns = r.feature_names});
  const int64_t n = x.shape()[0];
  const int64_t n_test = int64_t(double(n) * test_fraction);
  keras::Tensor order = keras::ops::argsort(keras::ops::random_uniform({n}, {.seed = seed}));
  keras::Tensor x_shuffled = keras::ops::gather(x, order), y_shuffled = keras::ops::reshape(keras::ops::gather(y, order), {n, 1});
  r.x_train = rows(x_shuffled, 0, n - n_test);
  r.y_train = rows(y_shuffled, 0, n - n_test);
  r.x_test = rows(x_shuffled, n - n_test, n);
  r.y_test = rows(y_shuffled, n - n_test, n);
  return r;
}

// Trains a Fashion-MNIST classifier (10% of the training images held out for
// validation), evaluates it on the test images, and prints the figures as text and as
// the example's JSON result line. Returns the exit status.
struct FitSettings {
  int epochs = 1;
  int64_t batch = 32;
  int verbose = 1;
  int64_t seed = 42;
};
inline int fit_and_report(keras::Model& model, const FashionMnist& data, const FitSettings& s) {
  const auto start = std::chrono::steady_clock::now();
  keras::callbacks::History history =
      model.fit(data.x_train, data.y_train,
                {.batch_size = s.batch, .epochs = s.epochs, .verbose = s.verbose, .validation_split = 0.1,
                 .seed = s.seed});
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  keras::Logs test = model.evaluate(data.x_test, data.y_test, {.verbose = 0});
  std::printf("test loss: %.4f\ntest accuracy: %.4f\n%.1f s per epoch\n", test["loss"], test["accuracy"],
              seconds / s.epochs);
  Result()
      .add("epochs", s.epochs)
      .add("train_accuracy", history.history.at("accuracy").back())
      .add("val_accuracy", history.history.at("val_accuracy").back())
      .add("test_accuracy", test["accuracy"])
      .add("test_loss", test["loss"])
      .add("seconds_per_epoch", seconds / s.epochs)
      .add("params", double(model.count_params()))
      .print();
  return 0;
}

}  // namespace example
