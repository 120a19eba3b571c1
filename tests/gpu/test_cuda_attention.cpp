// The CUDA kernels of the attention products (gpu/attention.cu, gpu/register_attention.cpp)
// against the CPU's: fused_attention's out, lse and probs, and a tape's gradients through
// fused_attention_grad, for masks of every broadcast form, grouped and multi-query heads,
// empty sequences and no query heads; flash_attention's out, lse, stats and gradients
// (flash_attention_grad), causal or not; the second-order gradient; dot_product_attention;
// and einsum_matmul (attention's two einsums, with and without a transpose). Without a GPU
// the cases are skipped; the table itself runs on the CPU everywhere.
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "core/attention.h"
#include "core/autodiff.h"
#include "core/kernel_support.h"
#include "cuda_cases.h"

using namespace cuda_cases;

namespace {

struct Shapes {
  Shape q, k, v, mask;  // mask: an empty shape for none
};

std::vector<Case> attention_cases() {
  const std::vector<Shapes> shapes = {
      {Shape{2, 5, 3, 4}, Shape{2, 7, 3, 4}, Shape{2, 7, 3, 6}, Shape{}},
      {Shape{2, 5, 3, 4}, Shape{2, 7, 3, 4}, Shape{2, 7, 3, 4}, Shape{2, 1, 5, 7}},
      {Shape{1, 4, 2, 8}, Shape{1, 4, 2, 8}, Shape{1, 4, 2, 8}, Shape{1, 2, 4, 4}},
      {Shape{3, 6, 2, 5}, Shape{3, 6, 2, 5}, Shape{3, 6, 2, 3}, Shape{3, 2, 6, 6}},
      {Shape{4, 28, 4, 16}, Shape{4, 28, 4, 16}, Shape{4, 28, 4, 16}, Shape{1, 1, 28, 28}},
      {Shape{2, 5, 4, 4}, Shape{2, 7, 2, 4}, Shape{2, 7, 2, 3}, Shape{2, 4, 5, 7}},  // grouped heads
      {Shape{1, 6, 6, 8}, Shape{1, 6, 1, 8}, Shape{1, 6, 1, 8}, Shape{}},            // multi-query
      {Shape{1, 80, 1, 48}, Shape{1, 80, 1, 48}, Shape{1, 80, 1, 48}, Shape{1, 1, 80, 80}},
      {Shape{2, 3, 2, 4}, Shape{2, 0, 2, 4}, Shape{2, 0, 2, 5}, Shape{}},  // no keys
      {Shape{2, 0, 2, 4}, Shape{2, 3, 2, 4}, Shape{2, 3, 2, 4}, Shape{}},  // no queries
      {Shape{2, 3, 0, 4}, Shape{2, 5, 1, 4}, Shape{2, 5, 1, 4}, Shape{}},  // no query heads
  };
  std::vector<Case> cs;
  for (DType dt : {DType::float32, DType::float64})
    for (const Shapes& s : shapes) {
      std::vector<Tensor> in{finite(s.q, dt, 11), finite(s.k, dt, 12), finite(s.v, dt, 13)};
      // A bool mask about half true (awkward's values are uniform in [-3, 3]).
      if (s.mask.rank()) in.push_back(awkward(s.mask, DType::bool_, 14));
      const std::string name = "fused_attention q " + s.q.str() + " k " + s.k.str() + " v " + s.v.str() + " mask " +
                               (s.mask.rank() ? s.mask.str() : "none") + " " + core::dtype_name(dt);
      cs.push_back({name, [](const std::vector<Tensor>& in) {
                      core::GradientTape tape;
                      for (size_t i = 0; i < 3; ++i) tape.watch(in[i]);
                      const Tensor mask = in.size() > 3 ? in[3] : Tensor();
                      auto r = ops::fused_attention(in[0], in[1], in[2], mask, 0.45, -1e9);
                      const Tensor loss = ops::add(ops::sum(ops::multiply(r.out, weights_like(r.out, 21))),
                                                   ops::sum(ops::multiply(r.lse, weights_like(r.lse, 22))));
                      std::vector<Tensor> out{r.out, r.lse, r.probs};
                      for (const Tensor& g : tape.gradient(loss, {in[0], in[1], in[2]})) out.push_back(g);
                      return out;
                    }, in});
    }
  // Second order: the backward op's own gradient (composed on the device).
  const DType dt = DType::float64;
  cs.push_back({"fused_attention second order (grouped heads, mask)", [](const std::vector<Tensor>& in) {
                  core::GradientTape outer;
                  for (size_t i = 0; i < 3; ++i) outer.watch(in[i]);
                  Tensor norm;
                  {
                    core::GradientTape inner;
                    for (size_t i = 0; i < 3; ++i) inner.watch(in[i]);
                    auto r = ops::fused_attention(in[0], in[1], in[2], in[3], 0.5, -1e9);
                    auto d = inner.gradient(ops::sum(ops::multiply(r.out, weights_like(r.out, 31))),
                                            {in[0], in[1], in[2]});
                    norm = ops::add(ops::sum(ops::square(d[0])), ops::add(ops::sum(ops::square(d[1])),
                                                                          ops::sum(ops::square(d[2]))));
                  }
                  return outer.gradient(norm, {in[0], in[1], in[2]});
                },
                {finite(Shape{2, 5, 4, 4}, dt, 32), finite(Shape{2, 7, 2, 4}, dt, 33), finite(Shape{2, 7, 2, 3}, dt, 34),
                 awkward(Shape{2, 4, 5, 7}, DType::bool_, 35)}});
  cs.push_back({"dot_product_attention (mask, causal)", [](const std::vector<Tensor>& in) {
                  ops::DotProductAttentionOptions o;
                  o.mask = in[3], o.scale = 0.3, o.is_causal = true;
                  return std::vector<Tensor>{ops::dot_product_attention(in[0], in[1], in[2], o)};
                },
                {finite(Shape{2, 6, 2, 4}, DType::float32, 36), finite(Shape{2, 6, 2, 4}, DType::float32, 37),
                 finite(Shape{2, 6, 2, 4}, DType::float32, 38), awkward(Shape{2, 2, 6, 6}, DType::bool_, 39)}});
  // flash_attention: out, lse, stats and the tape's gradients (flash_attention_grad), causal
  // or not, with a mask or not, across grouped heads and empty sequences.
  const std::vector<Shapes> flash_shapes = {
      shapes[0], shapes[1],  shapes[4],
      shapes[5], shapes[6],  shapes[8],
      shapes[9], shapes[10], {Shape{1, 70, 2, 8}, Shape{1, 90, 1, 8}, Shape{1, 90, 1, 4}, Shape{}}};
  for (DType fdt : {DType::float32, DType::float64})
    for (const Shapes& s : flash_shapes)
      for (bool causal : {false, true}) {
        std::vector<Tensor> in{finite(s.q, fdt, 15), finite(s.k, fdt, 16), finite(s.v, fdt, 17)};
        if (s.mask.rank()) in.push_back(awkward(s.mask, DType::bool_, 18));
        const std::string name = "flash_attention q " + s.q.str() + " k " + s.k.str() + " mask " +
                                 (s.mask.rank() ? s.mask.str() : "none") + (causal ? " causal " : " ") +
                                 core::dtype_name(fdt);
        cs.push_back({name,
                      [causal](const std::vector<Tensor>& in) {
                        core::GradientTape tape;
                        for (size_t i = 0; i < 3; ++i) tape.watch(in[i]);
                        const Tensor mask = in.size() > 3 ? in[3] : Tensor();
                        auto r = ops::flash_attention(in[0], in[1], in[2], mask, 0.45, -1e9, causal);
                        const Tensor loss = ops::add(ops::sum(ops::multiply(r.out, weights_like(r.out, 23))),
                                                     ops::sum(ops::multiply(r.lse, weights_like(r.lse, 24))));
                        std::vector<Tensor> out{r.out, r.lse, r.stats};
                        for (const Tensor& g : tape.gradient(loss, {in[0], in[1], in[2]})) out.push_back(g);
                        return out;
                      },
                      in});
      }
  cs.push_back({"fused_attention bad mask (same error)", [](const std::vector<Tensor>& in) {
                  auto r = ops::fused_attention(in[0], in[1], in[2], in[3], 0.5, -1e9);
                  return std::vector<Tensor>{r.out};
                },
                {finite(Shape{2, 5, 2, 4}, DType::float32, 40), finite(Shape{2, 7, 2, 4}, DType::float32, 41),
                 finite(Shape{2, 7, 2, 4}, DType::float32, 42), awkward(Shape{2, 2, 7, 5}, DType::bool_, 43)}});
  return cs;
}

// einsum_matmul: attention's scores and weighted sums as einsums (each operand read through
// its strides), their gradients (einsums again), and a product whose result is transposed.
std::vector<Case> einsum_cases() {
  std::vector<Case> cs;
  for (DType dt : {DType::float32, DType::float64}) {
    const std::string d = std::string(" ") + core::dtype_name(dt);
    cs.push_back({"einsum aecd,abcd->acbe" + d, [](const std::vector<Tensor>& in) {
                    core::GradientTape tape;
                    tape.watch(in[0]);
                    tape.watch(in[1]);
                    const Tensor y = ops::einsum("aecd,abcd->acbe", in[0], in[1]);
                    auto g = tape.gradient(ops::sum(ops::multiply(y, weights_like(y, 51))), {in[0], in[1]});
                    return std::vector<Tensor>{y, g[0], g[1]};
                  },
                  {finite(Shape{3, 7, 4, 8}, dt, 52), finite(Shape{3, 5, 4, 8}, dt, 53)}});
    cs.push_back({"einsum acbe,aecd->abcd" + d, [](const std::vector<Tensor>& in) {
                    return std::vector<Tensor>{ops::einsum("acbe,aecd->abcd", in[0], in[1])};
                  },
                  {finite(Shape{3, 4, 5, 7}, dt, 54), finite(Shape{3, 7, 4, 6}, dt, 55)}});
    cs.push_back({"einsum bik,bkj->bij (empty contraction)" + d, [](const std::vector<Tensor>& in) {
                    return std::vector<Tensor>{ops::einsum("bik,bkj->bij", in[0], in[1])};
                  },
                  {finite(Shape{2, 3, 0}, dt, 56), finite(Shape{2, 0, 4}, dt, 57)}});
  }
  return cs;
}

}  // namespace

