// test_string_function.cpp - string tensors inside a traced function (keras::function):
// element-moving ops as graph nodes, keras::strings ops as host nodes, and what raises.
#include "../error_of.h"
#include "core/export.h"
#include "core/function.h"
#include "core/string_ops.h"
#include "helpers.h"

using namespace th;
namespace strings = core::strings;
using V = std::vector<std::string>;

namespace {
V strs(const Tensor& t) { return t.to_vector<std::string>(); }
}  // namespace

TEST_CASE("string function: element-moving ops and equal trace into graph nodes") {
  auto body = [](const Tensor& x) {
    Tensor y = ops::concatenate({ops::reshape(x, {-1}), core::constant(V{"end"})}, 0);
    return std::vector<Tensor>{ops::take(y, core::constant({3, 0})), ops::equal(y, core::constant("b"))};
  };
  auto f = core::function(body);
  for (const V& words : {V{"a", "b", "c", "d"}, V{"b", "x", "b", "y"}}) {
    const Tensor x = core::constant(words, Shape{2, 2});
    std::vector<Tensor> got = f(x), want = body(x);
    CHECK(strs(got[0]) == strs(want[0]));
    CHECK(got[1].to_vector<bool>() == want[1].to_vector<bool>());
  }
  CHECK(f.tracing_count() == 1);  // the second call ran the graph on new strings
  CHECK(f.graph_str().find("concat") != std::string::npos);
}

TEST_CASE("string function: keras::strings ops run as host nodes of the graph") {
  auto body = [](const Tensor& text, const Tensor& numbers) {
    Tensor clean = strings::strip(strings::regex_replace(strings::lower(text), "[[:punct:]]", ""));
    return std::vector<Tensor>{clean,
                               strings::length(clean, "UTF8_CHAR"),
                               strings::to_hash_bucket_fast(clean, 1000),
                               strings::reduce_join(clean, {}, false, "|"),
                               strings::join({clean, strings::as_string(numbers)}, "="),
                               strings::to_number(strings::substr(strings::as_string(numbers), 0, 1), DType::int32),
                               strings::upper(strings::format("n={}", {numbers}))};
  };
  auto f = core::function(body);
  for (const V& words : {V{"  Hello, World! ", "Keras++"}, V{"C++ & Python", " \xc3\xa9t\xc3\xa9 "}}) {
    const Tensor text = core::constant(words), numbers = core::constant({7, 42});
    std::vector<Tensor> got = f(text, numbers), want = body(text, numbers);
    REQUIRE(got.size() == want.size());
    for (size_t i = 0; i < got.size(); ++i) {
      CAPTURE(i);
      CHECK(got[i].dtype() == want[i].dtype());
      CHECK(got[i].shape() == want[i].shape());
      if (got[i].dtype() == DType::string) CHECK(strs(got[i]) == strs(want[i]));
      else CHECK(values(got[i]) == values(want[i]));
    }
  }
  CHECK(f.tracing_count() == 1);
  CHECK(f.graph_str().find("host_function") != std::string::npos);
}

TEST_CASE("string function: what cannot be traced raises, naming it") {
  // A bad argument raises while tracing, as it does eagerly.
  auto lower_ints = core::function([](const Tensor& x) { return strings::lower(x); });
  throws_with<std::invalid_argument>([&] { lower_ints(core::constant({1, 2})); }, "dtype string");
  auto bad_regex = core::function([](const Tensor& x) { return strings::regex_full_match(x, "(unclosed"); });
  throws_with<std::invalid_argument>([&] { bad_regex(core::constant({"a"})); }, "regex_full_match");
  // Ragged results have data-dependent sizes: they run eagerly only.
  auto split = core::function([](const Tensor& x) { return strings::split(x).flat_values(); });
  throws_with<std::invalid_argument>([&] { split(core::constant({"a b"})); }, "split");
  // Numeric ops have no string kernels, traced or not.
  auto add = core::function([](const Tensor& x) { return ops::add(x, x); });
  throws_with<std::invalid_argument>([&] { add(core::constant({"a"})); }, "dtype string");
  // Graph files hold no strings.
  throws_with<std::invalid_argument>(
      [] {
        core::export_graph([](const std::vector<Tensor>& in) { return std::vector<Tensor>{strings::length(in[0])}; },
                           {core::TensorSpec{{2}, DType::string}});
      },
      "string");
}
