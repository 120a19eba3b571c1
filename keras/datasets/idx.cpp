#include "keras/datasets/idx.h"

#include <sys/stat.h>

#include <cstdint>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <string_view>
#include <vector>

#include "core/compression.h"

namespace keras::datasets {
namespace {

// Far above the 47 MB of MNIST's largest file once decompressed.
constexpr uint64_t kMaxBytes = uint64_t(1) << 32;

[[noreturn]] void fail(const std::string& name, const std::string& problem) {
  throw std::runtime_error("read_idx: '" + name + "': " + problem);
}

uint32_t be32(const unsigned char* p) {
  return (uint32_t(p[0]) << 24) | (uint32_t(p[1]) << 16) | (uint32_t(p[2]) << 8) | p[3];
}

core::Tensor parse_idx(std::string_view bytes, const std::string& name) {
  std::string inflated;
  if (core::compression::is_gzip(bytes)) {
    inflated = core::compression::gunzip(bytes, kMaxBytes, "read_idx: '" + name + "'");
    bytes = inflated;
  }
  const auto* b = reinterpret_cast<const unsigned char*>(bytes.data());
  const std::size_t size = bytes.size();
  if (size < 4)
    fail(name, "too short for an IDX header (" + std::to_string(size) + " bytes; expected at "
               "least 4)");
  if (b[0] != 0 || b[1] != 0)
    fail(name, "not an IDX file (bad magic number: the first two bytes are " +
                   std::to_string(b[0]) + " and " + std::to_string(b[1]) + ", expected 0 and 0)");
  core::DType dtype;
  std::size_t item;
  switch (b[2]) {
    case 0x08: dtype = core::DType::uint8; item = 1; break;
    case 0x0C: dtype = core::DType::int32; item = 4; break;
    case 0x0D: dtype = core::DType::float32; item = 4; break;
    case 0x0E: dtype = core::DType::float64; item = 8; break;
    case 0x09:
    case 0x0B:
      fail(name, "unsupported IDX element type 0x" + std::string(b[2] == 0x09 ? "09 (int8)" : "0B (int16)") +
                     "; supported: 0x08 uint8, 0x0C int32, 0x0D float32, 0x0E float64");
    default:
      fail(name, "not an IDX file (bad magic number: unknown element type " +
                     std::to_string(b[2]) + ")");
  }
  const std::size_t rank = b[3];
  if (rank < 1) fail(name, "the magic number declares 0 dimensions (expected at least 1)");
  const std::size_t header = 4 + 4 * rank;
  if (size < header)
    fail(name, "truncated header: " + std::to_string(rank) + " dimensions need " +
                   std::to_string(header) + " bytes but the file has " + std::to_string(size));
  std::vector<int64_t> dims;
  uint64_t count = 1;
  for (std::size_t i = 0; i < rank; ++i) {
    const uint32_t d = be32(b + 4 + 4 * i);
    if (d > 0 && count > (uint64_t(std::numeric_limits<int64_t>::max()) / item) / d)
      fail(name, "the shape overflows (dimension " + std::to_string(i) + " is " +
                     std::to_string(d) + ")");
    count *= d;
    dims.push_back(int64_t(d));
  }
  const core::Shape shape(dims);
  const uint64_t data = size - header;
  if (data != count * item)
    fail(name, "holds " + std::to_string(data) + " bytes of data but its header declares shape " +
                   shape.str() + " of " + core::dtype_name(dtype) + ", which needs " +
                   std::to_string(count * item) + " bytes");
  if (item == 1) return core::from_buffer(b + header, shape, dtype);
  // Big-endian elements: byte-swap into a host buffer.
  std::vector<unsigned char> host(static_cast<std::size_t>(count * item));
  for (uint64_t i = 0; i < count; ++i)
    for (std::size_t k = 0; k < item; ++k) host[i * item + k] = b[header + i * item + item - 1 - k];
  return core::from_buffer(host.data(), shape, dtype);
}

bool is_file(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

}  // namespace

core::Tensor read_idx(const std::string& path) {
  return parse_idx(core::compression::read_file(path, kMaxBytes, "read_idx: '" + path + "'"), path);
}

core::Tensor read_idx_bytes(const void* data, std::size_t size, const std::string& name) {
  return parse_idx(std::string_view(static_cast<const char*>(data), size), name);
}

namespace detail {

std::pair<Split, Split> load_idx_dataset(const std::string& directory, const std::string& dataset,
                                         const std::string& missing_hint) {
  auto find = [&](const std::string& base) {
    for (const std::string& p : {directory + "/" + base + ".gz", directory + "/" + base})
      if (is_file(p)) return p;
    throw std::runtime_error(dataset + ".load_data: cannot find '" + directory + "/" + base +
                             ".gz' (or '" + base + "' uncompressed); " + missing_hint);
  };
  auto split = [&](const std::string& prefix) {
    Split s{read_idx(find(prefix + "-images-idx3-ubyte")), read_idx(find(prefix + "-labels-idx1-ubyte"))};
    const std::string what = dataset + ".load_data: '" + directory + "': the " + prefix + " ";
    if (s.x.dtype() != core::DType::uint8 || s.x.rank() != 3)
      throw std::runtime_error(what + "images must be uint8 of rank 3 (n, rows, cols), but have "
                               "shape " + s.x.shape().str() + " of " + core::dtype_name(s.x.dtype()));
    if (s.y.dtype() != core::DType::uint8 || s.y.rank() != 1)
      throw std::runtime_error(what + "labels must be uint8 of rank 1 (n,), but have shape " +
                               s.y.shape().str() + " of " + core::dtype_name(s.y.dtype()));
    if (s.x.shape()[0] != s.y.shape()[0])
      throw std::runtime_error(what + "images " + s.x.shape().str() + " and labels " +
                               s.y.shape().str() + " differ in count");
    return s;
  };
  return {split("train"), split("t10k")};
}

}  // namespace detail
}  // namespace keras::datasets
