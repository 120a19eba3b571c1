// unpickle.h - (keras::datasets-internal) a restricted reader of Python pickles: the
// values Keras's dataset files hold (None, bools, ints, floats, strings, bytes, lists,
// tuples, dicts) and NumPy arrays, rebuilt from exactly the globals Keras's own loader
// allows (numpy.ndarray, numpy.dtype, numpy[._]core.multiarray._reconstruct). Any other
// global (os.system, builtins.eval, ...) is refused, so a tampered file cannot run code;
// every length is checked against the bytes left before anything is allocated.
//
// Protocols 2 to 5 (what cPickle wrote for the CIFAR batches and NumPy writes for object
// arrays): Python 2 strings read as bytes.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/tensor.h"

namespace keras::datasets::pickle {

struct Object;
/// Objects are shared, as Python's: the memo and a list's later appends see one object.
using Ref = std::shared_ptr<Object>;

/// What an Object is.
enum class Kind { none, boolean, integer, floating, text, bytes, list, tuple, dict, global, array, dtype };

/// One Python value.
struct Object {
  Kind kind = Kind::none;  ///< which of the fields below hold it
  bool boolean = false;    ///< Kind::boolean
  int64_t integer = 0;     ///< Kind::integer (pickled ints beyond int64 are refused)
  double floating = 0;     ///< Kind::floating
  /// text: UTF-8; bytes (Python 2 strings too); global: "module.name"; dtype: NumPy's
  /// type string ("u1", "i8", "O8", ...); array: its dtype's type string.
  std::string str;
  /// list, tuple, an object array's elements; a list or tuple of only ints keeps them in
  /// `ints` instead (the id lists of imdb.npz hold millions).
  std::vector<Ref> items;
  std::vector<int64_t> ints;                 ///< list, tuple: its elements, all ints
  std::vector<std::pair<Ref, Ref>> entries;  ///< dict, in insertion order
  std::vector<int64_t> shape;                ///< array
  char byte_order = '|';                     ///< array, dtype: '<', '>', '|' or '='
  bool fortran_order = false;                ///< array
  std::string data;                          ///< array (not of objects): its raw bytes
  bool built = false;                        ///< array, dtype: its state was set

  /// The dict entry whose key is the text or bytes `key`, or null.
  const Object* find(std::string_view key) const;
};

/// Reads one pickle from `bytes` (up to its STOP; `ctx` starts every message). Malformed or
/// truncated input, an unsupported opcode, a refused global and a container that holds
/// itself throw std::runtime_error naming the offset.
Ref load(std::string_view bytes, const std::string& ctx);

/// A numeric or boolean NumPy array as a tensor (C order; a Fortran-order array of rank 2
/// or more, a big-endian or an unsupported dtype raise naming it).
core::Tensor to_tensor(const Object& array, const std::string& ctx);

/// A list, tuple or object array of Python ints (a numeric 1-d array too) as int64 numbers.
std::vector<int64_t> to_ints(const Object& o, const std::string& ctx);

/// Reads one .npy file (bytes) holding a pickled object array (descr '|O'); other .npy
/// contents are for core::load_npy_bytes. Returns null when the header's dtype is not
/// object, the array otherwise.
Ref load_object_npy(std::string_view npy, const std::string& ctx);

namespace detail {
/// Whether `global` ("module.name") is NumPy's array reconstruction function.
bool is_reconstruct(const std::string& global);
/// REDUCE: _reconstruct(ndarray, (0,), b'b') gives an empty array, dtype('u1', False, True)
/// a dtype; any other call throws std::runtime_error.
Ref numpy_reduce(const Object& fn, const Object& args);
/// BUILD: sets an array's or a dtype's state (shape, dtype, order, data), checked.
void numpy_build(Object& target, const Object& state);
}  // namespace detail

}  // namespace keras::datasets::pickle
