// debugging.cpp - the check_numerics and op determinism switches (core/debugging.h), and
// the output scan dispatch runs after each op while check_numerics is on.
#include "core/debugging.h"

#include <atomic>
#include <cmath>
#include <string>

#include "core/dispatch.h"

namespace keras::core {
namespace numerics {
std::atomic<bool> g_check{false};
}  // namespace numerics

namespace {
std::atomic<bool> g_determinism{false};
std::atomic<bool> g_tf32{false};

struct Counts {
  int64_t nan = 0, pos_inf = 0, neg_inf = 0;
};

template <class T>
Counts count(const T* p, int64_t n) {
  Counts c;
  for (int64_t i = 0; i < n; ++i) {
    if (std::isnan(p[i])) ++c.nan;
    else if (std::isinf(p[i])) ++(p[i] > 0 ? c.pos_inf : c.neg_inf);
  }
  return c;
}
}  // namespace

void enable_check_numerics() { numerics::g_check.store(true); }
void disable_check_numerics() { numerics::g_check.store(false); }
bool check_numerics_enabled() { return numerics::g_check.load(); }

void enable_op_determinism() { g_determinism.store(true); }
void disable_op_determinism() { g_determinism.store(false); }
bool op_determinism_enabled() { return g_determinism.load(std::memory_order_relaxed); }

void enable_tensor_float_32_execution(bool enabled) { g_tf32.store(enabled); }
bool tensor_float_32_execution_enabled() { return g_tf32.load(std::memory_order_relaxed); }

namespace numerics {
void check_outputs(const OpCall& c) {
  for (int i = 0; i < c.num_outputs; ++i) {
    const Tensor& t = c.outputs[static_cast<size_t>(i)];
    if (!t.defined() || !is_floating(t.dtype()) || t.size() == 0) continue;
    Tensor h = t.cpu();
    Counts k = h.dtype() == DType::float32 ? count(h.data<float>(), h.size())
                                           : count(h.data<double>(), h.size());
    if (k.nan + k.pos_inf + k.neg_inf == 0) continue;
    throw NumericsError("check_numerics: op '" + std::string(c.name()) + "' produced " +
                        std::to_string(k.nan) + " NaN, " + std::to_string(k.pos_inf) +
                        " +Inf and " + std::to_string(k.neg_inf) + " -Inf values in output " +
                        std::to_string(i) + " (of " + std::to_string(c.num_outputs) +
                        "), dtype " + dtype_name(t.dtype()) + ", shape " + t.shape().str() +
                        " (" + std::to_string(t.size()) + " elements)");
  }
}
}  // namespace numerics

}  // namespace keras::core
