#include "keras/utils/file_utils.h"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <stdexcept>
#include <vector>

#include "core/compression.h"
#include "core/digest.h"
#include "keras/datasets/cache.h"
#include "keras/saving/zip_archive.h"
#include "keras/utils/tar_reader.h"

namespace keras::utils {
namespace {

namespace fs = std::filesystem;

// Where `name` lands under `base` with symbolic links resolved (Keras's resolve_sub_path),
// or nothing when that is outside it.
std::optional<fs::path> inside(const fs::path& base, const fs::path& name) {
  if (name.empty() || name.is_absolute()) return std::nullopt;
  std::error_code ec;
  const fs::path p = fs::weakly_canonical(base / name, ec);
  if (ec) return std::nullopt;
  const fs::path rel = p.lexically_relative(base);
  if (rel.empty() || *rel.begin() == "..") return std::nullopt;
  return p;
}

void skip(const std::string& name) {
  std::fprintf(stderr, "Warning: Skipping invalid path during archive extraction: '%s'.\n", name.c_str());
}

// Writes a member's bytes (an existing link at the destination is replaced, not followed).
void write_member(const fs::path& dest, std::string_view bytes, const std::string& who) {
  fs::create_directories(dest.parent_path());
  if (fs::is_symlink(dest)) fs::remove(dest);
  std::ofstream out(dest, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) throw std::runtime_error(who + ": cannot write '" + dest.string() + "': " + std::strerror(errno));
}

void extract_tar(const std::string& tar, const fs::path& base, const std::string& who) {
  detail::walk_tar(tar, who, [&](const detail::TarEntry& e) {
    const std::optional<fs::path> dest = inside(base, e.name);
    if (!dest) return skip(e.name);
    if (e.type == '5') {
      fs::create_directories(*dest);
    } else if (e.type == '0' || e.type == '7') {
      write_member(*dest, e.data, who);
    } else if (e.type == '2') {  // a symbolic link whose target stays inside
      if (!inside(base, fs::path(e.name).parent_path() / e.linkname) || fs::path(e.linkname).is_absolute())
        return skip(e.name);
      fs::create_directories(dest->parent_path());
      std::error_code ec;
      fs::remove(*dest, ec);
      fs::create_symlink(e.linkname, *dest);
    } else if (e.type == '1') {  // a hard link to an earlier member
      const std::optional<fs::path> target = inside(base, e.linkname);
      if (!target || !fs::is_regular_file(*target)) return skip(e.name);
      fs::create_directories(dest->parent_path());
      std::error_code ec;
      fs::remove(*dest, ec);
      fs::copy_file(*target, *dest);
    }  // devices, fifos and the like: not data, not made (as Python's 'data' filter)
  });
}

void extract_zip(const std::string& bytes, const fs::path& base, const std::string& who) {
  saving::detail::ZipLimits limits;
  limits.max_members = int64_t{1} << 20;
  limits.max_member_bytes = int64_t{16} << 30;
  std::vector<std::string> names;
  for (const auto& [name, unused] : saving::detail::read_zip(bytes, {}, who, limits)) names.push_back(name);
  const auto members = saving::detail::read_zip(bytes, names, who, limits);
  for (const auto& [name, data] : members) {
    const std::optional<fs::path> dest = inside(base, name);
    if (!dest) {
      skip(name);
      continue;
    }
    if (!name.empty() && name.back() == '/')
      fs::create_directories(*dest);
    else
      write_member(*dest, data, who);
  }
}

std::string origin_name(const std::string& origin) {
  std::string path = origin.substr(0, origin.find_first_of("?#"));
  const std::size_t scheme = path.find("://");
  if (scheme != std::string::npos) {
    const std::size_t slash = path.find('/', scheme + 3);
    path = slash == std::string::npos ? "" : path.substr(slash);
  }
  const std::size_t last = path.rfind('/');
  return last == std::string::npos ? path : path.substr(last + 1);
}

}  // namespace

std::string hash_file(const std::string& path, const std::string& algorithm) {
  if (algorithm != "sha256" && algorithm != "md5" && algorithm != "auto")
    throw std::invalid_argument("hash_file: unknown algorithm '" + algorithm + "' (expected sha256, md5 or auto)");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("hash_file: cannot open '" + path + "': " + std::strerror(errno));
  core::Sha256 sha;
  core::Md5 md5;
  const bool use_sha = algorithm == "sha256";
  std::vector<char> buf(1 << 16);
  while (in) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    const auto n = static_cast<std::size_t>(in.gcount());
    if (use_sha)
      sha.update(buf.data(), n);
    else
      md5.update(buf.data(), n);
  }
  if (in.bad()) throw std::runtime_error("hash_file: error reading '" + path + "'");
  return use_sha ? sha.hexdigest() : md5.hexdigest();
}

