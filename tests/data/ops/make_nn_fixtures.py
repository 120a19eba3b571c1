#!/usr/bin/env python3
# make_nn_fixtures.py - writes nn_keras.npz for tests/core/test_ops_nn.cpp: seeded inputs
# and what Keras 3 (TensorFlow backend) computes from them with keras.ops.nn (losses,
# normalizations, encodings, attention, rearrangements, windows). Run by hand in a venv
# with keras and tensorflow-cpu (the tests read the committed file):
#   KERAS_BACKEND=tensorflow /work/venv/bin/python tests/data/ops/make_nn_fixtures.py
import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
import keras
import numpy as np

ops = keras.ops
rng = np.random.default_rng(21)
out = {}


def put(name, value):
    out[name] = np.asarray(value)


def u(*shape, lo=-2.0, hi=2.0, dt="float32"):
    return rng.uniform(lo, hi, shape).astype(dt)


# losses
prob = u(3, 4, lo=0.01, hi=1.0)
prob_t = u(3, 4, lo=0.0, hi=1.0)
logits = u(3, 4)
onehot = np.eye(4, dtype="float32")[[1, 3, 0]]
ids = np.array([1, 3, 0], dtype="int32")
prob_3d = u(2, 3, 2, lo=0.01, hi=1.0)
onehot_3d = np.eye(3, dtype="float32")[[[0, 2], [1, 1]]].transpose(0, 2, 1)  # class axis 1
for k, x in dict(prob=prob, prob_t=prob_t, logits=logits, onehot=onehot, ids=ids, prob_3d=prob_3d,
                 onehot_3d=onehot_3d).items():
    put("in_" + k, x)
put("bce", ops.binary_crossentropy(prob_t, prob))
put("bce_logits", ops.binary_crossentropy(prob_t, logits, from_logits=True))
put("bce_edges", ops.binary_crossentropy(np.array([0.0, 1.0, 1.0, 0.5], "float32"),
                                         np.array([0.0, 1.0, 0.0, 0.5], "float32")))
put("cce", ops.categorical_crossentropy(onehot, prob))
put("cce_logits", ops.categorical_crossentropy(onehot, logits, from_logits=True))
put("cce_axis1", ops.categorical_crossentropy(onehot_3d, prob_3d, axis=1))
put("cce_axis1_logits", ops.categorical_crossentropy(onehot_3d, prob_3d, from_logits=True, axis=1))
put("scce", ops.sparse_categorical_crossentropy(ids, prob))
put("scce_logits", ops.sparse_categorical_crossentropy(ids, logits, from_logits=True))
put("scce_col", ops.sparse_categorical_crossentropy(ids[:, None], logits, from_logits=True))

# statistics and normalization
x = u(2, 3, 4)
x64 = x.astype("float64")
put("in_x", x)
for name, axes in (("m0", [0]), ("m12", [1, 2]), ("mneg", [-1])):
    m, v = ops.moments(x, axes)
    put(name + "_mean", m)
    put(name + "_var", v)
m, v = ops.moments(x, [0, 2], keepdims=True)
put("mk_mean", m)
put("mk_var", v)
xi = np.array([[1, 2, 3], [4, 5, 7]], dtype="int32")
put("in_xi", xi)
m, v = ops.moments(xi, [1])
put("mi_mean", m)
put("mi_var", v)
mean4, var4 = u(4), u(4, lo=0.1, hi=2.0)
off4, sc4 = u(4), u(4)
mean3, var3 = u(3), u(3, lo=0.1, hi=2.0)
for k, a in dict(mean4=mean4, var4=var4, off4=off4, sc4=sc4, mean3=mean3, var3=var3).items():
    put("in_" + k, a)
put("bn", ops.batch_normalization(x, mean4, var4, -1, offset=off4, scale=sc4))
put("bn_plain", ops.batch_normalization(x, mean4, var4, -1))
put("bn_axis1", ops.batch_normalization(x, mean3, var3, 1, offset=mean3, scale=var3, epsilon=0.01))
g34 = u(3, 4)
put("in_g34", g34)
put("ln", ops.layer_normalization(x, gamma=off4, beta=sc4))
put("ln_plain", ops.layer_normalization(x))
put("ln_axes", ops.layer_normalization(x, gamma=g34, beta=g34, axis=[1, 2], epsilon=1e-3))
put("ln_int", ops.layer_normalization(xi))
put("rms", ops.rms_normalization(x, scale=sc4))
put("rms_axes", ops.rms_normalization(x, axis=[0, 1], epsilon=0.1))
put("rms_int", ops.rms_normalization(xi))
put("norm2", ops.normalize(x))
put("norm1_axis1", ops.normalize(x, axis=1, order=1))
put("norm3", ops.normalize(x, order=3))
put("norm_zero", ops.normalize(np.zeros((2, 3), "float32")))
put("norm_scalar", ops.normalize(np.float32(-3.0)))

# encodings, metrics
mh_in = np.array([[0, 2], [1, -1], [3, 3]], dtype="int32")
put("in_mh", mh_in)
put("multi_hot", ops.multi_hot(mh_in, 4))
put("multi_hot_1d", ops.multi_hot(np.array([0, 2, 5], "int32"), 4))
put("multi_hot_ax0", ops.multi_hot(mh_in, 4, axis=0))
put("multi_hot_3d", ops.multi_hot(np.array([[[0, 2], [1, 1]]], "int32"), 4))
put("multi_hot_bool", ops.multi_hot(mh_in, 4, dtype="bool"))
pred = np.array([[1.0, 2, 3, 4], [4, 3, 3, 1], [np.nan, 1, 1, 1], [1, 1, 1, 1], [2, np.nan, 0, 5]], "float32")
tgt = np.array([1, 2, 0, 3, 0], "int32")
put("in_pred", pred)
put("in_tgt", tgt)
for k in (1, 2, 3):
    put(f"in_top_k_{k}", ops.in_top_k(tgt, pred, k))
