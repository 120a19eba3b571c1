// test_save_targets.cpp - what the file writers (save, save_weights, save_checkpoint,
// save_npy, save_npz) do with the path they are given: a symbolic link is followed and
// its target replaced atomically (the link stays), a dangling link gets its target
// created, and a directory, a device, a FIFO or a socket is refused with
// NotRegularFileError, leaving everything as it was.
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/npy.h"
#include "files.h"
#include "helpers.h"
#include "keras/keras.h"
#include "keras/saving/saving.h"

using namespace th;
namespace fs = std::filesystem;
namespace layers = keras::layers;
namespace saving = keras::saving;

namespace {

keras::ModelPtr tiny_model(float fill) {
  auto m = keras::Sequential({layers::Dense(2, {.name = "d", .input_shape = {3}})});
  std::vector<Tensor> ws;
  for (const Tensor& w : m->get_weights()) ws.push_back(ops::add(ops::zeros(w.shape()), core::constant(fill)));
  m->set_weights(ws);
  return m;
}

float first_weight(const keras::ModelPtr& m) { return m->get_weights()[0].to_vector<float>()[0]; }

// Every writer, each writing a file whose content `check` recognizes.
struct Writer {
  std::string name;
  std::function<void(const std::string&)> write;   // writes "version 2"
  std::function<bool(const std::string&)> check;   // the file at path holds version 2
};

std::vector<Writer> writers() {
  auto weights_of = [](const std::string& path) {
    auto m = tiny_model(0.0f);
    m->load_weights(path);
    return first_weight(m) == 2.0f;
  };
  return {
      {"save", [](const std::string& p) { tiny_model(2.0f)->save(p); },
       [](const std::string& p) { return first_weight(keras::models::load_model(p)) == 2.0f; }},
      {"save_weights", [](const std::string& p) { tiny_model(2.0f)->save_weights(p); }, weights_of},
      {"save_weights .npz", [](const std::string& p) { tiny_model(2.0f)->save_weights(p); }, weights_of},
      {"save_checkpoint", [](const std::string& p) { saving::save_checkpoint(*tiny_model(2.0f), p, {}); }, weights_of},
      {"save_npy", [](const std::string& p) { core::save_npy(p, core::constant({2.0f})); },
       [](const std::string& p) { return core::load_npy(p).to_vector<float>()[0] == 2.0f; }},
      {"save_npz", [](const std::string& p) { core::save_npz(p, {{"w", core::constant({2.0f})}}); },
       [](const std::string& p) { return core::load_npz(p)[0].second.to_vector<float>()[0] == 2.0f; }},
  };
}

std::string file_name(const Writer& w) { return w.name == "save_weights .npz" || w.name == "save_npz" ? "w.npz" : "w.bin"; }

}  // namespace

TEST_CASE("saving to a symbolic link replaces its target and keeps the link") {
  for (const Writer& w : writers()) {
    CAPTURE(w.name);
    TempDir dir;
    fs::create_directory(dir.path / "real");
    const std::string name = file_name(w);
    const fs::path target = dir.path / "real" / name;
    write_bytes(target.string(), "old content");
    ::chmod(target.c_str(), 0640);
    // Two levels of links, the first relative: link -> hop -> real/<name>.
    fs::create_symlink(target, dir.path / ("hop_" + name));
    fs::create_symlink("hop_" + name, dir.path / name);
    const std::string link = dir.file(name);
    w.write(link);
    CHECK(fs::is_symlink(link));
    CHECK(fs::read_symlink(link) == fs::path("hop_" + name));
    CHECK(fs::is_symlink(dir.path / ("hop_" + name)));
    CHECK(fs::is_regular_file(target));
    CHECK(w.check(target.string()));
    CHECK(w.check(link));
    CHECK((fs::status(target).permissions() & fs::perms::all) == (fs::perms::owner_read | fs::perms::owner_write |
                                                                  fs::perms::group_read));
    // No temporary file left in either folder.
    CHECK(dir.entries().size() == 3);
    CHECK(std::distance(fs::directory_iterator(dir.path / "real"), fs::directory_iterator()) == 1);
  }
}

