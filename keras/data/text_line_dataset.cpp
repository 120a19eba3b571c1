// text_line_dataset.cpp - TextLineDataset: the lines of files read through the record
// files' byte streams (record_streams.h), so plain, GZIP and ZLIB files are all streamed a
// chunk at a time, never held whole.
#include "keras/data/text_line_dataset.h"

#include <cstring>
#include <memory>
#include <stdexcept>

#include "keras/data/dataset_impl.h"
#include "keras/data/record_streams.h"

namespace keras::data {

namespace {

// Reads the lines of the files in turn.
struct LineReader {
  std::vector<std::string> files;
  TextLineDatasetOptions o;
  size_t next_file = 0;
  std::unique_ptr<detail::ByteSource> src;  // the current file, null between files
  std::string who;
  std::vector<char> buf = std::vector<char>(std::size_t{1} << 16);
  std::size_t pos = 0, end = 0;
  uint64_t file_bytes = 0;  // (decompressed) bytes read from the current file

  bool open_next() {
    if (next_file >= files.size()) return false;
    const std::string& path = files[next_file++];
    who = "TextLineDataset(" + path + ")";
    src = detail::open_source(path, o.compression_type, who);
    pos = end = 0;
    file_bytes = 0;
    return true;
  }

  // Refills the buffer; false at the end of the file.
  bool fill() {
    end = src->read(buf.data(), buf.size());
    pos = 0;
    file_bytes += end;
    if (file_bytes > o.max_file_bytes)
      throw std::runtime_error(who + ": the decompressed text exceeds " + std::to_string(o.max_file_bytes) + " bytes");
    return end > 0;
  }

  static Element line_element(std::string& line) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    return Element(core::constant(line));
  }

  std::optional<Element> operator()() {
    std::string line;
    bool started = false;  // bytes of a line without its end were read
    while (true) {
      if (!src && !open_next()) return std::nullopt;
      if (pos == end && !fill()) {  // the end of the file: a last line without "\n" is kept
        src.reset();
        if (started) return line_element(line);
        continue;
      }
      const char* from = buf.data() + pos;
      const void* nl = std::memchr(from, '\n', end - pos);
      if (nl) {
        const char* at = static_cast<const char*>(nl);
        line.append(from, static_cast<std::size_t>(at - from));
        pos = static_cast<std::size_t>(at - buf.data()) + 1;
        return line_element(line);
      }
      line.append(from, end - pos);
      pos = end;
      started = true;
    }
  }
};

}  // namespace

Dataset TextLineDataset(const std::vector<std::string>& filenames, const TextLineDatasetOptions& o) {
  if (filenames.empty()) throw std::invalid_argument("TextLineDataset: expected at least one file name, but received none");
  detail::check_compression_type(o.compression_type, "TextLineDataset");
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
