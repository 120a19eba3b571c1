// test_ops_nn.cpp - keras.ops.nn's compositions (core/ops_nn.h) against Keras 3 (the
// fixture of tests/data/ops/make_nn_fixtures.py): values, dtypes and bad input.
#include <map>
#include <string>

#include "core/function.h"
#include "core/npy.h"
#include "core/ops_nn.h"
#include "helpers.h"
#include "ops_names.h"
#include "ops_fixture.h"
#include "test_data_dir.h"

using namespace th;

namespace {

Tensor fx(const std::string& name) { return th::ops_fixture("nn_keras.npz")(name); }
Tensor in(const std::string& name) { return fx("in_" + name); }

// got equals the Keras array `name` in shape, dtype and values.
void same(const Tensor& got, const std::string& name, double tol = 2e-6) {
  th::ops_fixture("nn_keras.npz").same(got, name, tol);
}

}  // namespace

KERAS_OPS_NAME("binary_crossentropy", (void)ops::binary_crossentropy(ops::ones({2}), ops::ones({2}) * 0.5));
KERAS_OPS_NAME("categorical_crossentropy", (void)ops::categorical_crossentropy(ops::ones({2, 3}), ops::ones({2, 3})));
KERAS_OPS_NAME("sparse_categorical_crossentropy",
               (void)ops::sparse_categorical_crossentropy(core::constant({0, 1}), ops::ones({2, 3})));
KERAS_OPS_NAME("moments", (void)ops::moments(ops::ones({2, 3}), {0}));
KERAS_OPS_NAME("batch_normalization",
               (void)ops::batch_normalization(ops::ones({2, 3}), ops::zeros({3}), ops::ones({3}), -1));
KERAS_OPS_NAME("layer_normalization", (void)ops::layer_normalization(ops::ones({2, 3})));
KERAS_OPS_NAME("rms_normalization", (void)ops::rms_normalization(ops::ones({2, 3})));
KERAS_OPS_NAME("normalize", (void)ops::normalize(ops::ones({2, 3})));
KERAS_OPS_NAME("multi_hot", (void)ops::multi_hot(core::constant({{0, 2}}), 3));
KERAS_OPS_NAME("in_top_k", (void)ops::in_top_k(core::constant({0}), ops::ones({1, 3}), 1));
KERAS_OPS_NAME("psnr", (void)ops::psnr(ops::ones({2, 2}), ops::zeros({2, 2}), 1.0));
KERAS_OPS_NAME("dot_product_attention",
               auto q = ops::ones({1, 2, 1, 4}); (void)ops::dot_product_attention(q, q, q));
KERAS_OPS_NAME("depth_to_space", (void)ops::depth_to_space(ops::ones({1, 1, 1, 4}), 2));
KERAS_OPS_NAME("space_to_depth", (void)ops::space_to_depth(ops::ones({1, 2, 2, 1}), 2));
KERAS_OPS_NAME("extract_sequences", (void)ops::extract_sequences(ops::ones({5}), 2, 1));
KERAS_OPS_NAME("unfold", (void)ops::unfold(ops::ones({1, 1, 3, 3}), {2}));
KERAS_OPS_NAME("fold", (void)ops::fold(ops::ones({1, 4, 4}), {3}, {2}));
KERAS_OPS_NAME("adaptive_average_pool", (void)ops::adaptive_average_pool(ops::ones({1, 5, 1}), {2}));
KERAS_OPS_NAME("adaptive_max_pool", (void)ops::adaptive_max_pool(ops::ones({1, 5, 1}), {2}));

