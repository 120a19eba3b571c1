// tensor_array.cpp - TensorArray: the list form (eager, TensorFlow's eager semantics) and
// the flow form (one dense tensor, for traced loops).
#include "core/tensor_array.h"

#include <stdexcept>
#include <string>

#include "core/control_flow.h"
#include "core/element_check.h"
#include "core/ops.h"
#include "core/partial_shape.h"

namespace keras::core {

struct TensorArray::State {
  DType dtype = DType::float32;
  bool dynamic_size = false, clear_after_read = true, infer_shape = true;
  std::optional<std::vector<int64_t>> element_shape;
  std::vector<Tensor> items;   // list form: undefined = never written
  std::vector<bool> cleared;   // list form: read once with clear_after_read
  Tensor flow;                 // flow form when defined
};

namespace {

bool compatible(const std::vector<int64_t>& want, const std::vector<int64_t>& got) {
  if (want.size() != got.size()) return false;
  for (size_t i = 0; i < want.size(); ++i) {
    if (want[i] >= 0 && want[i] != got[i]) return false;
  }
  return true;
}

bool fully_defined(const std::optional<std::vector<int64_t>>& s) {
  if (!s) return false;
  for (int64_t d : *s) {
    if (d < 0) return false;
  }
  return true;
}

}  // namespace

TensorArray::TensorArray(DType dtype, const TensorArrayOptions& o) : state_(std::make_shared<State>()) {
  if (o.size < 0) throw std::invalid_argument("TensorArray: expected size >= 0, but received " + std::to_string(o.size));
  state_->dtype = dtype;
  state_->dynamic_size = o.dynamic_size;
  state_->clear_after_read = o.clear_after_read;
  state_->infer_shape = o.infer_shape;
  state_->element_shape = o.element_shape;
  state_->items.resize(static_cast<size_t>(o.size));
  state_->cleared.resize(static_cast<size_t>(o.size));
}

TensorArray::State& TensorArray::state(const char* op) const {
  if (!state_) throw std::invalid_argument(std::string("TensorArray.") + op + ": the TensorArray is undefined");
  return *state_;
}

namespace {
void check_value(const TensorArray::State& s, const Tensor& value, const char* op) {
  if (!value.defined()) throw std::invalid_argument(std::string("TensorArray.") + op + ": expected a tensor, but received an undefined one");
  if (value.dtype() != s.dtype) {
    throw std::invalid_argument(std::string("TensorArray.") + op + ": TensorArray dtype is " + dtype_name(s.dtype) +
                                " but Op is trying to write dtype " + dtype_name(value.dtype()));
  }
}
}  // namespace

int64_t TensorArray::size() const {
  State& s = state("size");
  return s.flow.defined() ? s.flow.shape()[0] : static_cast<int64_t>(s.items.size());
}
DType TensorArray::dtype() const { return state("dtype").dtype; }
bool TensorArray::dynamic_size() const { return state("dynamic_size").dynamic_size; }
std::optional<std::vector<int64_t>> TensorArray::element_shape() const { return state("element_shape").element_shape; }

// ---- the list form --------------------------------------------------------------------
TensorArray TensorArray::write(int64_t index, const Tensor& value) const {
  State& s = state("write");
  if (s.flow.defined()) return write(constant(index), value);
  check_value(s, value, "write");
  if (index < 0) throw OutOfRangeError("Writing to negative indices (index " + std::to_string(index) + ") is not allowed.");
  const int64_t n = static_cast<int64_t>(s.items.size());
  if (index >= n && !s.dynamic_size) {
    throw OutOfRangeError("Tried to write to index " + std::to_string(index) + " but array is not resizeable and size is: " +
                          std::to_string(n));
  }
  const std::vector<int64_t>& got = value.shape().dims();
  if (s.element_shape && !compatible(*s.element_shape, got)) {
    throw std::invalid_argument("TensorArray.write: Incompatible shape for value (" + partial_shape_str(got) + "), expected (" +
                                partial_shape_str(*s.element_shape) + ")");
  }
  if (s.infer_shape) s.element_shape = got;
  if (index >= n) {
    s.items.resize(static_cast<size_t>(index) + 1);
    s.cleared.resize(static_cast<size_t>(index) + 1);
  }
  s.items[static_cast<size_t>(index)] = value;
  s.cleared[static_cast<size_t>(index)] = false;
  return *this;
}

Tensor TensorArray::read(int64_t index) const {
  State& s = state("read");
  if (s.flow.defined()) return read(constant(index));
  const int64_t n = static_cast<int64_t>(s.items.size());
  if (index < 0 || index >= n) {
    throw OutOfRangeError("Tried to read from index " + std::to_string(index) + " but array size is: " + std::to_string(n));
  }
  const size_t i = static_cast<size_t>(index);
  if (s.cleared[i]) {
    throw std::invalid_argument("TensorArray.read: Could not read index " + std::to_string(index) +
                                " twice because it was cleared after a previous read (perhaps try setting "
                                "clear_after_read = false?)");
  }
  Tensor out = s.items[i];
  if (!out.defined()) {
    if (!fully_defined(s.element_shape)) {
      throw std::invalid_argument("TensorArray.read: index " + std::to_string(index) +
                                  " was never written and the element shape is not known");
    }
    out = ops::zeros(Shape(*s.element_shape), s.dtype);
  }
  if (s.clear_after_read) {
    s.cleared[i] = true;
    s.items[i] = Tensor();
  }
  return out;
}

namespace {
// The elements (zeros for the unwritten ones), read without clearing.
std::vector<Tensor> elements(const TensorArray::State& s, const char* op) {
  std::vector<Tensor> out;
  for (size_t i = 0; i < s.items.size(); ++i) {
    if (s.items[i].defined()) {
      out.push_back(s.items[i]);
    } else if (fully_defined(s.element_shape)) {
      out.push_back(ops::zeros(Shape(*s.element_shape), s.dtype));
    } else {
      throw std::invalid_argument(std::string("TensorArray.") + op + ": element " + std::to_string(i) +
                                  " was never written and the element shape is not known");
    }
  }
  return out;
}
}  // namespace

Tensor TensorArray::stack() const {
  State& s = state("stack");
  if (s.flow.defined()) return s.flow;
  std::vector<Tensor> items = elements(s, "stack");
  if (items.empty()) {
    std::vector<int64_t> shape{0};
    if (fully_defined(s.element_shape)) shape.insert(shape.end(), s.element_shape->begin(), s.element_shape->end());
    return ops::zeros(Shape(shape), s.dtype);
  }
  for (size_t i = 1; i < items.size(); ++i) {
    if (items[i].shape() != items[0].shape()) {
      throw std::invalid_argument("TensorArray.stack: Shapes of all inputs must match: values[0].shape = " +
                                  items[0].shape().str() + " != values[" + std::to_string(i) +
                                  "].shape = " + items[i].shape().str());
    }
  }
  return ops::stack(items, 0);
}

Tensor TensorArray::gather(const std::vector<int64_t>& indices) const {
  State& s = state("gather");
  const int64_t n = size();
  for (int64_t i : indices) {
    if (i < 0 || i >= n) throw OutOfRangeError("Tried to read from index " + std::to_string(i) + " but array size is: " + std::to_string(n));
  }
  if (s.flow.defined()) return ops::gather(s.flow, constant(indices));
  std::vector<Tensor> items = elements(s, "gather");
  std::vector<Tensor> picked;
  for (int64_t i : indices) picked.push_back(items[static_cast<size_t>(i)]);
  if (picked.empty()) {
    std::vector<int64_t> shape{0};
    if (fully_defined(s.element_shape)) shape.insert(shape.end(), s.element_shape->begin(), s.element_shape->end());
    return ops::zeros(Shape(shape), s.dtype);
  }
  return ops::stack(picked, 0);
}

Tensor TensorArray::concat() const {
  State& s = state("concat");
  if (s.flow.defined()) {
    std::vector<int64_t> shape = s.flow.shape().dims();
    if (shape.size() < 2) throw std::invalid_argument("TensorArray.concat: expected elements of rank >= 1, but they are scalars");
    shape[1] *= shape[0];
    shape.erase(shape.begin());
    return ops::reshape(s.flow, shape);
  }
  std::vector<Tensor> items = elements(s, "concat");
  for (const Tensor& t : items) {
    if (t.rank() < 1) throw std::invalid_argument("TensorArray.concat: expected elements of rank >= 1, but received a scalar");
  }
  if (items.empty()) {
    if (!fully_defined(s.element_shape) || s.element_shape->empty()) {
      throw std::invalid_argument("TensorArray.concat: the array is empty and its element shape is not known");
    }
    std::vector<int64_t> shape = *s.element_shape;
    shape[0] = 0;
    return ops::zeros(Shape(shape), s.dtype);
  }
  return ops::concat(items, 0);
}

TensorArray TensorArray::unstack(const Tensor& value) const {
  State& s = state("unstack");
  check_value(s, value, "unstack");
  if (value.rank() < 1) throw std::invalid_argument("TensorArray.unstack: expected a value of rank >= 1, but received a scalar");
  const int64_t rows = value.shape()[0];
  if (!s.dynamic_size && rows > size()) {
    throw std::invalid_argument("TensorArray.unstack: Cannot unstack " + std::to_string(rows) +
                                " tensors into a TensorArray of static size " + std::to_string(size()));
  }
  std::vector<int64_t> indices;
  for (int64_t i = 0; i < rows; ++i) indices.push_back(i);
  return scatter(indices, value);
}

TensorArray TensorArray::scatter(const std::vector<int64_t>& indices, const Tensor& value) const {
  State& s = state("scatter");
  check_value(s, value, "scatter");
  if (value.rank() < 1 || value.shape()[0] != static_cast<int64_t>(indices.size())) {
    throw std::invalid_argument("TensorArray.scatter: expected a value with one row per index (" +
                                std::to_string(indices.size()) + "), but received shape " + value.shape().str());
  }
  std::vector<Tensor> rows = indices.empty() ? std::vector<Tensor>{} : ops::unstack(value, 0);
  for (size_t i = 0; i < indices.size(); ++i) write(indices[i], rows[i]);
  return *this;
}

TensorArray TensorArray::split(const Tensor& value, const std::vector<int64_t>& lengths) const {
  State& s = state("split");
  check_value(s, value, "split");
  if (s.flow.defined()) throw std::invalid_argument("TensorArray.split: not supported in the flow form (use unstack or write)");
  int64_t total = 0;
  for (int64_t l : lengths) {
    if (l < 0) throw std::invalid_argument("TensorArray.split: expected lengths >= 0, but received " + std::to_string(l));
    total += l;
  }
  if (value.rank() < 1 || value.shape()[0] != total) {
    throw std::invalid_argument("TensorArray.split: Expected sum of lengths to be equal to values.shape[0], but sum of "
                                "lengths is " + std::to_string(total) + " and value's shape is: " + value.shape().str());
  }
  const int64_t n = static_cast<int64_t>(lengths.size());
  if (!s.dynamic_size && n > size()) {
    throw std::invalid_argument("TensorArray.split: Cannot split into " + std::to_string(n) +
                                " tensors in a TensorArray of static size " + std::to_string(size()));
  }
  std::vector<Tensor> parts = n ? ops::split_sizes(value, lengths, 0) : std::vector<Tensor>{};
  // Elements of different first sizes: the inferred shape keeps only the inner axes.
  if (s.infer_shape && n > 1) {
    std::vector<int64_t> shape = parts[0].shape().dims();
    for (const Tensor& p : parts) {
      if (p.shape()[0] != shape[0]) shape[0] = -1;
    }
    if (s.element_shape && !compatible(*s.element_shape, shape) && !compatible(shape, *s.element_shape)) {
      throw std::invalid_argument("TensorArray.split: Incompatible shape for value (" + partial_shape_str(shape) +
                                  "), expected (" + partial_shape_str(*s.element_shape) + ")");
    }
    s.element_shape = shape;
  }
  for (int64_t i = 0; i < n; ++i) {
    const size_t k = static_cast<size_t>(i);
    if (k >= s.items.size()) {
      s.items.resize(k + 1);
      s.cleared.resize(k + 1);
    }
    s.items[k] = parts[k];
    s.cleared[k] = false;
  }
  return *this;
}

// ---- the flow form -------------------------------------------------------------------
Tensor TensorArray::flow() const {
  State& s = state("flow");
  return s.flow.defined() ? s.flow : stack();
}

TensorArray TensorArray::from_flow(const Tensor& flow, const TensorArrayOptions& options) {
  if (!flow.defined() || flow.rank() < 1) {
    throw std::invalid_argument("TensorArray.from_flow: expected a flow tensor of rank >= 1 (size, *element_shape), but received " +
                                (flow.defined() ? "shape " + flow.shape().str() : std::string("an undefined tensor")));
  }
  TensorArray ta(flow.dtype(), {.size = 0, .dynamic_size = false, .clear_after_read = options.clear_after_read,
                                .element_shape = std::nullopt, .infer_shape = true});
  std::vector<int64_t> elem(flow.shape().dims().begin() + 1, flow.shape().dims().end());
  if (options.element_shape && !compatible(*options.element_shape, elem)) {
    throw std::invalid_argument("TensorArray.from_flow: Incompatible shape for value (" + partial_shape_str(elem) +
                                "), expected (" + partial_shape_str(*options.element_shape) + ")");
  }
  ta.state_->element_shape = elem;
  ta.state_->flow = flow;
  return ta;
}

namespace {
// Checks a scalar integer index against [0, n): at once when eager, at run time traced.
void check_index(const Tensor& index, int64_t n, const char* op) {
  if (!index.defined() || index.rank() != 0 || (index.dtype() != DType::int32 && index.dtype() != DType::int64)) {
    throw std::invalid_argument(std::string("TensorArray.") + op + ": expected an int32 or int64 scalar index, but received " +
                                (index.defined() ? std::string(dtype_name(index.dtype())) + " " + index.shape().str()
                                                 : std::string("an undefined tensor")));
  }
  std::string verb = std::string(op) == "write" ? "write to" : "read from";
  ops::check_range(
      index, ops::ElementRange{.lo = 0, .hi = static_cast<double>(n), .whole = false, .ignore = std::nullopt},
      [n, verb](double v, int64_t, const Shape&) {
        return "Tried to " + verb + " index " + std::to_string(static_cast<int64_t>(v)) + " but array size is: " +
               std::to_string(n);
      },
      std::string("tensor_array_") + op + "_" + std::to_string(n));
}
}  // namespace

TensorArray TensorArray::write(const Tensor& index, const Tensor& value) const {
  State& s = state("write");
  if (!s.flow.defined()) return write(index.item<int64_t>(), value);
  check_value(s, value, "write");
  const std::vector<int64_t>& elem = *s.element_shape;
  if (value.shape().dims() != elem) {
    throw std::invalid_argument("TensorArray.write: Incompatible shape for value (" + partial_shape_str(value.shape().dims()) +
                                "), expected (" + partial_shape_str(elem) + ")");
  }
  const int64_t n = s.flow.shape()[0];
  check_index(index, n, "write");
  std::vector<int64_t> mask_shape{n};
  for (size_t i = 0; i < elem.size(); ++i) mask_shape.push_back(1);
  Tensor rows = ops::range(0, n, 1);
  if (index.dtype() == DType::int64) rows = ops::cast(rows, DType::int64);
  Tensor mask = ops::reshape(ops::equal(rows, index), mask_shape);
  s.flow = ops::where(mask, ops::expand_dims(value, 0), s.flow);
  return *this;
}

Tensor TensorArray::read(const Tensor& index) const {
  State& s = state("read");
  if (!s.flow.defined()) return read(index.item<int64_t>());
  check_index(index, s.flow.shape()[0], "read");
  return ops::gather(s.flow, index, 0);
}

}  // namespace keras::core
