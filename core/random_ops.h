// random_ops.h - the rest of keras.random (keras::random in keras/keras.h): randint,
// shuffle, categorical, dropout, gamma, beta and binomial, written with the engine's
// stateless random ops, so they run eagerly and inside traced functions (where every
// call draws new numbers). Seeding as random_uniform: RandomOptions::seed (and counter)
// give reproducible draws; unseeded calls draw from the global generator.
//
//   Tensor ids = keras::random::randint({4, 3}, 0, 10);
//   Tensor perm = keras::random::shuffle(ops::arange(0, 8), 0, {.seed = 1});
//   Tensor g = keras::random::gamma({1000}, 2.5);
#pragma once
#include <optional>
#include <vector>

#include "core/ops.h"

namespace keras::core::ops::random {

/// keras.random.randint: integers uniform in [minval, maxval) (maxval > minval), of
/// o.dtype (an integer dtype; int32 by default as Keras).
Tensor randint(const Shape& shape, int64_t minval, int64_t maxval, const RandomOptions& o = {.dtype = DType::int32});
/// keras.random.shuffle: x with its slices along `axis` in a random order.
Tensor shuffle(const Tensor& x, int64_t axis = 0, const RandomOptions& o = {});
/// keras.random.categorical: num_samples class ids per row of logits (batch, classes),
/// drawn with probabilities softmax(logits) (the Gumbel-max rule); (batch, num_samples) of
/// o.dtype (int32 by default).
Tensor categorical(const Tensor& logits, int64_t num_samples, const RandomOptions& o = {.dtype = DType::int32});
/// keras.random.dropout: x with each element (or each slice of noise_shape) zeroed with
/// probability rate and the rest scaled by 1 / (1 - rate); rate in [0, 1).
Tensor dropout(const Tensor& x, double rate, const std::optional<Shape>& noise_shape = std::nullopt,
               const RandomOptions& o = {});
/// keras.random.gamma: Gamma(alpha, 1) draws (alpha > 0), exact (Marsaglia and Tsang's
/// rejection method, repeated in a while_loop until every element is accepted; alpha < 1
/// through Gamma(alpha + 1) * u^(1 / alpha)); o.dtype floating (float32 by default).
Tensor gamma(const Shape& shape, double alpha, const RandomOptions& o = {});
/// gamma with alpha a tensor (a scalar, or one value per element: it broadcasts to shape),
/// as Keras's tensor alpha; it may be a traced value. Eagerly, a value <= 0 raises.
Tensor gamma(const Shape& shape, const Tensor& alpha, const RandomOptions& o = {});
/// keras.random.beta: Beta(alpha, beta) draws, X / (X + Y) of two gamma draws.
Tensor beta(const Shape& shape, double alpha, double beta, const RandomOptions& o = {});
/// beta with tensor parameters (broadcast to shape, as gamma's).
Tensor beta(const Shape& shape, const Tensor& alpha, const Tensor& beta, const RandomOptions& o = {});
/// keras.random.binomial: the number of successes in `counts` trials of probability p
/// (counts >= 0 an integer, p in [0, 1]), as o.dtype (float32 by default, as Keras).
Tensor binomial(const Shape& shape, double counts, double probabilities, const RandomOptions& o = {});

}  // namespace keras::core::ops::random
