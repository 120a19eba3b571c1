// ragged_function.cpp - RaggedTensor arguments and results of traced functions as their
// parts (see core/ragged_function.h).
#include "core/ragged_function.h"

#include <algorithm>
#include <stdexcept>

#include "core/composite.h"
#include "core/ragged.h"
#include "core/ragged_impl.h"

namespace keras::core::ragged_function {

std::vector<std::vector<int64_t>> Flattened::open_dims(std::vector<std::vector<int64_t>> dims, Open how) const {
  std::vector<int64_t> rows;  // the ragged arguments' numbers of rows
  for (size_t i = 0; i < dims.size() && i < open.size(); ++i)
    if (open[i] == 2 && !dims[i].empty()) rows.push_back(dims[i][0] - 1);
  for (size_t i = 0; i < dims.size() && i < open.size(); ++i) {
    if (dims[i].empty()) continue;
    const bool batch = open[i] == 0 && how == Open::kRowsAndBatch &&
                       std::find(rows.begin(), rows.end(), dims[i][0]) != rows.end();
    if (open[i] == 1 || (open[i] == 2 && how != Open::kValues) || batch) dims[i][0] = -1;
  }
  return dims;
}

Flattened flatten_args(const std::vector<Tensor>& args, const std::string& function_name) {
  Flattened f;
  for (size_t i = 0; i < args.size(); ++i) {
    if (!ragged::is_ragged(args[i])) {
      f.parts.push_back(args[i]);
      f.open.push_back(0);
      f.layout.push_back(0);
      continue;
    }
    const RaggedTensor rt = ragged::ragged_of(args[i]);
    if (!rt.defined())
      throw std::invalid_argument(function_name + ": tensor argument " + std::to_string(i) + " is an undefined RaggedTensor");
    const std::vector<Tensor> parts = ragged_detail::parts(rt);
    for (size_t k = 0; k < parts.size(); ++k) {
      f.parts.push_back(parts[k]);
      f.open.push_back(k == 1 ? 2 : 1);  // parts: flat values, outermost splits, inner splits
    }
    f.layout.push_back(rt.ragged_rank());
    f.any_ragged = true;
  }
  if (f.any_ragged) {
    f.key = "R(";
    for (int64_t r : f.layout) f.key += std::to_string(r) + ",";
    f.key += ")";
  }
  return f;
}

std::vector<Tensor> assemble(const std::vector<Tensor>& parts, const std::vector<int64_t>& layout) {
  std::vector<Tensor> out;
  size_t k = 0;
  for (int64_t r : layout) {
    if (k + 1 + size_t(r) > parts.size())
      throw std::logic_error("ragged function: fewer graph values than the ragged layout needs");
    if (r == 0) {
      out.push_back(parts[k++]);
      continue;
    }
    const Tensor flat = parts[k];
    std::vector<Tensor> splits(parts.begin() + std::ptrdiff_t(k + 1), parts.begin() + std::ptrdiff_t(k + 1 + size_t(r)));
    k += 1 + size_t(r);
    out.push_back(ragged_detail::from_parts(flat, std::move(splits)).as_tensor());
  }
  return out;
}

std::vector<Tensor> flatten_results(const std::vector<Tensor>& results, std::vector<int64_t>& layout) {
  layout.clear();
  bool any = false;
  for (const Tensor& t : results) any = any || ragged::is_ragged(t);
  if (!any) return results;
  std::vector<Tensor> parts;
  for (const Tensor& t : results) {
    if (!ragged::is_ragged(t)) {
      parts.push_back(t);
      layout.push_back(0);
      continue;
    }
    const RaggedTensor rt = ragged::ragged_of(t);
    for (const Tensor& p : ragged_detail::parts(rt)) parts.push_back(p);
    layout.push_back(rt.ragged_rank());
  }
  return parts;
}

void check_stand_in_sizes(const graph::Graph& g, const std::function<graph::Graph()>& trace_again,
                          const std::string& function_name) {
  graph::Graph other;
  std::string raised;
  {
    SpreadStandIns spread;
    try {
      other = trace_again();
    } catch (const std::invalid_argument& e) {
      raised = e.what();
    }
  }
  const int64_t d = raised.empty() ? graph::first_difference(g, other) : 0;
  if (d < 0) return;
  std::string op = "an op";
  if (raised.empty() && size_t(d) < g.nodes.size() && g.nodes[size_t(d)].kind == graph::NodeKind::Op) {
    const graph::Node& n = g.nodes[size_t(d)];
    op = n.op == OpId::Composite ? composite::node_name(n.attrs) : op_name(n.op);
  }
  throw std::invalid_argument(function_name + ": the traced graph depends on a size known only when the graph runs "
                              "(a sparse tensor's number of entries, or the last dimension of a set operation's "
                              "result): " +
                              (raised.empty() ? op + " holds a size read from it at trace time"
                                              : "a trace with another stand-in size raised: " + raised) +
                              "; use ops that follow the size when the graph runs (reshape with -1, reductions), "
                              "or run this part eagerly");
}

}  // namespace keras::core::ragged_function
