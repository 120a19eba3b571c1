// remote_monitor.h - RemoteMonitor (keras.callbacks.RemoteMonitor): at each epoch's end,
// POSTs the epoch and its logs to an HTTP server, as Keras 3 does: a form field holding
// their JSON (`data={"epoch": 0, "loss": 0.25, ...}`), or the JSON itself as the body.
//
//   model->fit(x, y, {.epochs = 10,
//                     .callbacks = {keras::callbacks::RemoteMonitor({.root = "http://localhost:9000"})}});
//
// A server that cannot be reached (or answers with an error) never stops training: the
// callback prints Keras's warning to stderr and goes on.
#pragma once
#include <map>
#include <string>

#include "keras/callbacks.h"

namespace keras::callbacks {

/// Options of RemoteMonitor (keras.callbacks.RemoteMonitor's arguments and defaults).
struct RemoteMonitorOptions {
  /// The server: "http://host[:port]" (port 80 by default). https is not offered:
  /// another scheme throws std::invalid_argument.
  std::string root = "http://localhost:9000";
  std::string path = "/publish/epoch/end/";  ///< the URL path posted to
  std::string field = "data";                ///< the form field holding the JSON
  std::map<std::string, std::string> headers{};  ///< extra request headers
  bool send_as_json = false;  ///< the JSON as the body (application/json) instead of a form
  double timeout_seconds = 5;  ///< connecting, sending and reading the reply, each
};

/// keras.callbacks.RemoteMonitor (see above).
class RemoteMonitor : public Callback {
 public:
  /// Throws std::invalid_argument for a root that is not "http://host[:port]" or a path
  /// that does not start with "/".
  explicit RemoteMonitor(RemoteMonitorOptions options = {});
  void on_epoch_end(int epoch, const Logs& logs) override;
  /// The body of the request for this epoch and logs (the form or the JSON).
  std::string body(int epoch, const Logs& logs) const;
  /// The HTTP status of the last reply (0: none, the server was not reached).
  int last_status() const { return last_status_; }

 private:
  RemoteMonitorOptions o_;
  std::string host_;
  int port_ = 80;
  int last_status_ = 0;
};

}  // namespace keras::callbacks
