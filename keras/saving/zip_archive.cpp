// zip_archive.cpp - the zip container of `.keras` files, through libzip (zip_archive.h).
#include "keras/saving/zip_archive.h"

#include <zip.h>

#include <algorithm>
#include <memory>
#include <stdexcept>

#include "keras/saving/format.h"

namespace keras::saving::detail {

using format::FormatError;

namespace {
struct ZipCloser {
  void operator()(zip_t* z) const { zip_discard(z); }
};
struct FileCloser {
  void operator()(zip_file_t* f) const { zip_fclose(f); }
};

std::string error_text(zip_error_t* e) {
  std::string s = zip_error_strerror(e);
  zip_error_fini(e);
  return s;
}

// The largest ratio deflate reaches (a run of one byte): 1032 to 1, plus slack.
constexpr int64_t kMaxDeflateRatio = 1100;
}  // namespace

std::map<std::string, std::string> read_zip(std::string_view bytes, const std::vector<std::string>& wanted,
                                            const std::string& source, const ZipLimits& limits) {
  zip_error_t err;
  zip_error_init(&err);
  zip_source_t* src = zip_source_buffer_create(bytes.data(), bytes.size(), 0, &err);
  if (!src) throw FormatError(source + ": cannot read the zip archive: " + error_text(&err));
  std::unique_ptr<zip_t, ZipCloser> za(zip_open_from_source(src, ZIP_RDONLY | ZIP_CHECKCONS, &err));
  if (!za) {
    zip_source_free(src);
    throw FormatError(source + ": not a valid zip archive (a .keras file is one): " + error_text(&err));
  }
  const zip_int64_t n = zip_get_num_entries(za.get(), 0);
  if (n < 0 || n > limits.max_members)
    throw FormatError(source + ": the zip archive has " + std::to_string(n) + " members; expected at most " +
                      std::to_string(limits.max_members));
  std::map<std::string, std::string> out;
  for (zip_int64_t i = 0; i < n; ++i) {
    zip_stat_t st;
    zip_stat_init(&st);
    if (zip_stat_index(za.get(), zip_uint64_t(i), 0, &st) != 0 || !(st.valid & ZIP_STAT_NAME) ||
        !(st.valid & ZIP_STAT_SIZE) || !(st.valid & ZIP_STAT_COMP_SIZE))
      throw FormatError(source + ": cannot read member " + std::to_string(i) + " of the zip archive: " +
                        zip_strerror(za.get()));
    const std::string name = st.name;
    if (out.count(name)) throw FormatError(source + ": the zip archive has two members named '" + name + "'");
    out[name];
    if (std::find(wanted.begin(), wanted.end(), name) == wanted.end()) continue;
    if ((st.valid & ZIP_STAT_ENCRYPTION_METHOD) && st.encryption_method != ZIP_EM_NONE)
      throw FormatError(source + ": the member '" + name + "' is encrypted");
    if (st.comp_method != ZIP_CM_STORE && st.comp_method != ZIP_CM_DEFLATE)
      throw FormatError(source + ": the member '" + name + "' uses compression method " +
                        std::to_string(st.comp_method) + "; expected stored (0) or deflated (8)");
    const int64_t size = static_cast<int64_t>(std::min<zip_uint64_t>(st.size, zip_uint64_t{1} << 62));
    const int64_t comp = static_cast<int64_t>(std::min<zip_uint64_t>(st.comp_size, zip_uint64_t{1} << 62));
    const auto named = limits.member_bytes.find(name);
    const int64_t limit = named == limits.member_bytes.end() ? limits.max_member_bytes : named->second;
    if (size > limit)
      throw FormatError(source + ": the member '" + name + "' claims " + std::to_string(size) +
                        " bytes, more than the limit of " + std::to_string(limit));
    if (comp > static_cast<int64_t>(bytes.size()) ||
        (st.comp_method == ZIP_CM_STORE ? size != comp : size > comp * kMaxDeflateRatio + 64))
      throw FormatError(source + ": the member '" + name + "' claims " + std::to_string(size) + " bytes from " +
                        std::to_string(comp) + " compressed bytes in a file of " + std::to_string(bytes.size()) +
                        ": a corrupt archive");
    std::unique_ptr<zip_file_t, FileCloser> f(zip_fopen_index(za.get(), zip_uint64_t(i), 0));
    if (!f) throw FormatError(source + ": cannot open the member '" + name + "': " + zip_strerror(za.get()));
    std::string data(static_cast<size_t>(size), '\0');
    const zip_int64_t got = size ? zip_fread(f.get(), data.data(), zip_uint64_t(size)) : 0;
    char extra = 0;
    // Reading to the end makes libzip check the CRC-32.
    const zip_int64_t more = zip_fread(f.get(), &extra, 1);
    if (got != size || more != 0)
      throw FormatError(source + ": the member '" + name + "' is corrupt (" +
                        (got < 0 || more < 0 ? std::string(zip_file_strerror(f.get()))
                                             : "expected " + std::to_string(size) + " bytes") +
                        ")");
    out[name] = std::move(data);
  }
  return out;
}

std::string write_zip(const std::vector<std::pair<std::string, std::string>>& members) {
  zip_error_t err;
  zip_error_init(&err);
  zip_source_t* buffer = zip_source_buffer_create(nullptr, 0, 0, &err);
  if (!buffer) throw std::runtime_error("write_zip: " + error_text(&err));
  zip_source_keep(buffer);  // kept past zip_close, which writes the archive into it
  std::unique_ptr<zip_source_t, void (*)(zip_source_t*)> keep(buffer, zip_source_free);
  zip_t* za = zip_open_from_source(buffer, ZIP_TRUNCATE, &err);
  if (!za) throw std::runtime_error("write_zip: " + error_text(&err));
  std::unique_ptr<zip_t, ZipCloser> guard(za);
  for (const auto& [name, data] : members) {
    zip_source_t* s = zip_source_buffer(za, data.data(), data.size(), 0);
    const zip_int64_t idx = s ? zip_file_add(za, name.c_str(), s, ZIP_FL_ENC_UTF_8) : -1;
    if (idx < 0) {
      if (s) zip_source_free(s);
      throw std::runtime_error("write_zip: cannot add '" + name + "': " + zip_strerror(za));
    }
    zip_set_file_compression(za, zip_uint64_t(idx), ZIP_CM_STORE, 0);
    zip_file_set_mtime(za, zip_uint64_t(idx), 315532800 + 12 * 3600, 0);  // 1980-01-01
  }
  if (zip_close(za) != 0) throw std::runtime_error(std::string("write_zip: ") + zip_strerror(za));
  guard.release();
  zip_stat_t st;
  if (zip_source_open(buffer) != 0 || zip_source_stat(buffer, &st) != 0)
    throw std::runtime_error("write_zip: cannot read the archive back");
  std::string out(static_cast<size_t>(st.size), '\0');
  const zip_int64_t got = zip_source_read(buffer, out.data(), st.size);
  zip_source_close(buffer);
  if (got != static_cast<zip_int64_t>(st.size)) throw std::runtime_error("write_zip: short read of the archive");
  return out;
}

}  // namespace keras::saving::detail