TEST_CASE("ops nn: the cross-entropies equal Keras's, logits and probabilities, any class axis") {
  same(ops::binary_crossentropy(in("prob_t"), in("prob")), "bce");
  same(ops::binary_crossentropy(in("prob_t"), in("logits"), true), "bce_logits");
  same(ops::binary_crossentropy(core::constant({0.0f, 1.0f, 1.0f, 0.5f}), core::constant({0.0f, 1.0f, 0.0f, 0.5f})),
       "bce_edges", 1e-5);
  same(ops::categorical_crossentropy(in("onehot"), in("prob")), "cce");
  same(ops::categorical_crossentropy(in("onehot"), in("logits"), true), "cce_logits");
  same(ops::categorical_crossentropy(in("onehot_3d"), in("prob_3d"), false, 1), "cce_axis1");
  same(ops::categorical_crossentropy(in("onehot_3d"), in("prob_3d"), true, 1), "cce_axis1_logits");
  same(ops::sparse_categorical_crossentropy(in("ids"), in("prob")), "scce");
  same(ops::sparse_categorical_crossentropy(in("ids"), in("logits"), true), "scce_logits");
  same(ops::sparse_categorical_crossentropy(ops::expand_dims(in("ids"), 1), in("logits"), true), "scce_col");
  same(ops::sparse_categorical_crossentropy(ops::cast(in("ids"), DType::float32), in("logits"), true), "scce_logits");

  CHECK_THROWS_MSG(ops::binary_crossentropy(ops::ones({2}), ops::ones({3})), std::invalid_argument,
                   "binary_crossentropy: expected `target` and `output` of the same shape");
  CHECK_THROWS_MSG(ops::binary_crossentropy(ops::ones({2}, DType::float64), ops::ones({2})), std::invalid_argument,
                   "float32, but received float64");
  CHECK_THROWS_MSG(ops::categorical_crossentropy(ops::ones({2}, DType::int32), ops::ones({2}, DType::int32)),
                   std::invalid_argument, "categorical_crossentropy: expected `output` of a floating dtype");
  CHECK_THROWS_MSG(ops::sparse_categorical_crossentropy(core::constant({0, 1}), ops::ones({3, 3})),
                   std::invalid_argument, "target.shape=(2,), output.shape=(3, 3)");
  CHECK_THROWS_MSG(ops::sparse_categorical_crossentropy(core::constant({0, 1}), ops::ones({2, 3}), false, 0),
                   std::invalid_argument, "only axis=-1");
  CHECK_THROWS_AS(ops::sparse_categorical_crossentropy(core::constant({0, 3}), ops::ones({2, 3})),
                  std::invalid_argument);
}

TEST_CASE("ops nn: moments, batch, layer and RMS normalization and normalize equal Keras's") {
  Tensor x = in("x");
  auto m0 = ops::moments(x, {0});
  same(m0.mean, "m0_mean");
  same(m0.variance, "m0_var");
  auto m12 = ops::moments(x, {1, 2});
  same(m12.mean, "m12_mean");
  same(m12.variance, "m12_var");
  same(ops::moments(x, {-1}).variance, "mneg_var");
  auto mk = ops::moments(x, {0, 2}, true);
  same(mk.mean, "mk_mean");
  same(mk.variance, "mk_var");
  auto mi = ops::moments(in("xi"), {1});  // integers stay integers, as TensorFlow
  same(mi.mean, "mi_mean");
  same(mi.variance, "mi_var");
  CHECK(ops::moments(ops::cast(x, DType::float64), {0}).variance.dtype() == DType::float64);

  same(ops::batch_normalization(x, in("mean4"), in("var4"), -1, in("off4"), in("sc4")), "bn");
  same(ops::batch_normalization(x, in("mean4"), in("var4"), -1), "bn_plain");
  same(ops::batch_normalization(x, in("mean3"), in("var3"), 1, in("mean3"), in("var3"), 0.01), "bn_axis1");
  same(ops::layer_normalization(x, in("off4"), in("sc4")), "ln", 1e-5);
  same(ops::layer_normalization(x), "ln_plain", 1e-5);
  same(ops::layer_normalization(x, in("g34"), in("g34"), {1, 2}, 1e-3), "ln_axes", 1e-5);
  same(ops::layer_normalization(in("xi")), "ln_int");
  same(ops::rms_normalization(x, in("sc4")), "rms", 1e-5);
  same(ops::rms_normalization(x, {}, {0, 1}, 0.1), "rms_axes", 1e-5);
  same(ops::rms_normalization(in("xi")), "rms_int");
  same(ops::normalize(x), "norm2", 1e-5);
  same(ops::normalize(x, 1, 1), "norm1_axis1", 1e-5);
  same(ops::normalize(x, -1, 3), "norm3", 1e-5);
  same(ops::normalize(ops::zeros({2, 3})), "norm_zero");
  same(ops::normalize(core::constant(-3.0f)), "norm_scalar");

  CHECK_THROWS_MSG(ops::batch_normalization(x, in("mean4"), in("var4"), 1), std::invalid_argument,
                   "batch_normalization: expected `mean` of shape (3,)");
  CHECK_THROWS_MSG(ops::normalize(x, -1, 0), std::invalid_argument, "normalize: expected `order` an int >= 1");
  CHECK_THROWS_MSG(ops::normalize(in("xi")), std::invalid_argument, "normalize: expected `x` of a floating dtype");
  CHECK_THROWS_MSG(ops::layer_normalization(x, {}, {}, {3}), std::invalid_argument, "layer_normalization");
  CHECK_THROWS_MSG(ops::layer_normalization(x, {}, {}, {1, -2}), std::invalid_argument, "distinct axes");
  CHECK_THROWS_MSG(ops::moments(ops::ones({2}, DType::bool_), {0}), std::invalid_argument, "moments: expected a numeric");
}

