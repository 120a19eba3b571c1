// format.cpp - the container and tensor records of keras/saving/format.h, written with
// cereal's binary archive and read with the bounded archive.
#include "keras/saving/format.h"

#include <zlib.h>

#include <bit>
#include <cereal/archives/binary.hpp>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <set>
#include <sstream>

#include "core/ops.h"
#include "keras/saving/bounded_archive.h"

namespace keras::saving::format {

static_assert(std::endian::native == std::endian::little, "the file format is little-endian");

namespace {
constexpr char kMagic[12] = {'\x89', 'K', 'E', 'R', 'A', 'S', 'C', 'P', 'P', '\r', '\n', '\x1a'};
constexpr uint32_t kMaxSections = 16;
constexpr uint64_t kMaxSectionName = 32;
constexpr uint64_t kMaxTensorName = 4096;
constexpr uint32_t kMaxRank = 8;
const char* const kSectionNames[] = {"config", "compile", "metadata", "weights", "optimizer"};

thread_local bool g_verify_checksums = true;

uint32_t crc32_of(std::string_view bytes) {
  uLong crc = ::crc32(0L, Z_NULL, 0);
  // zlib takes uInt lengths: feed large payloads in pieces.
  while (!bytes.empty()) {
    const size_t n = std::min<size_t>(bytes.size(), size_t(1) << 30);
    crc = ::crc32(crc, reinterpret_cast<const Bytef*>(bytes.data()), static_cast<uInt>(n));
    bytes.remove_prefix(n);
  }
  return static_cast<uint32_t>(crc);
}

std::string hex32(uint32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%08x", v);
  return buf;
}

bool known_section(const std::string& name) {
  for (const char* n : kSectionNames)
    if (name == n) return true;
  return false;
}

std::string known_sections() {
  std::string s;
  for (const char* n : kSectionNames) s += (s.empty() ? "" : ", ") + std::string(n);
  return s;
}

uint8_t dtype_code(core::DType d) {
  switch (d) {
    case core::DType::float32: return 1;
    case core::DType::float64: return 2;
    case core::DType::int32: return 3;
    case core::DType::int64: return 4;
    case core::DType::uint8: return 5;
    case core::DType::bool_: return 6;
    case core::DType::complex64: return 7;
    case core::DType::complex128: return 8;
    case core::DType::int8: return 9;
    case core::DType::int16: return 10;
    case core::DType::uint16: return 11;
    case core::DType::uint32: return 12;
    case core::DType::string: throw std::invalid_argument("save: string tensors cannot be saved (dtype string)");
  }
  throw std::invalid_argument("save: unsupported dtype");
}

bool dtype_from_code(uint8_t code, core::DType& out) {
  static const core::DType table[] = {core::DType::float32, core::DType::float64, core::DType::int32,
                                      core::DType::int64,   core::DType::uint8,   core::DType::bool_,
                                      core::DType::complex64, core::DType::complex128, core::DType::int8,
                                      core::DType::int16,   core::DType::uint16,  core::DType::uint32};
  if (code < 1 || code > 12) return false;
  out = table[code - 1];
  return true;
}
}  // namespace

void detail::set_verify_checksums(bool verify) { g_verify_checksums = verify; }

const char* kind_name(FileKind kind) {
  switch (kind) {
    case FileKind::model: return "model";
    case FileKind::weights: return "weights";
    case FileKind::checkpoint: return "checkpoint";
  }
  return "unknown";
}

// ---- container --------------------------------------------------------------------------------
void write_container(std::ostream& out, FileKind kind, const std::vector<Section>& sections) {
  if (sections.size() > kMaxSections) throw std::logic_error("write_container: too many sections");
  std::set<std::string> seen;
  for (const Section& s : sections) {
    if (!known_section(s.name)) throw std::logic_error("write_container: unknown section '" + s.name + "'");
    if (!seen.insert(s.name).second) throw std::logic_error("write_container: duplicate section '" + s.name + "'");
  }
  std::ostringstream head;
  {
    cereal::BinaryOutputArchive ar(head);
    ar(cereal::binary_data(kMagic, sizeof kMagic));
    ar(kVersion, static_cast<uint32_t>(kind), static_cast<uint32_t>(sections.size()));
  }
  std::string h = head.str();
  const uint32_t hcrc = crc32_of(h);
  out.write(h.data(), static_cast<std::streamsize>(h.size()));
  out.write(reinterpret_cast<const char*>(&hcrc), sizeof hcrc);
  for (const Section& s : sections) {
    std::ostringstream sh;
    {
      cereal::BinaryOutputArchive ar(sh);
      ar(s.name, static_cast<uint64_t>(s.payload.size()), crc32_of(s.payload));
    }
    std::string shs = sh.str();
    const uint32_t scrc = crc32_of(shs);
    out.write(shs.data(), static_cast<std::streamsize>(shs.size()));
    out.write(reinterpret_cast<const char*>(&scrc), sizeof scrc);
    out.write(s.payload.data(), static_cast<std::streamsize>(s.payload.size()));
  }
}

void check_format_version(int64_t version, const std::string& source, const std::string& where) {
  if (version == int64_t(kVersion)) return;
  if (version > int64_t(kVersion))
    throw FormatError(source + ": the " + where + " says format version " + std::to_string(version) +
                      ", newer than this build of keras-cpp supports (format version " + std::to_string(kVersion) +
                      "): the file was written by a newer keras-cpp; load it with that version or newer");
  throw FormatError(source + ": the " + where + " says format version " + std::to_string(version) +
                    ", which no keras-cpp wrote (this build reads format version " + std::to_string(kVersion) + ")");
}

const std::string_view* Container::find(const std::string& name) const {
  for (const auto& [n, v] : sections)
    if (n == name) return &v;
  return nullptr;
}

Container read_container(std::string_view bytes, const std::string& source) {
  BoundedInputArchive ar(bytes, source);
  if (bytes.size() < sizeof kMagic || std::memcmp(bytes.data(), kMagic, sizeof kMagic) != 0)
    throw FormatError(source + ": not a keras-cpp file (expected the magic bytes \\x89KERASCPP\\r\\n\\x1a at offset 0" +
                      std::string(bytes.size() < sizeof kMagic ? ", but the file has only " +
                                                                     std::to_string(bytes.size()) + " bytes)"
                                                               : ")"));
  ar.take(sizeof kMagic, "magic");
  uint32_t version = 0, kind = 0, count = 0, hcrc = 0;
  ar(version);
  check_format_version(version, source, "file header");
  ar(kind, count);
  const std::size_t head_end = ar.position();
  ar(hcrc);
  const uint32_t want = crc32_of(bytes.substr(0, head_end));
  if (hcrc != want && g_verify_checksums)
    throw FormatError(source + ": header checksum mismatch (stored " + hex32(hcrc) + ", computed " + hex32(want) +
                      "): the file is corrupted");
  if (kind < 1 || kind > 3) throw FormatError(source + ": unknown file kind " + std::to_string(kind) + " (expected 1, 2 or 3)");
  if (count > kMaxSections)
    throw FormatError(source + ": " + std::to_string(count) + " sections (expected at most " +
                      std::to_string(kMaxSections) + ")");
  Container c;
  c.kind = static_cast<FileKind>(kind);
  for (uint32_t i = 0; i < count; ++i) {
    const std::size_t start = ar.position();
    uint64_t name_len = 0;
    ar(name_len);
    if (name_len == 0 || name_len > kMaxSectionName)
      ar.fail("section " + std::to_string(i) + ": expected a name of 1 to " + std::to_string(kMaxSectionName) +
              " bytes, but its length is " + std::to_string(name_len));
    std::string name(ar.take(name_len, "section name"));
    uint64_t size = 0;
    uint32_t pcrc = 0, scrc = 0;
    ar(size, pcrc);
    const std::size_t end = ar.position();
    ar(scrc);
    const uint32_t want_s = crc32_of(bytes.substr(start, end - start));
    if (scrc != want_s && g_verify_checksums)
      throw FormatError(source + ": section " + std::to_string(i) + " header checksum mismatch (stored " + hex32(scrc) +
                        ", computed " + hex32(want_s) + "): the file is corrupted");
    if (!known_section(name))
      throw FormatError(source + ": unknown section '" + name + "' (expected one of: " + known_sections() + ")");
    if (c.find(name)) throw FormatError(source + ": duplicate section '" + name + "'");
    if (size > ar.remaining())
      throw FormatError(source + ", section '" + name + "': expected " + std::to_string(size) + " bytes, but only " +
                        std::to_string(ar.remaining()) + " remain (truncated file)");
    std::string_view payload = ar.take(static_cast<std::size_t>(size), "section payload");
    const uint32_t want_p = crc32_of(payload);
    if (pcrc != want_p && g_verify_checksums)
      throw FormatError(source + ", section '" + name + "': checksum mismatch (stored " + hex32(pcrc) + ", computed " +
                        hex32(want_p) + "): the file is corrupted");
    c.sections.emplace_back(std::move(name), payload);
  }
  if (ar.remaining() != 0)
    throw FormatError(source + ": " + std::to_string(ar.remaining()) + " unexpected bytes after the last section (offset " +
                      std::to_string(ar.position()) + ")");
  return c;
}

// ---- tensor lists -----------------------------------------------------------------------------
std::string encode_tensors(const std::vector<NamedTensor>& tensors) {
  std::ostringstream out;
  std::set<std::string> seen;
  {
    cereal::BinaryOutputArchive ar(out);
    ar(static_cast<uint64_t>(tensors.size()));
  }
  for (const NamedTensor& t : tensors) {
    if (t.name.empty() || t.name.size() > kMaxTensorName)
      throw std::invalid_argument("save: expected a weight name of 1 to 4096 bytes, but received '" + t.name + "'");
    if (!seen.insert(t.name).second) throw std::invalid_argument("save: duplicate weight name '" + t.name + "'");
    core::Tensor v = t.value.cpu();
    std::ostringstream rec;
    {
      cereal::BinaryOutputArchive ar(rec);
      ar(t.name, dtype_code(v.dtype()), static_cast<uint32_t>(v.shape().rank()));
      for (int64_t d : v.shape().dims()) ar(d);
      ar(static_cast<uint64_t>(v.nbytes()));
      ar(cereal::binary_data(v.raw_data(), v.nbytes()));
    }
    std::string r = rec.str();
    const uint32_t crc = crc32_of(r);
    out.write(r.data(), static_cast<std::streamsize>(r.size()));
    out.write(reinterpret_cast<const char*>(&crc), sizeof crc);
  }
  return out.str();
}

std::vector<NamedTensor> decode_tensors(std::string_view payload, const std::string& where) {
  BoundedInputArchive ar(payload, where);
  uint64_t count = 0;
  ar(count);
  // A record takes at least 8 (name length) + 1 + 1 + 4 + 8 + 4 bytes.
  constexpr uint64_t kMinRecord = 26;
  if (count > ar.remaining() / kMinRecord)
    ar.fail("a count of " + std::to_string(count) + " tensors cannot fit in the " + std::to_string(ar.remaining()) +
            " bytes left");
  std::vector<NamedTensor> out;
  out.reserve(static_cast<std::size_t>(count));
  std::set<std::string> seen;
  for (uint64_t i = 0; i < count; ++i) {
    const std::size_t start = ar.position();
    std::string name;
    ar(name);  // the size tag is checked against the bytes left before cereal resizes
    const std::string label = "tensor " + std::to_string(i) + (name.empty() ? "" : " ('" + name + "')");
    if (name.empty() || name.size() > kMaxTensorName)
      ar.fail(label + ": expected a name of 1 to " + std::to_string(kMaxTensorName) + " bytes, but its length is " +
              std::to_string(name.size()));
    if (!seen.insert(name).second) ar.fail("duplicate tensor name '" + name + "'");
    uint8_t code = 0;
    uint32_t rank = 0;
    ar(code, rank);
    core::DType dtype = core::DType::float32;
    if (!dtype_from_code(code, dtype)) ar.fail(label + ": unknown dtype code " + std::to_string(code) + " (expected 1..6)");
    if (rank > kMaxRank)
      ar.fail(label + ": rank " + std::to_string(rank) + " exceeds the maximum of " + std::to_string(kMaxRank));
    std::vector<int64_t> dims(rank);
    uint64_t elements = 1;
    for (uint32_t k = 0; k < rank; ++k) {
      ar(dims[k]);
      if (dims[k] < 0) ar.fail(label + ": negative dimension " + std::to_string(dims[k]) + " at axis " + std::to_string(k));
      if (__builtin_mul_overflow(elements, static_cast<uint64_t>(dims[k]), &elements))
        ar.fail(label + ": the element count of its shape overflows");
    }
    uint64_t nbytes = 0, expect = 0;
    ar(nbytes);
    if (__builtin_mul_overflow(elements, static_cast<uint64_t>(core::dtype_size(dtype)), &expect) || nbytes != expect)
      ar.fail(label + ": " + std::to_string(nbytes) + " data bytes do not match its shape and dtype (expected " +
              std::to_string(elements) + " x " + std::to_string(core::dtype_size(dtype)) + ")");
    if (nbytes > ar.remaining())
      ar.fail(label + ": expected " + std::to_string(nbytes) + " bytes of data, but only " +
              std::to_string(ar.remaining()) + " remain");
    std::string_view data = ar.take(static_cast<std::size_t>(nbytes), "tensor data");
    const std::size_t end = ar.position();
    uint32_t crc = 0;
    ar(crc);
    const uint32_t want = crc32_of(payload.substr(start, end - start));
    if (crc != want && g_verify_checksums)
      ar.fail(label + ": checksum mismatch (stored " + hex32(crc) + ", computed " + hex32(want) + ")");
    if (dtype == core::DType::bool_)
      for (char b : data)
        if (static_cast<unsigned char>(b) > 1) ar.fail(label + ": a bool element is neither 0 nor 1");
    // Copy into aligned storage before the typed conversion.
    std::unique_ptr<uint64_t[]> aligned(new uint64_t[nbytes / 8 + 1]);
    if (nbytes) std::memcpy(aligned.get(), data.data(), data.size());
    core::Shape shape(dims);
    out.push_back({std::move(name), core::from_buffer(aligned.get(), shape, dtype)});
  }
  if (ar.remaining() != 0) ar.fail(std::to_string(ar.remaining()) + " unexpected bytes after the last tensor");
  return out;
}

std::string read_file(const std::string& path, uint64_t max_bytes) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    throw std::runtime_error(path + ": expected a file, but this is a folder");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(path + ": cannot open the file for reading: " + std::strerror(errno));
  in.seekg(0, std::ios::end);
  const std::streamoff size = in.tellg();
  if (size < 0) throw std::runtime_error(path + ": cannot determine the file size");
  if (static_cast<uint64_t>(size) > max_bytes)
    throw std::runtime_error(path + ": the file has " + std::to_string(size) + " bytes, more than the limit of " +
                             std::to_string(max_bytes));
  in.seekg(0, std::ios::beg);
  std::string bytes(static_cast<std::size_t>(size), '\0');
  if (size > 0 && !in.read(bytes.data(), size))
    throw std::runtime_error(path + ": read error after " + std::to_string(in.gcount()) + " of " + std::to_string(size) +
                             " bytes");
  return bytes;
}

}  // namespace keras::saving::format
