// test_cuda_optimizers.cpp - the fused optimizer rules (core/training.h: RMSprop, Nadam,
// Adagrad, Adadelta, Adamax, Ftrl, Lion) on CUDA against the CPU, as one table of cases run
// by run_on_both (tests/gpu/cuda_cases.h): each case makes its variables on the inputs'
// device, runs three steps of one rule, and returns the variable and its slots. The CUDA
// kernels compute in the variable's dtype in the CPU's order, but nvcc may contract a
// product and a sum into one FMA: equal within the table's tolerance (float32 2e-5, float64
// 1e-12, relative), not bit for bit. Without a GPU only the CPU half runs.
#include "core/kernel_support.h"
#include "core/training.h"
#include "cuda_cases.h"

using namespace cuda_cases;
using core::Variable;

namespace {
// One step of a rule on w with slots s (made on w's device: s[0] from a positive start,
// the others zeros).
using Step = std::function<void(Variable& w, std::vector<Variable>& s, const Tensor& g, const Tensor& lr,
                                const Tensor& it)>;

// Three steps (gradients g, 2g, 3g; iterations 0, 1, 2); returns w and its slots.
Case rule_case(const std::string& name, DType dt, int num_slots, Step step) {
  Fn fn = [step, num_slots](const std::vector<Tensor>& in) {
    const core::Device d = in[0].device();
    Variable w(in[0], "w");
    std::vector<Variable> s;
    for (int i = 0; i < num_slots; ++i)
      s.emplace_back(i == 0 ? in[2] : ops::zeros_like(in[2]), "slot" + std::to_string(i));
    const Tensor lr = ops::cast(core::constant(0.05), in[0].dtype()).to(d);
    for (int64_t t = 0; t < 3; ++t)
      step(w, s, ops::multiply(in[1], ops::scalar_like(in[1], double(t + 1))), lr, core::constant(t).to(d));
    std::vector<Tensor> out = {w.value()};
    for (const Variable& v : s) out.push_back(v.value());
    return out;
  };
  return Case{name + " " + core::dtype_name(dt), fn,
              {finite({257}, dt, 40), finite({257}, dt, 41), ops::abs(finite({257}, dt, 42))}};
}

std::vector<Case> optimizer_cases() {
  namespace tr = core::training;
  std::vector<Case> all;
  for (DType dt : {DType::float32, DType::float64}) {
    for (int variant = 0; variant < 4; ++variant)  // momentum (1), centered (2)
      all.push_back(rule_case("rmsprop variant " + std::to_string(variant), dt, 3,
                              [variant](Variable& w, std::vector<Variable>& s, const Tensor& g, const Tensor& lr,
                                        const Tensor&) {
                                tr::apply_rmsprop(w, g, s[0], variant & 1 ? &s[1] : nullptr,
                                                  variant & 2 ? &s[2] : nullptr, lr, 0.8, 0.5, 1e-7);
                              }));
    all.push_back(rule_case("nadam", dt, 2, [](Variable& w, std::vector<Variable>& s, const Tensor& g, const Tensor& lr,
                                               const Tensor& it) {
      const Tensor u_product = core::constant(0.9 * (1 - 0.5 * 0.96), DType::float64).to(g.device());
      tr::apply_nadam(w, g, s[0], s[1], lr, 0.9, 0.999, 1e-7, it, u_product);
    }));
    all.push_back(rule_case("adagrad", dt, 1, [](Variable& w, std::vector<Variable>& s, const Tensor& g,
                                                 const Tensor& lr, const Tensor&) {
      tr::apply_adagrad(w, g, s[0], lr, 1e-7);
    }));
    all.push_back(rule_case("adadelta", dt, 2, [](Variable& w, std::vector<Variable>& s, const Tensor& g,
                                                  const Tensor& lr, const Tensor&) {
      tr::apply_adadelta(w, g, s[0], s[1], lr, 0.9, 1e-3);
    }));
    all.push_back(rule_case("adamax", dt, 2, [](Variable& w, std::vector<Variable>& s, const Tensor& g,
                                                const Tensor& lr, const Tensor& it) {
      tr::apply_adamax(w, g, s[1], s[0], lr, 0.9, 0.5, 1e-7, it);
    }));
    for (auto [name, p] : std::vector<std::pair<std::string, tr::FtrlParams>>{
             {"ftrl", {}}, {"ftrl l1 l2 shrinkage beta", {-0.5, 0.01, 0.1, 0.05, 0.5}},
             {"ftrl power -0.3 l1", {-0.3, 2.0, 0, 0, 0}}})
      all.push_back(rule_case(name, dt, 2, [p](Variable& w, std::vector<Variable>& s, const Tensor& g,
                                               const Tensor& lr, const Tensor&) {
        tr::apply_ftrl(w, g, s[0], s[1], lr, p);
      }));
    all.push_back(rule_case("lion", dt, 1, [](Variable& w, std::vector<Variable>& s, const Tensor& g,
                                              const Tensor& lr, const Tensor&) {
      tr::apply_lion(w, g, s[0], lr, 0.9, 0.99);
    }));
  }
  return all;
}
}  // namespace

TEST_CASE("cuda optimizers: the table itself: every fused rule runs on the CPU") {
  const auto all = optimizer_cases();
  CHECK(all.size() == 24);
  CHECK(run_table_on_cpu(all) == 0);
}

TEST_CASE("cuda optimizers: the fused rules equal the CPU" * doctest::skip(no_gpu())) {
  for (const Case& c : optimizer_cases()) run_case(c);
  for (const char* op : {"apply_rmsprop", "apply_nadam", "apply_adagrad", "apply_adadelta", "apply_adamax",
                         "apply_ftrl", "apply_lion"}) {
    CAPTURE(op);
    CHECK(core::supports(op, Device::cuda(0), DType::float32));
    CHECK(core::supports(op, Device::cuda(0), DType::float64));
  }
}
