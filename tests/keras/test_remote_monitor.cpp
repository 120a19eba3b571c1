// test_remote_monitor.cpp - callbacks::RemoteMonitor against a local HTTP server (a thread
// on 127.0.0.1): the requests fit() sends (form and JSON bodies, as Keras's `requests`
// writes them), headers, an unreachable server that training survives, errors.
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "helpers.h"
#include "keras/keras.h"

namespace {
using namespace th;
namespace cb = keras::callbacks;

// Accepts `count` connections, keeps each request (headers and body) and answers 200.
struct LocalServer {
  int fd = -1, port = 0;
  std::vector<std::string> requests;
  std::thread thread;
  explicit LocalServer(int count) {
    fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = 0;
    REQUIRE(bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    REQUIRE(listen(fd, 4) == 0);
    socklen_t len = sizeof a;
    getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    port = ntohs(a.sin_port);
    thread = std::thread([this, count] {
      for (int i = 0; i < count; ++i) {
        int c = accept(fd, nullptr, nullptr);
        if (c < 0) return;
        std::string req;
        char buf[1024];
        size_t need = std::string::npos;
        while (need == std::string::npos || req.size() < need) {
          ssize_t n = recv(c, buf, sizeof buf, 0);
          if (n <= 0) break;
          req.append(buf, size_t(n));
          const size_t end = req.find("\r\n\r\n");
          if (end != std::string::npos && need == std::string::npos) {
            const size_t at = req.find("Content-Length: ");
            need = end + 4 + (at == std::string::npos ? 0 : std::stoul(req.substr(at + 16)));
          }
        }
        requests.push_back(req);
        const std::string ok = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
        send(c, ok.data(), ok.size(), MSG_NOSIGNAL);
        close(c);
      }
    });
  }
  ~LocalServer() {
    if (thread.joinable()) thread.join();
    close(fd);
  }
  std::string root() const { return "http://127.0.0.1:" + std::to_string(port); }
};
std::string body_of(const std::string& request) { return request.substr(request.find("\r\n\r\n") + 4); }

keras::Ref<keras::FunctionalModel> tiny_model() {
  auto in = keras::Input({2});
  auto model = keras::Functional({in}, {keras::layers::Dense(1)(in)});
  model->compile({.optimizer = "sgd", .loss = "mse"});
  return model;
}
Tensor xs() { return make(uniform(16, -1, 1, 3), Shape{8, 2}, DType::float32); }
Tensor ys() { return make(uniform(8, -1, 1, 4), Shape{8, 1}, DType::float32); }
}  // namespace

TEST_CASE("RemoteMonitor: each epoch's logs posted as Keras's form field, or as JSON, with the headers given") {
  // The body, as Keras's requests.post(root + path, {field: json.dumps(send)}) writes it.
  cb::RemoteMonitor form;
  CHECK(form.body(0, {{"loss", 0.5}}) == "data=%7B%22epoch%22%3A+0%2C+%22loss%22%3A+0.5%7D");
  cb::RemoteMonitor json({.send_as_json = true});
  CHECK(json.body(3, {{"loss", 0.25}, {"val_loss", 1.5}}) == "{\"epoch\": 3, \"loss\": 0.25, \"val_loss\": 1.5}");

  LocalServer server(2);
  auto monitor = std::make_shared<cb::RemoteMonitor>(
      cb::RemoteMonitorOptions{.root = server.root(), .headers = {{"X-Run", "7"}}});
  auto model = tiny_model();
  model->fit(xs(), ys(), {.batch_size = 4, .epochs = 2, .verbose = 0, .callbacks = {monitor}});
  server.thread.join();
  REQUIRE(server.requests.size() == 2);
  for (int e = 0; e < 2; ++e) {
    const std::string& r = server.requests[size_t(e)];
    CHECK(r.rfind("POST /publish/epoch/end/ HTTP/1.1\r\n", 0) == 0);
    CHECK(r.find("Content-Type: application/x-www-form-urlencoded\r\n") != std::string::npos);
    CHECK(r.find("X-Run: 7\r\n") != std::string::npos);
    CHECK(body_of(r).rfind("data=%7B%22epoch%22%3A+" + std::to_string(e) + "%2C+%22loss%22%3A+", 0) == 0);
  }
  CHECK(monitor->last_status() == 200);

  LocalServer json_server(1);
  auto as_json = std::make_shared<cb::RemoteMonitor>(
      cb::RemoteMonitorOptions{.root = json_server.root() + "/", .path = "/logs", .send_as_json = true});
  tiny_model()->fit(xs(), ys(), {.batch_size = 8, .epochs = 1, .verbose = 0, .callbacks = {as_json}});
  json_server.thread.join();
  REQUIRE(json_server.requests.size() == 1);
  CHECK(json_server.requests[0].rfind("POST /logs HTTP/1.1\r\n", 0) == 0);
  CHECK(json_server.requests[0].find("Content-Type: application/json\r\n") != std::string::npos);
  const keras::Value sent = keras::Value::from_json(body_of(json_server.requests[0]));
  CHECK(sent.at("epoch").as_int() == 0);
  CHECK(sent.contains("loss"));
}

TEST_CASE("RemoteMonitor: an unreachable server warns and training goes on; bad roots raise") {
  int port = 0;
  {  // a port nobody listens on
    LocalServer closed(0);
    port = closed.port;
  }
  auto monitor = std::make_shared<cb::RemoteMonitor>(
      cb::RemoteMonitorOptions{.root = "http://127.0.0.1:" + std::to_string(port), .timeout_seconds = 1});
  auto h = tiny_model()->fit(xs(), ys(), {.batch_size = 4, .epochs = 2, .verbose = 0, .callbacks = {monitor}});
  CHECK(h.history.at("loss").size() == 2);
  CHECK(monitor->last_status() == 0);
  CHECK_THROWS_WITH_AS(cb::RemoteMonitor({.root = "https://example.com"}), doctest::Contains("https is not offered"),
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS(cb::RemoteMonitor({.root = "http://localhost:99999"}), doctest::Contains("expected a port in 1..65535"),
                       std::invalid_argument);
  CHECK_THROWS_AS(cb::RemoteMonitor({.path = "publish"}), std::invalid_argument);
}
