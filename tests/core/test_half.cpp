// test_half.cpp - float16 and bfloat16 tensors: dtype rules, conversions against NumPy's
// float16 and ml_dtypes' bfloat16 (tests/data/mixed_precision/make_fixtures.py), ops
// computed in float32 and rounded once, gradients, and the errors of ops without half
// kernels.
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "../error_of.h"
#include "core/kernel_support.h"
#include "core/linalg.h"
#include "core/npy.h"
#include "helpers.h"
#include "test_data_dir.h"

using namespace th;
using core::bfloat16_t;
using core::float16_t;

namespace {
const std::map<std::string, Tensor>& conversions() {
  static const std::map<std::string, Tensor> m = [] {
    std::map<std::string, Tensor> r;
    for (auto& [k, v] : core::load_npz(std::string(KERAS_TEST_DATA_DIR) + "/mixed_precision/conversions.npz"))
      r[k] = v;
    return r;
  }();
  return m;
}
const Tensor& fx(const std::string& k) { return conversions().at(k); }

// The bit patterns of a half tensor, as int32.
std::vector<int32_t> bits_of(const Tensor& t) {
  std::vector<int32_t> r;
  if (t.dtype() == DType::float16)
    for (float16_t h : t.to_vector<float16_t>()) r.push_back(h.bits);
  else
    for (bfloat16_t h : t.to_vector<bfloat16_t>()) r.push_back(h.bits);
  return r;
}

// NaN bit patterns differ between libraries: any NaN matches any NaN.
bool same_half(int32_t got, int32_t want, DType d) {
  const int32_t exp_mask = d == DType::float16 ? 0x7c00 : 0x7f80, mant = d == DType::float16 ? 0x3ff : 0x7f;
  auto is_nan = [&](int32_t b) { return (b & exp_mask) == exp_mask && (b & mant) != 0; };
  return got == want || (is_nan(got) && is_nan(want));
}

void check_bits(const Tensor& x, DType d, const std::string& want_key) {
  const std::vector<int32_t> got = bits_of(ops::cast(x, d)), want = fx(want_key).to_vector<int32_t>();
  REQUIRE(got.size() == want.size());
  const std::vector<double> xs = ops::cast(x, DType::float64).to_vector<double>();
  int bad = 0;
  for (size_t i = 0; i < got.size(); ++i)
    if (!same_half(got[i], want[i], d) && bad++ < 5)
      FAIL_CHECK(want_key << ": x=" << xs[i] << " got bits " << got[i] << " want " << want[i]);
  CHECK(bad == 0);
}
}  // namespace

TEST_CASE("half dtypes: names, sizes, classification") {
  CHECK(std::string(core::dtype_name(DType::float16)) == "float16");
  CHECK(std::string(core::dtype_name(DType::bfloat16)) == "bfloat16");
  CHECK(core::dtype_from_name("float16") == DType::float16);
  CHECK(core::dtype_from_name("bfloat16") == DType::bfloat16);
  CHECK(core::dtype_size(DType::float16) == 2);
  CHECK(core::dtype_size(DType::bfloat16) == 2);
  CHECK(core::is_floating(DType::float16));
  CHECK(core::is_floating(DType::bfloat16));
  CHECK(core::is_half(DType::bfloat16));
  CHECK_FALSE(core::is_half(DType::float32));
  CHECK(core::dtype_of_v<float16_t> == DType::float16);
  throws_with<std::invalid_argument>([] { (void)core::dtype_from_name("half"); }, "float16, bfloat16, but received 'half'");
}

