// event_file.cpp - TensorBoard event files: TFRecord framing with CRC-32C and the
// protocol-buffer encoding of tensorflow.Event and GraphDef
// (field numbers from tensorflow/core/util/event.proto, framework/summary.proto,
// graph.proto, node_def.proto, attr_value.proto, tensor_shape.proto).
#include "keras/summary/event_file.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <system_error>

#include "core/crc32c.h"
#include "core/protobuf_wire.h"
#include "keras/summary/tensor_proto.h"

namespace keras::summary::detail {

namespace {

using Proto = core::protobuf::Writer;

double wall_time() {
  using namespace std::chrono;
  return duration<double>(system_clock::now().time_since_epoch()).count();
}

}  // namespace

std::string event_bytes(int64_t step, int field, std::string_view payload) {
  Proto e;
  e.double_field(1, wall_time());       // Event.wall_time
  if (step != 0) e.int_field(2, step);  // Event.step
  e.bytes_field(uint32_t(field), payload);
  return e.bytes();
}

EventFile::EventFile(const std::string& dir, const std::string& suffix, const std::string& who) : who_(who) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw std::runtime_error(who_ + ": cannot create the log folder '" + dir + "': " + ec.message());
  static std::atomic<int> counter{0};
  char host[256] = "localhost";
  ::gethostname(host, sizeof host - 1);
  path_ = (std::filesystem::path(dir) / ("events.out.tfevents." + std::to_string(int64_t(wall_time())) + "." + host +
                                         "." + std::to_string(::getpid()) + "." + std::to_string(counter++) + suffix))
              .string();
  f_ = std::fopen(path_.c_str(), "wb");
  if (!f_) throw std::runtime_error(who_ + ": cannot create the event file '" + path_ + "'");
  Proto e;
  e.double_field(1, wall_time());
  e.bytes_field(3, "brain.Event:2");  // Event.file_version
  write_event(e.bytes());
  flush();
}

EventFile::~EventFile() {
  if (f_) std::fclose(f_);
}

void EventFile::write_event(std::string_view body) {
  if (!f_) throw std::runtime_error(who_ + ": the event file '" + path_ + "' is closed");
  char len[8];
  const uint64_t n = body.size();
  std::memcpy(len, &n, 8);
  const uint32_t len_crc = core::masked_crc32c(len, 8), data_crc = core::masked_crc32c(body.data(), body.size());
  bool ok = std::fwrite(len, 1, 8, f_) == 8 && std::fwrite(&len_crc, 1, 4, f_) == 4 &&
            std::fwrite(body.data(), 1, body.size(), f_) == body.size() && std::fwrite(&data_crc, 1, 4, f_) == 4;
  if (!ok) throw std::runtime_error(who_ + ": cannot write to '" + path_ + "'");
}

void EventFile::flush() {
  if (f_ && std::fflush(f_) != 0) throw std::runtime_error(who_ + ": cannot write to '" + path_ + "'");
}

void EventFile::close() {
  if (!f_) return;
  std::FILE* f = f_;
  f_ = nullptr;
  if (std::fclose(f) != 0) throw std::runtime_error(who_ + ": cannot write to '" + path_ + "'");
}

std::string graph_def(const std::vector<core::GraphNodeInfo>& nodes) {
  Proto g;
  for (const core::GraphNodeInfo& n : nodes) {
    Proto node;
    node.bytes_field(1, n.name);                                     // NodeDef.name
    node.bytes_field(2, n.op);                                       // NodeDef.op
    for (const std::string& in : n.inputs) node.bytes_field(3, in);  // NodeDef.input
    if (!n.output_dtypes.empty()) {                                  // attr "T": the first output's type
      Proto type;
      type.int_field(6, tf_datatype(n.output_dtypes[0]));  // AttrValue.type
      Proto entry;
      entry.bytes_field(1, "T");
      entry.bytes_field(2, type.bytes());
      node.bytes_field(5, entry.bytes());  // NodeDef.attr (map entry: key 1, value 2)
    }
    if (!n.output_shapes.empty()) {  // attr "_output_shapes", which TensorBoard shows on edges
      Proto list;
      for (const auto& shape : n.output_shapes) {
        Proto s;
        for (int64_t d : shape) {
          Proto dim;
          dim.int_field(1, d);            // TensorShapeProto.Dim.size
          s.bytes_field(2, dim.bytes());  // TensorShapeProto.dim
        }
        list.bytes_field(7, s.bytes());  // AttrValue.ListValue.shape
      }
      Proto value;
      value.bytes_field(1, list.bytes());  // AttrValue.list
      Proto entry;
      entry.bytes_field(1, "_output_shapes");
      entry.bytes_field(2, value.bytes());
      node.bytes_field(5, entry.bytes());
    }
    g.bytes_field(1, node.bytes());  // GraphDef.node
  }
  Proto versions;
  versions.int_field(1, 1);            // VersionDef.producer
  g.bytes_field(4, versions.bytes());  // GraphDef.versions
  return g.bytes();
}

}  // namespace keras::summary::detail
