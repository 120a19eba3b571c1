// summary.h - tf.summary: write scalars, histograms, text, images, audio and graphs to
// TensorBoard event files from any C++ code (custom training loops, evaluation scripts),
// and read event files back.
//
//   auto writer = keras::summary::create_file_writer("logs/train");
//   {
//     auto scope = writer.as_default();
//     for (int64_t step = 0; step < 100; ++step) {
//       ...
//       keras::summary::scalar("loss", loss, step);
//       keras::summary::histogram("dense/kernel", model->layers()[0]->weights()[0].value(), step);
//     }
//   }  // flushed; then: tensorboard --logdir logs
//
// As in TensorFlow, a summary goes to this thread's default writer (none: the call writes
// nothing and returns false), at the step given or else the default step
// (experimental::set_step, or as_default(step)); a default writer without either raises.
// The tag is the name under this thread's keras::NameScope path ("train/loss"). The
// values are written as TensorFlow 2 writes them: a tensor with the plugin's metadata
// (scalars as float32, histograms as float64 [buckets, 3] rows, text as strings, images
// as PNG and audio as WAV strings), so the files are byte-for-byte TensorFlow's except
// for the wall times, the file name and the PNG compression.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "core/tensor.h"

namespace keras::core {
class FunctionBase;
}

namespace keras::summary {

using core::Tensor;

namespace detail {
struct WriterState;
}

/// create_file_writer's options (tf.summary.create_file_writer's keyword arguments).
struct FileWriterOptions {
  /// The largest number of summaries kept before they are written out: the writer
  /// flushes once more than this many are waiting.
  int64_t max_queue = 10;
  /// The longest time between flushes (milliseconds), checked at each write.
  int64_t flush_millis = 120000;
  /// The end of the event file's name (events.out.tfevents.TIME.HOST.PID.N followed by it).
  std::string filename_suffix = ".v2";
};

class DefaultWriterScope;

/// tf.summary.SummaryWriter: a handle on an event file (copies share it). The file is
/// written in place (TensorBoard reads it while it grows) and flushed by flush(), close(),
/// the end of an as_default() scope, and when the last handle goes.
class SummaryWriter {
 public:
  /// A writer that does nothing (create_noop_writer()).
  SummaryWriter() = default;
  /// Makes this writer this thread's default until changed (and, with `step`, sets the
  /// default step). A closed writer raises std::runtime_error.
  void set_as_default(std::optional<int64_t> step = std::nullopt) const;
  /// Makes this writer this thread's default for the life of the returned scope (with
  /// `step`, the default step too); the scope's end flushes it and restores what was
  /// there. A closed writer raises std::runtime_error; a no-op writer's scope changes
  /// nothing.
  [[nodiscard]] DefaultWriterScope as_default(std::optional<int64_t> step = std::nullopt) const;
  /// Nothing to do here (the file exists from create_file_writer); raises on a closed writer.
  void init() const;
  /// Writes the waiting summaries to the file (nothing for a closed or no-op writer).
  void flush() const;
  /// Flushes and closes the file; later writes to it raise std::runtime_error. Closing
  /// twice does nothing.
  void close() const;
  /// Whether close() was called.
  bool closed() const;
  /// The event file's path ("" for a no-op writer).
  std::string path() const;
  /// The log folder given to create_file_writer ("" for a no-op writer).
  std::string logdir() const;
  /// Whether two handles are the same writer.
  bool operator==(const SummaryWriter& other) const { return state_ == other.state_; }

 private:
  friend class DefaultWriterScope;
  friend struct WriterAccess;
  std::shared_ptr<detail::WriterState> state_;
};

/// tf.summary.create_file_writer: creates `logdir` (and its parents) and a new event file
/// in it, whose first event gives the file version ("brain.Event:2"). An empty logdir
/// raises std::invalid_argument; max_queue < 0 or flush_millis < 0 too; a folder that
/// cannot be created std::runtime_error naming it.
SummaryWriter create_file_writer(const std::string& logdir, const FileWriterOptions& options = {});
/// tf.summary.create_noop_writer: a writer that writes nothing and whose as_default()
/// leaves the default writer as it was.
SummaryWriter create_noop_writer();

/// The scope SummaryWriter::as_default returns: on exit, flushes this thread's default
/// writer and restores the previous one (and the previous step when a step was given).
/// Scopes must end in reverse order of creation.
class DefaultWriterScope {
 public:
  ~DefaultWriterScope();
  DefaultWriterScope(const DefaultWriterScope&) = delete;
  DefaultWriterScope& operator=(const DefaultWriterScope&) = delete;

