// error_of.h - the message of the std::invalid_argument a callable throws, for tests that
// compare whole error messages.
#pragma once
#include <stdexcept>
#include <string>

namespace th {

// The message of the std::invalid_argument f() throws, or "(no exception)".
template <class F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "(no exception)";
}

}  // namespace th
