// functional_ops.h - Keras 3's functional control flow (keras.ops.scan, fori_loop, map,
// vectorized_map, vectorize, switch, associative_scan, jvp), core/ops/functional.cpp.
// Loops are built on while_loop and switch on cond (core/control_flow.h), so they work
// eagerly and trace into one graph node inside core::function. Gradients flow through
// them eagerly (the tape records every iteration); a traced loop's gradient raises, as
// while_loop's. Included by core/ops.h.
//
// Keras passes nested Python structures; here a structure is a flat std::vector<Tensor>
// (with single-Tensor overloads for the common case).
#pragma once
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/tensor.h"

namespace keras::core::ops {

/// A flat structure of tensors (Keras's nested structures, flattened).
using Tensors = std::vector<Tensor>;

/// jax.lax.scan / keras.ops.scan: for i in 0..length-1 (reverse: length-1..0),
/// (carry, y_i) = f(carry, xs[i]) where xs[i] is each of xs's tensors at row i (an empty
/// vector when xs is empty: then `length` gives the count). Returns the final carry and
/// the y_i stacked on a new leading axis (ys[i] belongs to xs[i], also in reverse). f keeps
/// the carry's shapes and dtypes; every y_i has the same shapes. `unroll` (>= 1) is
/// accepted for Keras's signature: the loop is one while_loop either way. 1 + carry + ys
/// is at most 8 tensors (while_loop's limit).
struct ScanResult {
  ///@{
  /// The final carry and the stacked per-step outputs.
  Tensors carry, ys;
  ///@}
};
/// The step function of scan: (carry, x_i) -> (new carry, y_i).
using ScanFn = std::function<std::pair<Tensors, Tensors>(const Tensors& carry, const Tensors& x)>;
/// keras.ops.scan (described above ScanResult): the multi-tensor form.
ScanResult scan(const ScanFn& f, const Tensors& init, const Tensors& xs = {}, std::optional<int64_t> length = {},
                bool reverse = false, int64_t unroll = 1);
/// One carry tensor, one xs tensor, one y.
std::pair<Tensor, Tensor> scan(const std::function<std::pair<Tensor, Tensor>(const Tensor&, const Tensor&)>& f,
                               const Tensor& init, const Tensor& xs, bool reverse = false);

/// keras.ops.fori_loop: val = body_fun(i, val) for i in [lower, upper) (int32 scalars, or
/// tensors of one integer dtype); returns the final val. 1 to 7 tensors in val.
Tensors fori_loop(const Tensor& lower, const Tensor& upper,
                  const std::function<Tensors(const Tensor& i, const Tensors& val)>& body_fun, const Tensors& init_val);
/// The single-tensor form of fori_loop, with int64 bounds.
Tensor fori_loop(int64_t lower, int64_t upper, const std::function<Tensor(const Tensor& i, const Tensor& val)>& body_fun,
                 const Tensor& init_val);

/// keras.ops.map: f applied to each row xs[i] (along axis 0), the results stacked.
Tensors map(const std::function<Tensors(const Tensors&)>& f, const Tensors& xs);
/// The single-tensor form of map.
Tensor map(const std::function<Tensor(const Tensor&)>& f, const Tensor& xs);
/// keras.ops.vectorized_map: the same results as map (TensorFlow's vectorized_map runs f
/// once on the batch where it can; here f runs per row, in one while_loop).
Tensors vectorized_map(const std::function<Tensors(const Tensors&)>& function, const Tensors& elements);
/// The single-tensor form of vectorized_map.
Tensor vectorized_map(const std::function<Tensor(const Tensor&)>& function, const Tensor& elements);

/// keras.ops.vectorize (numpy.vectorize): a function that applies `pyfunc` over the loop
/// axes of its inputs. signature names the core axes, e.g. "(m,n),(n)->(m)"; empty: every
/// input is taken element by element (core rank 0). The loop axes (those left of the core
/// axes) broadcast between the inputs; pyfunc runs on each loop position (through map) and
/// its results take the broadcast loop shape in front. `excluded`: the positions of inputs
/// passed whole to every call.
using VectorizedFn = std::function<Tensor(const Tensors&)>;
/// Returns the vectorized function (see above).
VectorizedFn vectorize(const std::function<Tensor(const Tensors&)>& pyfunc, const std::vector<int64_t>& excluded = {},
                       const std::string& signature = "");

/// keras.ops.switch (a C++ keyword, hence the underscore): runs branches[index](operands),
/// index an integer scalar clipped to [0, branches - 1]. Every branch returns the same
/// number of tensors with the same dtypes and shapes (nested conds).
Tensors switch_(const Tensor& index, const std::vector<std::function<Tensors(const Tensors&)>>& branches,
                const Tensors& operands);

/// keras.ops.associative_scan: the inclusive prefix combination of elems along `axis`
/// under an associative f (f(a, b) combines slices elementwise, as Keras requires):
/// out[i] = f(out[i - 1], elems[i]); reverse combines from the end. Runs log2(n) batched
/// calls of f (Hillis-Steele); every tensor of elems has the same length along axis.
Tensors associative_scan(const std::function<Tensors(const Tensors&, const Tensors&)>& f, const Tensors& elems,
                         bool reverse = false, int64_t axis = 0);
/// The single-tensor form of associative_scan.
Tensor associative_scan(const std::function<Tensor(const Tensor&, const Tensor&)>& f, const Tensor& elems,
                        bool reverse = false, int64_t axis = 0);

/// keras.ops.jvp: the outputs of fun at primals and their forward-mode derivative along
/// tangents (J t), computed as the derivative of a reverse-mode product (the
/// double-backward trick on nested GradientTapes). primals and tangents: same shapes and
/// floating dtypes. has_aux: fun's last output is auxiliary data, returned in `aux` and not
/// differentiated. Outputs the primals do not reach get zero tangents.
struct JvpResult {
  ///@{
  /// The outputs of fun, their tangents (J t), and the auxiliary outputs (has_aux).
  Tensors primals_out, tangents_out, aux;
  ///@}
};
/// keras.ops.jvp (described above JvpResult).
JvpResult jvp(const std::function<Tensors(const Tensors&)>& fun, const Tensors& primals, const Tensors& tangents,
              bool has_aux = false);

}  // namespace keras::core::ops
