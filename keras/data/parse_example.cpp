// parse_example.cpp - tf.io.parse_single_example / parse_example: Examples to tensors.
#include <algorithm>
#include <numeric>
#include <stdexcept>

#include "core/dispatch.h"
#include "core/ops.h"
#include "core/ragged.h"
#include "core/sparse.h"
#include "keras/data/example.h"
#include "keras/data/example_wire.h"

namespace keras::core::io {
namespace {
using Kind = ExampleFeature::Kind;

[[noreturn]] void invalid(const std::string& what) { throw std::invalid_argument(what); }

// TensorFlow's names of the three dtypes in its messages.
const char* tf_name(DType d) { return d == DType::float32 ? "float" : d == DType::int64 ? "int64" : "string"; }
Kind list_of(DType d) {
  return d == DType::float32 ? Kind::float_list : d == DType::int64 ? Kind::int64_list : Kind::bytes_list;
}
const char* kind_name(Kind k) {
  return k == Kind::float_list ? "float" : k == Kind::int64_list ? "int64" : k == Kind::bytes_list ? "string" : "none";
}

std::string dims_text(const std::vector<int64_t>& shape, bool unknown_first = false) {
  std::string s = unknown_first ? "[?" : "[";
  for (size_t i = 0; i < shape.size(); ++i) s += (i || unknown_first ? "," : "") + std::to_string(shape[i]);
  return s + "]";
}

// One spec, checked.
struct Spec {
  std::string key;
  size_t variant = 0;  // FeatureSpec's index: fixed, sequence, var-len, ragged
  std::vector<int64_t> shape;
  DType dtype = DType::float32;
  Tensor default_value;
  int64_t row = 1;  // elements of one value (fixed) or one row (sequence)
};

Spec check_spec(const std::string& who, const std::string& key, const FeatureSpec& fs) {
  Spec s{.key = key, .variant = fs.index()};
  auto need_dtype = [&](DType d) {
    if (d != DType::float32 && d != DType::int64 && d != DType::string)
      invalid(who + ": feature '" + key + "': expected dtype float32, int64 or string, but received " +
              core::dtype_name(d));
    s.dtype = d;
  };
  auto need_shape = [&](const std::vector<int64_t>& shape) {
    for (int64_t d : shape)
      if (d < 0)
        invalid(who + ": feature '" + key + "': expected a fully defined shape, but received " + dims_text(shape));
    s.shape = shape;
    s.row = std::accumulate(shape.begin(), shape.end(), int64_t{1}, std::multiplies<>());
  };
  auto need_default = [&](const Tensor& t, bool scalar) {
    if (!t.defined()) return;
    if (scalar ? t.rank() != 0 : t.size() != s.row)
      invalid(who + ": feature '" + key + "': expected a default_value of " +
              (scalar ? std::string("one element (a scalar)")
                      : std::to_string(s.row) + " elements (shape " + dims_text(s.shape) + ")") +
              ", but received shape " + t.shape().str());
    if ((t.dtype() == DType::string) != (s.dtype == DType::string))
      invalid(who + ": feature '" + key + "': expected a default_value of dtype " + core::dtype_name(s.dtype) +
              ", but received " + core::dtype_name(t.dtype()));
    s.default_value = s.dtype == DType::string ? t : core::ops::cast(t, s.dtype);
  };
  if (auto* f = std::get_if<FixedLenFeature>(&fs)) {
    need_dtype(f->dtype);
    need_shape(f->shape);
    need_default(f->default_value, false);
  } else if (auto* q = std::get_if<FixedLenSequenceFeature>(&fs)) {
    if (!q->allow_missing)
      invalid(who + ": feature '" + key + "': Unsupported: FixedLenSequenceFeature requires allow_missing to be True.");
    need_dtype(q->dtype);
    need_shape(q->shape);
    need_default(q->default_value, true);
  } else if (auto* v = std::get_if<VarLenFeature>(&fs)) {
    need_dtype(v->dtype);
  } else {
    need_dtype(std::get<RaggedFeature>(fs).dtype);
  }
  return s;
}

template <class T>
const std::vector<T>& values_of(const ExampleFeature& f) {
  if constexpr (std::is_same_v<T, float>)
    return f.floats;
  else if constexpr (std::is_same_v<T, int64_t>)
    return f.int64s;
  else
    return f.bytes;
}

template <class T>
Tensor make(std::vector<T> v, std::vector<int64_t> shape) {
  return core::constant(v, core::Shape(std::move(shape)));
}

// The outputs of one spec over the examples' features (feats[i]: example i's, kind none
// when absent). `batched`: parse_example's layout, else parse_single_example's.
template <class T>
Tensor build(const std::string& who, const Spec& s, const std::vector<ExampleFeature>& feats, bool batched) {
  const int64_t n = int64_t(feats.size());
  auto prefix = [&](int64_t i) {
    return who + ": " + (batched ? "Name: <unknown>, " : "") + "Key: " + s.key + ", Index: " + std::to_string(i) +
           ".  ";
  };
  for (int64_t i = 0; i < n; ++i)
    if (feats[size_t(i)].kind != Kind::none && feats[size_t(i)].kind != list_of(s.dtype))
      invalid(prefix(i) + "Data types don't match. Data type: " + kind_name(feats[size_t(i)].kind) +
              " but expected type: " + tf_name(s.dtype));
  std::vector<T> out;
  if (s.variant == 0) {  // FixedLenFeature
    std::vector<T> fallback;
    if (s.default_value.defined()) fallback = s.default_value.to_vector<T>();
    for (int64_t i = 0; i < n; ++i) {
      const ExampleFeature& f = feats[size_t(i)];
      if (f.kind == Kind::none) {
        if (!s.default_value.defined())
          invalid(who + ": " + (batched ? "Name: <unknown>, " : "") + "Feature: " + s.key +
                  " (data type: " + tf_name(s.dtype) + ") is required but could not be found.");
        out.insert(out.end(), fallback.begin(), fallback.end());
        continue;
      }
      const auto& v = values_of<T>(f);
      if (int64_t(v.size()) != s.row)
        invalid(prefix(i) + "Number of " + tf_name(s.dtype) + " values != expected.  Values size: " +
                std::to_string(v.size()) + " but output shape: " + dims_text(s.shape));
      out.insert(out.end(), v.begin(), v.end());
    }
    std::vector<int64_t> shape = s.shape;
    if (batched) shape.insert(shape.begin(), n);
    return make(std::move(out), std::move(shape));
  }
  if (s.variant == 1) {  // FixedLenSequenceFeature
    int64_t longest = 0;
    for (int64_t i = 0; i < n; ++i) {
      const auto& v = values_of<T>(feats[size_t(i)]);
      if (s.row == 0 ? !v.empty() : int64_t(v.size()) % s.row != 0)
        invalid(prefix(i) + "Number of " + tf_name(s.dtype) + " values is not a multiple of stride length. Saw " +
                std::to_string(v.size()) + " values but output shape is: " + dims_text(s.shape, true));
      if (s.row > 0) longest = std::max(longest, int64_t(v.size()) / s.row);
    }
    const T pad = s.default_value.defined() ? s.default_value.to_vector<T>()[0] : T{};
    for (int64_t i = 0; i < n; ++i) {
      const auto& v = values_of<T>(feats[size_t(i)]);
      out.insert(out.end(), v.begin(), v.end());
      if (batched) out.resize(size_t((i + 1) * longest * s.row), pad);
    }
    std::vector<int64_t> shape = s.shape;
    shape.insert(shape.begin(), batched ? longest : (s.row > 0 ? int64_t(out.size()) / s.row : 0));
    if (batched) shape.insert(shape.begin(), n);
    return make(std::move(out), std::move(shape));
  }
  std::vector<int64_t> splits{0};
  for (const ExampleFeature& f : feats) {
    const auto& v = values_of<T>(f);
    out.insert(out.end(), v.begin(), v.end());
    splits.push_back(int64_t(out.size()));
  }
  const int64_t total = int64_t(out.size());
  Tensor values = make(std::move(out), {total});
  if (s.variant == 3) {  // RaggedFeature
    if (!batched) return values;
    return core::RaggedTensor::from_row_splits(values, make(std::move(splits), {n + 1})).as_tensor();
  }
  std::vector<int64_t> indices;  // VarLenFeature
  int64_t longest = 0;
  indices.reserve(size_t(total * (batched ? 2 : 1)));
  for (int64_t i = 0; i < n; ++i) {
    longest = std::max(longest, splits[size_t(i) + 1] - splits[size_t(i)]);
    for (int64_t j = 0; j < splits[size_t(i) + 1] - splits[size_t(i)]; ++j) {
      if (batched) indices.push_back(i);
      indices.push_back(j);
    }
  }
  const int64_t rank = batched ? 2 : 1;
  std::vector<int64_t> dense = batched ? std::vector<int64_t>{n, longest} : std::vector<int64_t>{total};
  return core::SparseTensor(make(std::move(indices), {total, rank}), values, dense).as_tensor();
}

std::map<std::string, Tensor> parse(const char* fn, const Tensor& serialized, const Features& features, bool batched) {
  const std::string who = fn;
  if (!serialized.defined() || serialized.dtype() != DType::string || serialized.rank() != (batched ? 1 : 0))
    invalid(who + ": expected `serialized` to be a " + (batched ? "1-d" : "scalar") + " string tensor, but received " +
            (serialized.defined() ? std::string(core::dtype_name(serialized.dtype())) + " " + serialized.shape().str()
                                  : "an undefined tensor"));
  core::tracing::check_not_tracing(fn);
  std::vector<Spec> specs;  // in key order, as `features` holds them
  for (const auto& [key, fs] : features) specs.push_back(check_spec(who, key, fs));
  const std::vector<std::string> records = serialized.to_vector<std::string>();
  // feats[s][i]: spec s's feature in example i.
  std::vector<std::vector<ExampleFeature>> feats(specs.size(), std::vector<ExampleFeature>(records.size()));
  for (size_t i = 0; i < records.size(); ++i) {
    const std::string reader = "example " + std::to_string(i);
    std::vector<std::string_view> found(specs.size());
    std::vector<bool> present(specs.size(), false);
    detail::guarded(who, [&] {
      detail::for_each_entry(records[i], reader, [&](std::string_view key, std::string_view value) {
        auto it = std::lower_bound(specs.begin(), specs.end(), key,
                                   [](const Spec& s, std::string_view k) { return s.key < k; });
        if (it == specs.end() || it->key != key) return;
        found[size_t(it - specs.begin())] = value;  // a name given twice keeps its last value
        present[size_t(it - specs.begin())] = true;
      });
      for (size_t s = 0; s < specs.size(); ++s)
        if (present[s]) detail::read_feature(found[s], feats[s][i], reader);
    });
  }
  std::map<std::string, Tensor> out;
  for (size_t s = 0; s < specs.size(); ++s) {
    const Spec& sp = specs[s];
    out[sp.key] = sp.dtype == DType::float32 ? build<float>(who, sp, feats[s], batched)
                  : sp.dtype == DType::int64 ? build<int64_t>(who, sp, feats[s], batched)
                                             : build<std::string>(who, sp, feats[s], batched);
  }
  return out;
}
}  // namespace

std::map<std::string, Tensor> parse_single_example(const Tensor& serialized, const Features& features) {
  return parse("parse_single_example", serialized, features, false);
}

std::map<std::string, Tensor> parse_example(const Tensor& serialized, const Features& features) {
  return parse("parse_example", serialized, features, true);
}

}  // namespace keras::core::io
