// file_utils.h - keras.utils.get_file and its helpers (hash_file, validate_file,
// extract_archive), without the download: keras-cpp downloads nothing, so get_file finds
// the file where Keras would have put it (Keras's cache folder), checks its hash and
// extracts it, and a missing file raises naming the address to fetch it from.
//
//   std::string dir = keras::utils::get_file("flower_photos", {
//       .origin = "https://storage.googleapis.com/download.tensorflow.org/example_images/flower_photos.tgz",
//       .extract = true});  // ~/.keras/datasets/flower_photos (from flower_photos_archive)
#pragma once
#include <string>

namespace keras::utils {

/// get_file's options: Keras's keyword arguments and defaults (there is no download, so
/// no force_download).
struct GetFileOptions {
  /// The file's address (required, as Keras's): named in the error when the file is
  /// missing; the file name comes from it when `fname` is empty.
  std::string origin;
  /// The file's expected SHA-256 (64 hex digits) or MD5 (32); empty: not checked.
  std::string file_hash = "";
  std::string cache_subdir = "datasets";  ///< the folder under cache_dir
  std::string hash_algorithm = "auto";    ///< "auto" (by the hash's length), "sha256" or "md5"
  bool extract = false;                   ///< extract the archive (tar, gzip'd tar or zip) and return its folder
  bool untar = false;                     ///< Keras's older flag: extract as a tar archive
  std::string archive_format = "auto";    ///< with extract: "auto" (tar, then zip), "tar" or "zip"
  /// The base folder; empty: Keras's ($KERAS_HOME, else ~/.keras; /tmp/.keras when that
  /// is not writable, as Keras).
  std::string cache_dir = "";
};

/// keras.utils.get_file: the path of `fname` in cache_dir/cache_subdir (Keras's names:
/// with extract, an archive named "x.tar.gz" is looked for as it is and extracted to
/// "x_extracted", one named "x" (or no fname) as "x_archive", extracted to "x"), its hash
/// checked when given, extracted when asked (then the folder is returned). A missing file
/// or a hash mismatch raises std::runtime_error naming the path and `origin` (keras-cpp
/// downloads nothing); a missing origin or an fname with a '/' raise
/// std::invalid_argument with Keras's messages.
std::string get_file(const std::string& fname, const GetFileOptions& options);

/// keras.utils' hash_file: the file's SHA-256 ("sha256", the default) or MD5 ("md5") in
/// lowercase hex ("auto" is MD5 here, as Keras's resolve_hasher without a hash).
std::string hash_file(const std::string& path, const std::string& algorithm = "sha256");

/// keras.utils' validate_file: whether the file's hash equals `file_hash` ("auto": SHA-256
/// for 64 hex digits, else MD5).
bool validate_file(const std::string& path, const std::string& file_hash, const std::string& algorithm = "auto");

/// keras.utils' extract_archive: extracts a tar (plain or gzip'd; bzip2 and xz raise) or
/// zip archive into folder `path` (made if needed) and returns true, or returns false
/// when the file is none of `archive_format` ("auto": tar then zip; "tar"; "zip"; "":
/// none). Members whose path (or, for links, target) would land outside `path` are skipped
/// with a warning, as Keras's; files, folders and links inside are made. A malformed
/// archive raises std::runtime_error (what was extracted stays: Keras deletes the folder).
bool extract_archive(const std::string& file_path, const std::string& path = ".",
                     const std::string& archive_format = "auto");

}  // namespace keras::utils
