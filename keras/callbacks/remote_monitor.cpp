// remote_monitor.cpp - RemoteMonitor: the JSON of an epoch's logs, sent by a small HTTP/1.1
// POST over a socket (no HTTP library).
#include "keras/callbacks/remote_monitor.h"

#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>

#include "keras/config.h"

namespace keras::callbacks {

namespace {
// Python's json.dumps of {"epoch": epoch, **logs}: ", " and ": " separators.
std::string logs_json(int epoch, const Logs& logs) {
  std::string s = "{\"epoch\": " + std::to_string(epoch);
  for (const auto& [k, v] : logs) s += ", " + Value(k).to_json() + ": " + Value(v).to_json();
  return s + "}";
}
// application/x-www-form-urlencoded, as Python's urlencode (quote_plus).
std::string form_escape(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '_' || c == '.' || c == '-' || c == '~') out += char(c);
    else if (c == ' ') out += '+';
    else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      out += buf;
    }
  }
  return out;
}

// A socket connected to host:port within the timeout, or -1.
int connect_to(const std::string& host, int port, int timeout_ms) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found) != 0) return -1;
  int fd = -1;
  for (addrinfo* a = found; a && fd < 0; a = a->ai_next) {
    fd = socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) continue;
    bool ok = connect(fd, a->ai_addr, a->ai_addrlen) == 0;
    if (!ok && errno == EINPROGRESS) {
      pollfd p{fd, POLLOUT, 0};
      int err = 0;
      socklen_t len = sizeof err;
      ok = poll(&p, 1, timeout_ms) == 1 && getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == 0;
    }
    if (!ok) {
      close(fd);
      fd = -1;
    }
  }
  freeaddrinfo(found);
  return fd;
}

// Sends all of `data` and reads the reply's status code (0 on failure or timeout).
int exchange(int fd, const std::string& data, int timeout_ms) {
  size_t sent = 0;
  while (sent < data.size()) {
    pollfd p{fd, POLLOUT, 0};
    if (poll(&p, 1, timeout_ms) != 1) return 0;
    ssize_t n = send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return 0;
    sent += size_t(n);
  }
  std::string reply;
  char buf[512];
  while (reply.find("\r\n") == std::string::npos && reply.size() < 4096) {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, timeout_ms) != 1) return 0;
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    reply.append(buf, size_t(n));
  }
  // "HTTP/1.1 200 OK"
  const size_t space = reply.find(' ');
  if (reply.rfind("HTTP/", 0) != 0 || space == std::string::npos) return 0;
  return std::atoi(reply.c_str() + space + 1);
}
}  // namespace

RemoteMonitor::RemoteMonitor(RemoteMonitorOptions options) : o_(std::move(options)) {
  const std::string scheme = "http://";
  if (o_.root.rfind(scheme, 0) != 0)
    throw std::invalid_argument("RemoteMonitor: expected a root \"http://host[:port]\" (https is not offered), but "
                                "received \"" + o_.root + "\"");
  std::string rest = o_.root.substr(scheme.size());
  while (!rest.empty() && rest.back() == '/') rest.pop_back();  // Keras joins root + path as given
  const size_t colon = rest.rfind(':');
  host_ = colon == std::string::npos ? rest : rest.substr(0, colon);
  if (colon != std::string::npos) {
    const std::string port = rest.substr(colon + 1);
    char* end = nullptr;
    const long p = std::strtol(port.c_str(), &end, 10);
    if (port.empty() || *end != '\0' || p < 1 || p > 65535)
      throw std::invalid_argument("RemoteMonitor: expected a port in 1..65535 in the root, but received \"" +
                                  o_.root + "\"");
    port_ = int(p);
  }
  if (host_.empty() || host_.find('/') != std::string::npos)
    throw std::invalid_argument("RemoteMonitor: expected a root \"http://host[:port]\", but received \"" + o_.root +
                                "\"");
  if (o_.path.empty() || o_.path[0] != '/')
    throw std::invalid_argument("RemoteMonitor: expected a path starting with \"/\", but received \"" + o_.path + "\"");
}

std::string RemoteMonitor::body(int epoch, const Logs& logs) const {
  const std::string json = logs_json(epoch, logs);
  return o_.send_as_json ? json : form_escape(o_.field) + "=" + form_escape(json);
}

void RemoteMonitor::on_epoch_end(int epoch, const Logs& logs) {
  const std::string content = body(epoch, logs);
  std::string request = "POST " + o_.path + " HTTP/1.1\r\nHost: " + host_ + ":" + std::to_string(port_) +
                        "\r\nContent-Type: " +
                        (o_.send_as_json ? "application/json" : "application/x-www-form-urlencoded") +
                        "\r\nContent-Length: " + std::to_string(content.size()) + "\r\nConnection: close\r\n";
  for (const auto& [k, v] : o_.headers) request += k + ": " + v + "\r\n";
  request += "\r\n" + content;
  const int timeout_ms = int(o_.timeout_seconds * 1000);
  last_status_ = 0;
  const int fd = connect_to(host_, port_, timeout_ms);
  if (fd >= 0) {
    last_status_ = exchange(fd, request, timeout_ms);
    close(fd);
  }
  if (last_status_ == 0) std::fprintf(stderr, "Warning: Could not reach RemoteMonitor root server at %s\n", o_.root.c_str());
}

}  // namespace keras::callbacks
