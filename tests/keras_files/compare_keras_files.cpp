// compare_keras_files DIR [CASE...]: the keras-cpp side of tests/keras_files/random_models.py.
//
// For each DIR/<case>.keras (or only the cases named): load it with keras::models::load_model,
// run it on DIR/<case>.in<i>.npy eagerly (model(x, training = false)) and with predict()
// (traced), and print one line per case:
//
//   <case> ok|FAIL eager=<largest |difference|> predict=<...> scale=<largest |Keras output|>
//   <case> ERROR <the exception's message, on one line>
//
// against DIR/<case>.out<j>.npy (Keras's outputs). A difference passes when it is at most
// 1e-4 * (1 + scale). When DIR/<case>.target0.npy is there (a compiled model), the model also
// trains two train_on_batch steps toward it, as Keras did: the line adds the relative
// differences of the two losses from DIR/<case>.losses.npy (the first passing at 1e-4, the
// second at half the tolerance below, at least 1e-4) and of the predictions after them
// from DIR/<case>.trained0.npy (passing at 1e-3, or the value of DIR/<case>.trained_tol.npy,
// times (1 + their largest value)). With DIR/<case>.logs.json (Keras's returned logs of both
// steps: the loss, each output's loss, the metrics), every key must be in keras-cpp's logs,
// and only those, with its value within the loss's tolerance of the step (the line names
// each one that is not). Exits 1 when a case fails or raises.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "core/npy.h"
#include "keras/keras.h"

namespace {
namespace fs = std::filesystem;
namespace ops = keras::core::ops;
using keras::Tensor;

std::vector<Tensor> arrays(const fs::path& dir, const std::string& name, const char* kind) {
  std::vector<Tensor> out;
  for (int i = 0;; ++i) {
    fs::path p = dir / (name + "." + kind + std::to_string(i) + ".npy");
    if (!fs::exists(p)) break;
    out.push_back(keras::core::load_npy(p.string()));
  }
  return out;
}

double largest(const Tensor& t) {
  if (t.size() == 0) return 0.0;
  return ops::max(ops::abs(ops::cast(t, keras::DType::float64))).item<double>();
}

// The largest |got - want| over all outputs; infinity when shapes differ, NaN where exactly
// one side is NaN.
double difference(const std::vector<Tensor>& got, const std::vector<Tensor>& want) {
  if (got.size() != want.size()) return INFINITY;
  double worst = 0.0;
  for (size_t i = 0; i < got.size(); ++i) {
    if (got[i].shape() != want[i].shape()) return INFINITY;
    if (got[i].size() == 0) continue;
    Tensor a = ops::cast(got[i], keras::DType::float64), b = ops::cast(want[i], keras::DType::float64);
    Tensor both_nan = ops::logical_and(ops::isnan(a), ops::isnan(b));
    Tensor d = ops::where(both_nan, ops::zeros_like(a), ops::abs(a - b));
    if (ops::any(ops::isnan(d)).item<bool>()) return NAN;
    worst = std::max(worst, ops::max(d).item<double>());
  }
  return worst;
}

std::string one_line(std::string s) {
  std::replace(s.begin(), s.end(), '\n', ' ');
  return s;
}

bool check(const fs::path& dir, const std::string& name) {
  try {
    keras::ModelPtr model = keras::models::load_model((dir / (name + ".keras")).string());
    std::vector<Tensor> in = arrays(dir, name, "in"), want = arrays(dir, name, "out");
    keras::layers::Tensors eager_out = (*model)(in, false);
    std::vector<Tensor> eager(eager_out.begin(), eager_out.end());
    std::vector<Tensor> traced = model->predict(in);
    double scale = 0.0;
    for (const Tensor& w : want) scale = std::max(scale, largest(w));
    double de = difference(eager, want), dp = difference(traced, want), tol = 1e-4 * (1.0 + scale);
    bool ok = de <= tol && dp <= tol;
    std::string trained;
    std::vector<Tensor> target = arrays(dir, name, "target");
    if (!target.empty()) {  // Keras's two train_on_batch steps: their losses, then predictions
      Tensor losses = keras::core::load_npy((dir / (name + ".losses.npy")).string());
      double trained_tol = 1e-3;
      if (fs::exists(dir / (name + ".trained_tol.npy")))
        trained_tol = keras::core::load_npy((dir / (name + ".trained_tol.npy")).string()).item<double>();
      // Keras's logs of both steps (loss, per-output losses, metrics), when written.
      keras::Value keras_logs;
      if (std::ifstream f(dir / (name + ".logs.json")); f) {
        std::stringstream text;
        text << f.rdbuf();
        keras_logs = keras::Value::from_json(text.str());
      }
      double loss_diff[2];
      std::string log_problem;
      for (int64_t step = 0; step < 2; ++step) {
        const keras::Logs logs = model->train_on_batch(in, target);
        const double keras_loss = ops::slice(losses, {step}, {1}).item<double>();
        loss_diff[step] = std::fabs(logs.at("loss") - keras_loss) / (1.0 + std::fabs(keras_loss));
        if (keras_logs.is_null()) continue;
        const double log_tol = step == 0 ? 1e-4 : std::max(1e-4, trained_tol / 2);
        const keras::Value& want = keras_logs.as_list().at(size_t(step));
        for (const auto& [key, value] : want.items()) {
          auto it = logs.find(key);
          if (it == logs.end()) {
            log_problem += " missing-log:" + key;
          } else if (std::fabs(it->second - value.as_double()) > log_tol * (1.0 + std::fabs(value.as_double()))) {
            log_problem += " log:" + key + "=" + std::to_string(it->second) + "/" + std::to_string(value.as_double());
          }
        }
        for (const auto& [key, value] : logs)
          if (!want.contains(key)) log_problem += " extra-log:" + key;
      }
      std::vector<Tensor> after = model->predict(in), keras_after = arrays(dir, name, "trained");
      double after_scale = 0.0;
      for (const Tensor& w : keras_after) after_scale = std::max(after_scale, largest(w));
      const double dt = difference(after, keras_after);
      // the first loss is the forward pass's; the second follows a step, at the step's scale
      ok = ok && loss_diff[0] <= 1e-4 && loss_diff[1] <= std::max(1e-4, trained_tol / 2) &&
           dt <= trained_tol * (1.0 + after_scale) && log_problem.empty();
      char buf[96];
      std::snprintf(buf, sizeof buf, " loss=%.3g,%.3g trained=%.3g", loss_diff[0], loss_diff[1], dt);
      trained = buf + log_problem;
    }
    std::printf("%s %s eager=%.3g predict=%.3g scale=%.3g%s\n", name.c_str(), ok ? "ok" : "FAIL", de, dp, scale,
                trained.c_str());
    return ok;
  } catch (const std::exception& e) {
    std::printf("%s ERROR %s\n", name.c_str(), one_line(e.what()).c_str());
    return false;
  }
}
}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s DIR [CASE...]\n", argv[0]);
    return 2;
  }
  fs::path dir = argv[1];
  std::vector<std::string> cases(argv + 2, argv + argc);
  if (cases.empty()) {
    for (const auto& entry : fs::directory_iterator(dir))
      if (entry.path().extension() == ".keras") cases.push_back(entry.path().stem().string());
    std::sort(cases.begin(), cases.end());
  }
  int failed = 0;
  for (const std::string& name : cases) failed += check(dir, name) ? 0 : 1;
  std::fflush(stdout);
  std::fprintf(stderr, "%zu cases, %d failed\n", cases.size(), failed);
  return failed ? 1 : 0;
}
