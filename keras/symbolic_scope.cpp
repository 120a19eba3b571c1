// symbolic_scope.cpp - SymbolicScope's thread-local flag.
#include "keras/symbolic_scope.h"

namespace keras {
namespace {
thread_local bool t_symbolic = false;
}  // namespace

SymbolicScope::SymbolicScope() : outer_(t_symbolic) { t_symbolic = true; }
SymbolicScope::~SymbolicScope() { t_symbolic = outer_; }
bool in_symbolic_scope() { return t_symbolic; }

}  // namespace keras
