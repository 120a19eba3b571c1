// atomic_file.cpp - resolving the file a write must replace (symbolic links followed,
// non-regular files refused) and the temporary file renamed over it (atomic_file.h).
#include "core/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <vector>

namespace keras::core {
namespace {

constexpr int kMaxLinks = 40;  // as the kernel's ELOOP limit

std::string errno_text(int err) { return std::strerror(err); }

std::string kind_of(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISFIFO(mode)) return "a FIFO (named pipe)";
  if (S_ISSOCK(mode)) return "a socket";
  return "not a regular file";
}

// A path's folder part including the final '/' ("" when it has none) and its last
// component.
void split_path(const std::string& path, std::string& dir, std::string& base) {
  const std::size_t slash = path.find_last_of('/');
  dir = slash == std::string::npos ? std::string() : path.substr(0, slash + 1);
  base = slash == std::string::npos ? path : path.substr(slash + 1);
}

// The contents of the symbolic link at path.
std::string read_link(const std::string& path, std::size_t size_hint) {
  std::vector<char> buf(size_hint + 2);
  for (;;) {
    const ssize_t n = ::readlink(path.c_str(), buf.data(), buf.size());
    if (n < 0) return std::string();
    if (std::size_t(n) < buf.size()) return std::string(buf.data(), std::size_t(n));
    buf.resize(buf.size() * 2);  // the link changed since lstat: grow and read again
  }
}

}  // namespace

NotRegularFileError::NotRegularFileError(const std::string& who, const std::string& path, const std::string& target,
                                         const std::string& kind)
    : std::invalid_argument(who + ": cannot write '" + path + "': " +
                            (target == path ? "it is " : "it is a symbolic link to '" + target + "', which is ") + kind +
                            ", not a regular file (give the path of a file to create or replace)"),
      path_(path),
      target_(target),
      kind_(kind) {}

WriteTarget resolve_write_target(const std::string& path, const std::string& who) {
  std::string p = path;
  for (int links = 0;; ++links) {
    struct stat st;
    // Missing (a new file, or a dangling link's target) or unreachable: the write
    // itself creates the file or reports why it cannot.
    if (::lstat(p.c_str(), &st) != 0) return {p, false, 0};
    if (S_ISREG(st.st_mode)) return {p, true, uint32_t(st.st_mode & 07777)};
    if (!S_ISLNK(st.st_mode)) throw NotRegularFileError(who, path, p, kind_of(st.st_mode));
    if (links == kMaxLinks)
      throw std::runtime_error(who + ": cannot write '" + path + "': more than " + std::to_string(kMaxLinks) +
                               " levels of symbolic links (a loop?)");
    std::string link = read_link(p, std::size_t(st.st_size));
    if (link.empty()) throw std::runtime_error(who + ": cannot write '" + path + "': cannot read the symbolic link '" + p + "'");
    if (link[0] != '/') {  // relative to the link's own folder
      std::string dir, base;
      split_path(p, dir, base);
      link = dir + link;
    }
    p = link;
  }
}

AtomicFile::AtomicFile(const std::string& path, const char* who) : path_(path), who_(who) {
  target_ = resolve_write_target(path, who_);  // an existing folder is refused here
  std::string dir, base;
  split_path(target_.path, dir, base);
  if (base.empty() || base == "." || base == "..") fail("the path names a folder, not a file");
  static std::atomic<unsigned> counter{0};
  for (int attempt = 0;; ++attempt) {
    tmp_ = dir + "." + base + ".tmp." + std::to_string(::getpid()) + "." + std::to_string(counter.fetch_add(1));
    const int f = ::open(tmp_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (f >= 0) {
      fd_ = f;
      break;
    }
    if (errno != EEXIST || attempt >= 100)
      fail("cannot create the temporary file '" + tmp_ + "': " + errno_text(errno));
  }
  // The new file keeps the permissions of the one it replaces.
  if (target_.exists && ::fchmod(fd_, mode_t(target_.mode)) != 0) {
    const int err = errno;
    ::close(fd_);
    ::unlink(tmp_.c_str());
    fail("cannot set the permissions of the temporary file: " + errno_text(err));
  }
}

AtomicFile::~AtomicFile() {
  if (committed_) return;
  if (fd_ >= 0) ::close(fd_);
  ::unlink(tmp_.c_str());
}

void AtomicFile::write(const void* data, std::size_t n) {
  const char* p = static_cast<const char*>(data);
  written_ += n;
  while (n > 0) {
    const ssize_t w = ::write(fd_, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      fail(errno_text(errno));
    }
    p += w;
    n -= std::size_t(w);
  }
}

void AtomicFile::commit() {
  if (::fsync(fd_) != 0) fail(errno_text(errno));
  const int rc = ::close(fd_);
  fd_ = -1;
  if (rc != 0) fail(errno_text(errno));  // a failed delayed write
  if (::rename(tmp_.c_str(), target_.path.c_str()) != 0) fail("rename failed: " + errno_text(errno));
  committed_ = true;
  // The rename itself is durable once the folder is synced. Some file systems do not
  // sync folders (EINVAL): the rename is still atomic.
  std::string dir, base;
  split_path(target_.path, dir, base);
  const int d = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (d < 0) return;
  const int err = ::fsync(d) != 0 ? errno : 0;
  ::close(d);
  if (err != 0 && err != EINVAL) fail("fsync of the folder failed: " + errno_text(err));
}

void AtomicFile::fail(const std::string& problem) const {
  throw std::runtime_error(who_ + ": cannot write '" + path_ + "'" +
                           (target_.path.empty() || target_.path == path_ ? "" : " (the target of a symbolic link: '" + target_.path + "')") +
                           ": " + problem);
}

}  // namespace keras::core