TEST_CASE("half dtypes: conversions round once to nearest even, as NumPy and ml_dtypes") {
  check_bits(fx("x64"), DType::float16, "f16_from64");
  check_bits(fx("x32"), DType::float16, "f16_from32");
  check_bits(fx("x64"), DType::bfloat16, "bf16_from64");
  check_bits(fx("x32"), DType::bfloat16, "bf16_from32");
  // Every (5th) bit pattern to float32, exactly.
  const std::vector<int32_t> all = fx("all_bits").to_vector<int32_t>();
  for (auto [d, key] : {std::pair{DType::float16, "f16_all"}, std::pair{DType::bfloat16, "bf16_all"}}) {
    std::vector<uint16_t> raw(all.begin(), all.end());
    Tensor h = core::from_buffer(raw.data(), Shape{static_cast<int64_t>(raw.size())}, d);
    const std::vector<float> got = ops::cast(h, DType::float32).to_vector<float>(), want = fx(key).to_vector<float>();
    int bad = 0;
    for (size_t i = 0; i < got.size(); ++i)
      if (!(got[i] == want[i] || (std::isnan(got[i]) && std::isnan(want[i]))) && bad++ < 5)
        FAIL_CHECK(key << ": bits " << all[i] << " got " << got[i] << " want " << want[i]);
    CHECK(bad == 0);
  }
}

TEST_CASE("half dtypes: tensors from values, item, integers and bool") {
  Tensor h = core::constant({0.1, 65504.0, 1e6, -2.5}, DType::float16);
  CHECK(h.dtype() == DType::float16);
  CHECK(h.nbytes() == 8);
  CHECK(ops::cast(h, DType::float32).to_vector<float>() == std::vector<float>{0.0999755859375f, 65504.f, INFINITY, -2.5f});
  CHECK(core::constant(1.0 / 3, DType::bfloat16).item<float>() == 0.333984375f);
  CHECK(core::constant(0.1, DType::float16).item<double>() == 0.0999755859375);
  CHECK(ops::cast(h, DType::int32).to_vector<int32_t>() == std::vector<int32_t>{0, 65504, INT32_MAX, -2});
  CHECK(ops::cast(core::constant({0, 1, 3}), DType::bfloat16).to_vector<bfloat16_t>()[2].bits == 0x4040);
  CHECK(ops::cast(core::constant({0.0, 0.5}, DType::float16), DType::bool_).to_vector<bool>() == std::vector<bool>{false, true});
  // float16 <-> bfloat16 (through float32, exact on the way in).
  CHECK(ops::cast(core::constant(0.1, DType::float16), DType::bfloat16).item<float>() == 0.10009765625f);
  CHECK(h.str().find("dtype=float16") != std::string::npos);
  // NumPy: print(np.array([0.1, 2.5, 1/3], np.float16)).
  CHECK(core::constant({0.1, 2.5, 1.0 / 3}, DType::float16).values_str() == "[0.1    2.5    0.3333]");
}

TEST_CASE("half ops: computed in float32, rounded once") {
  std::mt19937 rng(3);
  std::normal_distribution<float> nd;
  std::vector<float> av(6 * 5), bv(5 * 4);
  for (float& v : av) v = nd(rng);
  for (float& v : bv) v = nd(rng);
  for (DType d : {DType::float16, DType::bfloat16}) {
    Tensor a = ops::cast(ops::reshape(core::constant(av), {6, 5}), d), b = ops::cast(ops::reshape(core::constant(bv), {5, 4}), d);
    Tensor a32 = ops::cast(a, DType::float32), b32 = ops::cast(b, DType::float32);
    auto same = [&](const Tensor& got, const Tensor& want32) {
      CHECK(got.dtype() == d);
      CHECK(got.shape() == want32.shape());
      CHECK(bits_of(got) == bits_of(ops::cast(want32, d)));
    };
    same(ops::matmul(a, b), ops::matmul(a32, b32));
    same(ops::add(a, a), ops::add(a32, a32));
    same(ops::tanh(a), ops::tanh(a32));
    same(ops::relu(a), ops::relu(a32));
    same(ops::softmax(a, -1), ops::softmax(a32, -1));
    same(ops::sum(a, {0}), ops::sum(a32, {0}));
    same(ops::mean(a), ops::mean(a32));
    same(ops::transpose(a), ops::transpose(a32));
    same(ops::reshape(a, {30}), ops::reshape(a32, {30}));
    CHECK(ops::argmax(a, 1).dtype() == DType::int64);
    CHECK(ops::greater(a, a).dtype() == DType::bool_);
    CHECK(ops::zeros({2, 3}, d).dtype() == d);
    CHECK(bits_of(ops::ones({2}, d)) == std::vector<int32_t>(2, d == DType::float16 ? 0x3c00 : 0x3f80));
  }
}

