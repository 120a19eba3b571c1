// error_of.h - the message of the std::invalid_argument a callable throws, for tests that
// compare whole error messages, and a check that a callable throws a given type whose
// message contains a given part.
#pragma once
#include <doctest/doctest.h>

#include <stdexcept>
#include <string>

namespace th {

// The message of the E (std::invalid_argument unless given) f() throws, or "(no
// exception)".
template <class E = std::invalid_argument, class F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const E& e) {
    return e.what();
  }
  return "(no exception)";
}

// Checks that f() throws an E whose message contains `part`.
template <class E, class F>
void throws_with(F f, const std::string& part) {
  try {
    f();
    FAIL("expected an exception containing: " << part);
  } catch (const E& e) {
    CHECK_MESSAGE(std::string(e.what()).find(part) != std::string::npos, std::string(e.what()));
  }
}

}  // namespace th
