// onednn.cpp - the engine, per-thread streams, the primitive cache and the threading
// contract of core/cpu/onednn.h.
#include "core/cpu/onednn.h"

#include <omp.h>

#include <mutex>
#include <vector>

namespace keras::core::cpu::onednn {

const dnnl::engine& engine() {
  static const dnnl::engine e(dnnl::engine::kind::cpu, 0);
  return e;
}

void serial_on_this_thread() {
  // oneDNN sizes its parallel regions by this thread's OpenMP setting: one thread, so no
  // OpenMP team is ever started (the engine's pool owns the parallelism).
  thread_local const bool done = [] {
    omp_set_num_threads(1);
    return true;
  }();
  (void)done;
}

dnnl::stream& stream() {
  serial_on_this_thread();
  thread_local dnnl::stream s(engine());
  return s;
}

bool avx512() {
  static const bool yes = [] {
    // The ISA values are bit sets: each one includes the bits of those it extends.
    const int isa = static_cast<int>(dnnl::get_effective_cpu_isa());
    return (isa & dnnl_cpu_isa_avx512_core) == dnnl_cpu_isa_avx512_core;
  }();
  return yes;
}

dnnl::primitive_attr attr() {
  dnnl::primitive_attr a;
  a.set_scratchpad_mode(dnnl::scratchpad_mode::user);
  return a;
}

void execute(const Primitive& p, std::unordered_map<int, dnnl::memory> args) {
  thread_local std::vector<unsigned char> scratch;
  const size_t need = p.scratchpad.get_size();
  if (need > 0) {
    if (scratch.size() < need) scratch.resize(need);
    args.emplace(DNNL_ARG_SCRATCHPAD, wrap(p.scratchpad, scratch.data()));
  }
  dnnl::stream& s = stream();
  p.p.execute(s, args);
  s.wait();
}

std::shared_ptr<const Primitive> cached(const std::string& key, const std::function<Primitive()>& make) {
  static std::mutex mu;
  static std::unordered_map<std::string, std::shared_ptr<const Primitive>> cache;
  constexpr size_t kMaxEntries = 512;  // shapes seen by one program; cleared when exceeded
  {
    std::lock_guard<std::mutex> lock(mu);
    auto it = cache.find(key);
    if (it != cache.end()) return it->second;
  }
  // A primitive sizes its work for the OpenMP threads of the thread that makes it: one,
  // or an OpenMP team would start when it runs.
  serial_on_this_thread();
  auto p = std::make_shared<const Primitive>(make());  // outside the lock: slow
  std::lock_guard<std::mutex> lock(mu);
  if (cache.size() >= kMaxEntries) cache.clear();
  return cache.emplace(key, std::move(p)).first->second;
}

dnnl::memory wrap(const dnnl::memory::desc& md, const void* data) {
  return dnnl::memory(md, engine(), const_cast<void*>(data));
}

}  // namespace keras::core::cpu::onednn
