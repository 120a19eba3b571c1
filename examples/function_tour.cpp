// function_tour.cpp - TensorFlow functions and graphs in C++ (keras::function): tracing
// once per input signature, C++ side effects that run only while tracing, variables that
// the graph reads and assigns when it runs, tensor-dependent control flow (cond,
// while_loop), a graph printed before and after its optimization passes, a model
// exported to a graph file and reloaded, and a traced training step that runs faster
// than the same step run op by op.
//   function_tour [--short] [--threads N]
// The last line is machine-readable ("result: ..."), for tests/examples/test_examples.cpp.
#include <chrono>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include <keras/keras.h>

#include "example_util.h"

namespace ops = keras::ops;
using keras::Tensor;

namespace {

int tour(const example::Flags& flags) {
  example::Result result;

  // ---- tracing: once per input signature ---------------------------------------------------
  int side_effects = 0;
  auto cube = keras::function([&](const Tensor& x) {
    ++side_effects;  // plain C++: runs only while the function is traced
    std::cout << "  (tracing cube for " << keras::dtype_name(x.dtype()) << " " << x.shape().str() << ")\n";
    return ops::multiply(ops::square(x), x);
  });
  Tensor c2 = cube(keras::constant(2.0f));
  std::cout << "cube(2.0) = " << c2 << "\n";
  Tensor c3 = cube(keras::constant(3.0f));
  std::cout << "cube(3.0) = " << c3 << "  (same signature: no trace)\n";
  Tensor c12 = cube(keras::constant({1.0f, 2.0f}));
  std::cout << "cube([1, 2]) = " << c12 << "  (new shape: traced again)\n";
  std::cout << "traced " << cube.tracing_count() << " times, the C++ side effect ran " << side_effects
            << " times\n\n";
  result.add("cube_traces", double(cube.tracing_count())).add("side_effects", double(side_effects));

  // ---- a non-tensor argument is part of the signature ------------------------------------------
  auto power = keras::function([](const Tensor& x, int n) {
    Tensor r = x;
    for (int i = 1; i < n; ++i) r = ops::multiply(r, x);  // a C++ loop unrolls at trace time
    return r;
  });
  power(keras::constant(2.0f), 3);
  power(keras::constant(5.0f), 3);
  const float p = power(keras::constant(2.0f), 5).item<float>();
  std::cout << "power(2, 5) = " << p << ", traced " << power.tracing_count() << " times (n = 3, n = 5)\n\n";
  result.add("power_2_5", p).add("power_traces", double(power.tracing_count()));

  // ---- variables: read and assigned when the graph runs ------------------------------------------
  keras::Variable counter(keras::constant(0.0f), "counter", false);
  auto tick = keras::function([&](const Tensor& by) {
    counter.assign_add(by);
    return counter.value();
  });
  for (int i = 0; i < 3; ++i) tick(keras::constant(1.0f));
  std::cout << "after three calls of tick(1): counter = " << counter.value().item<float>() << "\n\n";
  result.add("counter", counter.value().item<float>());

  // ---- control flow that depends on tensor values -----------------------------------------------
  auto collatz_steps = keras::function([](const Tensor& start) {
    auto out = ops::while_loop(
        [](const std::vector<Tensor>& v) { return ops::greater(v[0], keras::constant(int64_t{1})); },
        [](const std::vector<Tensor>& v) {
          const Tensor two = keras::constant(int64_t{2});
          Tensor next = ops::cond(ops::equal(ops::mod(v[0], two), keras::constant(int64_t{0})),
                                  [&] { return ops::floor_divide(v[0], two); },
                                  [&] { return ops::add(ops::multiply(v[0], keras::constant(int64_t{3})),
                                                        keras::constant(int64_t{1})); });
          return std::vector<Tensor>{next, ops::add(v[1], keras::constant(int64_t{1}))};
        },
        {start, keras::constant(int64_t{0})});
    return out[1];
  });
  const int64_t steps27 = collatz_steps(keras::constant(int64_t{27})).item<int64_t>();
  const int64_t steps6 = collatz_steps(keras::constant(int64_t{6})).item<int64_t>();
  std::cout << "Collatz steps: 27 -> " << steps27 << ", 6 -> " << steps6 << " (one trace: "
            << collatz_steps.tracing_count() << ")\n\n";
  result.add("collatz_27", double(steps27)).add("collatz_6", double(steps6));

  // ---- the graph, before and after the passes -------------------------------------------------------
  const Tensor table = keras::constant({1.0f, 2.0f, 3.0f});
  auto messy = keras::function([&](const Tensor& x) {
    Tensor unused = ops::exp(x);                                  // nothing needs it: pruned
    Tensor scale = ops::multiply(table, ops::scalar_like(table, 2.0));  // constants only: folded
    Tensor a = ops::tanh(x), b = ops::tanh(x);                    // the same op twice: merged
    (void)unused;
    return ops::add(ops::multiply(a, scale), b);
  });
  messy(keras::constant({0.1f, 0.2f, 0.3f}));
  std::cout << "traced graph:\n" << messy.graph_str(false) << "after pruning, folding, merging and fusing:\n"
            << messy.graph_str() << "\n";
  result.add("messy_nodes_traced", double(messy.num_nodes(false))).add("messy_nodes", double(messy.num_nodes()));

  // ---- export: the graph and its weights in a file, run without this program's code ------------------
  auto classifier = keras::Sequential({keras::layers::Dense(16, {.activation = "relu", .input_shape = {4}}),
                                       keras::layers::Dense(3, {.activation = "softmax"})});
  const std::string path = (std::filesystem::temp_directory_path() / "function_tour.kgraph").string();
  classifier->export_graph(path);  // signature (None, 4): any batch size
  keras::LoadedFunction reloaded = keras::load_function(path);
  const Tensor sample = ops::random_uniform({5, 4}, {.seed = 3});
  const double max_diff =
      ops::max(ops::abs(ops::subtract(reloaded({sample})[0], classifier->predict(sample)))).item<float>();
  std::cout << "exported to " << path << " (" << std::filesystem::file_size(path)
            << " bytes); reloaded, it differs from the model by " << max_diff << "\n\n";
  std::filesystem::remove(path);
  result.add("export_max_diff", max_diff);

  // ---- a training step: traced versus op by op ------------------------------------------------------
  keras::set_num_threads(1);
  auto model = keras::Sequential({keras::layers::Dense(64, {.activation = "relu", .input_shape = {32}}),
                                  keras::layers::Dense(10)});
  auto opt = keras::optimizers::Adam();
  auto loss_fn = keras::losses::SparseCategoricalCrossentropy({.from_logits = true});
  auto step_body = [&](const Tensor& x, const Tensor& y) {
    keras::GradientTape tape;
    Tensor loss = loss_fn(y, (*model)(x, true));
    auto grads = tape.gradient(loss, model->trainable_weights());
    opt->apply_gradients(grads, model->trainable_weights());
    return loss;
  };
  auto traced_step = keras::function(step_body);
  const Tensor x = ops::random_normal({32, 32}, {.seed = 1});
  const Tensor y = ops::cast(ops::random_uniform({32}, {.minval = 0, .maxval = 10, .dtype = keras::DType::int32, .seed = 2}),
                             keras::DType::int32);
  const int steps = flags.short_run() ? 200 : 2000;
  auto time_it = [&](auto&& step) {
    step(x, y);  // warm-up (and the trace)
    auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < steps; ++i) step(x, y);
    return std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count() / steps;
  };
  const double eager_us = time_it(step_body), traced_us = time_it(traced_step);
  std::cout << "train step, batch 32: " << eager_us << " us op by op, " << traced_us << " us traced\n";
  const float final_loss = traced_step(x, y).item<float>();
  std::cout << "loss after " << 2 * steps + 3 << " steps on one batch: " << final_loss << "\n";
  result.add("step_traces", double(traced_step.tracing_count())).add("final_loss", final_loss);

  result.print();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  return example::run(argc, argv, {}, "function_tour [--short] [--threads N]", tour);
}
