// atomic_file.cpp - write_file_atomically: temporary file in the same folder, fsync,
// rename over the target, fsync the folder.
#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "keras/saving/saving.h"

namespace keras::saving {

namespace {
std::string errno_text() { return std::strerror(errno); }

void fsync_path(const std::string& path, int flags, const std::string& what) {
  int fd = ::open(path.c_str(), flags | O_CLOEXEC);
  if (fd < 0) throw std::runtime_error(what + " '" + path + "': cannot open to sync: " + errno_text());
  int rc = ::fsync(fd);
  int err = errno;
  ::close(fd);
  // Some file systems do not sync directories (EINVAL): the rename is still atomic.
  if (rc != 0 && !(err == EINVAL && (flags & O_DIRECTORY)))
    throw std::runtime_error(what + " '" + path + "': fsync failed: " + std::strerror(err));
}
}  // namespace

void write_file_atomically(const std::string& path, const std::function<void(std::ostream&)>& write) {
  namespace fs = std::filesystem;
  if (path.empty()) throw std::invalid_argument("write_file_atomically: expected a file path, but received ''");
  const fs::path target(path);
  if (!target.has_filename())
    throw std::invalid_argument("write_file_atomically: expected a file path, but received the folder '" + path + "'");
  const fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
  static std::atomic<uint64_t> counter{0};
  std::string tmp_name(1, '.');
  tmp_name.append(target.filename().string()).append(".tmp.").append(std::to_string(::getpid()));
  tmp_name.append(1, '.').append(std::to_string(counter.fetch_add(1)));
  const fs::path tmp = dir / tmp_name;
  auto remove_tmp = [&] {
    std::error_code ec;
    fs::remove(tmp, ec);
  };
  try {
    {
      std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
      if (!out)
        throw std::runtime_error("cannot save to '" + path + "': cannot create the temporary file '" + tmp.string() +
                                 "': " + errno_text());
      write(out);
      out.flush();
      if (!out) throw std::runtime_error("cannot save to '" + path + "': write error (disk full?)");
    }
    fsync_path(tmp.string(), O_RDONLY, "temporary file");
    if (::rename(tmp.c_str(), path.c_str()) != 0)
      throw std::runtime_error("cannot save to '" + path + "': rename failed: " + errno_text());
  } catch (...) {
    remove_tmp();
    throw;
  }
  fsync_path(dir.string(), O_RDONLY | O_DIRECTORY, "folder");
}

}  // namespace keras::saving
