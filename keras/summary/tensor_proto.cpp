// tensor_proto.cpp - tensorflow.TensorProto and SummaryMetadata written and read field by
// field. Field numbers from tensorflow/core/framework/tensor.proto, tensor_shape.proto and
// summary.proto; DataType values from types.proto.
#include "keras/summary/tensor_proto.h"

#include <cstring>
#include <stdexcept>
#include <vector>

#include "core/protobuf_wire.h"
#include "core/tensor_impl.h"
#include "keras/summary.h"

namespace keras::summary::detail {

using core::DType;

namespace {

struct DTypeCode {
  DType dtype;
  int code;
};
constexpr DTypeCode kCodes[] = {
    {DType::float32, 1},   {DType::float64, 2}, {DType::int32, 3},       {DType::uint8, 4},    {DType::int16, 5},
    {DType::int8, 6},      {DType::string, 7},  {DType::complex64, 8},   {DType::int64, 9},    {DType::bool_, 10},
    {DType::bfloat16, 14}, {DType::uint16, 17}, {DType::complex128, 18}, {DType::float16, 19}, {DType::uint32, 22},
};

// The values field a dtype's elements use when not in tensor_content, and how each value
// is encoded on the wire.
enum class Kind { kVarint, kFixed32, kFixed64 };
struct ValuesField {
  uint32_t field;
  Kind kind;
  int per_element;  // values per element (2 for complex)
};
ValuesField values_field(DType d) {
  switch (d) {
    case DType::float32:
      return {5, Kind::kFixed32, 1};
    case DType::float64:
      return {6, Kind::kFixed64, 1};
    case DType::complex64:
      return {9, Kind::kFixed32, 2};
    case DType::complex128:
      return {12, Kind::kFixed64, 2};
    case DType::int64:
      return {10, Kind::kVarint, 1};
    case DType::bool_:
      return {11, Kind::kVarint, 1};
    case DType::float16:
    case DType::bfloat16:
      return {13, Kind::kVarint, 1};
    case DType::uint32:
      return {16, Kind::kVarint, 1};
    default:
      return {7, Kind::kVarint, 1};  // int32, int16, int8, uint8, uint16
  }
}

// Appends one value read from the wire to `out` as the element type of `d` (for complex,
// as one of its two parts).
void append_value(std::vector<char>& out, DType d, uint64_t raw) {
  auto put = [&](const void* p, size_t n) {
    out.insert(out.end(), static_cast<const char*>(p), static_cast<const char*>(p) + n);
  };
  switch (d) {
    case DType::float32:
    case DType::complex64: {
      const uint32_t bits = static_cast<uint32_t>(raw);
      put(&bits, 4);
      break;
    }
    case DType::float64:
    case DType::complex128:
    case DType::int64:
      put(&raw, 8);
      break;
    case DType::int32:
    case DType::uint32: {
      const uint32_t v = static_cast<uint32_t>(raw);
      put(&v, 4);
      break;
    }
    case DType::int16:
    case DType::uint16:
    case DType::float16:
    case DType::bfloat16: {
      const uint16_t v = static_cast<uint16_t>(raw);
      put(&v, 2);
      break;
    }
    case DType::bool_: {
      const uint8_t v = raw != 0;
      put(&v, 1);
      break;
    }
    default: {  // int8, uint8
      const uint8_t v = static_cast<uint8_t>(raw);
      put(&v, 1);
    }
  }
}

std::string shape_proto(const core::Shape& shape) {
  core::protobuf::Writer s;
  for (int64_t i = 0; i < shape.rank(); ++i) {
    core::protobuf::Writer dim;
    if (shape[i] != 0) dim.int_field(1, shape[i]);  // Dim.size (proto3 leaves 0 out)
    s.bytes_field(2, dim.bytes());                  // TensorShapeProto.dim
  }
  return s.bytes();
}

core::Shape read_shape(std::string_view bytes, const std::string& who) {
  core::protobuf::Reader r(bytes, who + ": TensorShapeProto");
  std::vector<int64_t> dims;
  uint32_t field, wire;
  while (!r.done()) {
    r.next(field, wire);
    if (field == 2 && wire == core::protobuf::kLengthDelimited) {
      core::protobuf::Reader d(r.bytes(), r.who());
      int64_t size = 0;
      while (!d.done()) {
        d.next(field, wire);
        if (field == 1 && wire == core::protobuf::kVarint)
          size = static_cast<int64_t>(d.varint());
        else
          d.skip(wire);
      }
      if (size < 0)
        throw std::runtime_error(who + ": a tensor dimension of unknown size (" + std::to_string(size) + ")");
      dims.push_back(size);
    } else if (field == 3 && wire == core::protobuf::kVarint) {
      if (r.varint() != 0) throw std::runtime_error(who + ": a tensor shape of unknown rank");
    } else {
      r.skip(wire);
    }
  }
  try {
    return core::Shape(std::move(dims));
  } catch (const std::exception& e) {
    throw std::runtime_error(who + ": a tensor shape that does not fit: " + e.what());
  }
}

}  // namespace

int tf_datatype(DType d) {
  for (const DTypeCode& c : kCodes)
    if (c.dtype == d) return c.code;
  return 0;
}

std::string encode_tensor_proto(const core::Tensor& tensor) {
  const core::Tensor t = tensor.cpu();
  core::protobuf::Writer p;
  p.int_field(1, tf_datatype(t.dtype()));    // dtype
  p.bytes_field(2, shape_proto(t.shape()));  // tensor_shape
  if (t.dtype() == DType::string) {
    const std::string* s = t.data<std::string>();
    for (int64_t i = 0; i < t.size(); ++i) p.bytes_field(8, s[i]);  // string_val
  } else if (t.nbytes() > 0) {
    p.bytes_field(4, std::string_view(static_cast<const char*>(t.raw_data()), t.nbytes()));  // tensor_content
  }
  return p.bytes();
}

core::Tensor decode_tensor_proto(std::string_view bytes, const std::string& who) {
  core::protobuf::Reader r(bytes, who + ": TensorProto");
  int code = 0;
  core::Shape shape;
  std::string_view content;
  bool has_content = false;
  std::vector<std::string> strings;
  struct Raw {
    uint32_t field, wire;
    std::string_view bytes;
    uint64_t value;
  };
  std::vector<Raw> values;  // the *_val fields, read once the dtype is known
  uint32_t field, wire;
  while (!r.done()) {
    r.next(field, wire);
    if (field == 1 && wire == core::protobuf::kVarint)
      code = static_cast<int>(r.varint());
    else if (field == 2 && wire == core::protobuf::kLengthDelimited)
      shape = read_shape(r.bytes(), who);
    else if (field == 4 && wire == core::protobuf::kLengthDelimited)
      content = r.bytes(), has_content = true;
    else if (field == 8 && wire == core::protobuf::kLengthDelimited)
      strings.emplace_back(r.bytes());
    else if (field >= 5 && field <= 17 && field != 8) {
      Raw v{field, wire, {}, 0};
      if (wire == core::protobuf::kLengthDelimited)
        v.bytes = r.bytes();
      else if (wire == core::protobuf::kVarint)
        v.value = r.varint();
      else if (wire == core::protobuf::kFixed32)
        v.value = r.fixed32();
      else if (wire == core::protobuf::kFixed64)
        v.value = r.fixed64();
      else
        r.skip(wire);
      values.push_back(v);
    } else {
      r.skip(wire);
    }
  }
  const DTypeCode* found = nullptr;
  for (const DTypeCode& c : kCodes)
    if (c.code == code) found = &c;
  if (!found)
    throw std::runtime_error(who + ": a TensorProto of DataType " + std::to_string(code) +
                             ", which keras-cpp does not have");
  const DType dtype = found->dtype;
  const int64_t n = shape.num_elements();
  // TensorFlow's compact form gives fewer values than elements and the last one fills the
  // rest; a forged shape must not make that fill allocate without bound.
  auto check_fill = [&](size_t count, size_t elem_bytes) {
    if (count < static_cast<size_t>(n) && static_cast<uint64_t>(n) * elem_bytes > (uint64_t{1} << 28))
      throw std::runtime_error(who + ": a TensorProto of " + std::to_string(n) + " elements gives only " +
                               std::to_string(count) + " values (more than 256 MiB to fill)");
  };
  if (dtype == DType::string) {
    if (static_cast<int64_t>(strings.size()) > n)
      throw std::runtime_error(who + ": a string TensorProto of " + std::to_string(n) + " elements gives " +
                               std::to_string(strings.size()) + " values");
    check_fill(strings.size(), sizeof(std::string));
    if (static_cast<int64_t>(strings.size()) < n)
      strings.resize(static_cast<size_t>(n), strings.empty() ? std::string() : strings.back());
    return core::constant(strings, shape);
  }
  const size_t elem = core::dtype_size(dtype);
  std::vector<char> data;
  if (has_content) {
    if (content.size() != static_cast<size_t>(n) * elem)
      throw std::runtime_error(who + ": a " + core::dtype_name(dtype) + " TensorProto of " + std::to_string(n) +
                               " elements holds " + std::to_string(content.size()) + " bytes");
    data.assign(content.begin(), content.end());
  } else {
    const ValuesField vf = values_field(dtype);
    for (const Raw& v : values) {
      if (v.field != vf.field) continue;
      if (v.wire != core::protobuf::kLengthDelimited) {
        append_value(data, dtype, v.value);
        continue;
      }
      core::protobuf::Reader packed(v.bytes, who + ": TensorProto values");
      while (!packed.done())
        append_value(data, dtype,
                     vf.kind == Kind::kVarint    ? packed.varint()
                     : vf.kind == Kind::kFixed32 ? packed.fixed32()
                                                 : packed.fixed64());
    }
    if (data.size() % elem != 0) throw std::runtime_error(who + ": a complex TensorProto gives an odd number of parts");
    const size_t count = data.size() / elem;
    if (count > static_cast<size_t>(n))
      throw std::runtime_error(who + ": a " + std::string(core::dtype_name(dtype)) + " TensorProto of " +
                               std::to_string(n) + " elements gives " + std::to_string(count) + " values");
    check_fill(count, elem);
    if (count < static_cast<size_t>(n)) {  // the last value (or zero) fills the rest
      std::vector<char> last =
          count ? std::vector<char>(data.end() - static_cast<ptrdiff_t>(elem), data.end()) : std::vector<char>(elem, 0);
      while (data.size() < static_cast<size_t>(n) * elem) data.insert(data.end(), last.begin(), last.end());
    }
  }
  core::Tensor t = core::empty(shape, dtype);
  if (!data.empty()) std::memcpy(t.raw_mutable_data(), data.data(), data.size());
  return t;
}

}  // namespace keras::summary::detail

