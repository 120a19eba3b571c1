// strings_split.cpp - keras::strings: split, bytes_split, join, reduce_join (core/string_ops.h).
#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "core/ops.h"
#include "core/strings_util.h"

namespace keras::core::strings {
using namespace detail;

namespace {
bool is_space(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

// The parts of s split at sep (TensorFlow's StringSplitV2): empty parts kept; at most
// maxsplit splits (< 0: no limit).
void split_at(std::string_view s, std::string_view sep, int64_t maxsplit, std::vector<std::string>& out) {
  size_t start = 0;
  int64_t splits = 0;
  while (maxsplit < 0 || splits < maxsplit) {
    const size_t at = s.find(sep, start);
    if (at == std::string_view::npos) break;
    out.emplace_back(s.substr(start, at - start));
    start = at + sep.size();
    ++splits;
  }
  out.emplace_back(s.substr(start));
}

// The parts of s between runs of whitespace (none for an all-whitespace s). After
// maxsplit splits, what follows the last part's trailing whitespace is one more part
// (empty at the end of s), as TensorFlow's StringSplitV2.
void split_whitespace(std::string_view s, int64_t maxsplit, std::vector<std::string>& out) {
  size_t i = 0;
  int64_t splits = 0;
  while (i < s.size() && is_space(s[i])) ++i;
  while (i < s.size()) {
    size_t j = i;
    while (j < s.size() && !is_space(s[j])) ++j;
    out.emplace_back(s.substr(i, j - i));
    while (j < s.size() && is_space(s[j])) ++j;
    i = j;
    if (maxsplit > 0 && ++splits == maxsplit) {
      out.emplace_back(s.substr(i));
      return;
    }
  }
}

template <class F>
RaggedTensor ragged_strings(const Tensor& input, const char* op, F&& parts_of) {
  const std::string* in = string_input(input, op);
  const int64_t rows = ragged_rows(input, op);
  std::vector<std::string> values;
  std::vector<int64_t> splits{0};
  for (int64_t i = 0; i < rows; ++i) {
    parts_of(in[i], values);
    splits.push_back(static_cast<int64_t>(values.size()));
  }
  return RaggedTensor::from_row_splits(constant(values), int64_vector(splits));
}
}  // namespace

RaggedTensor split(const Tensor& input, const std::string& sep, int64_t maxsplit) {
  return ragged_strings(input, "split", [&](const std::string& s, std::vector<std::string>& out) {
    if (maxsplit == 0) out.push_back(s);  // no split: the whole element
    else if (sep.empty()) split_whitespace(s, maxsplit, out);
    else split_at(s, sep, maxsplit, out);
  });
}

RaggedTensor bytes_split(const Tensor& input) {
  return ragged_strings(input, "bytes_split", [](const std::string& s, std::vector<std::string>& out) {
    for (char c : s) out.emplace_back(1, c);
  });
}

static Tensor join_eager(const std::vector<Tensor>& inputs, const std::string& separator);
Tensor join(const std::vector<Tensor>& inputs, const std::string& separator) {
  return traced_host_op(inputs, [separator](const std::vector<Tensor>& in) { return join_eager(in, separator); });
}
static Tensor join_eager(const std::vector<Tensor>& inputs, const std::string& separator) {
  Shape shape{};
  bool shaped = false;
  std::vector<const std::string*> data;
  for (size_t k = 0; k < inputs.size(); ++k) {
    const std::string arg = "input " + std::to_string(k);
    data.push_back(string_input(inputs[k], "join", arg.c_str()));
    if (inputs[k].rank() == 0) continue;
    if (shaped && inputs[k].shape() != shape)
      throw_invalid("join: input shapes do not match: " + shape.str() + " vs. " + inputs[k].shape().str() +
                    " (the inputs must have one shape, or be scalars)");
    shape = inputs[k].shape();
    shaped = true;
  }
  return generate<std::string>(shape, DType::string, [&](int64_t i) {
    std::string r;
    for (size_t k = 0; k < inputs.size(); ++k) {
      if (k) r += separator;
      r += data[k][inputs[k].rank() == 0 ? 0 : i];
    }
    return r;
  });
}

static Tensor reduce_join_eager(const Tensor& input, const std::vector<int64_t>& axis, bool keepdims, const std::string& separator);
Tensor reduce_join(const Tensor& input, const std::vector<int64_t>& axis, bool keepdims, const std::string& separator) {
  return traced_host_op({input}, [axis, keepdims, separator](const std::vector<Tensor>& in) {
    return reduce_join_eager(in[0], axis, keepdims, separator);
  });
}
static Tensor reduce_join_eager(const Tensor& input, const std::vector<int64_t>& axis, bool keepdims,
                   const std::string& separator) {
  string_input(input, "reduce_join");
  const int64_t rank = input.rank();
  std::vector<char> reduced(static_cast<size_t>(rank), axis.empty() ? 1 : 0);
  std::vector<int64_t> order;  // the reduced axes, the one that varies slowest first
  for (int64_t a : axis) {
    if (a < -rank || a >= rank)
      throw_invalid("reduce_join: invalid reduction dimension " + std::to_string(a) + " for input with " +
                    std::to_string(rank) + " dimension(s)");
    char& r = reduced[static_cast<size_t>(a < 0 ? a + rank : a)];
    if (r) throw_invalid("reduce_join: axis " + std::to_string(a) + " appears more than once");
    r = 1;
    order.insert(order.begin(), a < 0 ? a + rank : a);  // TensorFlow: the first listed varies fastest
  }
  if (axis.empty())  // every axis, in row-major order
    for (int64_t k = 0; k < rank; ++k) order.push_back(k);
  // Move the kept axes first, the reduced ones last: each output element then joins one
  // contiguous run of elements.
  std::vector<int64_t> perm, out_dims;
  int64_t run = 1;
  for (int64_t k = 0; k < rank; ++k)
    if (!reduced[static_cast<size_t>(k)]) perm.push_back(k);
  for (int64_t k : order) perm.push_back(k), run *= input.shape()[k];
  for (int64_t k = 0; k < rank; ++k)
    if (!reduced[static_cast<size_t>(k)]) out_dims.push_back(input.shape()[k]);
    else if (keepdims) out_dims.push_back(1);
  const Tensor t = rank ? ops::transpose(input, perm) : input;
  const std::string* in = t.data<std::string>();
  return generate<std::string>(Shape(out_dims), DType::string, [&](int64_t i) {
    std::string r;
    for (int64_t j = 0; j < run; ++j) {
      if (j) r += separator;
      r += in[i * run + j];
    }
    return r;
  });
}

}  // namespace keras::core::strings
