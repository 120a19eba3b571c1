#include "keras/callbacks/model_checkpoint.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <stdexcept>
#include <system_error>

#include "keras/models/model.h"
#include "keras/saving/saving.h"
#include "keras/io_utils_internal.h"

namespace keras::callbacks {

SaveFreq::SaveFreq(const std::string& s) {
  if (s != "epoch")
    throw std::invalid_argument("save_freq: expected 'epoch' or an integer number of batches, but received '" + s + "'");
}

SaveFreq::SaveFreq(long long n) : batches(n) {
  if (n <= 0)
    throw std::invalid_argument("save_freq: expected 'epoch' or a number of batches > 0, but received " + std::to_string(n));
}

namespace {

// ---- Python's str.format for one int or float field ------------------------------------------
struct Spec {
  char fill = ' ', align = 0, sign = '-', type = 0;
  bool zero = false;
  int width = -1, precision = -1;
};

[[noreturn]] void format_error(const std::string& pattern, const std::string& why) {
  throw std::invalid_argument("ModelCheckpoint: failed to format the filepath \"" + pattern + "\": " + why);
}

Spec parse_spec(const std::string& s, const std::string& pattern) {
  Spec sp;
  size_t i = 0;
  auto is_align = [](char c) { return c == '<' || c == '>' || c == '^' || c == '='; };
  if (s.size() >= 2 && is_align(s[1])) {
    sp.fill = s[0];
    sp.align = s[1];
    i = 2;
  } else if (!s.empty() && is_align(s[0])) {
    sp.align = s[0];
    i = 1;
  }
  if (i < s.size() && (s[i] == '+' || s[i] == '-' || s[i] == ' ')) sp.sign = s[i++];
  if (i < s.size() && s[i] == '0') {
    sp.zero = true;
    ++i;
  }
  auto number = [&](int& out) {
    size_t b = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9' && i - b < 4) ++i;
    if (i > b) out = std::stoi(s.substr(b, i - b));
    return i > b;
  };
  number(sp.width);
  if (i < s.size() && s[i] == '.') {
    ++i;
    if (!number(sp.precision)) format_error(pattern, "format specifier missing precision in '" + s + "'");
  }
  if (i < s.size() && std::string("dfFeEgG%").find(s[i]) != std::string::npos) sp.type = s[i++];
  if (i != s.size()) format_error(pattern, "unsupported format specifier '" + s + "'");
  return sp;
}

// Python's repr of a float: the shortest digits that round-trip, fixed notation for
// exponents in [-4, 16), with ".0" on integral values.
std::string python_repr(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v < 0 ? "-inf" : "inf";
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
  std::string sci(buf, r.ptr);  // "-1.2345e-05"
  const size_t e = sci.find('e');
  const int exp = std::stoi(sci.substr(e + 1));
  std::string mant = sci.substr(0, e), neg;
  if (mant[0] == '-') {
    neg = "-";
    mant.erase(0, 1);
  }
  std::string digits;
  for (char c : mant)
    if (c != '.') digits += c;
  if (exp >= -4 && exp < 16) {
    std::string out;
    if (exp < 0) {
      out = "0." + std::string(size_t(-exp - 1), '0') + digits;
    } else if (size_t(exp) + 1 >= digits.size()) {
      out = digits + std::string(size_t(exp) + 1 - digits.size(), '0') + ".0";
    } else {
      out = digits.substr(0, size_t(exp) + 1) + "." + digits.substr(size_t(exp) + 1);
    }
    return neg + out;
  }
  char ebuf[16];
  std::snprintf(ebuf, sizeof ebuf, "e%c%02d", exp < 0 ? '-' : '+', std::abs(exp));
  return neg + mant + ebuf;
}

std::string format_value(double v, bool is_int, const Spec& sp, const std::string& name, const std::string& pattern) {
  std::string body;
  char buf[512];
  const char* sign_flag = sp.sign == '+' ? "+" : sp.sign == ' ' ? " " : "";
  if (sp.type == 'd' || (is_int && sp.type == 0)) {
    if (!is_int) format_error(pattern, "unknown format code 'd' for the float value of '" + name + "'");
    if (sp.precision >= 0) format_error(pattern, "precision not allowed in the integer format of '" + name + "'");
    std::snprintf(buf, sizeof buf, (std::string("%") + sign_flag + "lld").c_str(), static_cast<long long>(v));
    body = buf;
  } else if (sp.type == 0 && sp.precision < 0) {
    body = python_repr(v);
    if (sp.sign != '-' && !(v < 0) && !std::signbit(v)) body = std::string(1, sp.sign) + body;
  } else {
    const double x = sp.type == '%' ? v * 100 : v;
    const char t = sp.type == 0 ? 'g' : sp.type == '%' ? 'f' : sp.type;
    const int prec = sp.precision >= 0 ? sp.precision : 6;
    std::snprintf(buf, sizeof buf, (std::string("%") + sign_flag + "." + std::to_string(prec) + t).c_str(), x);
    body = buf;
    if (sp.type == 0 && std::isfinite(v) && body.find_first_of(".e") == std::string::npos) body += ".0";
    if (sp.type == '%') body += "%";
  }
  if (sp.width > 0 && body.size() < size_t(sp.width)) {
    const size_t pad = size_t(sp.width) - body.size();
    char align = sp.align ? sp.align : (sp.zero ? '=' : '>');
    char fill = sp.align ? sp.fill : (sp.zero ? '0' : ' ');
    if (align == '<') {
      body += std::string(pad, fill);
    } else if (align == '^') {
      body = std::string(pad / 2, fill) + body + std::string(pad - pad / 2, fill);
    } else if (align == '=') {
      const size_t at = !body.empty() && (body[0] == '-' || body[0] == '+' || body[0] == ' ') ? 1 : 0;
      body.insert(at, std::string(pad, fill));
    } else {
      body = std::string(pad, fill) + body;
    }
  }
  return body;
}

std::string fmt5(double v) {  // Python's f"{v:.5f}"
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.5f", v);
  return buf;
}

}  // namespace

ModelCheckpoint::ModelCheckpoint(std::string filepath, const ModelCheckpointOptions& o)
    : filepath_(std::move(filepath)), o_(o) {
  if (filepath_.empty()) throw std::invalid_argument("ModelCheckpoint: expected a file path, but received an empty string");
  maximize_ = detail::maximizes(o.mode, o.monitor, "ModelCheckpoint");
  best_ = o.initial_value_threshold ? *o.initial_value_threshold
                                    : (maximize_ ? -std::numeric_limits<double>::infinity()
                                                 : std::numeric_limits<double>::infinity());
  format(0, o.save_freq.per_epoch() ? std::nullopt : std::optional<int64_t>(0), {}, true);  // the syntax, now
}

std::string ModelCheckpoint::format_filepath(int epoch, std::optional<int64_t> batch, const Logs& logs) const {
  return format(epoch, batch, logs, false);
}

std::string ModelCheckpoint::format(int epoch, std::optional<int64_t> batch, const Logs& logs, bool check_only) const {
  const std::string& p = filepath_;
  std::string out;
  for (size_t i = 0; i < p.size(); ++i) {
    const char c = p[i];
    if (c == '}') {
      if (i + 1 < p.size() && p[i + 1] == '}') {
        out += '}';
        ++i;
        continue;
      }
      format_error(p, "single '}' encountered");
    }
    if (c != '{') {
      out += c;
      continue;
    }
    if (i + 1 < p.size() && p[i + 1] == '{') {
      out += '{';
      ++i;
      continue;
    }
    const size_t close = p.find('}', i);
    if (close == std::string::npos) format_error(p, "single '{' encountered");
    const std::string field = p.substr(i + 1, close - i - 1);
    i = close;
    const size_t colon = field.find(':');
    const std::string name = field.substr(0, colon);
    const Spec sp = parse_spec(colon == std::string::npos ? "" : field.substr(colon + 1), p);
    if (name.empty()) format_error(p, "a placeholder needs a name ({epoch}, {val_loss}, ...)");
    double v = 0;
    bool is_int = false;
    auto it = logs.find(name);
    if (it != logs.end()) {
      v = it->second;
    } else if (name == "epoch") {
      v = epoch + 1;
      is_int = true;
    } else if (name == "batch" && batch) {
      v = double(*batch + 1);
      is_int = true;
    } else if (check_only) {
      continue;
    } else {
      std::string keys = "epoch";
      if (batch) keys += ", batch";
      for (const auto& [k, val] : logs) keys += ", " + k;
      format_error(p, "no value for the placeholder '" + name + "' (available: " + keys + ")");
    }
    out += format_value(v, is_int, sp, name, p);
  }
  return out;
}

void ModelCheckpoint::on_train_begin(const Logs&) { warned_missing_ = false; }

void ModelCheckpoint::on_epoch_begin(int epoch, const Logs&) { current_epoch_ = epoch; }

bool ModelCheckpoint::should_save_on_batch(int64_t batch) {
  if (o_.save_freq.per_epoch()) return false;
  batches_since_save_ += batch <= last_batch_seen_ ? batch + 1 : batch - last_batch_seen_;  // a new epoch restarts at 0
  last_batch_seen_ = batch;
  if (batches_since_save_ < o_.save_freq.batches) return false;
  batches_since_save_ = 0;
  return true;
}

void ModelCheckpoint::on_train_batch_end(int64_t batch, const Logs& logs) {
  if (should_save_on_batch(batch)) save(current_epoch_, batch, logs);
}

void ModelCheckpoint::on_epoch_end(int epoch, const Logs& logs) {
  if (o_.save_freq.per_epoch()) save(epoch, std::nullopt, logs);
}

void ModelCheckpoint::save(int epoch, std::optional<int64_t> batch, const Logs& logs) {
  if (!is_chief()) return;  // distributed: the chief saves
  const std::string path = format_filepath(epoch, batch, logs);
  if (o_.save_best_only) {
    auto it = logs.find(o_.monitor);
    if (it == logs.end()) {  // Keras 3 warns and saves anyway
      if (!warned_missing_)
        std::fprintf(stderr, "UserWarning: Can save best model only with %s available.\n", o_.monitor.c_str());
      warned_missing_ = true;
      return write(path);
    }
    const double current = it->second;
    const bool improved = maximize_ ? current > best_ : current < best_;
    if (!improved) {
      if (o_.verbose > 0)
        keras::detail::print_msgf("\nEpoch %d: %s did not improve from %s", epoch + 1, o_.monitor.c_str(),
                                  fmt5(best_).c_str());
      return;
    }
    if (o_.verbose > 0)
      keras::detail::print_msgf("\nEpoch %d: %s improved from %s to %s, saving model to %s", epoch + 1,
                                o_.monitor.c_str(), fmt5(best_).c_str(), fmt5(current).c_str(), path.c_str());
    best_ = current;
  } else if (o_.verbose > 0) {
    keras::detail::print_msgf("\nEpoch %d: saving model to %s", epoch + 1, path.c_str());
  }
  write(path);
}

void ModelCheckpoint::write(const std::string& path) {
  std::fflush(stdout);
  namespace fs = std::filesystem;
  std::error_code ec;
  if (fs::is_directory(path, ec))
    throw std::runtime_error("ModelCheckpoint: expected a file path, but '" + path + "' is an existing directory");
  const fs::path dir = fs::path(path).parent_path();
  if (!dir.empty() && !fs::exists(dir, ec)) {
    fs::create_directories(dir, ec);
    if (ec) throw std::runtime_error("ModelCheckpoint: cannot create the folder '" + dir.string() + "': " + ec.message());
  }
  if (o_.save_weights_only) saving::save_weights(*model(), path);
  else saving::save_model(*model(), path);
}

}  // namespace keras::callbacks