namespace keras::summary {

std::string SummaryMetadata::serialize() const {
  core::protobuf::Writer m;
  if (!plugin_name.empty() || !plugin_content.empty()) {
    core::protobuf::Writer plugin;
    if (!plugin_name.empty()) plugin.bytes_field(1, plugin_name);        // PluginData.plugin_name
    if (!plugin_content.empty()) plugin.bytes_field(2, plugin_content);  // PluginData.content
    m.bytes_field(1, plugin.bytes());                                    // plugin_data
  }
  if (!display_name.empty()) m.bytes_field(2, display_name);
  if (!description.empty()) m.bytes_field(3, description);  // summary_description
  return m.bytes();
}

SummaryMetadata SummaryMetadata::parse(const std::string& bytes) {
  SummaryMetadata out;
  core::protobuf::Reader r(bytes, "SummaryMetadata");
  uint32_t field, wire;
  while (!r.done()) {
    r.next(field, wire);
    if (wire != core::protobuf::kLengthDelimited || field < 1 || field > 3) {
      r.skip(wire);
    } else if (field == 1) {
      core::protobuf::Reader p(r.bytes(), "SummaryMetadata.PluginData");
      while (!p.done()) {
        p.next(field, wire);
        if (field == 1 && wire == core::protobuf::kLengthDelimited)
          out.plugin_name = p.bytes();
        else if (field == 2 && wire == core::protobuf::kLengthDelimited)
          out.plugin_content = p.bytes();
        else
          p.skip(wire);
      }
    } else {
      (field == 2 ? out.display_name : out.description) = r.bytes();
    }
  }
  return out;
}

}  // namespace keras::summary
