// event_file.cpp - TensorBoard event files: TFRecord framing with CRC-32C and the
// protocol-buffer encoding of tensorflow.Event, Summary, HistogramProto and GraphDef
// (field numbers from tensorflow/core/util/event.proto, framework/summary.proto,
// graph.proto, node_def.proto, attr_value.proto, tensor_shape.proto).
#include "keras/callbacks/event_file.h"

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

namespace keras::callbacks::detail {

namespace {

using Proto = core::protobuf::Writer;

double wall_time() {
  using namespace std::chrono;
  return duration<double>(system_clock::now().time_since_epoch()).count();
}

std::string event(int64_t step, int field, const std::string& payload) {
  Proto e;
  e.double_field(1, wall_time());  // Event.wall_time
  e.int_field(2, step);            // Event.step
  e.bytes_field(field, payload);
  return e.bytes();
}

// tensorflow.DataType of a dtype (types.proto).
int tf_dtype(core::DType d) {
  switch (d) {
    case core::DType::float32: return 1;
    case core::DType::float64: return 2;
    case core::DType::int32: return 3;
    case core::DType::uint8: return 4;
    case core::DType::int16: return 5;
    case core::DType::int8: return 6;
    case core::DType::uint16: return 17;
    case core::DType::uint32: return 22;
    case core::DType::int64: return 9;
    case core::DType::bool_: return 10;
    default: return 0;
  }
}

}  // namespace

EventFile::EventFile(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw std::runtime_error("TensorBoard: cannot create the log folder '" + dir + "': " + ec.message());
  static std::atomic<int> counter{0};
  char host[256] = "localhost";
  ::gethostname(host, sizeof host - 1);
  path_ = (std::filesystem::path(dir) / ("events.out.tfevents." + std::to_string(int64_t(wall_time())) + "." + host +
                                         "." + std::to_string(::getpid()) + "." + std::to_string(counter++) + ".v2"))
              .string();
  f_ = std::fopen(path_.c_str(), "wb");
  if (!f_) throw std::runtime_error("TensorBoard: cannot create the event file '" + path_ + "'");
  Proto e;
  e.double_field(1, wall_time());
  e.bytes_field(3, "brain.Event:2");  // Event.file_version
  write_event(e.bytes());
  flush();
}

EventFile::~EventFile() {
  if (f_) std::fclose(f_);
}

void EventFile::write_event(const std::string& body) {
  char len[8];
  const uint64_t n = body.size();
  std::memcpy(len, &n, 8);
  const uint32_t len_crc = core::masked_crc32c(len, 8), data_crc = core::masked_crc32c(body.data(), body.size());
  bool ok = std::fwrite(len, 1, 8, f_) == 8 && std::fwrite(&len_crc, 1, 4, f_) == 4 &&
            std::fwrite(body.data(), 1, body.size(), f_) == body.size() && std::fwrite(&data_crc, 1, 4, f_) == 4;
  if (!ok) throw std::runtime_error("TensorBoard: cannot write to '" + path_ + "'");
}

void EventFile::flush() {
  if (std::fflush(f_) != 0) throw std::runtime_error("TensorBoard: cannot write to '" + path_ + "'");
}

void EventFile::scalar(const std::string& tag, double value, int64_t step) {
  Proto v;
  v.bytes_field(1, tag);           // Summary.Value.tag
  v.float_field(2, float(value));  // Summary.Value.simple_value
  Proto summary;
  summary.bytes_field(1, v.bytes());             // Summary.value
  write_event(event(step, 5, summary.bytes()));  // Event.summary
}

void EventFile::histogram(const std::string& tag, std::span<const double> values, int64_t step, int buckets) {
  std::vector<double> finite;
  for (double x : values)
    if (std::isfinite(x)) finite.push_back(x);
  double lo = 0, hi = 0, sum = 0, sum_sq = 0;
  if (!finite.empty()) {
    auto [mn, mx] = std::minmax_element(finite.begin(), finite.end());
    lo = *mn;
    hi = *mx;
  }
  for (double x : finite) {
    sum += x;
    sum_sq += x * x;
  }
  // Equal-width buckets over [lo, hi] (one around lo when all values are equal); each
  // bucket_limit is its right edge, as HistogramProto reads them.
  const int k = finite.empty() ? 0 : std::max(1, buckets);
  const double width = hi > lo ? (hi - lo) / k : 1.0;
  std::vector<double> limit(static_cast<size_t>(k)), count(static_cast<size_t>(k), 0.0);
  for (int i = 0; i < k; ++i) limit[size_t(i)] = hi > lo ? lo + width * (i + 1) : lo + 0.5 * (i + 1);
  if (hi > lo) limit.back() = hi;
  for (double x : finite) {
    int i = hi > lo ? std::min(k - 1, int((x - lo) / width)) : 0;
    count[size_t(i)] += 1;
  }
  Proto h;
  h.double_field(1, lo);
  h.double_field(2, hi);
  h.double_field(3, double(finite.size()));
  h.double_field(4, sum);
  h.double_field(5, sum_sq);
  h.packed_doubles(6, limit);
  h.packed_doubles(7, count);
  Proto v;
  v.bytes_field(1, tag);
  v.bytes_field(5, h.bytes());  // Summary.Value.histo
  Proto summary;
  summary.bytes_field(1, v.bytes());
  write_event(event(step, 5, summary.bytes()));
}

void EventFile::graph(const std::vector<core::GraphNodeInfo>& nodes) {
  Proto g;
  for (const core::GraphNodeInfo& n : nodes) {
    Proto node;
    node.bytes_field(1, n.name);                                     // NodeDef.name
    node.bytes_field(2, n.op);                                       // NodeDef.op
    for (const std::string& in : n.inputs) node.bytes_field(3, in);  // NodeDef.input
    if (!n.output_dtypes.empty()) {  // attr "T": the first output's type
      Proto type;
      type.int_field(6, tf_dtype(n.output_dtypes[0]));  // AttrValue.type
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
  versions.int_field(1, 1);             // VersionDef.producer
  g.bytes_field(4, versions.bytes());   // GraphDef.versions
  write_event(event(0, 4, g.bytes()));  // Event.graph_def
}

}  // namespace keras::callbacks::detail
