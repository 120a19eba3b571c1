// event_file.h - TensorBoard's event files (private to keras/summary): a file of TFRecord
// records (length, masked CRC-32C of the length, data, masked CRC-32C of the data), each a
// serialized tensorflow.Event protocol buffer, written field by field (no protobuf
// library), and the GraphDef of a traced function.
#pragma once
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "core/function.h"

namespace keras::summary::detail {

// The bytes of a tensorflow.Event at `step` (left out when 0, as proto3 does) whose field
// `field` (5: summary, 4: graph_def) holds `payload`, stamped with the wall time.
std::string event_bytes(int64_t step, int field, std::string_view payload);

// The serialized GraphDef of a traced function's nodes.
std::string graph_def(const std::vector<core::GraphNodeInfo>& nodes);

class EventFile {
 public:
  // Creates `dir` (and its parents) and a new file in it named as TensorFlow names them:
  // events.out.tfevents.<seconds>.<host>.<pid>.<n><suffix>; the first record gives the
  // file version ("brain.Event:2"). Throws std::runtime_error naming the path on failure;
  // its messages start with `who`.
  EventFile(const std::string& dir, const std::string& suffix, const std::string& who);
  ~EventFile();
  EventFile(const EventFile&) = delete;
  EventFile& operator=(const EventFile&) = delete;

  // One record: a serialized Event (event_bytes).
  void write_event(std::string_view event);
  void flush();
  // Flushes and closes the file (once; later writes raise).
  void close();
  const std::string& path() const { return path_; }

 private:
  std::string path_, who_;
  std::FILE* f_ = nullptr;
};

}  // namespace keras::summary::detail
