// zip_archive.h - (private to keras/saving) the zip container of Keras 3's `.keras` files,
// read from and written to memory with libzip (used only in zip_archive.cpp).
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace keras::saving::detail {

struct ZipLimits {
  int64_t max_members = 64;                   // a .keras file has three or four
  int64_t max_member_bytes = int64_t{4} << 30;  // uncompressed size of one member read
  std::map<std::string, int64_t> member_bytes{};  // tighter limits for named members
};

// The named members of the archive in `bytes` (stored or deflated; each member's CRC-32 is
// checked). Only the members named in `wanted` are read; the others are listed (empty
// string values) so a caller can name them. A malformed archive, a member too large for
// the limits or for its compressed size, or a duplicate name raises format::FormatError
// naming `source` and the member.
std::map<std::string, std::string> read_zip(std::string_view bytes, const std::vector<std::string>& wanted,
                                            const std::string& source, const ZipLimits& limits = {});

// A zip archive of the members, in order, stored (not compressed, as Keras writes them),
// with a fixed timestamp so the same members give the same bytes.
std::string write_zip(const std::vector<std::pair<std::string, std::string>>& members);

}  // namespace keras::saving::detail
