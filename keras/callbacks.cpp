// callbacks.cpp - the Callback base, CallbackList, History and CSVLogger.
#include "keras/callbacks.h"

#include <charconv>
#include <cmath>
#include <stdexcept>

#include "keras/models/model.h"

namespace keras::callbacks {

bool Callback::is_chief() const {
  return !model_ || !model_->replicas() || model_->replicas()->is_chief();
}

Callback::~Callback() = default;

void History::on_epoch_end(int e, const Logs& logs) {
  epoch.push_back(e);
  for (const auto& [k, v] : logs) history[k].push_back(v);
}

// ---- CallbackList ----------------------------------------------------------------------------
CallbackList::CallbackList(const std::vector<CallbackArg>& callbacks, Model* model,
                           const std::map<std::string, double>& params) {
  for (const CallbackArg& c : callbacks) append(c);
  set_model(model);
  set_params(params);
}

void CallbackList::append(const CallbackArg& c) {
  if (!c.ptr())
    throw std::invalid_argument("CallbackList: expected a callback, but callbacks[" + std::to_string(cbs_.size()) +
                                "] is null");
  c.ptr()->set_model(model());
  c.ptr()->set_params(params());
  cbs_.push_back(c.ptr());
}

void CallbackList::set_model(Model* m) {
  Callback::set_model(m);
  for (auto& c : cbs_) c->set_model(m);
}

void CallbackList::set_params(const std::map<std::string, double>& p) {
  Callback::set_params(p);
  for (auto& c : cbs_) c->set_params(p);
}

// Each callback in turn, on one copy of the logs that set_log() may extend.
template <class F>
void CallbackList::each(const Logs& logs, F hook) {
  Logs shared = logs;
  for (auto& c : cbs_) {
    struct Bind {
      Callback& c;
      Bind(Callback& cb, Logs* l) : c(cb) { c.logs_ = l; }
      ~Bind() { c.logs_ = nullptr; }
    } bind(*c, &shared);
    hook(*c, shared);
  }
}

void CallbackList::on_train_begin(const Logs& l) { each(l, [](Callback& c, const Logs& x) { c.on_train_begin(x); }); }
void CallbackList::on_train_end(const Logs& l) { each(l, [](Callback& c, const Logs& x) { c.on_train_end(x); }); }
void CallbackList::on_epoch_begin(int e, const Logs& l) {
  each(l, [e](Callback& c, const Logs& x) { c.on_epoch_begin(e, x); });
}
void CallbackList::on_epoch_end(int e, const Logs& l) {
  each(l, [e](Callback& c, const Logs& x) { c.on_epoch_end(e, x); });
}
void CallbackList::on_train_batch_begin(int64_t b, const Logs& l) {
  each(l, [b](Callback& c, const Logs& x) { c.on_train_batch_begin(b, x); });
}
void CallbackList::on_train_batch_end(int64_t b, const Logs& l) {
  each(l, [b](Callback& c, const Logs& x) { c.on_train_batch_end(b, x); });
}
void CallbackList::on_test_begin(const Logs& l) { each(l, [](Callback& c, const Logs& x) { c.on_test_begin(x); }); }
void CallbackList::on_test_end(const Logs& l) { each(l, [](Callback& c, const Logs& x) { c.on_test_end(x); }); }
void CallbackList::on_test_batch_begin(int64_t b, const Logs& l) {
  each(l, [b](Callback& c, const Logs& x) { c.on_test_batch_begin(b, x); });
}
void CallbackList::on_test_batch_end(int64_t b, const Logs& l) {
  each(l, [b](Callback& c, const Logs& x) { c.on_test_batch_end(b, x); });
}
void CallbackList::on_predict_begin(const Logs& l) { each(l, [](Callback& c, const Logs& x) { c.on_predict_begin(x); }); }
void CallbackList::on_predict_end(const Logs& l) { each(l, [](Callback& c, const Logs& x) { c.on_predict_end(x); }); }
void CallbackList::on_predict_batch_begin(int64_t b, const Logs& l) {
  each(l, [b](Callback& c, const Logs& x) { c.on_predict_batch_begin(b, x); });
}
void CallbackList::on_predict_batch_end(int64_t b, const Logs& l) {
  each(l, [b](Callback& c, const Logs& x) { c.on_predict_batch_end(b, x); });
}

// ---- CSVLogger -----------------------------------------------------------------------------
CSVLogger::CSVLogger(std::string filename, char separator, bool append)
    : filename_(std::move(filename)), sep_(separator), append_(append) {}

CSVLogger::CSVLogger(CSVLogger&& o) noexcept
    : Callback(o), filename_(std::move(o.filename_)), sep_(o.sep_), append_(o.append_), f_(o.f_),
      header_(o.header_), keys_(std::move(o.keys_)) {
  o.f_ = nullptr;
}

CSVLogger::~CSVLogger() {
  if (f_) std::fclose(f_);
}

void CSVLogger::on_train_begin(const Logs&) {
  if (f_) std::fclose(f_);
  f_ = nullptr;
  if (!is_chief()) return;  // distributed: the chief writes the file
  header_ = true;
  if (append_) {  // Keras writes the header only into an empty (or new) file
    if (std::FILE* r = std::fopen(filename_.c_str(), "r")) {
      header_ = std::fgetc(r) == EOF;
      std::fclose(r);
    }
  }
  f_ = std::fopen(filename_.c_str(), append_ ? "a" : "w");
  if (!f_) throw std::runtime_error("CSVLogger: cannot open '" + filename_ + "' for writing");
  keys_.clear();
}

namespace {
std::string shortest(double v) {  // Python's repr of a float: the shortest round-trip form
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  std::string s(buf, end);
  if (s.find_first_of(".en") == std::string::npos) s += ".0";
  return s;
}
}  // namespace

void CSVLogger::on_epoch_end(int epoch, const Logs& logs) {
  if (!f_) return;
  if (keys_.empty()) {
    // Keras's columns: the sorted keys, plus val_<key> for each when there are no
    // validation values yet (they then read NA).
    bool has_val = false;
    for (const auto& [k, v] : logs) {
      keys_.push_back(k);
      has_val = has_val || k.rfind("val_", 0) == 0;
    }
    if (!has_val && !keys_.empty()) {
      const size_t n = keys_.size();
      for (size_t i = 0; i < n; ++i) keys_.push_back("val_" + keys_[i]);
    }
    if (header_) {
      std::fprintf(f_, "epoch");
      for (const std::string& k : keys_) std::fprintf(f_, "%c%s", sep_, k.c_str());
      std::fprintf(f_, "\n");
    }
  }
  std::fprintf(f_, "%d", epoch);
  for (const std::string& k : keys_) {
    auto it = logs.find(k);
    std::fprintf(f_, "%c%s", sep_, it == logs.end() ? "NA" : shortest(it->second).c_str());
  }
  std::fprintf(f_, "\n");
  std::fflush(f_);
}

void CSVLogger::on_train_end(const Logs&) {
  if (f_) std::fclose(f_);
  f_ = nullptr;
}

}  // namespace keras::callbacks
