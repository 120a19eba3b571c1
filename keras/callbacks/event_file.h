// event_file.h - TensorBoard's event files (private to keras/callbacks): a file of
// TFRecord records (length, masked CRC-32C of the length, data, masked CRC-32C of the
// data), each a serialized tensorflow.Event protocol buffer, written field by field (no
// protobuf library): scalars (Summary.Value.simple_value), histograms (HistogramProto)
// and a graph (GraphDef).
#pragma once
#include <cstdint>
#include <cstdio>
#include <span>
#include <string>
#include <vector>

#include "core/function.h"

namespace keras::callbacks::detail {

class EventFile {
 public:
  // Creates `dir` (and its parents) and a new file in it named as TensorFlow names them:
  // events.out.tfevents.<seconds>.<host>.<pid>.<n>.v2; the first record gives the file
  // version ("brain.Event:2"). Throws std::runtime_error naming the path on failure.
  explicit EventFile(const std::string& dir);
  ~EventFile();
  EventFile(const EventFile&) = delete;
  EventFile& operator=(const EventFile&) = delete;

  void scalar(const std::string& tag, double value, int64_t step);
  // A histogram of `values` in `buckets` equal-width buckets between their min and max
  // (tf.summary.histogram's default is 30); NaN and infinite values are left out.
  void histogram(const std::string& tag, std::span<const double> values, int64_t step, int buckets = 30);
  void graph(const std::vector<core::GraphNodeInfo>& nodes);
  void flush();
  const std::string& path() const { return path_; }

 private:
  void write_event(const std::string& event_body);
  std::string path_;
  std::FILE* f_ = nullptr;
};

}  // namespace keras::callbacks::detail
