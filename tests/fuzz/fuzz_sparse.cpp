// fuzz_sparse.cpp - libFuzzer target: SparseTensor's validation and the tf.sparse / tf.sets
// ops on arbitrary indices and dense shapes.
//
// Input: byte 0 = rank (mod 5) and the mode (bit 7: "wide", where dims and indices are
// raw int64s, else small signed bytes: near the bounds, so valid tensors are common);
// byte 1 = N (mod 16); then the dims, the N * rank indices, and argument bytes for the
// ops. A constructed tensor then goes through every op; the errors the ops document
// (std::invalid_argument, std::overflow_error for dense shapes past int64) are
// expected; anything else is a finding. The ops whose result is dense (or has a row per
// dense row) run only when that result is small: a huge valid request is not a bug.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <vector>

#include "core/ops.h"
#include "core/sets.h"
#include "core/sparse.h"

namespace {

namespace core = keras::core;
namespace sparse = keras::core::sparse;
namespace sets = keras::core::sets;

struct Reader {
  const uint8_t* p;
  size_t n;
  uint8_t byte() { return n ? (--n, *p++) : 0; }
  int64_t wide() {
    int64_t v = 0;
    for (int i = 0; i < 8; ++i) v = static_cast<int64_t>((static_cast<uint64_t>(v) << 8) | byte());
    return v;
  }
};

// The number of elements of dims when it is at most limit, else -1.
int64_t small_count(const std::vector<int64_t>& dims, size_t from, size_t to, int64_t limit) {
  int64_t c = 1;
  for (size_t j = from; j < to; ++j) {
    if (dims[j] < 0 || (dims[j] && c > limit / dims[j])) return -1;
    c *= dims[j];
  }
  return c <= limit ? c : -1;
}

template <class F>
void expect(F&& f) {
  try {
    f();
  } catch (const std::invalid_argument&) {
  } catch (const std::overflow_error&) {
  }
}

void exercise(const core::SparseTensor& sp, Reader& r) {
  constexpr int64_t kSmall = 4096;
  const std::vector<int64_t>& dims = sp.shape();
  const size_t rank = dims.size();
  const bool dense_ok = small_count(dims, 0, rank, kSmall) >= 0;
  expect([&] { sparse::reorder(sp); });
  expect([&] { sparse::reduce_sum(sp); });
  if (rank && small_count(dims, 0, rank - 1, kSmall) >= 0) {
    expect([&] { sparse::reduce_max(sp, {-1}, r.byte() & 1); });
  }
  if (rank && dims[0] <= kSmall) expect([&] { sparse::fill_empty_rows(sp, 0.5); });
  if (dense_ok) {
    expect([&] { sparse::to_dense(sparse::reorder(sp)); });
    expect([&] { sparse::to_dense(sp, 1.0, r.byte() & 1); });
    expect([&] { sparse::from_dense(sparse::to_dense(sp, 0.0, false)); });
    expect([&] { sparse::add(sp, core::ops::ones(core::Shape(dims), core::DType::float64)); });
  }
  expect([&] { sparse::reshape(sp, {-1}); });
  expect([&] { sparse::reshape(sp, {static_cast<int8_t>(r.byte()), -1}); });
  std::vector<int64_t> start, size;
  for (size_t j = 0; j < rank; ++j) {
    start.push_back(static_cast<int8_t>(r.byte()));
    size.push_back(static_cast<int8_t>(r.byte()));
  }
  expect([&] { sparse::slice(sp, start, size); });
  expect([&] { sparse::transpose(sp); });
  expect([&] { sparse::concat(static_cast<int8_t>(r.byte()) % 4, {sp, sp}, r.byte() & 1); });
  expect([&] { sparse::add(sp, sp, 0.5); });
  std::vector<uint8_t> keep(static_cast<size_t>(sp.nnz()));
  for (auto& k : keep) k = r.byte() & 1;
  expect([&] {
    sparse::retain(sp, core::from_buffer(keep.data(), core::Shape{sp.nnz()}, core::DType::bool_));
  });
  if (rank == 2 && dims[1] <= kSmall && dims[0] <= kSmall) {
    expect([&] { sparse::sparse_dense_matmul(sp, core::ops::ones({dims[1], 2}, core::DType::float64)); });
    expect([&] { sparse::sparse_dense_matmul(core::ops::ones({2, dims[0]}, core::DType::float64), sp); });
  }
  const core::SparseTensor ints = sp.with_values(core::ops::cast(sp.values(), core::DType::int32));
  if (rank >= 1 && small_count(dims, 0, rank - 1, kSmall) >= 0)
    expect([&] { sets::size(ints, r.byte() & 1); });
  expect([&] { sets::union_(ints, sparse::reorder(ints)); });
  expect([&] { sets::difference(sparse::reorder(ints), ints, r.byte() & 1, false); });
  if (dense_ok) expect([&] { sets::intersection(ints, sparse::to_dense(sparse::reorder(ints))); });
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Reader r{data, size};
  const uint8_t head = r.byte();
  const int64_t rank = head % 5, n = r.byte() % 16;
  const bool wide = head & 0x80;
  std::vector<int64_t> dims(static_cast<size_t>(rank)), idx(static_cast<size_t>(n * rank));
  for (auto& d : dims) d = wide ? r.wide() : static_cast<int8_t>(r.byte()) % 9;
  for (auto& i : idx) i = wide ? r.wide() : static_cast<int8_t>(r.byte()) % 10;
  std::vector<double> vals(static_cast<size_t>(n));
  for (auto& v : vals) v = static_cast<int8_t>(r.byte()) / 4.0;
  core::SparseTensor sp;
  try {
    sp = core::SparseTensor(core::constant(idx, core::Shape{n, rank}), core::constant(vals, core::Shape{n}),
                            dims);
  } catch (const std::invalid_argument&) {
    return 0;  // validation refused it: its message named the bad entry
  }
  exercise(sp, r);
  return 0;
}
