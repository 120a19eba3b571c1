// name_scope.cpp - the thread's stack of name scopes and its path. Entries point at their
// strings: a layer's own members (detail::LayerScope, no copies on each call), or the
// strings a NameScope owns, kept in a stack of their own.
#include "keras/name_scope.h"

#include <deque>
#include <memory>
#include <stdexcept>
#include <utility>
#include <vector>

#include "keras/name_scope_internal.h"

namespace keras {
namespace {
struct Entry {
  const std::string* name;
  const void* caller;
  const std::string* override_parent;  // null: under the scopes around it
  int owned;                           // strings of t_owned this entry holds (NameScope's)
};
struct Stack {
  std::vector<Entry> scopes;
  std::vector<std::unique_ptr<std::string>> owned;  // NameScope's strings
};
thread_local Stack t_stack;  // one thread-local lookup per scope opened or closed

bool reopens(const Stack& st, const std::string& name, const void* caller) {
  return caller && !st.scopes.empty() && st.scopes.back().caller == caller && *st.scopes.back().name == name;
}
void pop() {
  Stack& st = t_stack;
  if (st.scopes.empty()) return;
  for (int i = 0; i < st.scopes.back().owned && !st.owned.empty(); ++i) st.owned.pop_back();
  st.scopes.pop_back();
}
}  // namespace

NameScope::NameScope(std::string name, const void* caller, bool deduplicate,
                     std::optional<std::string> override_parent) {
  if (name.empty() || name.find('/') != std::string::npos)
    throw std::invalid_argument("NameScope: expected a non-empty name without '/', but received name='" + name + "'");
  Stack& st = t_stack;
  if (deduplicate && reopens(st, name, caller)) return;  // the caller's own scope is already the innermost one
  st.owned.push_back(std::make_unique<std::string>(std::move(name)));
  Entry e{st.owned.back().get(), caller, nullptr, 1};
  if (override_parent) {
    st.owned.push_back(std::make_unique<std::string>(std::move(*override_parent)));
    e.override_parent = st.owned.back().get();
    e.owned = 2;
  }
  st.scopes.push_back(e);
  pushed_ = true;
}

NameScope::~NameScope() {
  if (pushed_) pop();
}

detail::LayerScope::LayerScope(const std::string& name, const void* caller, const std::string* override_parent) {
  Stack& st = t_stack;
  if (reopens(st, name, caller)) return;
  st.scopes.push_back({&name, caller, override_parent, 0});
  pushed_ = true;
}

detail::LayerScope::~LayerScope() {
  if (pushed_) pop();
}

std::string current_path() {
  std::vector<const std::string*> parts;
  std::deque<std::string> split;  // an override's parts (stable while parts point at them)
  for (const Entry& e : t_stack.scopes) {
    if (e.override_parent) {
      parts.clear();
      const std::string& p = *e.override_parent;
      size_t start = 0;
      while (start <= p.size()) {
        size_t end = p.find('/', start);
        if (end == std::string::npos) end = p.size();
        if (end > start) {
          split.push_back(p.substr(start, end - start));
          parts.push_back(&split.back());
        }
        start = end + 1;
      }
    }
    parts.push_back(e.name);
  }
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i) out += '/';
    out += *parts[i];
  }
  return out;
}

}  // namespace keras
