// interleave.cpp - Dataset::interleave (tf.data's order, read on the calling thread) and
// Dataset::list_files (glob(3) matches, sorted, optionally shuffled).
#include <glob.h>

#include <algorithm>
#include <stdexcept>
#include <thread>

#include "keras/data/dataset_impl.h"

namespace keras::data {
namespace detail {
namespace {

// cycle_length slots, each reading one of f's datasets; the turn moves to the next slot
// after block_length elements, or when a slot's dataset ends (the slot then takes the
// next input element's dataset on its next turn), as tf.data's InterleaveDataset.
class InterleaveNode : public Node {
 public:
  InterleaveNode(NodePtr input, FlatMapFn f, int64_t cycle, int64_t block)
      : input_(std::move(input)), f_(std::move(f)), cycle_(cycle), block_(block) {}
  int64_t cardinality() const override { return UNKNOWN_CARDINALITY; }
  IteratorPtr make_iterator() const override { return std::make_unique<It>(*this); }

 private:
  struct Slot {
    Dataset dataset = DatasetAccess::make(nullptr);  // keeps the graph alive while `it` runs
    IteratorPtr it;                                  // destroyed before `dataset`
  };
  class It : public IteratorImpl {
   public:
    explicit It(const InterleaveNode& n) : n_(n), input_(n.input_->make_iterator()), slots_(size_t(n.cycle_)) {}
    bool next(Element& out) override {
      while (true) {
        Slot& s = slots_[index_];
        if (s.it) {
          if (s.it->next(out)) {
            if (++in_block_ == n_.block_) advance();
            return true;
          }
          s.it.reset();
          s.dataset = DatasetAccess::make(nullptr);
          --open_;
          advance();
        } else if (input_) {
          Element e;
          if (!input_->next(e)) {
            input_.reset();
            continue;
          }
          Dataset d = n_.f_(e);
          if (!DatasetAccess::node(d))
            throw std::invalid_argument("interleave: the function returned an empty Dataset handle");
          s.dataset = std::move(d);
          s.it = DatasetAccess::node(s.dataset)->make_iterator();
          ++open_;
        } else if (open_ == 0) {
          return false;
        } else {
          advance();
        }
      }
    }

   private:
    void advance() {
      index_ = (index_ + 1) % slots_.size();
      in_block_ = 0;
    }
    const InterleaveNode& n_;
    IteratorPtr input_;
    std::vector<Slot> slots_;
    size_t index_ = 0;
    int64_t in_block_ = 0, open_ = 0;
  };
  NodePtr input_;
  FlatMapFn f_;
  int64_t cycle_, block_;
};

}  // namespace
}  // namespace detail

Dataset Dataset::interleave_fn(FlatMapFn f, const InterleaveOptions& o) const {
  if (!f) throw std::invalid_argument("interleave: expected a function, but received an empty one");
  if (o.cycle_length < 1 && o.cycle_length != AUTOTUNE)
    throw std::invalid_argument("interleave: expected cycle_length >= 1 or AUTOTUNE (-1), but received " +
                                std::to_string(o.cycle_length));
  if (o.block_length < 1)
    throw std::invalid_argument("interleave: expected block_length >= 1, but received " +
                                std::to_string(o.block_length));
  const int64_t cycle =
      o.cycle_length == AUTOTUNE ? std::max<int64_t>(1, std::thread::hardware_concurrency()) : o.cycle_length;
  return detail::DatasetAccess::derive(*this, std::make_shared<detail::InterleaveNode>(node_, f, cycle, o.block_length),
                                       [f, o](const Dataset& d) { return d.interleave_fn(f, o); });
}

Dataset Dataset::list_files(const std::string& pattern, const ListFilesOptions& o) {
  return list_files(std::vector<std::string>{pattern}, o);
}

Dataset Dataset::list_files(const std::vector<std::string>& patterns, const ListFilesOptions& o) {
  if (patterns.empty()) throw std::invalid_argument("list_files: expected at least one pattern, but received none");
  std::vector<std::string> names;
  for (const std::string& p : patterns) {
    glob_t g{};
    const int rc = ::glob(p.c_str(), GLOB_NOSORT, nullptr, &g);
    if (rc == 0)
      for (size_t i = 0; i < g.gl_pathc; ++i) names.emplace_back(g.gl_pathv[i]);
    ::globfree(&g);
    if (rc != 0 && rc != GLOB_NOMATCH)
      throw std::runtime_error("list_files: reading the folders of pattern " + p + " failed");
  }
  if (names.empty()) {
    std::string all;
    for (const std::string& p : patterns) all += (all.empty() ? "" : ", ") + p;
    throw std::invalid_argument("list_files: No files matched pattern: " + all);
  }
  std::sort(names.begin(), names.end());
  const int64_t n = int64_t(names.size());
  Dataset files = from_tensor_slices(core::constant(names, Shape{n}));
  return o.shuffle ? files.shuffle(n, {.seed = o.seed}) : files;
}

}  // namespace keras::data
