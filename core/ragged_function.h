// ragged_function.h - (engine-internal) RaggedTensor arguments and results of traced
// functions (core/function.cpp).
//
// A ragged argument (a RaggedTensor::as_tensor() handle) enters the graph as its parts:
// flat values, then one row_splits vector per ragged dimension, outermost first. The
// signature holds its dtype, ragged_rank and the flat values' inner (uniform) dimensions;
// the parts' first dimensions (the numbers of values and rows) are open, as in TensorFlow's
// RaggedTensorSpec, so one graph serves every row length. A ragged result leaves the graph
// as its parts and is put together again after the run.
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/graph.h"
#include "core/tensor.h"

namespace keras::core::ragged_function {

// The tensor arguments of one call with the ragged ones replaced by their parts.
struct Flattened {
  std::vector<Tensor> parts;
  std::vector<int64_t> layout;  // per argument: its ragged_rank (0: a dense tensor)
  // per part: 0 a dense argument, 1 a flat values or inner row_splits part (its first
  // dimension counts values), 2 an outermost row_splits (its length counts rows)
  std::vector<char> open;
  std::string key;              // the layout, for the signature
  bool any_ragged = false;
  // How much of the signature a trace may leave open, most first.
  enum class Open {
    kRowsAndBatch,  // values, rows, and the first dimension of each dense argument whose
                    // size equals a ragged argument's number of rows (a batch of labels)
    kRows,          // values and rows
    kValues,        // values only: the numbers of rows stay in the signature
  };
  // dims (one per part) with the open first dimensions as -1.
  std::vector<std::vector<int64_t>> open_dims(std::vector<std::vector<int64_t>> dims, Open how) const;
};
Flattened flatten_args(const std::vector<Tensor>& args, const std::string& function_name);

// Parts back into tensors: each layout entry > 0 takes 1 + that many parts and makes a
// ragged handle (traced inside a trace), each 0 takes one dense tensor.
std::vector<Tensor> assemble(const std::vector<Tensor>& parts, const std::vector<int64_t>& layout);

// A function's results as graph outputs: ragged handles as their parts. `layout` receives
// each result's ragged_rank, or is left empty when no result is ragged.
std::vector<Tensor> flatten_results(const std::vector<Tensor>& results, std::vector<int64_t>& layout);

// While one lives, the stand-in row partitions a ragged composite node runs on at trace
// time spread the values over the rows (otherwise all sit in the last row), a set
// operation's result has a last dimension of 1 (otherwise 0), and a traced sparse input
// of a composite node has one entry (otherwise none; core/composite.h): a graph traced
// both ways at the same sizes holds no size that stand-ins made up.
class SpreadStandIns {
 public:
  SpreadStandIns();
  ~SpreadStandIns();
  SpreadStandIns(const SpreadStandIns&) = delete;
  SpreadStandIns& operator=(const SpreadStandIns&) = delete;

 private:
  bool was_;
};
// Whether a SpreadStandIns lives on this thread.
bool spreading();

// After a trace that stood in sizes known only when the graph runs (a set operation's
// result's last dimension, a symbolic sparse tensor's number of entries; see
// composite::made_up_sizes): traces again (trace_again) under SpreadStandIns and raises,
// naming the first op that differs, when g holds such a size.
void check_stand_in_sizes(const graph::Graph& g, const std::function<graph::Graph()>& trace_again,
                          const std::string& function_name);

}  // namespace keras::core::ragged_function
