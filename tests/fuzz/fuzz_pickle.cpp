// fuzz_pickle.cpp - libFuzzer target: the restricted pickle reader of keras::datasets on
// arbitrary bytes, then what the loaders make of its values (arrays to tensors, id lists);
// bytes that start like a .npy file go through load_object_npy. Errors the reader reports
// are expected; any other exception or crash is a finding.
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string_view>

#include "keras/datasets/unpickle.h"

namespace pk = keras::datasets::pickle;

namespace {
void convert(const pk::Object& o, int depth) {
  if (depth > 3) return;
  if (o.kind == pk::Kind::array && o.items.empty()) {
    try {
      pk::to_tensor(o, "fuzz");
    } catch (const std::runtime_error&) {
    }
  }
  try {
    pk::to_ints(o, "fuzz");
  } catch (const std::runtime_error&) {
  }
  for (const pk::Ref& i : o.items) convert(*i, depth + 1);
  for (const auto& kv : o.entries) convert(*kv.second, depth + 1);
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  try {
    pk::Ref r = bytes.substr(0, 6) == "\x93NUMPY" ? pk::load_object_npy(bytes, "fuzz") : pk::load(bytes, "fuzz");
    if (r) convert(*r, 0);
  } catch (const std::runtime_error&) {
  } catch (const std::invalid_argument&) {
  }
  return 0;
}
