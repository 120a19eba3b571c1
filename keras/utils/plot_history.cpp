// plot_history.cpp - keras::utils::plot_history: the training curves of a History as SVG
// (one panel per metric, training solid and validation dashed, over the epochs).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <stdexcept>
#include <vector>

#include "core/atomic_file.h"
#include "keras/utils/plot.h"

namespace keras::utils {

namespace {

std::string num(double v) {
  char b[32];
  std::snprintf(b, sizeof b, "%.1f", v);
  return b;
}

std::string escaped(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '<') out += "&lt;";
    else if (c == '>') out += "&gt;";
    else if (c == '&') out += "&amp;";
    else if (c == '"') out += "&quot;";
    else out += c;
  }
  return out;
}

// "Nice" tick values covering [lo, hi]: steps of 1, 2 or 5 times a power of ten.
std::vector<double> ticks(double lo, double hi, int target = 5) {
  const double raw = (hi - lo) / target;
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  double step = mag;
  for (double m : {1.0, 2.0, 5.0, 10.0})
    if (raw <= m * mag) {
      step = m * mag;
      break;
    }
  std::vector<double> t;
  for (double v = std::ceil(lo / step - 1e-9) * step; v <= hi + step * 1e-9; v += step) t.push_back(std::abs(v) < step * 1e-9 ? 0.0 : v);
  return t;
}

std::string tick_label(double v) {
  char b[32];
  std::snprintf(b, sizeof b, "%g", v);
  return b;
}

}  // namespace

