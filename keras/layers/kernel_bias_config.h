// kernel_bias_config.h - (private to the layers' .cpp files) the config entries shared by
// the layers with a kernel and a bias (Dense, the convolutions): activation, use_bias,
// and the kernel's and bias's initializers, regularizers and constraints, plus the
// activity regularizer, written and read with Keras's keys and defaults. O is the
// layer's options struct (the members have the same names in each; the attention layers
// have no activation, EinsumDense no use_bias).
#pragma once
#include "keras/activations.h"
#include "keras/config.h"
#include "keras/constraints.h"
#include "keras/initializers.h"
#include "keras/regularizers.h"

namespace keras::layers::detail {

template <class O>
void write_kernel_bias_config(Config& c, const O& o) {
  if constexpr (requires { o.activation; }) c["activation"] = to_config(o.activation);
  if constexpr (requires { o.use_bias; }) c["use_bias"] = o.use_bias;  // (EinsumDense has none)
  c["kernel_initializer"] = to_config(o.kernel_initializer);
  c["bias_initializer"] = to_config(o.bias_initializer);
  c["kernel_regularizer"] = to_config(o.kernel_regularizer);
  c["bias_regularizer"] = to_config(o.bias_regularizer);
  c["activity_regularizer"] = to_config(o.activity_regularizer);
  c["kernel_constraint"] = to_config(o.kernel_constraint);
  c["bias_constraint"] = to_config(o.bias_constraint);
}

template <class O>
void read_kernel_bias_config(const Config& c, O& o) {
  if constexpr (requires { o.activation; }) o.activation = activation_from(c.get("activation", "linear"));
  if constexpr (requires { o.use_bias; }) o.use_bias = c.get("use_bias", true).as_bool();
  o.kernel_initializer = initializer_from(c.get("kernel_initializer", "glorot_uniform"));
  o.bias_initializer = initializer_from(c.get("bias_initializer", "zeros"));
  o.kernel_regularizer = regularizer_from(c.get("kernel_regularizer", Value()));
  o.bias_regularizer = regularizer_from(c.get("bias_regularizer", Value()));
  o.activity_regularizer = regularizer_from(c.get("activity_regularizer", Value()));
  o.kernel_constraint = constraint_from(c.get("kernel_constraint", Value()));
  o.bias_constraint = constraint_from(c.get("bias_constraint", Value()));
}

}  // namespace keras::layers::detail
