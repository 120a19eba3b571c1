"""Writes tests/data/attention/*.npz: numpy.einsum's results, and Keras 3's outputs of
EinsumDense, Identity, Attention, AdditiveAttention, MultiHeadAttention and
GroupQueryAttention on fixed
inputs, masks and weights, for tests/core/test_einsum.cpp and
tests/keras/test_attention_layers.cpp (which build the same cases in keras-cpp). Run by
hand in a venv with keras, tensorflow-cpu and numpy:

    /work/venv/bin/python tests/data/npz/make_attention_fixtures.py

einsum_<name>.npz: x0, x1, ... (float64 operands) and y. <layer case>.npz: x0, x1, ...
(inputs), m0, m1, ... (bool keras masks of those inputs, where given), attention_mask
(where given), w0, w1, ... (the layer's weights, Keras's order and shapes), y0, y1, ...
(Keras's outputs: the attention output, then the scores where asked for).
configs.json: the class name and config keys of each layer case.
"""
import json
import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
import keras  # noqa: E402
from keras import layers  # noqa: E402
from keras.src import backend  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "attention")

# name -> (equation, operand shapes). Keep in step with tests/core/test_einsum.cpp.
EINSUM = {
    "matmul": ("ij,jk->ik", [(3, 4), (4, 5)]),
    "implicit": ("ij,jk", [(3, 4), (4, 2)]),
    "batched": ("bij,bjk->bik", [(2, 3, 4), (2, 4, 5)]),
    "transpose": ("ijk->kij", [(2, 3, 4)]),
    "sum_axes": ("ijk->j", [(2, 3, 4)]),
    "total": ("ij->", [(3, 4)]),
    "outer": ("i,j->ij", [(3,), (4,)]),
    "dot": ("i,i", [(5,), (5,)]),
    "ellipsis": ("...ij,...jk->...ik", [(2, 1, 3, 4), (3, 4, 2)]),
    "ellipsis_implicit": ("...j,jk", [(2, 3, 4), (4, 2)]),
    "mha_scores": ("aecd,abcd->acbe", [(2, 5, 3, 4), (2, 6, 3, 4)]),
    "three": ("ab,bc,cd->ad", [(2, 3), (3, 4), (4, 5)]),
    "free_sum": ("abc,cd->d", [(2, 3, 4), (4, 3)]),
    "broadcast_one": ("ab,ab->ab", [(1, 3), (4, 3)]),
    "upper": ("Ab,bC->CA", [(2, 3), (3, 4)]),
}


def rng_uniform(rng, shape, dtype=np.float32):
    return rng.uniform(-1, 1, shape).astype(dtype)


