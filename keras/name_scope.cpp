// name_scope.cpp - the thread's stack of name scopes and its path.
#include "keras/name_scope.h"

#include <stdexcept>
#include <utility>
#include <vector>

namespace keras {
namespace {
struct Entry {
  std::string name;
  const void* caller;
  std::optional<std::string> override_parent;
};
thread_local std::vector<Entry> t_scopes;
}  // namespace

NameScope::NameScope(std::string name, const void* caller, bool deduplicate,
                     std::optional<std::string> override_parent) {
  if (name.empty() || name.find('/') != std::string::npos)
    throw std::invalid_argument("NameScope: expected a non-empty name without '/', but received name='" + name + "'");
  if (deduplicate && caller && !t_scopes.empty() && t_scopes.back().caller == caller && t_scopes.back().name == name)
    return;  // the caller's own scope is already the innermost one
  t_scopes.push_back({std::move(name), caller, std::move(override_parent)});
  pushed_ = true;
}

NameScope::~NameScope() {
  if (pushed_ && !t_scopes.empty()) t_scopes.pop_back();
}

std::string current_path() {
  std::vector<std::string> parts;
  for (const Entry& e : t_scopes) {
    if (e.override_parent) {
      parts.clear();
      size_t start = 0;
      const std::string& p = *e.override_parent;
      while (start <= p.size()) {
        size_t end = p.find('/', start);
        if (end == std::string::npos) end = p.size();
        if (end > start) parts.push_back(p.substr(start, end - start));
        start = end + 1;
      }
    }
    parts.push_back(e.name);
  }
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) out += (i ? "/" : "") + parts[i];
  return out;
}

}  // namespace keras