std::string history_to_svg(const callbacks::History& history, const PlotHistoryOptions& o) {
  if (o.width < 200 || o.panel_height < 120)
    throw std::invalid_argument("plot_history: expected width >= 200 and panel_height >= 120, but received " +
                                std::to_string(o.width) + " and " + std::to_string(o.panel_height));
  // Metrics: "loss" first, then the others by name; each with its "val_" series.
  std::vector<std::string> metrics;
  for (const auto& [k, v] : history.history)
    if (k.rfind("val_", 0) != 0 || !history.history.count(k.substr(4))) metrics.push_back(k);
  std::stable_partition(metrics.begin(), metrics.end(), [](const std::string& m) { return m == "loss"; });
  size_t epochs = 0;
  for (const auto& [k, v] : history.history) epochs = std::max(epochs, v.size());
  if (metrics.empty() || epochs == 0)
    throw std::invalid_argument("plot_history: the history is empty (no metric has a value): train with fit() first");

  const int left = 64, right = 130, top = o.title.empty() ? 16 : 40, bottom = 40;
  const int pw = o.width - left - right, ph = o.panel_height - 16 - bottom;
  const int height = top + int(metrics.size()) * o.panel_height;
  std::string svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + std::to_string(o.width + 0) + "\" height=\"" +
                    std::to_string(height) + "\" viewBox=\"0 0 " + std::to_string(o.width) + " " +
                    std::to_string(height) + "\" font-family=\"Helvetica, Arial, sans-serif\" font-size=\"12\">\n";
  svg += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
  if (!o.title.empty())
    svg += "<text x=\"" + std::to_string(o.width / 2) + "\" y=\"24\" text-anchor=\"middle\" font-size=\"16\">" +
           escaped(o.title) + "</text>\n";
  const double x_hi = epochs > 1 ? double(epochs) : 2.0;
  for (size_t p = 0; p < metrics.size(); ++p) {
    const std::string& m = metrics[p];
    std::vector<std::pair<std::string, const std::vector<double>*>> series = {{m, &history.history.at(m)}};
    if (auto it = history.history.find("val_" + m); it != history.history.end()) series.push_back({"val_" + m, &it->second});
    double lo = INFINITY, hi = -INFINITY;
    for (const auto& s : series)
      for (double v : *s.second)
        if (std::isfinite(v)) {
          lo = std::min(lo, v);
          hi = std::max(hi, v);
        }
    if (!std::isfinite(lo)) lo = 0, hi = 1;
    if (hi - lo < 1e-12) lo -= 0.5, hi += 0.5;
    const double pad = (hi - lo) * 0.05;
    lo -= pad;
    hi += pad;
    const int y0 = top + int(p) * o.panel_height + 8;
    auto X = [&](double epoch) { return left + (epoch - 1.0) / (x_hi - 1.0) * pw; };
    auto Y = [&](double v) { return y0 + (hi - v) / (hi - lo) * ph; };
    svg += "<g>\n<rect x=\"" + std::to_string(left) + "\" y=\"" + std::to_string(y0) + "\" width=\"" +
           std::to_string(pw) + "\" height=\"" + std::to_string(ph) + "\" fill=\"none\" stroke=\"#444\"/>\n";
    for (double t : ticks(lo, hi)) {
      svg += "<line x1=\"" + std::to_string(left) + "\" x2=\"" + std::to_string(left + pw) + "\" y1=\"" + num(Y(t)) +
             "\" y2=\"" + num(Y(t)) + "\" stroke=\"#ddd\"/>\n";
      svg += "<text x=\"" + std::to_string(left - 6) + "\" y=\"" + num(Y(t) + 4) + "\" text-anchor=\"end\">" +
             tick_label(t) + "</text>\n";
    }
    for (double t : ticks(1.0, x_hi, 8)) {
      if (t < 1.0 || std::abs(t - std::round(t)) > 1e-9) continue;  // whole epochs only
      svg += "<line x1=\"" + num(X(t)) + "\" x2=\"" + num(X(t)) + "\" y1=\"" + std::to_string(y0 + ph) + "\" y2=\"" +
             std::to_string(y0 + ph + 4) + "\" stroke=\"#444\"/>\n";
      svg += "<text x=\"" + num(X(t)) + "\" y=\"" + std::to_string(y0 + ph + 16) + "\" text-anchor=\"middle\">" +
             tick_label(t) + "</text>\n";
    }
    svg += "<text x=\"" + std::to_string(left + pw / 2) + "\" y=\"" + std::to_string(y0 + ph + 32) +
           "\" text-anchor=\"middle\">epoch</text>\n";
    const char* colors[] = {"#1f77b4", "#ff7f0e"};
    for (size_t s = 0; s < series.size(); ++s) {
      const std::vector<double>& v = *series[s].second;
      std::string points;
      for (size_t e = 0; e < v.size(); ++e)
        if (std::isfinite(v[e])) points += num(X(double(e + 1))) + "," + num(Y(v[e])) + " ";
      const std::string dash = s ? " stroke-dasharray=\"6,4\"" : "";
      svg += "<polyline fill=\"none\" stroke=\"" + std::string(colors[s]) + "\" stroke-width=\"2\"" + dash +
             " points=\"" + points + "\"/>\n";
      for (size_t e = 0; e < v.size(); ++e)
        if (std::isfinite(v[e]))
          svg += "<circle cx=\"" + num(X(double(e + 1))) + "\" cy=\"" + num(Y(v[e])) + "\" r=\"2.5\" fill=\"" + colors[s] + "\"/>\n";
      const int ly = y0 + 14 + int(s) * 18;
      svg += "<line x1=\"" + std::to_string(left + pw + 10) + "\" x2=\"" + std::to_string(left + pw + 34) + "\" y1=\"" +
             std::to_string(ly - 4) + "\" y2=\"" + std::to_string(ly - 4) + "\" stroke=\"" + colors[s] +
             "\" stroke-width=\"2\"" + dash + "/>\n";
      svg += "<text x=\"" + std::to_string(left + pw + 40) + "\" y=\"" + std::to_string(ly) + "\">" +
             escaped(series[s].first) + "</text>\n";
    }
    svg += "</g>\n";
  }
  return svg + "</svg>\n";
}

void plot_history(const callbacks::History& history, const std::string& path, const PlotHistoryOptions& o) {
  if (std::filesystem::path(path).extension() != ".svg")
    throw std::invalid_argument("plot_history: expected a path ending in .svg, but received '" + path + "'");
  const std::string svg = history_to_svg(history, o);
  core::AtomicFile f(path, "plot_history");
  f.write(svg);
  f.commit();
}

}  // namespace keras::utils
