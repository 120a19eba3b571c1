// tar_reader.h - (keras-internal: keras::utils' extract_archive, keras::datasets' CIFAR
// reader) a checked walk over the members of a tar archive held in memory: POSIX ustar
// names (with their prefix), GNU long names and links, and PAX extended headers (path,
// linkpath, size); every header's checksum and every size is checked against the bytes.
#pragma once
#include <functional>
#include <string>
#include <string_view>

namespace keras::utils::detail {

/// One member.
struct TarEntry {
  std::string name;       ///< its path as written (PAX / GNU long names applied)
  char type = '0';        ///< '0' regular file, '1' hard link, '2' symbolic link, '5' folder, ...
  std::string linkname;   ///< a link's target
  std::string_view data;  ///< a regular file's bytes (a view into the archive)
};

/// True when `bytes` start with a tar header whose checksum holds (Python's is_tarfile
/// for an uncompressed archive).
bool looks_like_tar(std::string_view bytes);

/// Calls `visit` for each member in order; a malformed archive raises std::runtime_error
/// naming `who`.
void walk_tar(std::string_view tar, const std::string& who, const std::function<void(const TarEntry&)>& visit);

/// The archive's bytes, gunzipped when they are gzip-compressed (bzip2 and xz raise,
/// naming the compression).
std::string tar_bytes(std::string bytes, const std::string& who);

}  // namespace keras::utils::detail