bool validate_file(const std::string& path, const std::string& file_hash, const std::string& algorithm) {
  const bool sha = algorithm == "sha256" || (algorithm == "auto" && file_hash.size() == 64);
  return hash_file(path, sha ? "sha256" : "md5") == file_hash;
}

bool extract_archive(const std::string& file_path, const std::string& path, const std::string& archive_format) {
  if (archive_format.empty()) return false;
  std::vector<std::string> formats = {archive_format};
  if (archive_format == "auto") formats = {"tar", "zip"};
  const std::string who = "extract_archive: '" + file_path + "'";
  std::string bytes = core::compression::read_file(file_path, uint64_t(16) << 30, who);
  for (const std::string& f : formats) {
    if (f != "tar" && f != "zip")
      throw std::invalid_argument("extract_archive: unknown archive_format '" + f + "' (expected auto, tar or zip)");
    if (f == "tar") {
      std::string tar = detail::tar_bytes(bytes, who);
      if (!detail::looks_like_tar(tar)) continue;
      fs::create_directories(path);
      extract_tar(tar, fs::weakly_canonical(path), who);
      return true;
    }
    if (bytes.rfind("PK\x03\x04", 0) != 0 && bytes.rfind("PK\x05\x06", 0) != 0) continue;
    fs::create_directories(path);
    extract_zip(bytes, fs::weakly_canonical(path), who);
    return true;
  }
  return false;
}

std::string get_file(const std::string& fname_arg, const GetFileOptions& o) {
  if (o.origin.empty())
    throw std::invalid_argument("get_file: Please specify the \"origin\" argument (URL of the file to download).");
  std::string base = o.cache_dir.empty() ? datasets::keras_home() : o.cache_dir;
  if (::access(base.c_str(), W_OK) != 0) base = "/tmp/.keras";  // as Keras
  const fs::path datadir = fs::path(base) / o.cache_subdir;
  fs::create_directories(datadir);
  std::string fname = fname_arg;
  if (fname.empty()) {
    fname = origin_name(o.origin);
    if (fname.empty())
      throw std::invalid_argument("get_file: Can't parse the file name from the origin provided: '" + o.origin +
                                  "'.Please specify the `fname` argument.");
  } else if (fname.find('/') != std::string::npos) {
    throw std::invalid_argument(
        "get_file: Paths are no longer accepted as the `fname` argument. To specify the file's parent directory, use "
        "the `cache_dir` argument. Received: fname=" +
        fname);
  }
  fs::path target = datadir / fname, extraction_dir;
  if (o.extract || o.untar) {
    if (!fname_arg.empty() && fname.find('.') != std::string::npos) {
      extraction_dir = datadir / (fname.substr(0, fname.find('.')) + "_extracted");
    } else {
      extraction_dir = datadir / fname;
      target = datadir / (fname + "_archive");
    }
  }
  const std::string algorithm = o.hash_algorithm == "auto" && o.file_hash.size() == 64 ? "sha256"
                                : o.hash_algorithm == "auto"                           ? "md5"
                                                                                       : o.hash_algorithm;
  if (!fs::exists(target))
    throw std::runtime_error("get_file: '" + target.string() +
                             "' does not exist (keras-cpp downloads nothing: download " + o.origin +
                             " to it, or set KERAS_HOME or cache_dir to where it is)");
  if (!o.file_hash.empty() && !validate_file(target.string(), o.file_hash, o.hash_algorithm))
    throw std::runtime_error("get_file: '" + target.string() + "' seems to be incomplete or outdated: its " +
                             algorithm + " hash is not " + o.file_hash + " (keras-cpp downloads nothing: download " +
                             o.origin + " to it again)");
  if (!(o.extract || o.untar)) return target.string();
  if (!extract_archive(target.string(), extraction_dir.string(), o.untar ? "tar" : o.archive_format))
    std::fprintf(stderr, "Warning: Could not extract archive.\n");
  return extraction_dir.string();
}

}  // namespace keras::utils
