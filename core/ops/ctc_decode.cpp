// ctc_decode.cpp - keras.ops.ctc_decode (core/ops_nn.h): TensorFlow's greedy CTC decoder
// and its prefix beam search, on the host, wrapped in host_function so that a traced
// graph runs it as one node. GPU inputs are copied to the host for it and the results
// copied back to their device (TensorFlow's decoders are host kernels too).
#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <string>

#include "core/control_flow.h"
#include "core/dispatch.h"
#include "core/ops.h"
#include "core/ops_nn.h"

namespace keras::core::ops {
namespace {

constexpr double kLogZero = -std::numeric_limits<double>::infinity();

double log_sum_exp(double a, double b) {
  if (a == kLogZero) return b;
  if (b == kLogZero) return a;
  const double m = std::max(a, b);
  return m + std::log1p(std::exp(-std::fabs(a - b)));
}

struct Path {
  std::vector<int64_t> labels;
  double score;
};

// One sample's logits x[t * classes + c], t < steps.
Path greedy(const double* x, int64_t steps, int64_t classes, int64_t blank, bool merge_repeated) {
  Path p{{}, 0.0};
  int64_t prev = -1;
  for (int64_t t = 0; t < steps; ++t) {
    const double* row = x + t * classes;
    const int64_t best = std::max_element(row, row + classes) - row;
    p.score -= row[best];
    if (best != blank && !(merge_repeated && best == prev)) p.labels.push_back(best);
    prev = best;
  }
  return p;
}

struct Beam {
  double blank = kLogZero, label = kLogZero;
  double total() const { return log_sum_exp(blank, label); }
};

std::vector<Path> beam_search(const double* x, int64_t steps, int64_t classes, int64_t blank, int64_t width,
                              int64_t top) {
  std::map<std::vector<int64_t>, Beam> beams{{{}, Beam{0.0, kLogZero}}};
  std::vector<double> logp(static_cast<size_t>(classes));
  for (int64_t t = 0; t < steps; ++t) {
    const double* row = x + t * classes;
    const double mx = *std::max_element(row, row + classes);
    double z = 0;
    for (int64_t c = 0; c < classes; ++c) z += std::exp(row[c] - mx);
    for (int64_t c = 0; c < classes; ++c) logp[size_t(c)] = row[c] - mx - std::log(z);
    std::map<std::vector<int64_t>, Beam> next;
    for (const auto& [prefix, b] : beams) {
      const double total = b.total();
      Beam& same = next[prefix];
      same.blank = log_sum_exp(same.blank, total + logp[size_t(blank)]);
      if (!prefix.empty()) same.label = log_sum_exp(same.label, b.label + logp[size_t(prefix.back())]);
      for (int64_t c = 0; c < classes; ++c) {
        if (c == blank) continue;
        std::vector<int64_t> longer = prefix;
        longer.push_back(c);
        Beam& child = next[longer];
        const double previous = !prefix.empty() && prefix.back() == c ? b.blank : total;
        child.label = log_sum_exp(child.label, previous + logp[size_t(c)]);
      }
    }
    std::vector<std::pair<double, std::vector<int64_t>>> ranked;
    for (auto& [prefix, b] : next) ranked.push_back({b.total(), prefix});
    std::stable_sort(ranked.begin(), ranked.end(), [](auto& a, auto& b) { return a.first > b.first; });
    beams.clear();
    for (size_t i = 0; i < ranked.size() && int64_t(i) < width; ++i) beams[ranked[i].second] = next[ranked[i].second];
  }
  std::vector<Path> paths;
  for (auto& [prefix, b] : beams) paths.push_back({prefix, b.total()});
  std::stable_sort(paths.begin(), paths.end(), [](const Path& a, const Path& b) { return a.score > b.score; });
  if (int64_t(paths.size()) > top) paths.resize(size_t(top));
  while (int64_t(paths.size()) < top) paths.push_back({{}, kLogZero});
  return paths;
}

}  // namespace

CtcDecoded ctc_decode(const Tensor& inputs, const Tensor& sequence_lengths, const std::string& strategy,
                      int64_t beam_width, int64_t top_paths, bool merge_repeated, int64_t mask_index) {
  const std::string op = "ctc_decode";
  if (!inputs.defined() || !sequence_lengths.defined()) throw_invalid(op + ": an argument is an undefined tensor");
  if (inputs.rank() != 3)
    throw_invalid(op + ": expected inputs (batch, steps, classes), but received shape " + inputs.shape().str());
  const int64_t batch = inputs.shape()[0], steps = inputs.shape()[1], classes = inputs.shape()[2];
  if (sequence_lengths.rank() != 1 || sequence_lengths.shape()[0] != batch || !is_integer(sequence_lengths.dtype()))
    throw_invalid(op + ": expected integer sequence_lengths of shape (" + std::to_string(batch) + ",), but received " +
                  dtype_name(sequence_lengths.dtype()) + " " + sequence_lengths.shape().str());
  if (inputs.dtype() == DType::bool_) throw_invalid(op + ": expected numeric inputs, but received bool");
  const bool greedy_mode = strategy == "greedy";
  if (!greedy_mode && strategy != "beam_search")
    throw_invalid(op + ": invalid strategy \"" + strategy + "\" (expected \"greedy\" or \"beam_search\")");
  if (classes < 1) throw_invalid(op + ": expected at least one class, but received shape " + inputs.shape().str());
  const int64_t blank = normalize_axis(mask_index, classes, "ctc_decode (mask_index)");
  if (!greedy_mode && (beam_width < 1 || top_paths < 1 || top_paths > beam_width))
    throw_invalid(op + ": expected 1 <= top_paths <= beam_width, but received top_paths " + std::to_string(top_paths) +
                  " and beam_width " + std::to_string(beam_width));
  const int64_t paths = greedy_mode ? 1 : top_paths;
  const DType score_dtype = inputs.dtype() == DType::float64 ? DType::float64 : DType::float32;
  auto run = [=](const std::vector<Tensor>& in) {
    // Inputs on a GPU are copied to the host here (the search runs there); the results
    // go back to the inputs' device.
    const Device dev = in[0].device();
    std::vector<double> x = cast(in[0].cpu(), DType::float64).to_vector<double>();
    std::vector<int64_t> len = cast(in[1].cpu(), DType::int64).to_vector<int64_t>();
    std::vector<int32_t> decoded(size_t(paths * batch * steps), -1);
    std::vector<double> scores(size_t(batch * paths));
    for (int64_t b = 0; b < batch; ++b) {
      const int64_t n = len[size_t(b)];
      if (n < 0 || n > steps)
        throw_invalid("ctc_decode: expected sequence_lengths in [0, " + std::to_string(steps) + "], but received " +
                      std::to_string(n) + " for sample " + std::to_string(b));
      const double* xb = x.data() + b * steps * classes;
      std::vector<Path> found = greedy_mode ? std::vector<Path>{greedy(xb, n, classes, blank, merge_repeated)}
                                            : beam_search(xb, n, classes, blank, beam_width, top_paths);
      for (int64_t k = 0; k < paths; ++k) {
        const Path& p = found[size_t(k)];
        scores[size_t(b * paths + k)] = p.score;
        for (size_t i = 0; i < p.labels.size(); ++i)
          decoded[size_t((k * batch + b) * steps) + i] = int32_t(p.labels[i]);
      }
    }
    return std::vector<Tensor>{
        from_buffer(decoded.data(), DType::int32, Shape{paths, batch, steps}, DType::int32).to(dev),
        from_buffer(scores.data(), DType::float64, Shape{batch, paths}, score_dtype).to(dev)};
  };
  auto out = host_function(run, {inputs, sequence_lengths},
                           {TensorSpec{{paths, batch, steps}, DType::int32}, TensorSpec{{batch, paths}, score_dtype}});
  return {out[0], out[1]};
}

}  // namespace keras::core::ops
