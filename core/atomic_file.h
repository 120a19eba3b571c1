// atomic_file.h - writing a file so that a failure never leaves it half-written: the
// bytes go to a temporary file next to the target, which is renamed over it at the end.
//
// The target is resolved first: a symbolic link (through any number of levels) is
// followed to its final target, and that file is replaced in its own folder, so the
// link stays a link and points at the new content; a dangling link gets its target
// created. A target that exists but is not a regular file (a directory, a character or
// block device such as /dev/null, a FIFO, a socket) is refused with
// NotRegularFileError, before anything is written.
#pragma once
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

namespace keras::core {

/// A file to be written names something that is not a regular file.
class NotRegularFileError : public std::invalid_argument {
 public:
  /// `who` (the writing function), the path as given, its resolved target and what the
  /// target is ("a directory").
  NotRegularFileError(const std::string& who, const std::string& path, const std::string& target,
                      const std::string& kind);
  const std::string& path() const { return path_; }      ///< as given
  const std::string& target() const { return target_; }  ///< after following symbolic links
  const std::string& kind() const { return kind_; }      ///< "a directory", "a FIFO (named pipe)", ...

 private:
  std::string path_, target_, kind_;
};

/// Where writing `path` must happen: the path itself, or the final target of the
/// symbolic links it names. `who` starts the messages ("save_npy").
struct WriteTarget {
  std::string path;       ///< the file to replace (or create)
  bool exists = false;    ///< a regular file is there now
  uint32_t mode = 0;      ///< its permission bits, kept by the new file
};
/// Resolves `path` through its symbolic links; raises NotRegularFileError when the target
/// exists and is not a regular file, std::runtime_error naming `who` when it cannot be
/// inspected.
WriteTarget resolve_write_target(const std::string& path, const std::string& who);

/// The temporary file of one atomic write: created (exclusively, under a unique name) in
/// the resolved target's folder, renamed over the target by commit(); without commit()
/// (an exception on the way) it is removed and the target is left as it was.
class AtomicFile {
 public:
  /// Creates the temporary file next to `path`'s resolved target; `who` names the writer in
  /// error messages (std::runtime_error when the folder is not writable,
  /// NotRegularFileError as resolve_write_target).
  AtomicFile(const std::string& path, const char* who);
  ~AtomicFile();
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  /// Appends n bytes; a failed write raises std::runtime_error naming `who` and the file.
  void write(const void* data, std::size_t n);
  /// Appends the bytes of `s`.
  void write(std::string_view s) { write(s.data(), s.size()); }
  /// Bytes written so far.
  uint64_t written() const { return written_; }
  /// The temporary file's path (renamed over the target by commit()).
  const std::string& temporary_path() const { return tmp_; }
  /// fsync, rename over the target, fsync of its folder.
  void commit();

 private:
  [[noreturn]] void fail(const std::string& problem) const;
  std::string path_, who_, tmp_;
  WriteTarget target_;
  int fd_ = -1;
  uint64_t written_ = 0;
  bool committed_ = false;
};

}  // namespace keras::core
