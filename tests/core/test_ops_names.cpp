// The keras.ops names check (issue: keras::ops as complete as keras.ops): every name in
// tests/data/ops/keras_ops_names.txt (written by make_ops_names.py from Keras itself) is
// either registered with a call that uses it (ops_names.h) or listed, with a reason, in
// the README's exclusion table (between the `ops-exclusions` markers).
#include <doctest/doctest.h>

#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>

#include "keras/keras.h"
#include "ops_names.h"
#include "test_data_dir.h"

namespace {

std::vector<std::string> keras_names() {
  std::ifstream f(std::string(KERAS_TEST_DATA_DIR) + "/ops/keras_ops_names.txt");
  REQUIRE_MESSAGE(f.good(), "cannot read tests/data/ops/keras_ops_names.txt");
  std::vector<std::string> out;
  for (std::string line; std::getline(f, line);)
    if (!line.empty() && line[0] != '#') out.push_back(line);
  return out;
}

// The README's exclusion table: rows "| `name` | reason |" between
// "<!-- ops-exclusions -->" and "<!-- /ops-exclusions -->".
std::map<std::string, std::string> readme_exclusions() {
  std::ifstream f(std::string(KERAS_TEST_DATA_DIR) + "/../../README.md");
  REQUIRE_MESSAGE(f.good(), "cannot read README.md");
  std::map<std::string, std::string> out;
  bool inside = false;
  for (std::string line; std::getline(f, line);) {
    if (line.find("<!-- ops-exclusions -->") != std::string::npos) inside = true;
    else if (line.find("<!-- /ops-exclusions -->") != std::string::npos) inside = false;
    else if (inside && line.rfind("| `", 0) == 0) {
      auto end = line.find('`', 3);
      auto bar = line.find('|', end);
      if (end == std::string::npos || bar == std::string::npos) continue;
      std::string reason = line.substr(bar + 1);
      while (!reason.empty() && (reason.back() == '|' || reason.back() == ' ')) reason.pop_back();
      out[line.substr(3, end - 3)] = reason;
    }
  }
  return out;
}

// A keras.ops name that is a C++ keyword is spelled with a trailing underscore
// (`ops::switch_`), as the README says.
bool is_cpp_keyword(const std::string& name) {
  static const std::set<std::string> keywords = {"switch", "and", "or", "not", "xor", "bitand", "bitor", "compl",
                                                 "delete", "new", "register", "default", "export"};
  return keywords.count(name) != 0;
}

bool code_uses(const std::string& name, const std::string& code) {
  std::string fn = name.rfind("image.", 0) == 0 ? "ops::image::" + name.substr(6) : "ops::" + name;
  if (is_cpp_keyword(name)) fn += "_";
  for (const std::string& candidate : {fn, "ops::linalg::" + name})
    if (code.find(candidate + "(") != std::string::npos || code.find(candidate + "<") != std::string::npos)
      return true;
  return false;
}

}  // namespace

TEST_CASE("every registered keras.ops name calls the op it names, and the call runs") {
  std::set<std::string> seen;
  for (const auto& e : ops_names::registry()) {
    CAPTURE(e.name);
    CHECK_MESSAGE(seen.insert(e.name).second, e.name << " is registered twice");
    CHECK_MESSAGE(code_uses(e.name, e.code), e.name << ": the registered call does not use it: " << e.code);
    CHECK_NOTHROW(e.call());
  }
}

TEST_CASE("every keras.ops name is implemented or excluded with a reason in the README") {
  std::set<std::string> registered;
  for (const auto& e : ops_names::registry()) registered.insert(e.name);
  auto excluded = readme_exclusions();
  auto names = keras_names();
  std::set<std::string> known(names.begin(), names.end());
  for (const auto& [name, reason] : excluded) {
    CAPTURE(name);
    CHECK_MESSAGE(known.count(name) == 1, "the README excludes " << name << ", which keras.ops does not have");
    CHECK_MESSAGE(registered.count(name) == 0, name << " is both implemented and excluded");
    CHECK_MESSAGE(reason.size() > 3, name << " is excluded without a reason");
  }
  std::ostringstream missing;
  size_t n_missing = 0;
  for (const auto& name : names)
    if (!registered.count(name) && !excluded.count(name)) missing << (n_missing++ ? " " : "") << name;
  MESSAGE(registered.size() << " of " << names.size() << " keras.ops names implemented, " << excluded.size()
                            << " excluded");
  CHECK_MESSAGE(n_missing == 0, n_missing << " keras.ops names are neither implemented nor excluded: " << missing.str());
}
