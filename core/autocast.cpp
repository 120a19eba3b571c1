// autocast.cpp - the autocast scopes and the cast reads of variables inside them.
#include "core/autocast.h"

#include <deque>

#include "core/dispatch.h"
#include "core/ops.h"

namespace keras::core::autocast {

struct Scope::Cache {
  struct Entry {
    Tensor source, cast;
    const void* trace;  // the trace it was made in (a cast inside a subgraph stays there)
  };
  std::deque<Entry> entries;  // a deque: references to its elements stay valid
};

namespace {
thread_local Scope* t_scope = nullptr;  // the innermost scope on this thread
}  // namespace

Scope::Scope(std::optional<DType> dtype) : outer_(t_scope), dtype_(dtype), cache_(new Cache) { t_scope = this; }

Scope::~Scope() {
  t_scope = outer_;
  delete cache_;
}

std::optional<DType> current() { return t_scope ? t_scope->dtype_ : std::nullopt; }

const Tensor* cast_read(const Variable& v, const Tensor& value) {
  Scope* s = t_scope;
  if (!s || !s->dtype_ || !is_floating(value.dtype()) || value.dtype() == *s->dtype_) return nullptr;
  if (!enabled(v)) return nullptr;
  // One cast per value read in this scope (a read after an assignment casts again).
  const void* trace = tracing::t_tracer;
  for (const Scope::Cache::Entry& e : s->cache_->entries)
    if (e.source.impl() == value.impl() && e.trace == trace) return &e.cast;
  s->cache_->entries.push_back({value, ops::cast(value, *s->dtype_), trace});
  return &s->cache_->entries.back().cast;
}

}  // namespace keras::core::autocast