TEST_CASE("ops nn: multi_hot, in_top_k and psnr equal Keras's") {
  same(ops::multi_hot(in("mh"), 4), "multi_hot");
  same(ops::multi_hot(core::constant({0, 2, 5}), 4), "multi_hot_1d");
  same(ops::multi_hot(in("mh"), 4, 0), "multi_hot_ax0");
  same(ops::multi_hot(core::constant({{{0, 2}, {1, 1}}}), 4), "multi_hot_3d");
  same(ops::multi_hot(in("mh"), 4, -1, DType::bool_), "multi_hot_bool");
  for (int k : {1, 2, 3}) same(ops::in_top_k(in("tgt"), in("pred"), k), "in_top_k_" + std::to_string(k));
  same(ops::in_top_k(core::constant({4, -1}), ops::slice(in("pred"), {0, 0}, {2, -1}), 4), "in_top_k_oob");
  same(ops::psnr(in("a1"), in("a2"), 1.0), "psnr", 1e-5);
  same(ops::psnr(in("a1") * 255.0, in("a2") * 255.0, 255.0), "psnr_255", 1e-5);
  same(ops::psnr(in("xi"), in("xi") + core::constant(1), 255), "psnr_int", 1e-6);

  CHECK_THROWS_MSG(ops::multi_hot(ops::ones({2}), 3), std::invalid_argument,
                   "multi_hot: expected integer class ids in `inputs`, but received float32");
  CHECK_THROWS_MSG(ops::in_top_k(core::constant({0}), ops::ones({2, 3}), 1), std::invalid_argument,
                   "targets.shape=(1,), predictions.shape=(2, 3)");
  CHECK_THROWS_MSG(ops::psnr(ops::ones({2}), ops::ones({3}), 1.0), std::invalid_argument,
                   "psnr: expected inputs of the same shape, but received (2,) and (3,)");
}

