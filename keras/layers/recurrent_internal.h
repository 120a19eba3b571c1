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

/// The recurrent layers' and cells' config entries, activation ... seed, written with
/// Keras's keys (recurrent_activation, unit_forget_bias and reset_after where the class
/// has them). O: RecurrentOptions or ConvLSTMOptions (the members have the same names).
template <class O>
void write_recurrent_keys(Config& c, const O& o, bool recurrent_activation, bool unit_forget_bias, bool reset_after) {
  c["activation"] = to_config(o.activation);
  if (recurrent_activation) c["recurrent_activation"] = to_config(o.recurrent_activation);
  c["use_bias"] = o.use_bias;
  c["kernel_initializer"] = to_config(o.kernel_initializer);
  c["recurrent_initializer"] = to_config(o.recurrent_initializer);
  c["bias_initializer"] = to_config(o.bias_initializer);
  if (unit_forget_bias) c["unit_forget_bias"] = o.unit_forget_bias;
  c["kernel_regularizer"] = to_config(o.kernel_regularizer);
  c["recurrent_regularizer"] = to_config(o.recurrent_regularizer);
  c["bias_regularizer"] = to_config(o.bias_regularizer);
  c["kernel_constraint"] = to_config(o.kernel_constraint);
  c["recurrent_constraint"] = to_config(o.recurrent_constraint);
  c["bias_constraint"] = to_config(o.bias_constraint);
  c["dropout"] = o.dropout;
  c["recurrent_dropout"] = o.recurrent_dropout;
  if constexpr (requires { o.reset_after; })
    if (reset_after) c["reset_after"] = o.reset_after;
  c["seed"] = o.seed < 0 ? Value() : Value(static_cast<long long>(o.seed));
}

/// Reads those entries and the RNN layer's (return_sequences ...; stateful, unroll and
/// zero_output_for_mask where O has them) with Keras's defaults.
template <class O>
void read_recurrent_keys(const Config& c, O& o) {
  o.activation = activation_from(c.get("activation", "tanh"));
  o.recurrent_activation = activation_from(c.get("recurrent_activation", "sigmoid"));
  o.use_bias = c.get("use_bias", true).as_bool();
  o.kernel_initializer = initializer_from(c.get("kernel_initializer", "glorot_uniform"));
  o.recurrent_initializer = initializer_from(c.get("recurrent_initializer", "orthogonal"));
  o.bias_initializer = initializer_from(c.get("bias_initializer", "zeros"));
  o.unit_forget_bias = c.get("unit_forget_bias", true).as_bool();
  if constexpr (requires { o.reset_after; }) o.reset_after = c.get("reset_after", true).as_bool();
  o.kernel_regularizer = regularizer_from(c.get("kernel_regularizer", Value()));
  o.recurrent_regularizer = regularizer_from(c.get("recurrent_regularizer", Value()));
  o.bias_regularizer = regularizer_from(c.get("bias_regularizer", Value()));
  o.activity_regularizer = regularizer_from(c.get("activity_regularizer", Value()));
  o.kernel_constraint = constraint_from(c.get("kernel_constraint", Value()));
  o.recurrent_constraint = constraint_from(c.get("recurrent_constraint", Value()));
  o.bias_constraint = constraint_from(c.get("bias_constraint", Value()));
  o.dropout = c.get("dropout", 0.0).as_double();
  o.recurrent_dropout = c.get("recurrent_dropout", 0.0).as_double();
  const Value seed = c.get("seed", Value());
  o.seed = seed.is_null() ? -1 : seed.as_int();
  o.return_sequences = c.get("return_sequences", false).as_bool();
  o.return_state = c.get("return_state", false).as_bool();
  o.go_backwards = c.get("go_backwards", false).as_bool();
  if constexpr (requires { o.stateful; }) {
    o.stateful = c.get("stateful", false).as_bool();
    o.unroll = c.get("unroll", false).as_bool();
    o.zero_output_for_mask = c.get("zero_output_for_mask", false).as_bool();
  }
}

}  // namespace keras::layers::detail
