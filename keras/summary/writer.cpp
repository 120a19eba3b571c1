// writer.cpp - tf.summary's writers and thread state: create_file_writer, the default
// writer and step of each thread, record_if, and the generic write / write_raw_pb / graph
// every typed summary goes through.
#include <chrono>
#include <mutex>
#include <stdexcept>

#include "core/dispatch.h"
#include "core/function.h"
#include "core/protobuf_wire.h"
#include "keras/name_scope.h"
#include "keras/summary.h"
#include "keras/summary/event_file.h"
#include "keras/summary/tensor_proto.h"

namespace keras::summary {

namespace detail {

struct WriterState {
  std::mutex mu;
  std::unique_ptr<EventFile> file;
  std::string logdir, path;
  int64_t max_queue = 10, flush_millis = 120000, pending = 0;
  std::chrono::steady_clock::time_point last_flush = std::chrono::steady_clock::now();
  bool closed = false;

  void write(std::string_view event) {
    std::lock_guard lock(mu);
    if (closed) throw std::runtime_error("summary: the SummaryWriter of '" + path + "' is closed");
    file->write_event(event);
    ++pending;
    const auto now = std::chrono::steady_clock::now();
    if (pending > max_queue || now - last_flush >= std::chrono::milliseconds(flush_millis)) flush_locked(now);
  }
  void flush_locked(std::chrono::steady_clock::time_point now) {
    file->flush();
    pending = 0;
    last_flush = now;
  }
  void flush() {
    std::lock_guard lock(mu);
    if (!closed) flush_locked(std::chrono::steady_clock::now());
  }
  void close() {
    std::lock_guard lock(mu);
    if (closed || !file) return;  // (no file: its creation failed)
    closed = true;
    file->close();
  }
  ~WriterState() {
    try {
      close();
    } catch (...) {  // a destructor cannot report it; close() does
    }
  }
};

}  // namespace detail

namespace {

// This thread's summary state (TensorFlow keeps it per thread too).
struct ThreadState {
  SummaryWriter writer;  // a no-op writer when there is no default
  std::optional<int64_t> step;
  std::function<bool()> recording;  // empty: always
};
ThreadState& state() {
  thread_local ThreadState s;
  return s;
}

}  // namespace

// Access to a writer's state for the functions of this file.
struct WriterAccess {
  static const std::shared_ptr<detail::WriterState>& of(const SummaryWriter& w) { return w.state_; }
  static SummaryWriter make(std::shared_ptr<detail::WriterState> s) {
    SummaryWriter w;
    w.state_ = std::move(s);
    return w;
  }
};

namespace {

void check_open(const SummaryWriter& w) {
  if (w.closed()) throw std::runtime_error("SummaryWriter of '" + w.path() + "' is already closed");
}

// The default writer when a summary is to be recorded now, else null.
std::shared_ptr<detail::WriterState> recording_writer() {
  const ThreadState& s = state();
  const auto& w = WriterAccess::of(s.writer);
  if (!w || (s.recording && !s.recording())) return nullptr;
  return w;
}

int64_t step_or_default(std::optional<int64_t> step) {
  if (step) return *step;
  if (state().step) return *state().step;
  throw std::invalid_argument(
      "No step set. Please specify one either through the `step` argument or through "
      "keras::summary::experimental::set_step()");
}

// A tensorflow.Summary holding one Value (tag, tensor, metadata).
std::string summary_bytes(const std::string& tag, const Tensor& tensor, const SummaryMetadata& metadata) {
  core::protobuf::Writer value;
  value.bytes_field(1, tag);                                  // Value.tag
  value.bytes_field(8, detail::encode_tensor_proto(tensor));  // Value.tensor
  const std::string meta = metadata.serialize();
  if (!meta.empty()) value.bytes_field(9, meta);  // Value.metadata
  core::protobuf::Writer s;
  s.bytes_field(1, value.bytes());  // Summary.value
  return s.bytes();
}

}  // namespace

void SummaryWriter::set_as_default(std::optional<int64_t> step) const {
  if (!state_) return;
  check_open(*this);
  state().writer = *this;
  if (step) state().step = step;
}

DefaultWriterScope SummaryWriter::as_default(std::optional<int64_t> step) const {
  return DefaultWriterScope(*this, step);
}

void SummaryWriter::init() const {
  if (state_) check_open(*this);
}
void SummaryWriter::flush() const {
  if (state_) state_->flush();
}
void SummaryWriter::close() const {
  if (state_) state_->close();
}
bool SummaryWriter::closed() const {
  if (!state_) return false;
  std::lock_guard lock(state_->mu);
  return state_->closed;
}
std::string SummaryWriter::path() const { return state_ ? state_->path : ""; }
std::string SummaryWriter::logdir() const { return state_ ? state_->logdir : ""; }

SummaryWriter create_file_writer(const std::string& logdir, const FileWriterOptions& options) {
  if (logdir.empty()) throw std::invalid_argument("create_file_writer: `logdir` must not be empty");
  if (options.max_queue < 0)
    throw std::invalid_argument("create_file_writer: max_queue must be >= 0, but received " +
                                std::to_string(options.max_queue));
  if (options.flush_millis < 0)
    throw std::invalid_argument("create_file_writer: flush_millis must be >= 0, but received " +
                                std::to_string(options.flush_millis));
  auto s = std::make_shared<detail::WriterState>();
  s->file = std::make_unique<detail::EventFile>(logdir, options.filename_suffix, "create_file_writer");
  s->logdir = logdir;
  s->path = s->file->path();
  s->max_queue = options.max_queue;
  s->flush_millis = options.flush_millis;
  return WriterAccess::make(std::move(s));
}

SummaryWriter create_noop_writer() { return SummaryWriter(); }

DefaultWriterScope::DefaultWriterScope(const SummaryWriter& writer, std::optional<int64_t> step) {
  if (!WriterAccess::of(writer)) return;  // a no-op writer's scope does nothing
  check_open(writer);
  ThreadState& s = state();
  previous_ = s.writer;
  s.writer = writer;
  if (step) {
    has_step_ = true;
    previous_step_ = s.step;
    s.step = step;
  }
  active_ = true;
}

DefaultWriterScope::~DefaultWriterScope() {
  if (!active_) return;
  ThreadState& s = state();
  try {
    s.writer.flush();
  } catch (...) {  // a destructor cannot report it; flush() does
  }
  s.writer = previous_;
  if (has_step_) s.step = previous_step_;
}

RecordIf::RecordIf(bool condition) : RecordIf(std::function<bool()>([condition] { return condition; }), 0) {}
RecordIf::RecordIf(std::function<bool()> condition, int) {
  if (!condition) throw std::invalid_argument("record_if: the condition is an empty function");
  previous_ = std::move(state().recording);
  state().recording = std::move(condition);
}
RecordIf::~RecordIf() { state().recording = std::move(previous_); }
RecordIf record_if(bool condition) { return RecordIf(condition); }

bool should_record_summaries() { return recording_writer() != nullptr; }
bool has_default_writer() { return WriterAccess::of(state().writer) != nullptr; }
SummaryWriter default_writer() { return state().writer; }

void flush(const std::optional<SummaryWriter>& writer) { (writer ? *writer : state().writer).flush(); }

namespace experimental {
void set_step(std::optional<int64_t> step) { state().step = step; }
std::optional<int64_t> get_step() { return state().step; }
std::string summary_tag(const std::string& name, const std::string& default_name) {
  const std::string scope = current_path();
  const std::string& n = name.empty() ? default_name : name;
  return scope.empty() ? n : scope + "/" + n;
}
}  // namespace experimental

bool write(const std::string& tag, const std::function<Tensor()>& make, std::optional<int64_t> step,
           const SummaryMetadata& metadata) {
  const auto w = recording_writer();
  if (!w) return false;
  const int64_t s = step_or_default(step);
  // A summary is written when it is called: inside a keras::function trace its tensor has
  // no value yet (keras::ops::host_function writes one at each run instead).
  core::tracing::check_not_tracing(("keras::summary (\"" + tag + "\")").c_str());
  w->write(detail::event_bytes(s, 5, summary_bytes(tag, make(), metadata)));
  return true;
}

bool write(const std::string& tag, const Tensor& tensor, std::optional<int64_t> step, const SummaryMetadata& metadata) {
  return write(
      tag, [&] { return tensor; }, step, metadata);
}

bool write_raw_pb(const Tensor& serialized_summaries, std::optional<int64_t> step) {
  if (serialized_summaries.dtype() != core::DType::string || serialized_summaries.rank() > 1)
    throw std::invalid_argument(
        "write_raw_pb: expected a string scalar or vector of serialized Summary messages, but received " +
        std::string(core::dtype_name(serialized_summaries.dtype())) + " of shape " +
        serialized_summaries.shape().str());
  if (!has_default_writer()) return false;
  const int64_t s = step_or_default(step);  // TensorFlow checks the step before record_if here
  const auto w = recording_writer();
  if (!w) return false;
  for (const std::string& bytes : serialized_summaries.to_vector<std::string>())
    w->write(detail::event_bytes(s, 5, bytes));
  return true;
}

bool graph(const core::FunctionBase& function) {
  const auto w = recording_writer();
  if (!w) return false;
  if (function.graph_nodes().empty())
    throw std::invalid_argument("summary::graph: the function has no graph yet (call it once to trace it)");
  w->write(detail::event_bytes(0, 4, detail::graph_def(function.graph_nodes())));
  return true;
}

}  // namespace keras::summary
