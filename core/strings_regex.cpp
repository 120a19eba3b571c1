// strings_regex.cpp - keras::strings: regex_full_match, regex_replace on RE2, the regular
// expression engine TensorFlow uses (core/string_ops.h).
#include <re2/re2.h>

#include <memory>
#include <string>

#include "core/strings_util.h"

namespace keras::core::strings {
using namespace detail;

namespace {
std::unique_ptr<RE2> compile(const std::string& pattern, const char* op) {
  RE2::Options options;
  options.set_log_errors(false);  // the error is raised, not printed
  auto re = std::make_unique<RE2>(pattern, options);
  if (!re->ok())
    throw_invalid(std::string(op) + ": invalid pattern: " + pattern + ", error: " + re->error());
  return re;
}
}  // namespace

static Tensor regex_full_match_eager(const Tensor& input, const std::string& pattern);
Tensor regex_full_match(const Tensor& input, const std::string& pattern) {
  return traced_host_op({input}, [pattern](const std::vector<Tensor>& in) { return regex_full_match_eager(in[0], pattern); });
}
static Tensor regex_full_match_eager(const Tensor& input, const std::string& pattern) {
  const std::string* in = string_input(input, "regex_full_match");
  const auto re = compile(pattern, "regex_full_match");
  return generate<bool>(input.shape(), DType::bool_, [&](int64_t i) { return RE2::FullMatch(in[i], *re); });
}

static Tensor regex_replace_eager(const Tensor& input, const std::string& pattern, const std::string& rewrite, bool replace_global);
Tensor regex_replace(const Tensor& input, const std::string& pattern, const std::string& rewrite, bool replace_global) {
  return traced_host_op({input}, [pattern, rewrite, replace_global](const std::vector<Tensor>& in) {
    return regex_replace_eager(in[0], pattern, rewrite, replace_global);
  });
}
static Tensor regex_replace_eager(const Tensor& input, const std::string& pattern, const std::string& rewrite,
                     bool replace_global) {
  string_input(input, "regex_replace");
  const auto re = compile(pattern, "regex_replace");
  // (As TensorFlow, a rewrite naming a group the pattern lacks leaves the string as it is.)
  return map_strings(input, "regex_replace", [&](std::string s) {
    if (replace_global) RE2::GlobalReplace(&s, *re, rewrite);
    else RE2::Replace(&s, *re, rewrite);
    return s;
  });
}

}  // namespace keras::core::strings
