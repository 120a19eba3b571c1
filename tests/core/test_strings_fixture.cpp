// keras::strings and string tensors against TensorFlow: every case of
// tests/data/strings/strings_tf.json (written by make_fixtures.py from TensorFlow 2.21)
// is run here and must give TensorFlow's result exactly, or raise where TensorFlow does.
#include <cmath>
#include <cstring>
#include <fstream>
#include <iterator>
#include <optional>
#include <set>

#include "helpers.h"
#include "keras/config.h"
#include "test_data_dir.h"

using namespace th;
using keras::Value;
using keras::core::RaggedTensor;
namespace strings = core::strings;

namespace {

const Value& fixture() {
  static const Value v = [] {
    const std::string path = std::string(KERAS_TEST_DATA_DIR) + "/strings/strings_tf.json";
    std::ifstream f(path, std::ios::binary);
    REQUIRE_MESSAGE(f.good(), "cannot read " << path);
    return Value::from_json(std::string(std::istreambuf_iterator<char>(f), {}));
  }();
  return v;
}

std::string unhex(const std::string& h) {
  std::string s;
  for (size_t i = 0; i + 1 < h.size(); i += 2) s += static_cast<char>(std::stoi(h.substr(i, 2), nullptr, 16));
  return s;
}

double number(const Value& v) { return v.type() == Value::Type::string ? std::strtod(v.as_string().c_str(), nullptr) : v.as_double(); }

// A tensor of the fixture ({"dtype", "shape", "values"}, or {"corpus": name}).
Tensor decode(const Value& t) {
  if (t.contains("corpus")) return decode(fixture().at("corpora").at(t.at("corpus").as_string()));
  const DType dt = core::dtype_from_name(t.at("dtype").as_string());
  const Shape shape(t.at("shape").as_ints());
  const auto& vals = t.at("values").as_list();
  if (dt == DType::string) {
    std::vector<std::string> s;
    for (const Value& v : vals) s.push_back(unhex(v.as_string()));
    return core::constant(s, shape);
  }
  if (core::is_complex(dt)) {
    std::vector<std::complex<double>> z;
    for (const Value& v : vals) z.emplace_back(number(v.as_list()[0]), number(v.as_list()[1]));
    return core::from_buffer(z.data(), DType::complex128, shape, dt);
  }
  if (core::is_floating(dt)) {
    std::vector<double> d;
    for (const Value& v : vals) d.push_back(number(v));
    return core::from_buffer(d.data(), DType::float64, shape, dt);
  }
  std::vector<int64_t> i;
  for (const Value& v : vals) i.push_back(v.type() == Value::Type::boolean ? v.as_bool() : v.as_int());
  return core::from_buffer(i.data(), DType::int64, shape, dt);
}

bool same_float(double a, double b) { return (std::isnan(a) && std::isnan(b)) || (a == b && std::signbit(a) == std::signbit(b)); }

// got equals TensorFlow's tensor exactly: dtype, shape and every element.
void check_tensor(const Tensor& got, const Value& want_v) {
  const Tensor want = decode(want_v);
  REQUIRE(got.dtype() == want.dtype());
  REQUIRE(got.shape() == want.shape());
  if (got.dtype() == DType::string) {
    const auto g = got.to_vector<std::string>(), w = want.to_vector<std::string>();
    for (size_t i = 0; i < g.size(); ++i)
      CHECK_MESSAGE(g[i] == w[i], "element " << i << ": got " << core::constant(g[i]).values_str() << " expected "
                                             << core::constant(w[i]).values_str());
  } else if (core::is_floating(got.dtype())) {
    const auto g = ops::cast(got, DType::float64).to_vector<double>(), w = ops::cast(want, DType::float64).to_vector<double>();
    for (size_t i = 0; i < g.size(); ++i) CHECK_MESSAGE(same_float(g[i], w[i]), "element " << i << ": got " << g[i] << " expected " << w[i]);
  } else {
    CHECK(ops::cast(got, DType::int64).to_vector<int64_t>() == ops::cast(want, DType::int64).to_vector<int64_t>());
  }
}

struct Result {
  Result(Tensor t) : tensor(std::move(t)) {}                    // NOLINT
  Result(RaggedTensor r) : ragged(std::move(r)) {}   // NOLINT
  Tensor tensor;
  std::optional<RaggedTensor> ragged;
};

std::vector<int64_t> axes_of(const Value& a) {
  if (a.is_null()) return {};
  if (a.type() == Value::Type::list) return a.as_ints();
  return {a.as_int()};
}

// Runs one case's op on its inputs with its arguments.
Result run_case(const Value& c) {
  const std::string op = c.at("op").as_string();
  const Value& args = c.at("args");
  std::vector<Tensor> in;
  std::optional<RaggedTensor> ragged_in;
  for (const Value& t : c.at("inputs").as_list()) {
    if (t.contains("ragged")) ragged_in = RaggedTensor::from_row_splits(decode(t.at("values")), core::constant(t.at("row_splits").as_ints()));
    else in.push_back(decode(t));
  }
  auto str = [&](const char* k) { return args.at(k).as_string(); };
  if (op == "length") return {strings::length(in[0], str("unit"))};
  if (op == "lower") return {strings::lower(in[0])};
  if (op == "upper") return {strings::upper(in[0])};
  if (op == "strip") return {strings::strip(in[0])};
  if (op == "substr_t") return {strings::substr(in[0], in[1], in[2], str("unit"))};
  if (op == "split") return Result(strings::split(in[0], str("sep"), args.at("maxsplit").as_int()));
  if (op == "bytes_split") return Result(strings::bytes_split(in[0]));
  if (op == "join") return {strings::join(in, str("separator"))};
  if (op == "reduce_join")
    return {strings::reduce_join(in[0], axes_of(args.at("axis")), args.at("keepdims").as_bool(), str("separator"))};
  if (op == "regex_full_match") return {strings::regex_full_match(in[0], str("pattern"))};
  if (op == "regex_replace")
    return {strings::regex_replace(in[0], str("pattern"), str("rewrite"), args.at("replace_global").as_bool())};
  if (op == "to_number") return {strings::to_number(in[0], core::dtype_from_name(str("out_type")))};
  if (op == "as_string") {
    strings::AsStringOptions o;
    o.precision = static_cast<int>(args.get("precision", -1).as_int());
    o.scientific = args.get("scientific", false).as_bool();
    o.shortest = args.get("shortest", false).as_bool();
    o.width = static_cast<int>(args.get("width", -1).as_int());
    o.fill = args.get("fill", "").as_string();
    return {strings::as_string(in[0], o)};
  }
  if (op == "format") return {strings::format(str("template"), in, str("placeholder"), args.at("summarize").as_int())};
  if (op == "unicode_decode") {
    strings::UnicodeDecodeOptions o{str("errors"), static_cast<int32_t>(args.at("replacement_char").as_int()),
                                    args.at("replace_control_characters").as_bool()};
    return Result(strings::unicode_decode(in[0], "UTF-8", o));
  }
  if (op == "unicode_encode") {
    strings::UnicodeEncodeOptions o{str("errors"), static_cast<int32_t>(args.at("replacement_char").as_int())};
    return {ragged_in ? strings::unicode_encode(*ragged_in, "UTF-8", o) : strings::unicode_encode(in[0], "UTF-8", o)};
  }
  if (op == "to_hash_bucket_fast") return {strings::to_hash_bucket_fast(in[0], args.at("num_buckets").as_int())};
  if (op == "to_hash_bucket_strong") {
    const auto k = args.at("key").as_ints();
    return {strings::to_hash_bucket_strong(in[0], args.at("num_buckets").as_int(),
                                           {static_cast<uint64_t>(k[0]), static_cast<uint64_t>(k[1])})};
  }
  if (op == "equal") return {ops::equal(in[0], in[1])};
  if (op == "not_equal") return {ops::not_equal(in[0], in[1])};
  FAIL("unknown fixture op " << op);
  return Result(Tensor());
}

void check_case(const Value& c) {
  const std::string op = c.at("op").as_string();
  if (op == "repr") {
    CHECK(decode(c.at("inputs").as_list()[0]).str() == c.at("text").as_string());
    return;
  }
  if (op == "substr_grid") {  // results[i][j]: pos[i], len[j]; null where TensorFlow raises
    const Tensor s = decode(c.at("inputs").as_list()[0]);
    const auto pos = c.at("args").at("pos").as_ints(), len = c.at("args").at("len").as_ints();
    const std::string unit = c.at("args").at("unit").as_string();
    for (size_t i = 0; i < pos.size(); ++i)
      for (size_t j = 0; j < len.size(); ++j) {
        INFO("pos " << pos[i] << " len " << len[j]);
        const Value& want = c.at("results").as_list()[i].as_list()[j];
        if (want.is_null()) CHECK_THROWS_AS(strings::substr(s, pos[i], len[j], unit), std::invalid_argument);
        else CHECK(strings::substr(s, pos[i], len[j], unit).item<std::string>() == unhex(want.as_string()));
      }
    return;
  }
  if (op == "to_number_list") {  // one element at a time; null where TensorFlow raises
    const DType dt = core::dtype_from_name(c.at("args").at("out_type").as_string());
    const auto xs = decode(c.at("inputs").as_list()[0]).to_vector<std::string>();
    for (size_t i = 0; i < xs.size(); ++i) {
      INFO("element " << core::constant(xs[i]).values_str());
      const Value& want = c.at("results").as_list()[i];
      if (want.is_null()) {
        CHECK_THROWS_AS(strings::to_number(core::constant(xs[i]), dt), std::invalid_argument);
      } else {
        const Tensor got = strings::to_number(core::constant(xs[i]), dt);
        if (core::is_floating(dt)) CHECK(same_float(got.item<double>(), number(want)));
        else CHECK(got.item<int64_t>() == want.as_int());
      }
    }
    return;
  }
  if (c.contains("error")) {
    CHECK_THROWS_AS(run_case(c), std::invalid_argument);
    return;
  }
  const Result r = run_case(c);
  if (c.contains("ragged")) {
    REQUIRE(r.ragged.has_value());
    check_tensor(r.ragged->flat_values(), c.at("ragged").at("values"));
    CHECK(r.ragged->row_splits().to_vector<int64_t>() == c.at("ragged").at("row_splits").as_ints());
  } else if (r.ragged) {  // a scalar input: TensorFlow returns the one row's values
    check_tensor(r.ragged->flat_values(), c.at("output"));
    CHECK(r.ragged->row_splits().to_vector<int64_t>() == std::vector<int64_t>{0, r.ragged->flat_values().size()});
  } else {
    check_tensor(r.tensor, c.at("output"));
  }
}

// Runs every fixture case whose op is in `ops`; returns how many ran.
int run_cases(const std::set<std::string>& ops) {
  int n = 0;
  const auto& cases = fixture().at("cases").as_list();
  for (size_t i = 0; i < cases.size(); ++i) {
    const Value& c = cases[i];
    if (!ops.count(c.at("op").as_string())) continue;
    INFO("case " << i << ": " << c.at("op").as_string() << " " << c.at("args").to_json());
    check_case(c);
    ++n;
  }
  return n;
}

}  // namespace

