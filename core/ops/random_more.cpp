// random_more.cpp - keras.random's randint, shuffle, categorical, dropout, gamma, beta and
// binomial, composed of the stateless random ops (random_uniform / random_normal keyed by
// a seed and a counter tensor) and while_loop, so they trace.
#include "core/random_ops.h"

#include <cmath>
#include <stdexcept>
#include <string>

#include "core/control_flow.h"
#include "core/function.h"

namespace keras::core::ops::random {

namespace {
[[noreturn]] void fail(const std::string& what) { throw std::invalid_argument(what); }

// The draws of one call: a seed and a base counter. A seeded call uses its seed and
// counter (0 when none); an unseeded one draws its base counter from the global
// generator with an op, so every call (and every run of a traced graph) differs.
struct Stream {
  int64_t seed;
  Tensor base;
  explicit Stream(const RandomOptions& o) {
    if (o.seed >= 0) {
      seed = o.seed;
      base = o.counter.defined() ? cast(o.counter, DType::int64) : constant(int64_t{0});
    } else {
      seed = 0x6b65726173;  // fixed; the counter carries the randomness
      base = cast(random_uniform({}, {.minval = 0, .maxval = 4503599627370496.0, .dtype = DType::float64}), DType::int64);
    }
  }
  // The k-th draw's options (k an int64 scalar tensor).
  RandomOptions at(const Tensor& k, DType dtype = DType::float64) const {
    return RandomOptions{.dtype = dtype, .seed = seed, .counter = add(base, k)};
  }
  RandomOptions at(int64_t k, DType dtype = DType::float64) const { return at(constant(k), dtype); }
};

DType floating_out(const RandomOptions& o, const char* op) {
  if (!is_floating(o.dtype))
    fail(std::string("random.") + op + ": expected a floating dtype, but received " + std::string(dtype_name(o.dtype)));
  return o.dtype;
}

// Marsaglia and Tsang's gamma(a) for a >= 1 (a float64 tensor broadcast to `shape`), in
// float64, each element redrawn until accepted; draws 2k and 2k + 1 of `s` (from `first`)
// feed round k.
Tensor gamma_at_least_one(const Shape& shape, const Tensor& a, const Stream& s, int64_t first) {
  if (shape.num_elements() == 0) return zeros(shape, DType::float64);
  const Tensor d = subtract(a, scalar_like(a, 1.0 / 3.0));
  const Tensor c = divide(scalar_like(d, 1.0), sqrt(multiply(scalar_like(d, 9.0), d)));
  auto k64 = [](int64_t v) { return constant(v); };
  const std::vector<Tensor> init = {zeros(shape, DType::float64), zeros(shape, DType::float64), k64(first)};
  auto not_done = [](const std::vector<Tensor>& v) {
    Tensor least = min(v[1]);
    return less(least, scalar_like(least, 1.0));
  };
  auto round = [&](const std::vector<Tensor>& v) {
    const Tensor& k = v[2];
    Tensor z = random_normal(shape, s.at(k));
    Tensor u = random_uniform(shape, s.at(add(k, k64(1))));
    Tensor w = add(scalar_like(z, 1.0), multiply(c, z));
    Tensor vv = multiply(multiply(w, w), w);
    Tensor safe_v = maximum(vv, scalar_like(vv, 1e-300));
    Tensor bound = add(add(multiply(scalar_like(z, 0.5), square(z)), d), subtract(multiply(d, log(safe_v)), multiply(d, vv)));
    Tensor accept = logical_and(greater(vv, scalar_like(vv, 0.0)), less(log(u), bound));
    Tensor fresh = logical_and(accept, equal(v[1], scalar_like(v[1], 0.0)));
    Tensor x = where(fresh, multiply(d, vv), v[0]);
    Tensor done = where(accept, scalar_like(v[1], 1.0), v[1]);
    return std::vector<Tensor>{x, done, add(k, k64(2))};
  };
  return while_loop(not_done, round, init)[0];
}

// Gamma(alpha) for a float64 alpha tensor (alpha > 0) broadcast to `shape`: alpha >= 1
// directly, alpha < 1 as Gamma(alpha + 1) * u^(1 / alpha) (u from draw 0).
Tensor gamma_draw(const Shape& shape, const Tensor& alpha, const Stream& s) {
  const Tensor small = less(alpha, scalar_like(alpha, 1.0));
  const Tensor boosted = where(small, add(alpha, scalar_like(alpha, 1.0)), alpha);
  Tensor g = gamma_at_least_one(shape, broadcast_to(boosted, shape), s, 1);
  if (!core::is_tracing() && !any(small).item<bool>()) return g;  // (a traced alpha: both branches)
  Tensor u = random_uniform(shape, s.at(0));
  Tensor boost = where(small, power(u, divide(scalar_like(alpha, 1.0), alpha)), scalar_like(alpha, 1.0));
  return multiply(g, boost);
}

// A float64 parameter tensor that broadcasts to `shape`, positive where its values are
// known (eagerly); `what` names it in errors.
Tensor parameter(const Tensor& p, const Shape& shape, const char* op, const char* what) {
  if (!p.defined() || !(is_floating(p.dtype()) || is_integer(p.dtype())))
    fail(std::string("random.") + op + ": expected " + what + " as a number or a numeric tensor");
  Tensor v = cast(p, DType::float64);
  (void)broadcast_to(v, shape);  // raises naming both shapes when they do not broadcast
  if (!core::is_tracing() && v.size() > 0 && !all(greater(v, scalar_like(v, 0.0))).item<bool>())
    fail(std::string("random.") + op + ": expected " + what + " > 0 everywhere, but received a value <= 0 or NaN");
  return v;
}
}  // namespace

Tensor randint(const Shape& shape, int64_t minval, int64_t maxval, const RandomOptions& o) {
  if (!is_integer(o.dtype)) fail("random.randint: expected an integer dtype, but received " + std::string(dtype_name(o.dtype)));
  if (maxval <= minval)
    fail("random.randint: expected maxval > minval, but received minval=" + std::to_string(minval) +
         ", maxval=" + std::to_string(maxval));
  const Stream s(o);
  Tensor u = random_uniform(shape, s.at(0));  // [0, 1)
  Tensor v = floor(add(multiply(u, scalar_like(u, double(maxval - minval))), scalar_like(u, double(minval))));
  return cast(clip(v, double(minval), double(maxval - 1)), o.dtype);
}

Tensor shuffle(const Tensor& x, int64_t axis, const RandomOptions& o) {
  if (!x.defined() || x.rank() == 0) fail("random.shuffle: expected a tensor of rank >= 1");
  const int64_t r = x.rank(), ax = axis < 0 ? axis + r : axis;
  if (ax < 0 || ax >= r)
    fail("random.shuffle: axis " + std::to_string(axis) + " is out of range for a tensor of rank " + std::to_string(r));
  const Stream s(o);
  Tensor order = argsort(random_uniform(Shape{x.shape()[ax]}, s.at(0)));
  return take(x, order, ax);
}

Tensor categorical(const Tensor& logits, int64_t num_samples, const RandomOptions& o) {
  if (!logits.defined() || logits.rank() != 2)
    fail("random.categorical: expected logits of shape (batch, classes), but received " +
         (logits.defined() ? logits.shape().str() : std::string("an undefined tensor")));
  if (num_samples < 0) fail("random.categorical: expected num_samples >= 0, but received " + std::to_string(num_samples));
  if (!is_integer(o.dtype)) fail("random.categorical: expected an integer dtype, but received " + std::string(dtype_name(o.dtype)));
  const Stream s(o);
  const int64_t b = logits.shape()[0], n = logits.shape()[1];
  Tensor u = random_uniform(Shape{b, num_samples, n}, s.at(0));
  Tensor gumbel = neg(log(neg(log(u))));
  Tensor scores = add(expand_dims(cast(logits, DType::float64), 1), gumbel);
  return cast(argmax(scores, -1), o.dtype);
}

Tensor dropout(const Tensor& x, double rate, const std::optional<Shape>& noise_shape, const RandomOptions& o) {
  if (!(rate >= 0 && rate < 1)) fail("random.dropout: expected rate in [0, 1), but received " + std::to_string(rate));
  if (!x.defined() || !is_floating(x.dtype())) fail("random.dropout: expected a floating tensor");
  const Stream s(o);
  Tensor u = random_uniform(noise_shape ? *noise_shape : x.shape(), s.at(0));
  Tensor keep = greater_equal(u, scalar_like(u, rate));
  return where(keep, divide(x, scalar_like(x, 1.0 - rate)), zeros_like(x));
}

Tensor gamma(const Shape& shape, double alpha, const RandomOptions& o) {
  if (!(alpha > 0) || !std::isfinite(alpha))
    fail("random.gamma: expected alpha > 0, but received " + std::to_string(alpha));
  return gamma(shape, constant(alpha), o);
}

Tensor gamma(const Shape& shape, const Tensor& alpha, const RandomOptions& o) {
  const DType out = floating_out(o, "gamma");
  const Tensor a = parameter(alpha, shape, "gamma", "alpha");
  return cast(gamma_draw(shape, a, Stream(o)), out);
}

Tensor beta(const Shape& shape, double alpha, double beta_, const RandomOptions& o) {
  if (!(alpha > 0) || !(beta_ > 0))
    fail("random.beta: expected alpha > 0 and beta > 0, but received " + std::to_string(alpha) + ", " +
         std::to_string(beta_));
  return beta(shape, constant(alpha), constant(beta_), o);
}

Tensor beta(const Shape& shape, const Tensor& alpha, const Tensor& beta_, const RandomOptions& o) {
  const DType out = floating_out(o, "beta");
  const Tensor a = parameter(alpha, shape, "beta", "alpha"), b = parameter(beta_, shape, "beta", "beta");
  const Stream s(o);
  // Two independent gamma draws: the second from counters far past the first's.
  const RandomOptions first{.dtype = DType::float64, .seed = s.seed, .counter = s.base};
  const RandomOptions second{.dtype = DType::float64, .seed = s.seed,
                             .counter = add(s.base, constant(int64_t{1} << 40))};
  Tensor x = gamma_draw(shape, a, Stream(first)), y = gamma_draw(shape, b, Stream(second));
  return cast(divide(x, add(x, y)), out);
}

Tensor binomial(const Shape& shape, double counts, double probabilities, const RandomOptions& o) {
  const DType out = floating_out(o, "binomial");
  if (!(counts >= 0) || counts != std::floor(counts) || counts > 9e15)
    fail("random.binomial: expected counts a non-negative integer, but received " + std::to_string(counts));
  if (!(probabilities >= 0 && probabilities <= 1))
    fail("random.binomial: expected probabilities in [0, 1], but received " + std::to_string(probabilities));
  const Stream s(o);
  const std::vector<Tensor> init = {zeros(shape, DType::float64), constant(int64_t{0})};
  auto more = [&](const std::vector<Tensor>& v) { return less(v[1], constant(int64_t(counts))); };
  auto trial = [&](const std::vector<Tensor>& v) {
    Tensor u = random_uniform(shape, s.at(v[1]));
    Tensor success = cast(less(u, scalar_like(u, probabilities)), DType::float64);
    return std::vector<Tensor>{add(v[0], success), add(v[1], constant(int64_t{1}))};
  };
  return cast(while_loop(more, trial, init)[0], out);
}

}  // namespace keras::core::ops::random
