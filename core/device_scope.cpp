// device_scope.cpp - the thread's device scopes and the process's default device.
#include "core/device_scope.h"

#include <atomic>
#include <cctype>
#include <cstdlib>
#include <mutex>
#include <stdexcept>
#include <string>

#include "core/cuda_backend.h"
#include "core/device_scope_testing.h"

namespace keras::core {
namespace {

thread_local bool t_scoped = false;
thread_local Device t_scope;

std::mutex g_default_mu;
std::atomic<bool> g_default_set{false};
Device g_default;
// How many things may make current_device() other than the CPU (live scopes on any
// thread, a non-CPU default): when none, it answers without taking the lock.
std::atomic<int> g_non_cpu_users{0};

Device parse_env(const char* text) {
  std::string s;
  for (const char* p = text; *p; ++p) s += char(std::tolower(static_cast<unsigned char>(*p)));
  if (s.empty() || s == "cpu" || s == "cpu:0") return Device::cpu();
  if (s == "gpu" || s == "cuda") return Device::cuda(0);
  for (const char* prefix : {"gpu:", "cuda:"}) {
    const std::string p = prefix;
    if (s.rfind(p, 0) == 0 && s.size() > p.size() && s.find_first_not_of("0123456789", p.size()) == std::string::npos &&
        s.size() - p.size() < 6)
      return Device::cuda(std::stoi(s.substr(p.size())));
  }
  throw std::invalid_argument(std::string("KERAS_CPP_DEVICE: expected \"cpu\", \"gpu\" or \"gpu:N\", but received \"") +
                              text + "\"");
}

}  // namespace

void check_device_exists(Device d, const char* what) {
  if (d.is_cpu()) return;
  const int n = cuda::device_count();
  if (d.index < 0 || d.index >= n)
    throw std::invalid_argument(std::string(what) + ": device " + d.str() + " does not exist (" + std::to_string(n) +
                                " CUDA devices visible" +
                                (cuda::built_with_cuda() ? "" : "; this build of keras-cpp has no CUDA support") + ")");
}

Device default_device() {
  std::lock_guard<std::mutex> lock(g_default_mu);
  if (!g_default_set) {
    const char* env = std::getenv("KERAS_CPP_DEVICE");
    const Device d = env ? parse_env(env) : Device::cpu();
    check_device_exists(d, "KERAS_CPP_DEVICE");
    g_default = d;
    if (!d.is_cpu()) g_non_cpu_users.fetch_add(1);
    g_default_set.store(true, std::memory_order_release);
  }
  return g_default;
}

void set_default_device(Device d) {
  check_device_exists(d, "set_default_device");
  std::lock_guard<std::mutex> lock(g_default_mu);
  const bool was_cpu = !g_default_set.load() || g_default.is_cpu();
  g_default = d;
  g_default_set.store(true, std::memory_order_release);
  if (was_cpu && !d.is_cpu()) g_non_cpu_users.fetch_add(1);
  if (!was_cpu && d.is_cpu()) g_non_cpu_users.fetch_sub(1);
}

bool in_device_scope() { return t_scoped; }

Device current_device() {
  if (t_scoped) return t_scope;
  if (g_default_set.load(std::memory_order_acquire) && g_non_cpu_users.load(std::memory_order_relaxed) == 0)
    return Device::cpu();  // the common case, without the lock
  return default_device();
}

DeviceScope::DeviceScope(Device device) : previous_(t_scope), had_previous_(t_scoped) {
  check_device_exists(device, "DeviceScope");
  t_scope = device;
  t_scoped = true;
  g_non_cpu_users.fetch_add(1);
}

DeviceScope::~DeviceScope() {
  t_scope = previous_;
  t_scoped = had_previous_;
  g_non_cpu_users.fetch_sub(1);
}

namespace detail {

UncheckedDeviceScope::UncheckedDeviceScope(Device device) : previous_(t_scope), had_previous_(t_scoped) {
  t_scope = device;
  t_scoped = true;
  g_non_cpu_users.fetch_add(1);
}

UncheckedDeviceScope::~UncheckedDeviceScope() {
  t_scope = previous_;
  t_scoped = had_previous_;
  g_non_cpu_users.fetch_sub(1);
}

}  // namespace detail

}  // namespace keras::core
