#include "core/fuzz.h"

#include <atomic>

namespace keras::core {
namespace {
std::atomic<double> g_fuzz{1e-7};
}  // namespace

double fuzz_factor() { return g_fuzz.load(); }
void set_fuzz_factor(double value) { g_fuzz.store(value); }

}  // namespace keras::core