# name -> (make layer, input shapes, keras mask per input (None or shape-of-mask seed),
#          call kwargs, attention_mask shape or None).
# Masks: a bool array of the input's shape without the feature axis, from a fixed pattern.
LAYER_CASES = {
    "identity": (lambda: layers.Identity(), [(2, 3, 4)], [None], {}, None),
    "einsum_dense_2d": (lambda: layers.EinsumDense("ab,bc->ac", output_shape=4, bias_axes="c"), [(3, 5)], [None], {}, None),
    "einsum_dense_3d_relu": (
        lambda: layers.EinsumDense("abc,cd->abd", output_shape=(None, 5), bias_axes="d", activation="relu"),
        [(2, 3, 4)], [None], {}, None),
    "einsum_dense_ellipsis_no_bias": (lambda: layers.EinsumDense("...b,bc->...c", output_shape=3), [(2, 3, 4)],
                                      [None], {}, None),
    "einsum_dense_heads": (
        lambda: layers.EinsumDense("abc,cde->abde", output_shape=(None, 2, 3), bias_axes="de"), [(2, 4, 5)],
        [None], {}, None),
    "einsum_dense_bias_one_axis": (
        lambda: layers.EinsumDense("abc,cde->abde", output_shape=(None, 2, 3), bias_axes="d"), [(2, 4, 5)],
        [None], {}, None),
    "einsum_dense_right_elided": (lambda: layers.EinsumDense("ab...,bc->ac...", output_shape=4, bias_axes="c"),
                                  [(2, 3, 5)], [None], {}, None),
    "attention_dot": (lambda: layers.Attention(), [(2, 3, 4), (2, 5, 4)], [None, None], {}, None),
    "attention_scale_causal_scores": (
        lambda: layers.Attention(use_scale=True), [(2, 4, 3), (2, 4, 3), (2, 4, 3)], [None, None, None],
        {"use_causal_mask": True, "return_attention_scores": True}, None),
    "attention_concat_masks": (
        lambda: layers.Attention(use_scale=True, score_mode="concat"), [(2, 3, 4), (2, 5, 4)], [True, True],
        {"return_attention_scores": True}, None),
    "additive_attention_masks": (lambda: layers.AdditiveAttention(), [(2, 3, 4), (2, 5, 4)], [True, True], {},
                                 None),
    "additive_attention_no_scale_causal": (
        lambda: layers.AdditiveAttention(use_scale=False), [(2, 4, 3), (2, 4, 3)], [None, None],
        {"use_causal_mask": True, "return_attention_scores": True}, None),
    "mha_self": (lambda: layers.MultiHeadAttention(num_heads=2, key_dim=3), [(2, 4, 6), (2, 4, 6)], [None, None],
                 {}, None),
    "mha_cross_scores": (
        lambda: layers.MultiHeadAttention(num_heads=2, key_dim=3, value_dim=4, output_shape=5),
        [(2, 3, 6), (2, 5, 7), (2, 5, 8)], [None, None, None], {"return_attention_scores": True}, None),
    "mha_causal_no_bias": (
        lambda: layers.MultiHeadAttention(num_heads=3, key_dim=2, use_bias=False), [(2, 5, 4), (2, 5, 4)],
        [None, None], {"use_causal_mask": True, "return_attention_scores": True}, None),
    "mha_masks_attention_mask_causal": (
        lambda: layers.MultiHeadAttention(num_heads=2, key_dim=2), [(2, 4, 3), (2, 4, 3), (2, 4, 5)],
        [True, True, True], {"use_causal_mask": True, "return_attention_scores": True}, (2, 4, 4)),
    "mha_attention_axes": (
        lambda: layers.MultiHeadAttention(num_heads=2, key_dim=2, attention_axes=(1, 2)),
        [(2, 3, 2, 4), (2, 3, 2, 4)], [None, None], {"return_attention_scores": True}, None),
    "gqa_self": (lambda: layers.GroupQueryAttention(head_dim=3, num_query_heads=4, num_key_value_heads=2),
                 [(2, 4, 6), (2, 4, 6)], [None, None], {}, None),
    "gqa_cross_gate_scores": (
        lambda: layers.GroupQueryAttention(head_dim=2, num_query_heads=4, num_key_value_heads=1, use_gate=True),
        [(2, 3, 6), (2, 5, 7), (2, 5, 8)], [None, None, None], {"return_attention_scores": True}, None),
    "gqa_masks_window_causal_scores": (
        lambda: layers.GroupQueryAttention(head_dim=2, num_query_heads=2, num_key_value_heads=2, sliding_window=2,
                                           use_bias=False),
        [(2, 4, 3), (2, 4, 3), (2, 4, 5)], [True, True, True],
        {"use_causal_mask": True, "return_attention_scores": True}, (2, 4, 4)),
    "gqa_causal_fused": (
        lambda: layers.GroupQueryAttention(head_dim=2, num_query_heads=4, num_key_value_heads=2),
        [(2, 5, 4), (2, 5, 4)], [None, None], {"use_causal_mask": True}, None),
    "gqa_masks_fused": (
        lambda: layers.GroupQueryAttention(head_dim=2, num_query_heads=2, num_key_value_heads=1, sliding_window=1),
        [(2, 4, 3), (2, 4, 3)], [True, True], {}, None),
    "mha_gate_window_causal_scores": (
        lambda: layers.MultiHeadAttention(num_heads=2, key_dim=3, value_dim=2, use_gate=True, sliding_window=2),
        [(2, 5, 6), (2, 5, 6)], [None, None], {"use_causal_mask": True, "return_attention_scores": True}, None),
    "mha_gate_window_fused": (
        lambda: layers.MultiHeadAttention(num_heads=2, key_dim=2, use_gate=True, sliding_window=1),
        [(2, 4, 3), (2, 4, 3)], [True, True], {}, None),
}

# Layers with dropout called in inference (Keras's masked-Softmax path, where rows masked
# everywhere get zeros): query and value masks leave such rows.
DROPOUT_CASES = {
    "mha_dropout_inference_masks": (
        lambda: layers.MultiHeadAttention(num_heads=2, key_dim=3, dropout=0.3), [(2, 4, 6), (2, 4, 6)],
        [True, True], {}, None),
    "mha_dropout_inference_causal_attention_mask": (
        lambda: layers.MultiHeadAttention(num_heads=2, key_dim=2, dropout=0.2), [(2, 4, 3), (2, 4, 3), (2, 4, 3)],
        [None, None, None], {"use_causal_mask": True}, (2, 4, 4)),
    "gqa_dropout_inference_masks": (
        lambda: layers.GroupQueryAttention(head_dim=2, num_query_heads=4, num_key_value_heads=2, dropout=0.3),
        [(2, 4, 6), (2, 4, 6)], [True, True], {}, None),
}


def mask_for(shape, i):
    """A fixed pattern: row r keeps its first (len - r - i) % len + 1 positions."""
    b, t = shape[0], shape[1]
    m = np.zeros((b, t), dtype=bool)
    for r in range(b):
        m[r, : (t - r - i) % t + 1] = True
    return m


