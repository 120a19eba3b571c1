// rearrange.cpp - keras.ops.rearrange (einops): "b (h h1) w -> b h (w h1)" parsed into
// axis groups, lowered onto reshape (split the input groups), transpose and reshape
// (merge the output groups). Supports what keras.ops.rearrange does: named axes and
// parenthesized groups on either side, sizes of split axes from axes_lengths (one axis
// of a group may be left to infer).
#include <algorithm>
#include <cctype>
#include <map>
#include <string>

#include "core/dispatch.h"
#include "core/ops.h"
#include "core/ops/shape_util.h"

namespace keras::core::ops {
using namespace shape_util;

namespace {

using Groups = std::vector<std::vector<std::string>>;

[[noreturn]] void fail(const std::string& pattern, const std::string& why) {
  throw_invalid("rearrange: " + why + " (pattern \"" + pattern + "\")");
}

Groups parse_side(const std::string& side, const std::string& pattern) {
  Groups g;
  bool open = false;
  for (size_t i = 0; i < side.size();) {
    const char c = side[i];
    if (std::isspace(static_cast<unsigned char>(c))) {
      ++i;
    } else if (c == '(') {
      if (open) fail(pattern, "nested parentheses");
      open = true;
      g.emplace_back();
      ++i;
    } else if (c == ')') {
      if (!open) fail(pattern, "unbalanced parentheses");
      open = false;
      ++i;
    } else if (std::isalnum(static_cast<unsigned char>(c)) || c == '_') {
      size_t j = i;
      while (j < side.size() && (std::isalnum(static_cast<unsigned char>(side[j])) || side[j] == '_')) ++j;
      if (!open) g.emplace_back();
      g.back().push_back(side.substr(i, j - i));
      i = j;
    } else {
      fail(pattern, std::string("unexpected character '") + c + "'");
    }
  }
  if (open) fail(pattern, "unbalanced parentheses");
  return g;
}

std::vector<std::string> flat(const Groups& g) {
  std::vector<std::string> f;
  for (auto& grp : g) f.insert(f.end(), grp.begin(), grp.end());
  return f;
}

}  // namespace

Tensor rearrange(const Tensor& tensor, const std::string& pattern,
                 const std::vector<std::pair<std::string, int64_t>>& axes_lengths) {
  check_defined(tensor, "rearrange");
  const size_t arrow = pattern.find("->");
  if (arrow == std::string::npos || pattern.find("->", arrow + 2) != std::string::npos)
    fail(pattern, "expected one \"->\"");
  const Groups in = parse_side(pattern.substr(0, arrow), pattern), out = parse_side(pattern.substr(arrow + 2), pattern);
  if (static_cast<int64_t>(in.size()) != tensor.rank())
    fail(pattern, "the input side names " + num(int64_t(in.size())) + " axes, but the tensor has shape " +
                      tensor.shape().str());
  std::map<std::string, int64_t> size(axes_lengths.begin(), axes_lengths.end());
  for (auto& [name, n] : axes_lengths)
    if (n <= 0) fail(pattern, "axis length " + name + "=" + num(n) + " must be positive");
  const std::vector<std::string> fin = flat(in), fout = flat(out);
  for (size_t i = 0; i < fin.size(); ++i)
    if (std::count(fin.begin(), fin.end(), fin[i]) > 1) fail(pattern, "axis " + fin[i] + " appears twice on the input side");
  for (size_t i = 0; i < in.size(); ++i) {  // sizes of the input axes
    const int64_t d = tensor.shape()[int64_t(i)];
    int64_t known = 1, unknown = -1;
    for (size_t j = 0; j < in[i].size(); ++j) {
      auto it = size.find(in[i][j]);
      if (in[i].size() == 1) {
        if (it != size.end() && it->second != d)
          fail(pattern, "axis " + in[i][j] + " has length " + num(d) + ", not " + num(it->second));
        size[in[i][j]] = d;
      } else if (it != size.end()) {
        known *= it->second;
      } else if (unknown >= 0) {
        fail(pattern, "the group of input axis " + num(int64_t(i)) + " has more than one axis of unknown length");
      } else {
        unknown = int64_t(j);
      }
    }
    if (in[i].size() == 1) continue;
    if (unknown >= 0) {
      if (d % known != 0)
        fail(pattern, "input axis " + num(int64_t(i)) + " of length " + num(d) + " does not divide by " + num(known));
      size[in[i][size_t(unknown)]] = d / known;
    } else if (known != d) {
      fail(pattern, "the group of input axis " + num(int64_t(i)) + " has length " + num(known) + ", but the axis has " +
                        num(d));
    }
  }
  std::vector<int64_t> split_dims, perm, out_dims;
  for (auto& n : fin) split_dims.push_back(size[n]);
  for (auto& n : fout) {
    auto it = std::find(fin.begin(), fin.end(), n);
    if (it == fin.end()) fail(pattern, "output axis " + n + " is not on the input side");
    if (std::count(fout.begin(), fout.end(), n) > 1) fail(pattern, "axis " + n + " appears twice on the output side");
    perm.push_back(it - fin.begin());
  }
  if (fout.size() != fin.size()) fail(pattern, "every input axis must appear on the output side");
  for (auto& grp : out) {
    int64_t d = 1;
    for (auto& n : grp) d *= size[n];
    out_dims.push_back(d);
  }
  return reshape(transpose(reshape(tensor, split_dims), perm), out_dims);
}

}  // namespace keras::core::ops