TEST_CASE("ops nn: dot_product_attention equals Keras's (bias, mask, scale, causal, grouped heads)") {
  Tensor q = in("q"), k = in("k"), v = in("v");
  same(ops::dot_product_attention(q, k, v), "dpa", 1e-5);
  same(ops::dot_product_attention(q, k, v, {.bias = in("bias"), .mask = in("mask"), .scale = 0.3}), "dpa_bias_mask",
       1e-5);
  same(ops::dot_product_attention(q, k, v, {.is_causal = true}), "dpa_causal", 1e-5);
  same(ops::dot_product_attention(q, in("k2"), in("v2"), {.mask = in("mask"), .is_causal = true}), "dpa_gqa", 1e-5);
  auto f64 = [](const Tensor& t) { return ops::cast(t, DType::float64); };
  same(ops::dot_product_attention(f64(q), f64(k), f64(v)), "dpa_64", 1e-12);

  CHECK_THROWS_MSG(ops::dot_product_attention(ops::ones({2, 3, 4}), k, v), std::invalid_argument,
                   "dot_product_attention: only supports 4D inputs");
  CHECK_THROWS_MSG(ops::dot_product_attention(q, ops::ones({2, 6, 3, 5}), ops::ones({2, 6, 3, 5})),
                   std::invalid_argument, "K dividing query's heads");
  // flash_attention = true: the same numbers by tiles (Keras's own CPU backends raise).
  same(ops::dot_product_attention(q, k, v, {.flash_attention = true}), "dpa", 1e-5);
  same(ops::dot_product_attention(q, k, v, {.is_causal = true, .flash_attention = true}), "dpa_causal", 1e-5);
  same(ops::dot_product_attention(q, in("k2"), in("v2"),
                                  {.mask = in("mask"), .is_causal = true, .flash_attention = true}),
       "dpa_gqa", 1e-5);
  CHECK_THROWS_MSG(ops::dot_product_attention(q, k, v, {.bias = in("bias"), .flash_attention = true}),
                   std::invalid_argument, "flash_attention=true does not take a `bias`");
  CHECK_THROWS_MSG(ops::dot_product_attention(q, k, v, {.mask = ops::ones({1})}), std::invalid_argument,
                   "expected a bool `mask`");
}

TEST_CASE("ops nn: depth_to_space, space_to_depth, extract_sequences, unfold and fold equal Keras's") {
  Tensor img = in("img");
  same(ops::depth_to_space(img, 2), "d2s", 0);
  same(ops::depth_to_space(img, 2, "channels_first"), "d2s_cf", 0);
  same(ops::space_to_depth(img, 2), "s2d", 0);
  same(ops::space_to_depth(ops::depth_to_space(img, 2), 2), "in_img", 0);
  same(ops::extract_sequences(in("seq"), 3, 2), "es_3_2", 0);
  same(ops::extract_sequences(in("seq"), 4, 3), "es_4_3", 0);
  same(ops::extract_sequences(in("seq"), 10, 1), "es_10_1", 0);
  CHECK(ops::extract_sequences(in("seq"), 11, 1).shape() == Shape{2, 3, 0, 11});
  Tensor ints = ops::extract_sequences(ops::range(10), 3, 2);
  CHECK(ints.dtype() == DType::int32);
  check_values(ints, std::vector<int>{0, 1, 2, 2, 3, 4, 4, 5, 6, 6, 7, 8});
  same(ops::unfold(in("nchw"), {2}), "unfold_2", 0);
  same(ops::unfold(in("nchw"), {2, 3}, {2, 1}, {1, 2}, {2, 3}), "unfold_full", 0);
  same(ops::fold(in("cols"), {4, 5}, {2}), "fold_2", 1e-6);
  same(ops::fold(in("cols2"), {5, 6}, {2, 3}, {2, 1}, {1, 2}, {2, 3}), "fold_full", 1e-6);

  CHECK_THROWS_MSG(ops::depth_to_space(ops::ones({1, 2, 2, 3}), 2), std::invalid_argument,
                   "depth_to_space: expected channels divisible by block_size^2 = 4, but received shape (1, 2, 2, 3)");
  CHECK_THROWS_MSG(ops::space_to_depth(ops::ones({1, 3, 2, 1}), 2), std::invalid_argument,
                   "space_to_depth: expected height and width divisible by block_size 2");
  CHECK_THROWS_MSG(ops::space_to_depth(img, 2, "nhwc"), std::invalid_argument, "expected data_format");
  CHECK_THROWS_MSG(ops::extract_sequences(in("seq"), 0, 1), std::invalid_argument, "extract_sequences");
  CHECK_THROWS_MSG(ops::unfold(ops::ones({2, 3, 4}), {2}), std::invalid_argument, "unfold: expected a 4D input");
  CHECK_THROWS_MSG(ops::unfold(in("nchw"), {7}), std::invalid_argument, "does not fit");
  CHECK_THROWS_MSG(ops::fold(in("cols"), {4, 5}, {3}), std::invalid_argument, "fold: expected an input (N, C * 9, 6)");
}

