// ragged_traced.cpp - RaggedTensor ops inside traced functions: a ragged value there is
// its parts (flat values and row_splits) as graph values, and an op that reads the row
// partitions on the host becomes one Composite node that runs the eager op on the parts
// when the graph runs (core/composite.h).
#include <algorithm>
#include <stdexcept>

#include "core/composite.h"
#include "core/dispatch.h"
#include "core/ops.h"
#include "core/ragged_function.h"
#include "core/ragged_impl.h"

namespace keras::core {
namespace ragged_detail {
namespace {

thread_local bool t_spread = false;  // stand-ins spread their values over the rows

std::vector<int64_t> ints_of(const Tensor& t) {
  if (t.dtype() == DType::int64) return t.to_vector<int64_t>();
  auto v = ops::cast(t, DType::int64).to_vector<int64_t>();
  return v;
}

bool valid_splits(const std::vector<int64_t>& s, int64_t next_rows) {
  if (s.empty() || s[0] != 0 || s.back() != next_rows) return false;
  for (size_t i = 1; i < s.size(); ++i)
    if (s[i] < s[i - 1]) return false;
  return true;
}

// At trace time the Composite node runs its op on stand-ins (zeros for traced parts),
// whose row_splits do not describe their flat values: they become valid ones of the same
// sizes (every value in the last row; no rows below an empty level). Never used on the
// values a graph run passes.
RaggedTensor repair(const Tensor& flat, const std::vector<Tensor>& splits) {
  std::vector<Tensor> out;
  int64_t forced = -1;  // the number of rows this level must have (-1: its own)
  for (size_t l = 0; l < splits.size(); ++l) {
    std::vector<int64_t> s = ints_of(splits[l]);
    if (forced >= 0 && int64_t(s.size()) != forced + 1) s.assign(size_t(forced + 1), 0);
    const int64_t next = l + 1 < splits.size() ? splits[l + 1].shape()[0] - 1 : flat.shape()[0];
    forced = -1;
    if (!valid_splits(s, next)) {
      if (s.size() >= 2) {
        const int64_t n = int64_t(s.size()) - 1;
        for (int64_t i = 0; i <= n; ++i) s[size_t(i)] = t_spread ? next * i / n : (i == n ? next : 0);
      } else {
        s = {0};
        forced = 0;
      }
    }
    out.push_back(int64_tensor(s));
  }
  Tensor f = flat;
  if (forced == 0 && flat.shape()[0] != 0) {
    std::vector<int64_t> d = flat.shape().dims();
    d[0] = 0;
    f = ops::zeros(Shape(d), flat.dtype());
  }
  return from_parts(f, std::move(out));
}

}  // namespace

bool traced(std::initializer_list<const RaggedTensor*> r, std::initializer_list<const Tensor*> d) {
  if (!tracing::t_tracer) return false;
  for (const RaggedTensor* rt : r) {
    if (!rt->defined()) continue;
    if (tracing::is_traced(rt->flat_values())) return true;
    for (const Tensor& s : rt->nested_row_splits())
      if (tracing::is_traced(s)) return true;
  }
  for (const Tensor* t : d)
    if (t->defined() && tracing::is_traced(*t)) return true;
  return false;
}

std::vector<Tensor> parts(const RaggedTensor& rt) {
  std::vector<Tensor> p{rt.flat_values()};
  for (const Tensor& s : rt.nested_row_splits()) p.push_back(s);
  return p;
}

RaggedTensor from_parts(const Tensor& flat_values, std::vector<Tensor> splits) {
  return RaggedAccess::make(flat_values, std::move(splits));
}

void check_not_traced(const RaggedTensor& rt, const char* op) {
  if (!tracing::t_tracer) return;
  for (const Tensor& s : rt.nested_row_splits())
    if (tracing::is_traced(s))
      throw std::invalid_argument(std::string(op) + ": inside a traced function (keras::function) the row "
                                  "partitions of a RaggedTensor are known only when the graph runs, and " + op +
                                  " reads them at trace time; it has no traced form: call it eagerly, or use "
                                  "to_tensor, row_lengths, a ragged reduction, gather or boolean_mask");
}

RaggedTensor traced_call(const std::string& name, const std::string& args, const std::vector<RaggedTensor>& r,
                         const std::vector<Tensor>& d, const TracedOp& op) {
  std::vector<Tensor> inputs;
  std::vector<int64_t> ranks;
  for (const RaggedTensor& rt : r) {
    check_defined(rt, name.c_str());
    ranks.push_back(rt.ragged_rank());
    for (const Tensor& p : parts(rt)) inputs.push_back(p);
  }
  for (const Tensor& t : d) inputs.push_back(t);
  const size_t n_dense = d.size();
  composite::EagerOp eager = [op, ranks, n_dense](const std::vector<Tensor>& in) {
    std::vector<RaggedTensor> rs;
    size_t k = 0;
    for (int64_t rr : ranks) {
      const Tensor flat = in[k++];
      std::vector<Tensor> splits(in.begin() + std::ptrdiff_t(k), in.begin() + std::ptrdiff_t(k + size_t(rr)));
      k += size_t(rr);
      rs.push_back(composite::probing() ? repair(flat, splits) : from_parts(flat, std::move(splits)));
    }
    std::vector<Tensor> ds(in.begin() + std::ptrdiff_t(k), in.begin() + std::ptrdiff_t(k + n_dense));
    return parts(op(rs, ds));
  };
  const std::vector<Tensor> out =
      composite::call(name, args + ";" + composite::key(ranks), inputs, std::move(eager));
  return from_parts(out.at(0), std::vector<Tensor>(out.begin() + 1, out.end()));
}

Tensor traced_partition(const RaggedTensor& rt, const char* name, Tensor (RaggedTensor::*partition)() const) {
  return traced_call(name, "", {rt}, {}, [partition](const auto& r, const auto&) {
           return RaggedTensor::from_dense((r[0].*partition)());
         }).flat_values();
}

RaggedTensor traced_from_row_lengths(const RaggedTensor& values, const Tensor& row_lengths) {
  return traced_call("RaggedTensor.from_row_lengths", "", {values}, {row_lengths}, [](const auto& r, const auto& d) {
    Tensor lengths = d[0];
    if (composite::probing() && lengths.rank() == 1 && lengths.shape()[0] > 0) {  // stand-in lengths: valid ones
      std::vector<int64_t> l(size_t(lengths.shape()[0]), 0);
      l.back() = r[0].is_ragged() ? r[0].nrows() : r[0].flat_values().shape()[0];
      lengths = int64_tensor(l);
    }
    return RaggedTensor::from_row_lengths(r[0], lengths);
  });
}

RaggedTensor traced_from_tensor(const Tensor& tensor, const RaggedTensor::FromTensorOptions& o) {
  std::vector<Tensor> d{tensor};
  if (o.lengths.defined()) d.push_back(o.lengths);
  if (o.padding.defined()) d.push_back(o.padding);
  const bool has_lengths = o.lengths.defined(), has_padding = o.padding.defined();
  const int64_t R = o.ragged_rank;
  return traced_call("RaggedTensor.from_tensor", std::to_string(R) + (has_lengths ? "l" : "") + (has_padding ? "p" : ""),
                     {}, d, [R, has_lengths, has_padding](const auto&, const auto& in) {
                       RaggedTensor::FromTensorOptions t{.ragged_rank = R};
                       if (has_lengths) t.lengths = in[1];
                       if (has_padding) t.padding = in[1];
                       return RaggedTensor::from_tensor(in[0], t);
                     });
}

}  // namespace ragged_detail

namespace ragged_function {
SpreadStandIns::SpreadStandIns() : was_(ragged_detail::t_spread) { ragged_detail::t_spread = true; }
SpreadStandIns::~SpreadStandIns() { ragged_detail::t_spread = was_; }
bool spreading() { return ragged_detail::t_spread; }
}  // namespace ragged_function
}  // namespace keras::core