 private:
  friend class SummaryWriter;
  DefaultWriterScope(const SummaryWriter& writer, std::optional<int64_t> step);
  bool active_ = false, has_step_ = false;
  SummaryWriter previous_;
  std::optional<int64_t> previous_step_;
};

/// tf.summary.record_if: while alive, summaries are written only when `condition` holds
/// (a function is called at each summary, so `[&] { return step % 100 == 0; }` samples).
/// Restores the previous condition at its end.
class RecordIf {
 public:
  explicit RecordIf(bool condition);  ///< a fixed condition
  /// A condition asked at each summary (any callable returning bool).
  template <class F>
  requires std::is_invocable_r_v<bool, F&>
  explicit RecordIf(F condition) : RecordIf(std::function<bool()>(std::move(condition)), 0) {}
  ~RecordIf();
  RecordIf(const RecordIf&) = delete;
  RecordIf& operator=(const RecordIf&) = delete;

 private:
  RecordIf(std::function<bool()> condition, int);
  std::function<bool()> previous_;
};
/// tf.summary.record_if: a RecordIf scope (`auto r = summary::record_if(false);`).
[[nodiscard]] RecordIf record_if(bool condition);
/// tf.summary.record_if with a condition asked at each summary.
template <class F>
requires std::is_invocable_r_v<bool, F&>
[[nodiscard]] RecordIf record_if(F condition) { return RecordIf(std::move(condition)); }
/// tf.summary.should_record_summaries: whether a summary written now would be recorded
/// (a default writer exists and the record_if condition, if any, holds).
bool should_record_summaries();
/// Whether this thread has a default writer.
bool has_default_writer();
/// The default writer of this thread (a no-op writer when there is none).
SummaryWriter default_writer();

/// tf.summary.flush: flushes `writer`, or this thread's default writer when none is given.
void flush(const std::optional<SummaryWriter>& writer = std::nullopt);

namespace experimental {
/// tf.summary.experimental.set_step: this thread's default step (nullopt unsets it).
void set_step(std::optional<int64_t> step);
/// tf.summary.experimental.get_step: this thread's default step, if set.
std::optional<int64_t> get_step();
/// tf.summary.experimental.summary_scope's tag: `name` under this thread's name-scope
/// path ("train/loss"); empty `name` gives `default_name`.
std::string summary_tag(const std::string& name, const std::string& default_name = "summary");
}  // namespace experimental

/// tensorflow.SummaryMetadata: what TensorBoard needs to show a tensor summary.
struct SummaryMetadata {
  std::string plugin_name;     ///< the dashboard: "scalars", "histograms", "images", ...
  std::string plugin_content;  ///< the plugin's own serialized options (bytes)
  std::string display_name;    ///< the name shown (TensorFlow leaves it empty)
  std::string description;     ///< long-form description, Markdown
  /// The serialized protocol buffer (empty fields left out).
  std::string serialize() const;
  /// Parses serialized bytes (std::runtime_error on malformed ones).
  static SummaryMetadata parse(const std::string& bytes);
  /// Whether every field is equal.
  bool operator==(const SummaryMetadata&) const = default;
};

/// tf.summary.write: writes `tensor` under `tag` (used as given: no name scope) with
/// `metadata`. Returns whether it was recorded: false when there is no default writer
/// or record_if says no. With a default writer, a missing step (neither given nor set)
/// raises std::invalid_argument; so does a writer that was closed (std::runtime_error).
bool write(const std::string& tag, const Tensor& tensor, std::optional<int64_t> step = std::nullopt,
           const SummaryMetadata& metadata = {});
/// tf.summary.write with a callable tensor: `make` is called only when the summary is
/// recorded.
bool write(const std::string& tag, const std::function<Tensor()>& make, std::optional<int64_t> step = std::nullopt,
           const SummaryMetadata& metadata = {});
/// tf.summary.experimental.write_raw_pb: writes serialized tensorflow.Summary messages (a
/// string scalar or vector: one event each) as they are.
bool write_raw_pb(const Tensor& serialized_summaries, std::optional<int64_t> step = std::nullopt);

/// tf.summary.scalar: a real scalar (any numeric dtype, as float32; a bool as 0 or 1) in
/// TensorBoard's Scalars dashboard. Another shape or a string raises std::invalid_argument.
bool scalar(const std::string& name, const Tensor& data, std::optional<int64_t> step = std::nullopt,
            const std::string& description = "");
/// tf.summary.scalar of a number.
bool scalar(const std::string& name, double data, std::optional<int64_t> step = std::nullopt,
            const std::string& description = "");

/// histogram's options (tf.summary.histogram's keyword arguments).
struct HistogramOptions {
  /// The number of equal-width buckets between the data's min and max (>= 0).
  int64_t buckets = 30;
  std::string description = "";  ///< long-form description, Markdown
};
/// tf.summary.histogram: the elements of `data` (any shape, numeric) as float64 rows
/// [left edge, right edge, count] of `buckets` equal-width buckets from the min to the
/// max (the last bucket closed). As TensorFlow: no data gives `buckets` rows of zeros;
/// data all equal, `buckets` rows [v, v, 0] with the count in the last; buckets = 0 no
/// rows; a NaN in the data gives NaN edges and no counts, and infinite values the
/// infinite or NaN edges and dropped counts TensorFlow's arithmetic gives (the same rows).
bool histogram(const std::string& name, const Tensor& data, std::optional<int64_t> step = std::nullopt,
               const HistogramOptions& options = {});

/// tf.summary.text: a string tensor of any shape (Markdown) in the Text dashboard. A
/// tensor of another dtype raises std::invalid_argument.
bool text(const std::string& name, const Tensor& data, std::optional<int64_t> step = std::nullopt,
          const std::string& description = "");
/// tf.summary.text of one string.
bool text(const std::string& name, const std::string& data, std::optional<int64_t> step = std::nullopt,
          const std::string& description = "");

/// image's options (tf.summary.image's keyword arguments).
struct ImageOptions {
  int64_t max_outputs = 3;       ///< at most this many images are written (>= 0)
  std::string description = "";  ///< long-form description, Markdown
};
/// tf.summary.image: images [k, height, width, channels] (channels 1, 2, 3 or 4) as PNG in
/// the Images dashboard, the first max_outputs of them. uint8 pixels are written as they
/// are; floating-point ones are taken in [0, 1] (scaled by 255.5, clipped, truncated, as
/// tf.image.convert_image_dtype with saturate); other integer types are scaled to uint8
/// as convert_image_dtype does. Another rank or channel count raises std::invalid_argument.
bool image(const std::string& name, const Tensor& data, std::optional<int64_t> step = std::nullopt,
           const ImageOptions& options = {});

/// audio's options (tf.summary.audio's keyword arguments).
struct AudioOptions {
  int64_t max_outputs = 3;       ///< at most this many clips are written (>= 0)
  std::string encoding = "wav";  ///< the only encoding ("wav"); another raises
  std::string description = "";  ///< long-form description, Markdown
};
/// tf.summary.audio: float32 clips [k, frames, channels] in [-1, 1] as 16-bit WAV (as
/// tf.audio.encode_wav) at `sample_rate` Hz (> 0) in the Audio dashboard, the first
/// max_outputs of them. Another rank or dtype raises std::invalid_argument.
bool audio(const std::string& name, const Tensor& data, int64_t sample_rate, std::optional<int64_t> step = std::nullopt,
           const AudioOptions& options = {});

/// tf.summary.graph: the optimized graph of a traced keras::function (its latest trace;
/// a function not yet traced raises std::invalid_argument) in the Graphs dashboard, at
/// step 0. Returns whether it was written.
bool graph(const core::FunctionBase& function);

/// One value of a summary in an event file.
struct SummaryValue {
  std::string tag;                    ///< the summary's tag
  SummaryMetadata metadata;           ///< the plugin and description (empty for a TF1 value)
  std::optional<Tensor> tensor;       ///< a TensorFlow 2 summary's tensor
  std::optional<float> simple_value;  ///< a TensorFlow 1 scalar (the TensorBoard callback writes these)
  /// Any other TensorFlow 1 value (an image, histogram or audio proto): its field number
  /// in Summary.Value and its bytes.
  std::optional<std::pair<int, std::string>> other;
};

/// One event of an event file (tensorflow.Event).
struct Event {
  double wall_time = 0;               ///< seconds since the epoch
  int64_t step = 0;                   ///< the summary's step
  std::string file_version;           ///< "brain.Event:2" in a file's first event
  std::vector<SummaryValue> summary;  ///< the values of a summary event
  std::string graph_def;              ///< a serialized GraphDef (a graph event)
};

/// tf.compat.v1.train.summary_iterator: reads the events of an event file in order. Each
/// record's CRC-32C is checked; a damaged record raises std::runtime_error naming the
/// offset, as TFRecordDataset; a malformed event or tensor raises std::runtime_error.
class EventFileReader {
 public:
  /// A reader of `path` (std::runtime_error when it cannot be opened).
  explicit EventFileReader(const std::string& path);
  ~EventFileReader();
  EventFileReader(EventFileReader&&) noexcept;             ///< movable
  EventFileReader& operator=(EventFileReader&&) noexcept;  ///< movable
  /// The next event, or nullopt at the end of the file.
  std::optional<Event> next();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};
/// Every event of an event file (EventFileReader's).
std::vector<Event> read_events(const std::string& path);

}  // namespace keras::summary