TEST_CASE("ops nn: the adaptive pools equal Keras's in 1, 2 and 3 spatial dimensions") {
  same(ops::adaptive_average_pool(in("pool1"), {4}), "aap1", 1e-6);
  same(ops::adaptive_max_pool(in("pool1"), {4}), "amp1", 0);
  same(ops::adaptive_average_pool(in("pool2"), {3, 4}), "aap2", 1e-6);
  same(ops::adaptive_max_pool(in("pool2"), {3, 4}), "amp2", 0);
  same(ops::adaptive_average_pool(in("pool3"), {2, 3, 4}), "aap3", 1e-6);
  same(ops::adaptive_max_pool(in("pool3"), {2, 3, 4}), "amp3", 0);
  same(ops::adaptive_average_pool(in("pool2"), {2, 5}, "channels_first"), "aap2_cf", 1e-6);
  CHECK_THROWS_MSG(ops::adaptive_max_pool(ops::ones({2, 3}), {2}), std::invalid_argument,
                   "adaptive_max_pool: supports 1D, 2D or 3D inputs");
  CHECK_THROWS_MSG(ops::adaptive_average_pool(in("pool2"), {2, 2, 2}), std::invalid_argument,
                   "expected output_size of 1 or 2 values, but received 3");
}

KERAS_OPS_NAME("ctc_decode", (void)ops::ctc_decode(ops::ones({1, 3, 2}), core::constant({3})));

TEST_CASE("ops nn: ctc_decode equals Keras's (greedy and beam search; paths, scores, blank index)") {
  Tensor x = in("ctc"), len = in("ctc_len");
  auto check = [&](const ops::CtcDecoded& d, const std::string& name, double tol) {
    same(d.decoded, "ctc_" + name, 0);
    same(d.scores, "ctc_" + name + "_scores", tol);
  };
  check(ops::ctc_decode(x, len), "greedy", 1e-6);
  check(ops::ctc_decode(x, len, "greedy", 100, 1, false), "greedy_nomerge", 1e-6);
  check(ops::ctc_decode(x, len, "greedy", 100, 1, true, 3), "greedy_blank3", 1e-6);
  check(ops::ctc_decode(x, len, "beam_search", 5, 3), "beam", 1e-5);
  check(ops::ctc_decode(x, len, "beam_search", 8, 2, true, 2), "beam_blank2", 1e-5);
  check(ops::ctc_decode(x, len, "beam_search"), "beam_wide", 1e-5);
  same(ops::ctc_decode(ops::cast(x, DType::float64), len).scores, "ctc_greedy64_scores", 1e-6);
  // Traced: one host node.
  auto traced = core::function([](const std::vector<Tensor>& v) {
    auto d = ops::ctc_decode(v[0], v[1], "beam_search", 5, 3);
    return std::vector<Tensor>{d.decoded, d.scores};
  });
  auto out = traced(std::vector<Tensor>{x, len});
  same(out[0], "ctc_beam", 0);
  CHECK_THROWS_MSG(ops::ctc_decode(x, len, "best"), std::invalid_argument, "ctc_decode: invalid strategy \"best\"");
  CHECK_THROWS_MSG(ops::ctc_decode(x, core::constant({1, 2})), std::invalid_argument,
                   "ctc_decode: expected integer sequence_lengths of shape (3,), but received int32 (2,)");
  CHECK_THROWS_MSG(ops::ctc_decode(x, core::constant({1, 2, 7})), std::invalid_argument,
                   "expected sequence_lengths in [0, 6], but received 7 for sample 2");
  CHECK_THROWS_MSG(ops::ctc_decode(x, len, "beam_search", 2, 3), std::invalid_argument, "1 <= top_paths <= beam_width");
}
