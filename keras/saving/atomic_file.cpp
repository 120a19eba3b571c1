// atomic_file.cpp - write_file_atomically: the bytes a writer puts in a std::ostream go
// to a core::AtomicFile (a temporary file next to the resolved target, fsync, rename
// over it, fsync of the folder).
#include <array>
#include <ostream>
#include <stdexcept>
#include <streambuf>

#include "core/atomic_file.h"
#include "keras/saving/saving.h"

namespace keras::saving {

namespace {
// A stream buffer that hands its bytes to an AtomicFile in 64 KiB pieces. A failing
// write throws from the AtomicFile; the ostream (with badbit in its exception mask)
// passes that exception on.
class AtomicFileBuf : public std::streambuf {
 public:
  explicit AtomicFileBuf(core::AtomicFile& file) : file_(file) { setp(buf_.data(), buf_.data() + buf_.size()); }
  void drain() {
    file_.write(pbase(), std::size_t(pptr() - pbase()));
    setp(buf_.data(), buf_.data() + buf_.size());
  }

 protected:
  int_type overflow(int_type c) override {
    drain();
    if (traits_type::eq_int_type(c, traits_type::eof())) return traits_type::not_eof(c);
    *pptr() = traits_type::to_char_type(c);
    pbump(1);
    return c;
  }
  int sync() override {
    drain();
    return 0;
  }

 private:
  core::AtomicFile& file_;
  std::array<char, 1 << 16> buf_;
};
}  // namespace

void write_file_atomically(const std::string& path, const std::function<void(std::ostream&)>& write) {
  if (path.empty()) throw std::invalid_argument("write_file_atomically: expected a file path, but received ''");
  core::AtomicFile file(path, "save");
  AtomicFileBuf buf(file);
  std::ostream out(&buf);
  out.exceptions(std::ios::badbit);
  write(out);
  out.flush();
  buf.drain();
  file.commit();  // without it (an exception above), the temporary file is removed
}

}  // namespace keras::saving
