// progbar.h - keras.utils.Progbar: a progress bar for loops of known or unknown length,
// with running averages of the values passed at each step (Keras 3's rules and format). The
// progress bar of fit/evaluate/predict (callbacks::ProgbarLogger) is one.
//
//   keras::utils::Progbar bar(num_batches);
//   for (int64_t i = 0; i < num_batches; ++i) {
//     double loss = step(i);
//     bar.update(i + 1, {{"loss", loss}});   // "12/100 ━━━━... 3s 25ms/step - loss: 0.4321"
//   }
#pragma once
#include <cstdint>
#include <cstdio>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace keras::utils {

/// Options of Progbar (keras.utils.Progbar's keyword arguments).
struct ProgbarOptions {
  int64_t width = 20;  ///< the bar's width in characters
  /// 0 silent; 1 the bar (redrawn in place on a terminal, at most every `interval`
  /// seconds; elsewhere printed once, when it finalizes); 2 one line when it finalizes
  /// (a known target only).
  int verbose = 1;
  double interval = 0.05;  ///< the least time between two redraws, in seconds
  /// Values shown as given, every other one averaged over the steps (Keras
  /// `stateful_metrics`); give at most one of the two lists.
  std::optional<std::vector<std::string>> stateful_metrics{};
  /// Values averaged over the steps, every other one shown as given (Keras
  /// `stateless_metrics`). Neither list: every value is averaged.
  std::optional<std::vector<std::string>> stateless_metrics{};
  std::string unit_name = "step";  ///< "25ms/step": the unit of the time per step
  std::FILE* out = stdout;         ///< where the bar is written
};

/// keras.utils.Progbar (see ProgbarOptions). An averaged value is weighted by the steps
/// since the previous update (Keras's rule); the time per step leaves out the first step
/// once there are more; the final update shows the elapsed time, the others an ETA.
class Progbar {
 public:
  /// (name, value of the latest step) pairs; names keep the order they first came in.
  using Values = std::vector<std::pair<std::string, double>>;
  /// target: the number of steps, or none when unknown. Both metric lists given, a
  /// negative target or width, or a verbose outside 0..2 throw std::invalid_argument.
  explicit Progbar(std::optional<int64_t> target, ProgbarOptions options = {});
  /// Step `current` is done, with these values. finalize (default: current >= target,
  /// never for an unknown target) draws the last line and ends it.
  void update(int64_t current, const Values& values = {}, std::optional<bool> finalize = std::nullopt);
  /// update(seen() + n, values).
  void add(int64_t n, const Values& values = {});
  /// The target (none: unknown).
  std::optional<int64_t> target() const { return target_; }
  /// Sets the target (a loop whose length becomes known).
  void set_target(std::optional<int64_t> target);
  /// The step of the latest update.
  int64_t seen() const { return seen_; }
  /// The value shown for `name` (its average, or as given); std::out_of_range if none.
  double value(const std::string& name) const;
  /// The names of the values, in the order they first came in.
  const std::vector<std::string>& names() const { return order_; }

 private:
  bool averaged(const std::string& name) const;
  double per_step(int64_t current, double now);
  std::optional<int64_t> target_;
  ProgbarOptions o_;
  std::set<std::string> listed_;
  bool tty_;
  int64_t seen_ = 0;
  std::map<std::string, std::pair<double, double>> values_;  // sum, weight
  std::vector<std::string> order_;
  double start_, last_update_ = 0;
  std::optional<double> after_first_step_;
  size_t last_width_ = 0;
};

}  // namespace keras::utils
