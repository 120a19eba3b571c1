#include "keras/data/text_line_dataset.h"

#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>

#include "core/compression.h"
#include "keras/data/dataset_impl.h"

namespace keras::data {
namespace compression = core::compression;

namespace {
// A ZLIB stream (RFC 1950): a 2-byte header, raw deflate, an Adler-32 trailer.
std::string unzlib(const std::string& data, uint64_t max_output, const std::string& who) {
  if (data.size() < 2 || (static_cast<unsigned char>(data[0]) & 0x0F) != 8 ||
      ((static_cast<unsigned>(static_cast<unsigned char>(data[0])) << 8) | static_cast<unsigned char>(data[1])) % 31 != 0)
    throw std::runtime_error(who + ": not a ZLIB stream (bad header)");
  if (static_cast<unsigned char>(data[1]) & 0x20)
    throw std::runtime_error(who + ": ZLIB streams with a preset dictionary are not supported");
  compression::RawInflater inf(who);
  inf.feed(data.data() + 2, data.size() - 2);
  std::string out;
  char buf[65536];
  while (!inf.finished()) {
    const std::size_t n = inf.inflate(buf, sizeof buf);
    if (n == 0 && inf.needs_input()) throw std::runtime_error(who + ": the ZLIB stream is truncated");
    out.append(buf, n);
    if (out.size() > max_output)
      throw std::runtime_error(who + ": the decompressed text exceeds " + std::to_string(max_output) + " bytes");
  }
  return out;
}

void strip_line_end(std::string& line) {
  if (!line.empty() && line.back() == '\r') line.pop_back();
}

// Reads the lines of the files in turn: plain files streamed, compressed ones whole.
struct LineReader {
  std::vector<std::string> files;
  TextLineDatasetOptions o;
  size_t next_file = 0;
  std::unique_ptr<std::istream> in;

  bool open_next() {
    if (next_file >= files.size()) return false;
    const std::string& path = files[next_file++];
    const std::string who = "TextLineDataset(" + path + ")";
    if (o.compression_type.empty()) {
      auto f = std::make_unique<std::ifstream>(path, std::ios::binary);
      if (!f->good()) throw std::runtime_error(who + ": cannot open the file (no such file, or not readable)");
      in = std::move(f);
      return true;
    }
    const std::string raw = compression::read_file(path, o.max_file_bytes, who);
    std::string text = o.compression_type == "GZIP" ? compression::gunzip(raw, o.max_file_bytes, who)
                                                    : unzlib(raw, o.max_file_bytes, who);
    in = std::make_unique<std::istringstream>(std::move(text));
    return true;
  }

  std::optional<Element> operator()() {
    std::string line;
    while (true) {
      if (!in && !open_next()) return std::nullopt;
      if (std::getline(*in, line)) {
        strip_line_end(line);
        return Element(core::constant(line));
      }
      in.reset();
    }
  }
};
}  // namespace

Dataset TextLineDataset(const std::vector<std::string>& filenames, const TextLineDatasetOptions& o) {
  if (filenames.empty()) throw std::invalid_argument("TextLineDataset: expected at least one file name, but received none");
  if (o.compression_type != "" && o.compression_type != "GZIP" && o.compression_type != "ZLIB")
    throw std::invalid_argument("TextLineDataset: expected compression_type \"\", \"GZIP\" or \"ZLIB\", but received \"" +
                                o.compression_type + "\"");
  Dataset lines = Dataset::from_generator([filenames, o]() -> Generator {
    auto reader = std::make_shared<LineReader>();
    reader->files = filenames;
    reader->o = o;
    return [reader]() { return (*reader)(); };
  });
  // The file list, for data::auto_shard (FILE): the same source over some of the files.
  return detail::DatasetAccess::with_files(std::move(lines), filenames,
                                           [o](const std::vector<std::string>& files) { return TextLineDataset(files, o); });
}

Dataset TextLineDataset(const std::string& filename, const TextLineDatasetOptions& o) {
  return TextLineDataset(std::vector<std::string>{filename}, o);
}

}  // namespace keras::data