TEST_CASE("half ops: gradients agree with float32 within half precision") {
  std::vector<float> xv{0.5f, -1.25f, 2.0f, 0.75f, -0.5f, 1.5f}, wv{0.1f, -0.2f, 0.3f, 0.4f, -0.5f, 0.6f};
  for (DType d : {DType::float16, DType::bfloat16}) {
    const double tol = d == DType::float16 ? 2e-3 : 2e-2;
    auto g16 = [&] {
      Tensor x = ops::cast(ops::reshape(core::constant(xv), {2, 3}), d);
      core::Variable w(ops::reshape(core::constant(wv), {3, 2}), "w");
      core::GradientTape tape;
      tape.watch(x);
      Tensor y = ops::mean(ops::tanh(ops::matmul(x, ops::cast(w.value(), d))));
      auto gx = tape.gradient(y, std::vector<Tensor>{x});
      core::GradientTape tape2;
      tape2.watch(x);
      Tensor y2 = ops::mean(ops::tanh(ops::matmul(x, ops::cast(w.value(), d))));
      auto gw = tape2.gradient(y2, std::vector<core::Variable>{w});
      return std::pair{gx[0], gw[0]};
    }();
    Tensor x32 = ops::reshape(core::constant(xv), {2, 3});
    core::Variable w32(ops::reshape(core::constant(wv), {3, 2}), "w32");
    core::GradientTape tape;
    tape.watch(x32);
    Tensor y = ops::mean(ops::tanh(ops::matmul(x32, w32)));
    auto gx = tape.gradient(y, std::vector<Tensor>{x32});
    core::GradientTape tape2;
    Tensor y2 = ops::mean(ops::tanh(ops::matmul(x32, w32)));
    auto gw = tape2.gradient(y2, std::vector<core::Variable>{w32});
    CHECK(g16.first.dtype() == d);             // the gradient of a half tensor is half
    CHECK(g16.second.dtype() == DType::float32);  // a float32 variable's is float32
    const std::vector<double> a = ops::cast(g16.first, DType::float64).to_vector<double>(),
                              b = ops::cast(gx[0], DType::float64).to_vector<double>();
    for (size_t i = 0; i < a.size(); ++i) CHECK(a[i] == doctest::Approx(b[i]).epsilon(tol).scale(0.1));
    const std::vector<double> c = ops::cast(g16.second, DType::float64).to_vector<double>(),
                              e = ops::cast(gw[0], DType::float64).to_vector<double>();
    for (size_t i = 0; i < c.size(); ++i) CHECK(c[i] == doctest::Approx(e[i]).epsilon(tol).scale(0.1));
  }
}

TEST_CASE("half ops: ops without half kernels and mixed dtypes raise") {
  Tensor h = ops::ones({2, 2}, DType::float16);
  CHECK(error_of([&] { (void)ops::det(h); }) == "det: no kernel for device CPU:0 and dtype float16");
  CHECK(error_of([&] { (void)ops::det(ops::ones({2, 2}, DType::bfloat16)); }) ==
        "det: no kernel for device CPU:0 and dtype bfloat16");
  CHECK(error_of([&] { (void)ops::add(h, ops::ones({2, 2})); }) ==
        "add: expected its floating inputs to have one dtype, but received float16 and float32 (use cast to convert)");
  CHECK(core::supports("matmul", core::Device::cpu(), DType::float16));
  CHECK_FALSE(core::supports("det", core::Device::cpu(), DType::bfloat16));
  const std::string path = std::string(std::getenv("TMPDIR") ? std::getenv("TMPDIR") : "/tmp") + "/keras_cpp_half.npy";
  Tensor h16 = core::constant({0.1, -2.5, 65504.0}, DType::float16);
  core::save_npy(path, h16);  // NumPy's '<f2'
  CHECK(bits_of(core::load_npy(path)) == bits_of(h16));
  std::remove(path.c_str());
  throws_with<std::invalid_argument>([] { core::save_npy("/tmp/never.npy", ops::ones({1}, DType::bfloat16)); },
                                     "NumPy has no bfloat16");
}
