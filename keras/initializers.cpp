// initializers.cpp - Keras 3's initializers on core::ops' random ops, the Householder QR
// behind Orthogonal, and callables as initializers (the name/class registry is
// initializers_registry.cpp).
#include "keras/initializers.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "core/ops.h"

namespace keras::initializers {

namespace ops = core::ops;

namespace {
std::string num(double v) { return keras::Value(v).to_json(); }

[[noreturn]] void fail(const std::string& msg) { throw std::invalid_argument(msg); }

keras::Value seed_value(int64_t seed) {
  return seed < 0 ? keras::Value() : keras::Value(static_cast<long long>(seed));
}

void check_finite(const std::string& cls, const char* arg, double v) {
  if (!std::isfinite(v))
    fail(cls + ": expected a finite " + arg + ", but received " + num(v));
}
}  // namespace

Initializer::~Initializer() = default;
keras::Config Initializer::get_config() const { return keras::Config::object(); }

Fans compute_fans(const Shape& shape) {
  const int64_t r = shape.rank();
  if (r < 1) return {1, 1};
  if (r == 1) return {shape[0], shape[0]};
  if (r == 2) return {shape[0], shape[1]};
  int64_t receptive = 1;
  for (int64_t i = 0; i < r - 2; ++i) receptive *= shape[i];
  return {shape[r - 2] * receptive, shape[r - 1] * receptive};
}

// ---- constants ---------------------------------------------------------------------------

Tensor Zeros::operator()(const Shape& shape, DType dtype) const { return ops::zeros(shape, dtype); }
Tensor Ones::operator()(const Shape& shape, DType dtype) const { return ops::ones(shape, dtype); }

Tensor Constant::operator()(const Shape& shape, DType dtype) const {
  return ops::fill(shape, value_, dtype);
}
keras::Config Constant::get_config() const {
  keras::Config c = keras::Config::object();
  c["value"] = value_;
  return c;
}

Tensor Identity::operator()(const Shape& shape, DType dtype) const {
  if (shape.rank() != 2)
    fail("Identity: expected a 2-D shape, but received shape " + shape.str() + " of rank " +
         std::to_string(shape.rank()));
  Tensor eye = ops::eye(shape[0], shape[1], DType::float64) * gain_;
  return dtype == DType::float64 ? eye : ops::cast(eye, dtype);
}
keras::Config Identity::get_config() const {
  keras::Config c = keras::Config::object();
  c["gain"] = gain_;
  return c;
}

// ---- random ------------------------------------------------------------------------------

keras::Config RandomInitializer::get_config() const {
  keras::Config c = keras::Config::object();
  c["seed"] = seed_value(seed_);
  return c;
}

void RandomInitializer::check_dtype(DType dtype) const {
  if (!core::is_floating(dtype))
    fail(class_name() + ": expected a floating-point dtype (float32 or float64), but received " +
         core::dtype_name(dtype));
}

RandomNormal::RandomNormal(const RandomNormalOptions& o)
    : RandomInitializer(o.seed), mean_(o.mean), stddev_(o.stddev) {
  check_finite("RandomNormal", "mean", mean_);
  check_finite("RandomNormal", "stddev", stddev_);
  if (stddev_ < 0) fail("RandomNormal: expected stddev >= 0, but received " + num(stddev_));
}
Tensor RandomNormal::operator()(const Shape& shape, DType dtype) const {
  check_dtype(dtype);
  return ops::random_normal(shape, {.mean = mean_, .stddev = stddev_, .dtype = dtype, .seed = seed()});
}
keras::Config RandomNormal::get_config() const {
  keras::Config c = keras::Config::object();
  c["mean"] = mean_;
  c["stddev"] = stddev_;
  c["seed"] = seed_value(seed());
  return c;
}

RandomUniform::RandomUniform(const RandomUniformOptions& o)
    : RandomInitializer(o.seed), minval_(o.minval), maxval_(o.maxval) {
  check_finite("RandomUniform", "minval", minval_);
  check_finite("RandomUniform", "maxval", maxval_);
  if (minval_ > maxval_)
    fail("RandomUniform: expected minval <= maxval, but received minval=" + num(minval_) +
         ", maxval=" + num(maxval_));
}
Tensor RandomUniform::operator()(const Shape& shape, DType dtype) const {
  check_dtype(dtype);
  if (minval_ == maxval_) return ops::fill(shape, minval_, dtype);
  return ops::random_uniform(shape, {.minval = minval_, .maxval = maxval_, .dtype = dtype, .seed = seed()});
}
keras::Config RandomUniform::get_config() const {
  keras::Config c = keras::Config::object();
  c["minval"] = minval_;
  c["maxval"] = maxval_;
  c["seed"] = seed_value(seed());
  return c;
}

TruncatedNormal::TruncatedNormal(const TruncatedNormalOptions& o)
    : RandomInitializer(o.seed), mean_(o.mean), stddev_(o.stddev) {
  check_finite("TruncatedNormal", "mean", mean_);
  check_finite("TruncatedNormal", "stddev", stddev_);
  if (stddev_ < 0) fail("TruncatedNormal: expected stddev >= 0, but received " + num(stddev_));
}
Tensor TruncatedNormal::operator()(const Shape& shape, DType dtype) const {
  check_dtype(dtype);
  return ops::truncated_normal(shape,
                               {.mean = mean_, .stddev = stddev_, .dtype = dtype, .seed = seed()});
}
keras::Config TruncatedNormal::get_config() const {
  keras::Config c = keras::Config::object();
  c["mean"] = mean_;
  c["stddev"] = stddev_;
  c["seed"] = seed_value(seed());
  return c;
}

namespace {
std::string checked_mode(const std::string& mode) {
  if (mode != "fan_in" && mode != "fan_out" && mode != "fan_avg")
    fail("VarianceScaling: expected mode to be one of fan_in, fan_out, fan_avg, but received '" +
         mode + "'");
  return mode;
}
std::string checked_distribution(const std::string& d) {
  if (d == "normal") return "truncated_normal";  // Keras's legacy spelling
  if (d != "truncated_normal" && d != "untruncated_normal" && d != "uniform")
    fail("VarianceScaling: expected distribution to be one of truncated_normal, "
         "untruncated_normal, uniform, but received '" + d + "'");
  return d;
}
}  // namespace

VarianceScaling::VarianceScaling(const VarianceScalingOptions& o)
    : RandomInitializer(o.seed),
      scale_(o.scale),
      mode_(checked_mode(o.mode)),
      distribution_(checked_distribution(o.distribution)) {
  if (!(scale_ > 0) || !std::isfinite(scale_))
    fail("VarianceScaling: expected a positive, finite scale, but received " + num(scale_));
}

Tensor VarianceScaling::operator()(const Shape& shape, DType dtype) const {
  check_dtype(dtype);
  Fans f = compute_fans(shape);
  double n = mode_ == "fan_in"    ? double(f.fan_in)
             : mode_ == "fan_out" ? double(f.fan_out)
                                  : (double(f.fan_in) + double(f.fan_out)) / 2.0;
  double s = scale_ / std::max(1.0, n);
  if (distribution_ == "truncated_normal") {
    // The stddev of a unit normal truncated to [-2, 2] is 0.87962566103423978.
    double stddev = std::sqrt(s) / 0.87962566103423978;
    return ops::truncated_normal(shape, {.mean = 0.0, .stddev = stddev, .dtype = dtype, .seed = seed()});
  }
  if (distribution_ == "untruncated_normal")
    return ops::random_normal(shape, {.mean = 0.0, .stddev = std::sqrt(s), .dtype = dtype, .seed = seed()});
  double limit = std::sqrt(3.0 * s);
  return ops::random_uniform(shape, {.minval = -limit, .maxval = limit, .dtype = dtype, .seed = seed()});
}

keras::Config VarianceScaling::get_config() const {
  keras::Config c = keras::Config::object();
  c["scale"] = scale_;
  c["mode"] = mode_;
  c["distribution"] = distribution_;
  c["seed"] = seed_value(seed());
  return c;
}

GlorotNormal::GlorotNormal(int64_t seed)
    : VarianceScaling({.scale = 1.0, .mode = "fan_avg", .distribution = "truncated_normal", .seed = seed}) {}
GlorotUniform::GlorotUniform(int64_t seed)
    : VarianceScaling({.scale = 1.0, .mode = "fan_avg", .distribution = "uniform", .seed = seed}) {}
HeNormal::HeNormal(int64_t seed)
    : VarianceScaling({.scale = 2.0, .mode = "fan_in", .distribution = "truncated_normal", .seed = seed}) {}
HeUniform::HeUniform(int64_t seed)
    : VarianceScaling({.scale = 2.0, .mode = "fan_in", .distribution = "uniform", .seed = seed}) {}
LecunNormal::LecunNormal(int64_t seed)
    : VarianceScaling({.scale = 1.0, .mode = "fan_in", .distribution = "truncated_normal", .seed = seed}) {}
LecunUniform::LecunUniform(int64_t seed)
    : VarianceScaling({.scale = 1.0, .mode = "fan_in", .distribution = "uniform", .seed = seed}) {}

// ---- Orthogonal -------------------------------------------------------------------------

namespace {
// Dot product with four partial sums (vectorizes without reassociation flags).
double dot(const double* a, const double* b, int64_t n) {
  double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  int64_t i = 0;
  for (; i + 4 <= n; i += 4) {
    s0 += a[i] * b[i];
    s1 += a[i + 1] * b[i + 1];
    s2 += a[i + 2] * b[i + 2];
    s3 += a[i + 3] * b[i + 3];
  }
  for (; i < n; ++i) s0 += a[i] * b[i];
  return (s0 + s1) + (s2 + s3);
}

// y -= 2 v (v . y) for the unit vector v: applies the reflection I - 2 v v^T.
void reflect(const double* v, double* y, int64_t n) {
  const double d = 2 * dot(v, y, n);
  for (int64_t i = 0; i < n; ++i) y[i] -= d * v[i];
}

// Reduced QR of the m x n matrix a (m >= n, column-major: a[j * m + i] = A(i, j)) by
// Householder reflections. Returns Q (m x n, column-major) with each column multiplied by
// the sign of R's diagonal entry (Keras's correction, which makes the factorization
// unique: it is the Q whose R has a positive diagonal).
std::vector<double> orthonormal_columns(std::vector<double> a, int64_t m, int64_t n) {
  auto col = [&](std::vector<double>& v, int64_t j) { return v.data() + j * m; };
  std::vector<std::vector<double>> reflectors(static_cast<size_t>(n));
  std::vector<double> sign_r(static_cast<size_t>(n), 1.0);
  for (int64_t k = 0; k < n; ++k) {
    double* x = col(a, k) + k;
    const int64_t len = m - k;
    const double norm = std::sqrt(dot(x, x, len));
    // R(k, k) = alpha; its sign opposes x[0] so that v = x - alpha e1 has no cancellation.
    double alpha = x[0] > 0 ? -norm : norm;
    sign_r[static_cast<size_t>(k)] = alpha < 0 ? -1.0 : 1.0;
    std::vector<double>& v = reflectors[static_cast<size_t>(k)];
    v.assign(x, x + len);
    v[0] -= alpha;
    const double vnorm = std::sqrt(dot(v.data(), v.data(), len));
    if (vnorm == 0) {  // the column is already zero below the diagonal: H = I
      v.clear();
      continue;
    }
    for (double& e : v) e /= vnorm;
    for (int64_t j = k; j < n; ++j) reflect(v.data(), col(a, j) + k, len);
  }
  // Q = H_0 H_1 ... H_{n-1} applied to the first n columns of the identity.
  std::vector<double> q(static_cast<size_t>(m * n), 0.0);
  for (int64_t j = 0; j < n; ++j) col(q, j)[j] = 1.0;
  for (int64_t k = n - 1; k >= 0; --k) {
    const std::vector<double>& v = reflectors[static_cast<size_t>(k)];
    if (v.empty()) continue;
    const int64_t len = m - k;
    // Columns j < k of H_{k+1} ... H_{n-1} I are still e_j, zero from row k on.
    for (int64_t j = k; j < n; ++j) reflect(v.data(), col(q, j) + k, len);
  }
  for (int64_t j = 0; j < n; ++j) {
    double s = sign_r[static_cast<size_t>(j)];
    if (s < 0)
      for (int64_t i = 0; i < m; ++i) col(q, j)[i] = -col(q, j)[i];
  }
  return q;
}
}  // namespace

Orthogonal::Orthogonal(const OrthogonalOptions& o) : RandomInitializer(o.seed), gain_(o.gain) {
  check_finite("Orthogonal", "gain", gain_);
}

Tensor Orthogonal::operator()(const Shape& shape, DType dtype) const {
  check_dtype(dtype);
  if (shape.rank() < 2)
    fail("Orthogonal: expected a shape of rank >= 2, but received shape " + shape.str() +
         " of rank " + std::to_string(shape.rank()));
  const int64_t cols = shape[shape.rank() - 1];
  const int64_t rows = cols == 0 ? 0 : shape.num_elements() / cols;
  if (rows == 0 || cols == 0) return ops::zeros(shape, dtype);
  const int64_t m = std::max(rows, cols), n = std::min(rows, cols);
  // A normal (m, n) matrix, read column-major: element (i, j) is draw j * m + i.
  std::vector<double> a = ops::random_normal(Shape{n, m}, {.dtype = DType::float64, .seed = seed()})
                              .to_vector<double>();
  std::vector<double> q = orthonormal_columns(std::move(a), m, n);  // column-major (m, n)
  // As a row-major (n, m) matrix, q is Q^T: that is the answer when rows < cols.
  std::vector<double> out(static_cast<size_t>(rows * cols));
  if (rows >= cols) {
    for (int64_t i = 0; i < rows; ++i)
      for (int64_t j = 0; j < cols; ++j)
        out[static_cast<size_t>(i * cols + j)] = gain_ * q[static_cast<size_t>(j * m + i)];
  } else {
    for (size_t i = 0; i < out.size(); ++i) out[i] = gain_ * q[i];
  }
  return core::from_buffer(out.data(), DType::float64, shape, dtype);
}

keras::Config Orthogonal::get_config() const {
  keras::Config c = keras::Config::object();
  c["gain"] = gain_;
  c["seed"] = seed_value(seed());
  return c;
}

// ---- callables -----------------------------------------------------------------------------

namespace {
class CallableInitializer : public Initializer {
 public:
  CallableInitializer(Function fn, std::string name) : fn_(std::move(fn)), name_(std::move(name)) {}
  Tensor operator()(const Shape& shape, DType dtype = DType::float32) const override {
    Tensor t = fn_(shape, dtype);
    if (!t.defined() || t.shape() != shape || t.dtype() != dtype)
      fail("initializer '" + name_ + "': expected a tensor of shape " + shape.str() +
           " and dtype " + core::dtype_name(dtype) + ", but the callable returned " +
           (t.defined() ? "shape " + t.shape().str() + " and dtype " + core::dtype_name(t.dtype())
                        : std::string("an undefined tensor")));
    return t;
  }
  std::string class_name() const override { return name_; }

 private:
  Function fn_;
  std::string name_;
};
}  // namespace

InitializerPtr get(Function fn, std::string name) {
  if (!fn) fail("initializers.get: expected a callable, but received an empty function");
  return std::make_shared<CallableInitializer>(std::move(fn), std::move(name));
}

}  // namespace keras::initializers
