// capture.h - th::Capture: what the code under test writes to stdout or stderr (file
// descriptor 1 or 2, so C stdio, iostreams and direct writes alike) while it is alive.
#pragma once
#include <doctest/doctest.h>
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

namespace th {
class Capture {
 public:
  explicit Capture(int fd) : fd_(fd) {
    std::fflush(stdout);
    std::fflush(stderr);
    path_ = (std::filesystem::temp_directory_path() / ("keras_cpp_capture_" + std::to_string(::getpid()))).string();
    int f = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    REQUIRE(f >= 0);
    saved_ = ::dup(fd_);
    ::dup2(f, fd_);
    ::close(f);
  }
  Capture(const Capture&) = delete;
  Capture& operator=(const Capture&) = delete;
  /// Stops capturing (the first call) and returns what was written.
  std::string text() {
    if (saved_ >= 0) {
      std::fflush(stdout);
      std::fflush(stderr);
      ::dup2(saved_, fd_);
      ::close(saved_);
      saved_ = -1;
      std::ifstream in(path_);
      text_.assign(std::istreambuf_iterator<char>(in), {});
      std::filesystem::remove(path_);
    }
    return text_;
  }
  ~Capture() { text(); }

 private:
  int fd_, saved_ = -1;
  std::string path_, text_;
};
}  // namespace th