TEST_CASE("strings fixture: written by TensorFlow") {
  CHECK(fixture().at("tf_version").as_string().rfind("2.", 0) == 0);
}

TEST_CASE("strings fixture: string tensors print as TensorFlow's repr") { CHECK(run_cases({"repr"}) == 10); }

TEST_CASE("strings fixture: equal and not_equal on strings") { CHECK(run_cases({"equal", "not_equal"}) == 2); }

TEST_CASE("strings fixture: length, lower, upper, strip") { CHECK(run_cases({"length", "lower", "upper", "strip"}) == 6); }

TEST_CASE("strings fixture: substr") { CHECK(run_cases({"substr_grid", "substr_t"}) == 14); }

TEST_CASE("strings fixture: split, bytes_split, join, reduce_join") {
  CHECK(run_cases({"split", "bytes_split", "join", "reduce_join"}) == 50);
}

TEST_CASE("strings fixture: regex_full_match and regex_replace (RE2)") {
  CHECK(run_cases({"regex_full_match", "regex_replace"}) == 26);
}

TEST_CASE("strings fixture: to_number") { CHECK(run_cases({"to_number", "to_number_list"}) == 5); }

TEST_CASE("strings fixture: as_string") { CHECK(run_cases({"as_string"}) == 128); }

TEST_CASE("strings fixture: format") { CHECK(run_cases({"format"}) == 88); }

TEST_CASE("strings fixture: unicode_decode and unicode_encode") { CHECK(run_cases({"unicode_decode", "unicode_encode"}) == 25); }

TEST_CASE("strings fixture: to_hash_bucket_fast and to_hash_bucket_strong give TensorFlow's buckets") {
  CHECK(run_cases({"to_hash_bucket_fast", "to_hash_bucket_strong"}) == 11);
}
