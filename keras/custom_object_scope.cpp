#include "keras/custom_object_scope.h"

namespace keras {
namespace {
thread_local CustomObjectScope* t_innermost = nullptr;
}

CustomObjectScope::CustomObjectScope(Objects objects) : objects_(std::move(objects)), outer_(t_innermost) {
  t_innermost = this;
}

CustomObjectScope::~CustomObjectScope() { t_innermost = outer_; }

namespace detail {
ErasedFactory scoped_factory(Family family, const std::string& name) {
  for (const CustomObjectScope* s = t_innermost; s; s = s->outer_)
    if (auto it = s->objects_.find(name); it != s->objects_.end() && it->second.first == family)
      return it->second.second;
  return {};
}
}  // namespace detail
}  // namespace keras
