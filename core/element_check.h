// element_check.h - (engine-internal) check_range, the form of check_elements (core/
// control_flow.h) that labels and index checks use, and the check a CheckElements node
// carries (core/control_flow.cpp makes it and runs it on the host; gpu/register_fused.cpp
// runs the range form on the device).
//   CheckElements  resources {ElementCheck}; inputs {x}; no outputs
#pragma once
#include <cmath>
#include <functional>
#include <optional>
#include <string>

#include "core/control_flow.h"
#include "core/dispatch.h"

namespace keras::core {
namespace ops {

// The values a range check accepts: lo <= v < hi, or v == *ignore; when `whole`, only
// whole numbers. NaN is never accepted.
struct ElementRange {
  double lo = 0;
  double hi = 0;                 // excluded
  bool whole = false;            // whole numbers only (float class labels)
  std::optional<double> ignore;  // one more accepted value (Keras's ignore_class)
};

// check_elements (core/control_flow.h) whose check is "value in `range`". On the CPU it
// is check_elements with that predicate; on a CUDA device the check runs in a kernel and
// only the first failing flat index and its value (8 bytes, 16 on a failure) come back to
// the host, not x: the op waits for the kernels queued before it, then raises
// message(value, flat_index, shape) exactly as the CPU does.
void check_range(const Tensor& x, const ElementRange& range,
                 std::function<std::string(double value, int64_t flat_index, const Shape& shape)> message,
                 std::string key = {});

}  // namespace ops

struct ElementCheck : Resource {
  std::function<bool(double)> ok;  // the predicate (for a range: the range's, below)
  std::function<std::string(double, int64_t, const Shape&)> message;
  std::string check_key;
  // Set by ops::check_range: ok is then exactly "value in range", a form a device kernel
  // evaluates without the host's callable.
  std::optional<ops::ElementRange> range;
  std::string key() const override { return check_key.empty() ? std::string() : "check_elements:" + check_key; }
};

// Whether v is accepted by r (NaN never is): the predicate of a range check, the same
// formula as the CUDA kernel's (gpu/fused.cu).
inline bool in_range(const ops::ElementRange& r, double v) {
  return (!r.whole || v == std::floor(v)) && ((r.ignore && v == *r.ignore) || (v >= r.lo && v < r.hi));
}

// CheckElements' kernel on the host (every device's, unless a backend registers its own):
// x's values as float64 on the host, each passed to ok; raises message at the first failure.
void check_elements_on_host(OpCall& c);

}  // namespace keras::core
