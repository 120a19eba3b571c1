// unpickle_numpy.cpp - NumPy's array and dtype reconstruction for the restricted pickle
// reader (the REDUCE and BUILD steps numpy.ndarray.__reduce__ writes), and the arrays as
// tensors and id lists.
#include <cstring>
#include <limits>
#include <stdexcept>

#include "core/ops.h"
#include "core/tensor_impl.h"
#include "keras/datasets/unpickle.h"

namespace keras::datasets::pickle {
namespace {

using core::DType;

[[noreturn]] void fail(const std::string& what) { throw std::runtime_error(what); }

DType dtype_of(const Object& a, const std::string& ctx) {
  const std::string& t = a.str;
  static const std::pair<const char*, DType> table[] = {
      {"u1", DType::uint8},   {"i1", DType::int8},    {"u2", DType::uint16}, {"i2", DType::int16},
      {"u4", DType::uint32},  {"i4", DType::int32},   {"i8", DType::int64},  {"f2", DType::float16},
      {"f4", DType::float32}, {"f8", DType::float64}, {"b1", DType::bool_}};
  for (const auto& [code, d] : table)
    if (t == code) return d;
  throw std::runtime_error(ctx + ": unsupported NumPy dtype '" + t + "' in a pickled array");
}

}  // namespace

namespace detail {

bool is_reconstruct(const std::string& g) {
  return g == "numpy.core.multiarray._reconstruct" || g == "numpy._core.multiarray._reconstruct";
}

// _reconstruct(ndarray, (0,), b'b') makes an empty array; dtype('u1', False, True) a dtype.
Ref numpy_reduce(const Object& fn, const Object& args) {
  if (fn.kind != Kind::global) fail("REDUCE of something that is not a global");
  if (args.kind != Kind::tuple) fail("REDUCE arguments are not a tuple");
  if (is_reconstruct(fn.str)) {
    if (args.items.empty() || args.items[0]->kind != Kind::global || args.items[0]->str != "numpy.ndarray")
      fail("_reconstruct of something other than numpy.ndarray");
    Ref a = std::make_shared<Object>();
    a->kind = Kind::array;
    return a;
  }
  if (fn.str == "numpy.dtype") {
    if (args.items.empty() || (args.items[0]->kind != Kind::text && args.items[0]->kind != Kind::bytes))
      fail("numpy.dtype called without a type string");
    Ref d = std::make_shared<Object>();
    d->kind = Kind::dtype;
    d->str = args.items[0]->str;
    return d;
  }
  fail("calling " + fn.str + " is not allowed");
}

void numpy_build(Object& target, const Object& state) {
  if (state.kind != Kind::tuple) fail("BUILD state is not a tuple");
  const auto& s = state.items;
  if (target.kind == Kind::dtype) {  // (version, byte order, subarray, names, fields, ...)
    if (s.size() < 2 || (s[1]->kind != Kind::text && s[1]->kind != Kind::bytes) || s[1]->str.size() != 1)
      fail("a numpy.dtype state without its byte order");
    target.byte_order = s[1]->str[0];
    if (s.size() > 3 && s[3]->kind != Kind::none) fail("structured NumPy dtypes (with field names) are not supported");
    target.built = true;
    return;
  }
  if (target.kind != Kind::array) fail("BUILD on something other than a NumPy array or dtype");
  // (version, shape, dtype, is_fortran, data), or without the version (NumPy < 1.0).
  const std::size_t o = s.size() == 5 ? 1 : 0;
  if (s.size() != 4 + o) fail("a NumPy array state of " + std::to_string(s.size()) + " items (expected 5)");
  if (s[o]->kind != Kind::tuple) fail("a NumPy array shape that is not a tuple");
  const Object& dt = *s[o + 1];
  if (dt.kind != Kind::dtype || !dt.built) fail("a NumPy array without a dtype");
  if (!s[o]->items.empty()) fail("a NumPy array shape with a non-integer size");
  uint64_t count = 1;
  target.shape.clear();
  for (int64_t d : s[o]->ints) {
    if (d < 0) fail("a NumPy array shape with a negative size");
    if (d != 0 && count > uint64_t(std::numeric_limits<int64_t>::max()) / uint64_t(d))
      fail("a NumPy array shape whose element count overflows");
    count *= uint64_t(d);
    target.shape.push_back(d);
  }
  target.str = dt.str;
  target.byte_order = dt.byte_order;
  target.fortran_order = s[o + 2]->kind == Kind::boolean ? s[o + 2]->boolean : s[o + 2]->integer != 0;
  const Object& data = *s[o + 3];
  if (data.kind == Kind::list) {
    if (dt.str.empty() || dt.str[0] != 'O') fail("a NumPy array of dtype " + dt.str + " holds a list");
    if (data.items.size() + data.ints.size() != count)
      fail("an object array of " + std::to_string(count) + " elements holds " +
           std::to_string(data.items.size() + data.ints.size()));
    target.items = data.items;
    for (int64_t i : data.ints) {  // an object array of ints (ints hold no references)
      Ref e = std::make_shared<Object>();
      e->kind = Kind::integer;
      e->integer = i;
      target.items.push_back(e);
    }
  } else if (data.kind == Kind::bytes || data.kind == Kind::text) {
    if (!dt.str.empty() && dt.str[0] == 'O') fail("an object array holds raw bytes");
    target.data = data.str;
  } else {
    fail("a NumPy array state whose data is neither bytes nor a list");
  }
  target.built = true;
}

}  // namespace detail

core::Tensor to_tensor(const Object& a, const std::string& ctx) {
  if (a.kind != Kind::array || !a.built) throw std::runtime_error(ctx + ": expected a NumPy array");
  const DType dtype = dtype_of(a, ctx);
  if (a.byte_order == '>' && core::dtype_size(dtype) > 1)
    throw std::runtime_error(ctx + ": big-endian NumPy arrays are not supported");
  if (a.fortran_order && a.shape.size() > 1)
    throw std::runtime_error(ctx + ": Fortran-order NumPy arrays are not supported");
  core::Shape shape(a.shape);
  core::Tensor t = core::empty(shape, dtype);
  if (a.data.size() != t.nbytes())
    throw std::runtime_error(ctx + ": a pickled array of shape " + shape.str() + " and dtype " + a.str + " holds " +
                             std::to_string(a.data.size()) + " bytes, not " + std::to_string(t.nbytes()));
  if (t.nbytes()) std::memcpy(t.raw_mutable_data(), a.data.data(), t.nbytes());
  return t;
}

std::vector<int64_t> to_ints(const Object& o, const std::string& ctx) {
  if (o.kind == Kind::array && o.items.empty() && !(o.str.size() && o.str[0] == 'O')) {
    return core::ops::cast(to_tensor(o, ctx), DType::int64).to_vector<int64_t>();
  }
  if (o.kind != Kind::list && o.kind != Kind::tuple && o.kind != Kind::array)
    throw std::runtime_error(ctx + ": expected a list of integers");
  if (o.items.empty()) return o.ints;
  std::vector<int64_t> v;
  v.reserve(o.items.size());
  for (const Ref& i : o.items) {
    if (i->kind != Kind::integer) throw std::runtime_error(ctx + ": expected a list of integers, found another value");
    v.push_back(i->integer);
  }
  return v;
}

Ref load_object_npy(std::string_view npy, const std::string& ctx) {
  if (npy.size() < 10 || npy.substr(0, 6) != "\x93NUMPY") throw std::runtime_error(ctx + ": not a .npy member");
  const int major = static_cast<unsigned char>(npy[6]);
  const std::size_t len_bytes = major == 1 ? 2 : 4;
  if (npy.size() < 8 + len_bytes) throw std::runtime_error(ctx + ": truncated .npy header");
  uint64_t header_len = 0;
  for (std::size_t i = 0; i < len_bytes; ++i) header_len |= uint64_t(static_cast<unsigned char>(npy[8 + i])) << (8 * i);
  if (header_len > npy.size() - 8 - len_bytes) throw std::runtime_error(ctx + ": truncated .npy header");
  const std::string_view header = npy.substr(8 + len_bytes, static_cast<std::size_t>(header_len));
  if (header.find("'descr': '|O'") == std::string_view::npos) return nullptr;
  Ref a = load(npy.substr(8 + len_bytes + static_cast<std::size_t>(header_len)), ctx);
  if (a->kind != Kind::array) throw std::runtime_error(ctx + ": the pickled object array is not a NumPy array");
  return a;
}

}  // namespace keras::datasets::pickle