def write_layer_case(name, case, rng, configs):
    """Writes <name>.npz for a LAYER_CASES entry and adds its entry to configs."""
    make, shapes, masks, kwargs, att_shape = case
    layer = make()
    xs = [rng_uniform(rng, s) for s in shapes]
    arrays = {f"x{i}": x for i, x in enumerate(xs)}
    for i, m in enumerate(masks):
        if m:
            arrays[f"m{i}"] = mask_for(shapes[i], i)

    def tensors():  # fresh tensors with their masks (MultiHeadAttention clears them)
        txs = [tf.constant(x) for x in xs]
        for i in range(len(xs)):
            if f"m{i}" in arrays:
                backend.set_keras_mask(txs[i], tf.constant(arrays[f"m{i}"]))
        return txs

    txs = tensors()
    call_kwargs = dict(kwargs)
    if att_shape is not None:
        am = rng.uniform(0, 1, att_shape) > 0.3
        am[:, :, 0] = True
        arrays["attention_mask"] = am
        call_kwargs["attention_mask"] = tf.constant(am)
    is_mha = isinstance(layer, (layers.MultiHeadAttention, layers.GroupQueryAttention))
    if is_mha:
        args = dict(query=txs[0], value=txs[1])
        if len(txs) > 2:
            args["key"] = txs[2]
        layer(**args, **call_kwargs)  # builds
    elif len(txs) == 1:
        layer(txs[0])
    else:
        layer(txs, **call_kwargs)
    weights = [rng.uniform(-0.5, 0.5, w.shape).astype(np.float32) for w in layer.get_weights()]
    layer.set_weights(weights)
    txs = tensors()
    if is_mha:
        args = dict(query=txs[0], value=txs[1])
        if len(txs) > 2:
            args["key"] = txs[2]
        out = layer(**args, **call_kwargs)
    elif len(txs) == 1:
        out = layer(txs[0])
    else:
        out = layer(txs, **call_kwargs)
    outs = out if isinstance(out, (tuple, list)) else [out]
    for i, o in enumerate(outs):
        arrays[f"y{i}"] = np.array(keras.ops.convert_to_numpy(o), dtype=np.float32, order="C")
    arrays.update({f"w{i}": w for i, w in enumerate(weights)})
    np.savez(os.path.join(OUT, name + ".npz"), **arrays)
    configs[name] = {"class_name": keras.saving.serialize_keras_object(layer)["class_name"], "config_keys": sorted(layer.get_config()),
                     "weight_names": [w.path for w in layer.weights],
                     "weight_shapes": [list(w.shape) for w in layer.weights]}
    print(name, layer.__class__.__name__, [x.shape for x in xs], "->", [arrays[f"y{i}"].shape for i in range(len(outs))])


def main():
    os.makedirs(OUT, exist_ok=True)
    rng = np.random.default_rng(2025)
    for name, (eq, shapes) in EINSUM.items():
        xs = [rng_uniform(rng, s, np.float64) for s in shapes]
        y = np.array(np.einsum(eq, *xs), dtype=np.float64, order="C")
        np.savez(os.path.join(OUT, "einsum_" + name + ".npz"), y=y, **{f"x{i}": x for i, x in enumerate(xs)})
        print("einsum", name, eq, y.shape)

    configs = {}
    for name, case in LAYER_CASES.items():
        write_layer_case(name, case, rng, configs)

    # Embedding(mask_zero=True) -> MultiHeadAttention(x, x): the query's and value's masks
    # from the ids, combined as Keras does (query mask & value mask).
    ids = np.array([[3, 1, 4, 0, 0], [2, 7, 1, 8, 0]], dtype=np.int32)
    inp = keras.Input((5,), dtype="int32")
    emb = layers.Embedding(10, 6, mask_zero=True)
    x = emb(inp)
    mha = layers.MultiHeadAttention(num_heads=2, key_dim=3)
    y = mha(x, x)
    model = keras.Model(inp, y)
    weights = [rng.uniform(-0.5, 0.5, w.shape).astype(np.float32) for w in model.get_weights()]
    model.set_weights(weights)
    out = keras.ops.convert_to_numpy(model(ids)).astype(np.float32)
    arrays = {"ids": ids, "y0": out}
    arrays.update({f"w{i}": w for i, w in enumerate(weights)})
    np.savez(os.path.join(OUT, "mha_embedding_mask.npz"), **arrays)
    print("mha_embedding_mask", out.shape)

    rng = np.random.default_rng(2027)  # (its own stream: the files above stay as they were)
    for name, case in DROPOUT_CASES.items():
        write_layer_case(name, case, rng, configs)

    with open(os.path.join(OUT, "configs.json"), "w") as f:
        json.dump(configs, f, indent=1, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
