// recurrent_internal.h - private helpers of the recurrent layers' .cpp files (the cells
// of rnn_cell.h, LSTM, ConvLSTM). Not installed, not included by public headers.
#pragma once
#include "keras/layers/args.h"
#include "keras/layers/seed_generator.h"

namespace keras::layers::detail {

/// A dropout mask of `shape`: 0 with probability rate, else 1 / (1 - rate); one draw of
/// `seeds` (zeros for rate >= 1).
Tensor dropout_mask(SeedGenerator& seeds, const Shape& shape, DType dtype, double rate);
/// LSTM's unit_forget_bias initializer of a (4 * units) bias: `inner` on the i, c and o
/// gates, ones on f (Keras).
InitializerArg forget_bias_initializer(InitializerArg inner, int64_t units);

}  // namespace keras::layers::detail
