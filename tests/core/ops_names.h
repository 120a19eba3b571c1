// ops_names.h - the registry behind the keras.ops names check (test_ops_names.cpp).
//
// Every keras.ops name that keras-cpp implements is registered once, next to the tests of
// its op, with a small call that uses it:
//
//   KERAS_OPS_NAME("cumsum", auto x = ops::ones({3}); (void)ops::cumsum(x));
//   KERAS_OPS_NAME("image.resize", (void)ops::image::resize(ops::ones({4, 4, 1}), {2, 2}));
//
// The call's text must contain `ops::<name>(` (or `ops::<name><` for a template;
// `ops::image::<name>` for an `image.` name; `ops::linalg::<name>` is accepted too; a
// name that is a C++ keyword takes a trailing underscore: `ops::switch_`),
// so a registration cannot claim a name without calling it; the check runs every call.
#pragma once
#include <functional>
#include <string>
#include <vector>

namespace ops_names {

struct Entry {
  std::string name;  // as in tests/data/ops/keras_ops_names.txt
  std::string code;  // the registered call's source text
  std::function<void()> call;
};

inline std::vector<Entry>& registry() {
  static std::vector<Entry> entries;
  return entries;
}

struct Registration {
  Registration(const char* name, const char* code, std::function<void()> call) {
    registry().push_back({name, code, std::move(call)});
  }
};

}  // namespace ops_names

#define KERAS_OPS_NAME_CAT2(a, b) a##b
#define KERAS_OPS_NAME_CAT(a, b) KERAS_OPS_NAME_CAT2(a, b)
#define KERAS_OPS_NAME(NAME, ...)                                                        \
  static const ::ops_names::Registration KERAS_OPS_NAME_CAT(keras_ops_name_, __LINE__)( \
      NAME, #__VA_ARGS__, [] { __VA_ARGS__; })
