// queue_traced.cpp - queue operations inside a traced function: each is one host node
// (ops::host_function, kept and ordered as a state change) that runs the operation on the
// queue when the graph runs.
#include <stdexcept>
#include <string>

#include "core/control_flow.h"
#include "core/partial_shape.h"
#include "core/queue.h"

namespace keras::core {

namespace {
std::string shapes_str(const std::vector<std::vector<int64_t>>& shapes) {
  std::string s = "[";
  for (size_t i = 0; i < shapes.size(); ++i) {
    s += i ? ", (" : "(";
    for (size_t k = 0; k < shapes[i].size(); ++k)
      s += (k ? ", " : "") + (shapes[i][k] < 0 ? std::string("None") : std::to_string(shapes[i][k]));
    s += shapes[i].size() == 1 ? ",)" : ")";
  }
  return s + "]";
}
}  // namespace

QueueBase::Element QueueBase::traced(const char* op, const Element& in, int64_t n, Timeout timeout, bool cancel) {
  const std::string who = std::string(kind_) + " '" + name_ + "'", what = op;
  std::vector<TensorSpec> specs;
  if (what == "dequeue_up_to")
    throw std::invalid_argument(who + ": dequeue_up_to inside a traced function (keras::function) returns a number "
                                "of elements known only when it runs; use dequeue_many, or call it eagerly");
  if (what == "dequeue" || what == "dequeue_many") {
    bool defined = !shapes_.empty();
    for (const auto& s : shapes_)
      for (int64_t d : s) defined = defined && d >= 0;
    if (!defined)
      throw std::invalid_argument(who + ": " + what + " inside a traced function (keras::function) needs the queue's "
                                  "component shapes fully defined, but they are " +
                                  (shapes_.empty() ? std::string("unknown") : shapes_str(shapes_)) +
                                  " (give the queue shapes, or call it eagerly)");
    if (what == "dequeue_many" && n < 0)
      throw std::invalid_argument(who + ": dequeue_many expected n >= 0, but received " + std::to_string(n));
    for (size_t i = 0; i < dtypes_.size(); ++i) {
      std::vector<int64_t> shape = shapes_[i];
      if (what == "dequeue_many") shape.insert(shape.begin(), n);
      specs.push_back(TensorSpec{shape, dtypes_[i]});
    }
  } else {
    specs.push_back(TensorSpec{{}, DType::int32});  // a token: enqueue and close return nothing
  }
  auto run = [this, what, n, timeout, cancel](const std::vector<Tensor>& v) -> std::vector<Tensor> {
    if (what == "enqueue") enqueue(v, timeout);
    else if (what == "enqueue_many") enqueue_many(v, timeout);
    else if (what == "close") close(cancel);
    else if (what == "dequeue") return dequeue(timeout);
    else return dequeue_many(n, timeout);
    return {constant(0)};
  };
  Element out = ops::host_function(run, in, specs, who + "." + what);
  if (what == "dequeue" || what == "dequeue_many") return out;
  return {};
}

}  // namespace keras::core