TEST_CASE("saving to a dangling symbolic link creates its target") {
  for (const Writer& w : writers()) {
    CAPTURE(w.name);
    TempDir dir;
    fs::create_directory(dir.path / "real");
    const std::string name = file_name(w);
    fs::create_symlink("real/" + name, dir.path / name);  // real/<name> does not exist yet
    w.write(dir.file(name));
    CHECK(fs::is_symlink(dir.path / name));
    CHECK(fs::is_regular_file(dir.path / "real" / name));
    CHECK(w.check(dir.file(name)));
    // A dangling link into a folder that does not exist: an error, nothing created.
    fs::create_symlink("nowhere/" + name, dir.path / ("lost_" + name));
    CHECK_THROWS_MSG(w.write(dir.file("lost_" + name)), std::runtime_error, "cannot create the temporary file");
    CHECK(!fs::exists(dir.path / "nowhere"));
    // A loop of links.
    fs::create_symlink("loop_b", dir.path / "loop_a");
    fs::create_symlink("loop_a", dir.path / "loop_b");
    CHECK_THROWS_MSG(w.write(dir.file("loop_a")), std::runtime_error, "levels of symbolic links");
  }
}

TEST_CASE("saving over a directory, a device, a FIFO or a socket is refused, naming the path and its kind") {
  for (const Writer& w : writers()) {
    CAPTURE(w.name);
    TempDir dir;
    // A directory, with a file in it that must survive.
    fs::create_directory(dir.path / "d");
    write_bytes(dir.file("d/keep"), "keep");
    CHECK_THROWS_MSG(w.write(dir.file("d")), keras::saving::NotRegularFileError,
                     ("cannot write '" + dir.file("d") + "': it is a directory, not a regular file").c_str());
    CHECK(read_bytes(dir.file("d/keep")) == "keep");
    CHECK_THROWS_AS(w.write(dir.file("d")), std::invalid_argument);
    // A FIFO (writing to one would block forever, or replace it).
    REQUIRE(::mkfifo(dir.file("fifo").c_str(), 0600) == 0);
    CHECK_THROWS_MSG(w.write(dir.file("fifo")), core::NotRegularFileError, "it is a FIFO (named pipe), not a regular file");
    CHECK(fs::is_fifo(dir.path / "fifo"));
    // A socket.
    const int s = ::socket(AF_UNIX, SOCK_STREAM, 0);
    REQUIRE(s >= 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    const std::string sock = dir.file("sock");
    if (sock.size() < sizeof addr.sun_path) {
      std::memcpy(addr.sun_path, sock.c_str(), sock.size() + 1);
      REQUIRE(::bind(s, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
      CHECK_THROWS_MSG(w.write(sock), core::NotRegularFileError, "it is a socket, not a regular file");
      CHECK(fs::is_socket(sock));
    }
    ::close(s);
    // /dev/null through a symbolic link: the device stays a device.
    fs::create_symlink("/dev/null", dir.path / "null_link");
    try {
      w.write(dir.file("null_link"));
      FAIL("writing through a link to /dev/null did not raise");
    } catch (const core::NotRegularFileError& e) {
      CHECK(e.path() == dir.file("null_link"));
      CHECK(e.target() == "/dev/null");
      CHECK(e.kind() == "a character device");
      CHECK(std::string(e.what()).find("it is a symbolic link to '/dev/null', which is a character device, not a "
                                       "regular file") != std::string::npos);
    }
    CHECK(fs::is_character_file("/dev/null"));
    CHECK(fs::is_symlink(dir.path / "null_link"));
    // A link to a directory.
    fs::create_directory_symlink(dir.path / "d", dir.path / "dir_link");
    CHECK_THROWS_MSG(w.write(dir.file("dir_link")), core::NotRegularFileError, "which is a directory");
    CHECK(fs::is_symlink(dir.path / "dir_link"));
    // Nothing was created next to any of them.
    CHECK(dir.entries().size() == 4 + (sock.size() < sizeof addr.sun_path ? 1 : 0));
  }
}

TEST_CASE("a failed write keeps the existing file: the target of a link is left as it was") {
  TempDir dir;
  const std::string target = dir.file("model.kcpp");
  tiny_model(1.0f)->save(target);
  const std::string old = read_bytes(target);
  fs::create_symlink("model.kcpp", dir.path / "link.kcpp");
  CHECK_THROWS_MSG(saving::write_file_atomically(dir.file("link.kcpp"),
                                                 [](std::ostream& out) {
                                                   out << "half";
                                                   throw std::runtime_error("disk on fire");
                                                 }),
                   std::runtime_error, "disk on fire");
  CHECK(read_bytes(target) == old);
  CHECK(fs::is_symlink(dir.path / "link.kcpp"));
  CHECK(dir.entries().size() == 2);
  // A write larger than the stream buffer goes through whole.
  const std::string big(300000, 'x');
  saving::write_file_atomically(dir.file("link.kcpp"), [&](std::ostream& out) { out << big; });
  CHECK(read_bytes(target) == big);
  CHECK(fs::is_symlink(dir.path / "link.kcpp"));
}