put("in_top_k_oob", ops.in_top_k(np.array([4, -1], "int32"), pred[:2], 4))
a1, a2 = u(2, 5, 5, 3, lo=0, hi=1), u(2, 5, 5, 3, lo=0, hi=1)
put("in_a1", a1)
put("in_a2", a2)
put("psnr", ops.psnr(a1, a2, 1.0))
put("psnr_255", ops.psnr(a1 * 255, a2 * 255, 255.0))
put("psnr_int", ops.psnr(xi, xi + 1, 255))

# attention
q, kk, vv = u(2, 3, 4, 5), u(2, 6, 4, 5), u(2, 6, 4, 5)
k2, v2 = u(2, 6, 2, 5), u(2, 6, 2, 5)
bias = u(1, 4, 3, 6)
mask = rng.uniform(0, 1, (2, 1, 3, 6)) > 0.3
mask[..., 0] = True
for k_, a in dict(q=q, k=kk, v=vv, k2=k2, v2=v2, bias=bias, mask=mask).items():
    put("in_" + k_, a)
put("dpa", ops.dot_product_attention(q, kk, vv))
put("dpa_bias_mask", ops.dot_product_attention(q, kk, vv, bias=bias, mask=mask, scale=0.3))
put("dpa_causal", ops.dot_product_attention(q, kk, vv, is_causal=True))
put("dpa_gqa", ops.dot_product_attention(q, k2, v2, is_causal=True, mask=mask))
put("dpa_64", ops.dot_product_attention(q.astype("float64"), kk.astype("float64"), vv.astype("float64")))

# rearrangements and windows
img = u(2, 4, 6, 8)
put("in_img", img)
put("d2s", ops.depth_to_space(img, 2))
put("d2s_cf", ops.depth_to_space(img, 2, data_format="channels_first"))
put("s2d", ops.space_to_depth(img, 2))
put("s2d_cf", ops.space_to_depth(u(1, 3, 4, 6), 2, data_format="channels_first"))
seq = u(2, 3, 10)
put("in_seq", seq)
put("es_3_2", ops.extract_sequences(seq, 3, 2))
put("es_4_3", ops.extract_sequences(seq, 4, 3))
put("es_10_1", ops.extract_sequences(seq, 10, 1))
nchw = u(2, 3, 5, 6)
put("in_nchw", nchw)
put("unfold_2", ops.unfold(nchw, 2))
put("unfold_full", ops.unfold(nchw, (2, 3), dilation=(2, 1), padding=(1, 2), stride=(2, 3)))
cols = u(2, 3 * 4, 12)
put("in_cols", cols)
put("fold_2", ops.fold(cols, (4, 5), 2, stride=(1, 1), padding=0))
cols2 = u(2, 2 * 6, 9)
put("in_cols2", cols2)
put("fold_full", ops.fold(cols2, (5, 6), (2, 3), dilation=(2, 1), padding=(1, 2), stride=(2, 3)))
# (shapes: fold_full's L = nH * nW for oH 5 + 2, oW 6 + 4: nH = (7 - 2 - 1) // 2 + 1 = 3,
#  nW = (10 - 2 - 1) // 3 + 1 = 3 -> 9; checked below)
pool1, pool2, pool3 = u(2, 10, 3), u(2, 7, 9, 2), u(1, 5, 4, 6, 2)
for k_, a in dict(pool1=pool1, pool2=pool2, pool3=pool3).items():
    put("in_" + k_, a)
T = ops.convert_to_tensor
put("aap1", ops.adaptive_average_pool(T(pool1), 4))
put("amp1", ops.adaptive_max_pool(T(pool1), 4))
put("aap2", ops.adaptive_average_pool(T(pool2), (3, 4)))
put("amp2", ops.adaptive_max_pool(T(pool2), (3, 4)))
put("aap3", ops.adaptive_average_pool(T(pool3), (2, 3, 4)))
put("amp3", ops.adaptive_max_pool(T(pool3), (2, 3, 4)))
put("aap2_cf", ops.adaptive_average_pool(T(pool2), (2, 5), data_format="channels_first"))

# ctc_decode: logits (batch 3, 6 steps, 4 classes), the last sample shorter
ctc_in = u(3, 6, 4, lo=-2, hi=2)
ctc_in[0, 1] = ctc_in[0, 0]  # a repeat for merge_repeated
ctc_len = np.array([6, 5, 3], "int32")
put("in_ctc", ctc_in)
put("in_ctc_len", ctc_len)
for name, kw in dict(greedy={}, greedy_nomerge=dict(merge_repeated=False), greedy_blank3=dict(mask_index=3),
                     beam=dict(strategy="beam_search", beam_width=5, top_paths=3),
                     beam_blank2=dict(strategy="beam_search", beam_width=8, top_paths=2, mask_index=2),
                     beam_wide=dict(strategy="beam_search")).items():
    d, sc = ops.ctc_decode(ctc_in, ctc_len, **kw)
    put("ctc_" + name, d)
    put("ctc_" + name + "_scores", sc)
d, sc = ops.ctc_decode(ctc_in.astype("float64"), ctc_len)
put("ctc_greedy64_scores", sc)

dest = os.path.join(os.path.dirname(os.path.abspath(__file__)), "nn_keras.npz")
np.savez_compressed(dest, **out)
print("wrote", dest, len(out), "arrays")
