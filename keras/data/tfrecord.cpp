// tfrecord.cpp - tf.data's record-file sources: TFRecordDataset (over TFRecordReader,
// tfrecord_io.cpp) and FixedLengthRecordDataset.
#include "keras/data/tfrecord.h"

#include <filesystem>
#include <stdexcept>

#include "keras/data/dataset_impl.h"
#include "keras/data/record_streams.h"

namespace keras::data {

namespace {
void require_files(const std::vector<std::string>& filenames, const char* who) {
  if (filenames.empty())
    throw std::invalid_argument(std::string(who) + ": expected at least one file name, but received none");
}

// Runs `read` (a reader of one file: the next record or nullopt) over the files in turn.
template <class Open>
Generator over_files(std::vector<std::string> files, Open open) {
  struct State {
    std::vector<std::string> files;
    Open open;
    size_t next = 0;
    std::function<std::optional<std::string>()> current;
  };
  auto s = std::make_shared<State>(State{std::move(files), std::move(open), 0, nullptr});
  return [s]() -> std::optional<Element> {
    while (true) {
      if (!s->current) {
        if (s->next >= s->files.size()) return std::nullopt;
        s->current = s->open(s->files[s->next++]);
      }
      if (std::optional<std::string> r = s->current()) return Element(core::constant(*r));
      s->current = nullptr;
    }
  };
}

// The records of one fixed-length record file, streamed with the footer held back.
struct FixedLengthReader {
  std::unique_ptr<detail::ByteSource> src;
  std::string path, buf;
  uint64_t record = 0, header = 0, footer = 0, emitted = 0;
  size_t pos = 0;
  bool eof = false;

  [[noreturn]] void bad_length(uint64_t body) const {
    throw std::runtime_error(
        "FixedLengthRecordDataset: Excluding the header (" + std::to_string(header) + " bytes) and footer (" +
        std::to_string(footer) + " bytes), input file \"" + path + "\" has body length " + std::to_string(body) +
        " bytes, which is not an exact multiple of the record length (" + std::to_string(record) + " bytes).");
  }
  std::optional<std::string> operator()() {
    const size_t want = size_t(record + footer);
    while (buf.size() - pos < want && !eof) {
      if (pos > (1u << 16)) {
        buf.erase(0, pos);
        pos = 0;
      }
      const size_t old = buf.size();
      buf.resize(old + std::max<size_t>(want, 1u << 16));
      const size_t got = src->read(buf.data() + old, buf.size() - old);
      buf.resize(old + got);
      if (got == 0) eof = true;
    }
    if (buf.size() - pos >= want) {
      std::string r = buf.substr(pos, size_t(record));
      pos += size_t(record);
      ++emitted;
      return r;
    }
    const uint64_t left = buf.size() - pos;
    if (left != footer) bad_length(emitted * record + left - footer);  // wraps below 0, as TensorFlow's
    return std::nullopt;
  }
};
}  // namespace

Dataset TFRecordDataset(const std::vector<std::string>& filenames, const TFRecordDatasetOptions& o) {
  require_files(filenames, "TFRecordDataset");
  detail::check_compression_type(o.compression_type, "TFRecordDataset");
  Dataset records = Dataset::from_generator([filenames, o]() -> Generator {
    return over_files(filenames, [o](const std::string& path) -> std::function<std::optional<std::string>()> {
      auto reader = std::make_shared<core::io::TFRecordReader>(
          path, core::io::TFRecordOptions{.compression_type = o.compression_type}, o.max_record_bytes);
      return [reader]() { return reader->next(); };
    });
  });
  return detail::DatasetAccess::with_files(
      std::move(records), filenames, [o](const std::vector<std::string>& files) { return TFRecordDataset(files, o); });
}

Dataset TFRecordDataset(const std::string& filename, const TFRecordDatasetOptions& o) {
  return TFRecordDataset(std::vector<std::string>{filename}, o);
}

Dataset FixedLengthRecordDataset(const std::vector<std::string>& filenames, int64_t record_bytes,
                                 const FixedLengthRecordDatasetOptions& o) {
  const char* who = "FixedLengthRecordDataset";
  require_files(filenames, who);
  detail::check_compression_type(o.compression_type, who);
  if (record_bytes < 1)
    throw std::invalid_argument(std::string(who) + ": expected record_bytes >= 1, but received " +
                                std::to_string(record_bytes));
  if (o.header_bytes < 0 || o.footer_bytes < 0)
    throw std::invalid_argument(std::string(who) + ": expected header_bytes and footer_bytes >= 0, but received " +
                                std::to_string(o.header_bytes) + " and " + std::to_string(o.footer_bytes));
  Dataset records = Dataset::from_generator([filenames, record_bytes, o]() -> Generator {
    return over_files(
        filenames, [record_bytes, o](const std::string& path) -> std::function<std::optional<std::string>()> {
          auto r = std::make_shared<FixedLengthReader>();
          r->src = detail::open_source(path, o.compression_type, "FixedLengthRecordDataset(" + path + ")");
          r->path = path;
          r->record = uint64_t(record_bytes);
          r->header = uint64_t(o.header_bytes);
          r->footer = uint64_t(o.footer_bytes);
          if (o.compression_type.empty()) {  // the body's length is known before reading, as TensorFlow checks it
            std::error_code ec;
            const uint64_t size = std::filesystem::file_size(path, ec);
            if (!ec && (size - r->header - r->footer) % r->record != 0) r->bad_length(size - r->header - r->footer);
          }
          std::string skip(size_t(std::min<uint64_t>(r->header, 1 << 16)), '\0');
          for (uint64_t left = r->header; left > 0;) {
            const size_t step = size_t(std::min<uint64_t>(left, skip.size()));
            const size_t got = r->src->read_fully(skip.data(), step);
            if (got < step) r->bad_length(r->header - left + got - r->header - r->footer);
            left -= step;
          }
          return [r]() { return (*r)(); };
        });
  });
  return detail::DatasetAccess::with_files(std::move(records), filenames,
                                           [record_bytes, o](const std::vector<std::string>& files) {
                                             return FixedLengthRecordDataset(files, record_bytes, o);
                                           });
}

Dataset FixedLengthRecordDataset(const std::string& filename, int64_t record_bytes,
                                 const FixedLengthRecordDatasetOptions& o) {
  return FixedLengthRecordDataset(std::vector<std::string>{filename}, record_bytes, o);
}

}  // namespace keras::data