TEST_CASE("cuda attention: the table itself runs on the CPU") {
  auto all = attention_cases();
  for (Case& c : einsum_cases()) all.push_back(std::move(c));
  CHECK(run_table_on_cpu(all) == 1);
  MESSAGE(all.size() << " CPU/CUDA attention cases");
}

TEST_CASE("cuda attention: fused_attention, flash_attention, their gradients and einsum_matmul equal the CPU" *
          doctest::skip(no_gpu())) {
  for (const Case& c : attention_cases()) run_on_both(c.name, c.fn, c.inputs, compare_loose);
  for (const Case& c : einsum_cases()) run_on_both(c.name, c.fn, c.inputs, compare_loose);
  for (const char* op :
       {"fused_attention", "fused_attention_grad", "flash_attention", "flash_attention_grad", "einsum_matmul"}) {
    CAPTURE(op);
    CHECK(core::supports(op, Device::cuda(0), DType::float32));
    CHECK(core::supports(op, Device::cuda(0), DType::float64));
  }
  CHECK(ops::fused_attention_supported(finite(Shape{1, 2, 1, 4}, DType::float32, 60).to(Device::cuda(0))));
  CHECK(ops::flash_attention_supported(finite(Shape{1, 2, 1, 4}, DType::float32, 60).to(Device::cuda(0))));
}

TEST_CASE("cuda attention: CUDA builds declare the kernels for float32 and float64 only") {
  for (const char* op :
       {"fused_attention", "fused_attention_grad", "flash_attention", "flash_attention_grad", "einsum_matmul"}) {
    CAPTURE(op);
    CHECK(core::supports(op, Device::cuda(0), DType::float64) == core::cuda::built_with_cuda());
    CHECK_FALSE(core::supports(op, Device::cuda(0), DType::int32));
  }
}
