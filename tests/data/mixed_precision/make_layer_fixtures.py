"""Fixtures of tests/keras/test_mixed_precision_layers.cpp: Keras 3's recurrent layers,
GroupNormalization and the attention softmaxes under dtype policies, and compile()'s
auto_scale_loss.

layer_policies.json holds, for each policy (mixed_float16, mixed_bfloat16, float64 and
float32), per model on fixed weights and inputs:
  rnn_<kind>: Sequential Input((5, 3)) -> <recurrent layer> -> Dense(2, dtype="float32")
      (SimpleRNN(4), LSTM(4, return_sequences), GRU(4), GRU(4, reset_after=False),
      Bidirectional(LSTM(3)), RNN(LSTMCell(4)) with return_state): the recurrent layer's
      output dtype and outputs, the weights' names and dtypes, the model's forward
      output, and the loss and weights after fit() (2 steps of SGD, lr 0.1, on mse);
  group_norm: Input((6, 4)) -> GroupNormalization(groups=2) on large inputs (its output
      dtype and outputs, and after fit() as above through a Dense(2, dtype="float32"));
  mha_fused / mha_scores: MultiHeadAttention(num_heads=2, key_dim=3) with an attention
      mask holding a fully masked row, without and with return_attention_scores (Keras's
      dot_product_attention path and its masked Softmax layer path);
  softmax_masked: Softmax() with a mask; attention_masked: Attention() with a value mask.
auto_scale_loss: the optimizer classes compile() leaves for a mixed_float16 model with
auto_scale_loss True and False.

Run: KERAS_BACKEND=tensorflow /work/venv/bin/python make_layer_fixtures.py
"""
import json
import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))


def arr(a):
    a = np.asarray(a)
    return {"shape": list(a.shape), "dtype": str(a.dtype),
            "data": a.astype(np.float64).reshape(-1).tolist()}


def rnn_layer(keras, kind):
    if kind == "simple_rnn":
        return keras.layers.SimpleRNN(4, name="rnn")
    if kind == "lstm":
        return keras.layers.LSTM(4, return_sequences=True, name="rnn")
    if kind == "gru":
        return keras.layers.GRU(4, name="rnn")
    if kind == "gru_v1":
        return keras.layers.GRU(4, reset_after=False, name="rnn")
    if kind == "bidirectional":
        return keras.layers.Bidirectional(keras.layers.LSTM(3), name="rnn")
    raise ValueError(kind)


def fit_record(keras, m, x, y, rec):
    m.compile(optimizer=keras.optimizers.SGD(learning_rate=0.1), loss="mse")
    rec["optimizer_class"] = type(m.optimizer).__name__
    hist = m.fit(x, y, batch_size=4, epochs=1, shuffle=False, verbose=0)
    rec["fit_loss"] = hist.history["loss"][0]
    rec["fit_weights"] = [arr(w) for w in m.get_weights()]


def rnn_models(keras, policy, rng_seed):
    out = {}
    for kind in ["simple_rnn", "lstm", "gru", "gru_v1", "bidirectional"]:
        rng = np.random.default_rng(rng_seed)
        x = rng.standard_normal((8, 5, 3)).astype(np.float32)
        m = keras.Sequential([keras.Input((5, 3)), rnn_layer(keras, kind),
                              keras.layers.Dense(2, dtype="float32", name="out")])
        weights = [(rng.standard_normal(w.shape) * 0.5).astype(np.float32) for w in m.get_weights()]
        m.set_weights(weights)
        y = rng.standard_normal(m.compute_output_shape((8, 5, 3))).astype(np.float32)
        rnn = m.get_layer("rnn")
        h = rnn(x)
        rec = {"x": arr(x), "y": arr(y), "weights": [arr(w) for w in weights],
               "rnn_output_dtype": str(h.dtype.name), "rnn_output": arr(np.asarray(h, dtype=np.float64)),
               "weight_names": [w.path for w in m.weights], "weight_dtypes": [str(w.dtype) for w in m.weights],
               "forward": arr(m(x))}
        fit_record(keras, m, x, y, rec)
        out["rnn_" + kind] = rec
    # RNN(LSTMCell) with return_state and given initial states (float32 tensors).
    rng = np.random.default_rng(rng_seed + 1)
    x = rng.standard_normal((2, 4, 3)).astype(np.float32)
    h0 = rng.standard_normal((2, 4)).astype(np.float32)
    c0 = rng.standard_normal((2, 4)).astype(np.float32)
    layer = keras.layers.RNN(keras.layers.LSTMCell(4), return_state=True, name="rnn")
    layer.build((None, 4, 3))
    weights = [(rng.standard_normal(w.shape) * 0.5).astype(np.float32) for w in layer.get_weights()]
    layer.set_weights(weights)
    res = layer(x, initial_state=[h0, c0])
    out["rnn_cell_states"] = {"x": arr(x), "h0": arr(h0), "c0": arr(c0), "weights": [arr(w) for w in weights],
                              "cell_compute_dtype": layer.cell.compute_dtype,
                              "output_dtypes": [str(t.dtype.name) for t in res],
                              "outputs": [arr(np.asarray(t, dtype=np.float64)) for t in res]}
    return out


def group_norm(keras):
    rng = np.random.default_rng(11)
    x = (rng.standard_normal((8, 6, 4)) * 300.0 + 100.0).astype(np.float32)
    m = keras.Sequential([keras.Input((6, 4)), keras.layers.GroupNormalization(groups=2, name="gn"),
                          keras.layers.Flatten(name="flat"), keras.layers.Dense(2, dtype="float32", name="out")])
    weights = [(rng.standard_normal(w.shape) * 0.5 + (1.0 if i == 0 else 0.0)).astype(np.float32)
               for i, w in enumerate(m.get_weights())]
    m.set_weights(weights)
    y = rng.standard_normal((8, 2)).astype(np.float32)
    g = m.get_layer("gn")(x)
    rec = {"x": arr(x), "y": arr(y), "weights": [arr(w) for w in weights], "gn_output_dtype": str(g.dtype.name),
           "gn_output": arr(np.asarray(g, dtype=np.float64)), "weight_dtypes": [str(w.dtype) for w in m.weights],
           "forward": arr(m(x))}
    fit_record(keras, m, x, y, rec)
    return rec


def attention(keras):
    rng = np.random.default_rng(5)
    q = rng.standard_normal((2, 3, 4)).astype(np.float32)
    v = rng.standard_normal((2, 5, 4)).astype(np.float32)
    mask = rng.random((2, 3, 5)) > 0.3
    mask[0, 1, :] = False  # a fully masked row
    mha = keras.layers.MultiHeadAttention(num_heads=2, key_dim=3, name="mha")
    mha(q, v)
    weights = [(rng.standard_normal(w.shape) * 0.5).astype(np.float32) for w in mha.get_weights()]
    mha.set_weights(weights)
    fused = mha(q, v, attention_mask=mask)
    out2, scores = mha(q, v, attention_mask=mask, return_attention_scores=True)
    res = {"mha_fused": {"q": arr(q), "v": arr(v), "mask": arr(mask.astype(np.float32)),
                         "weights": [arr(w) for w in weights], "weight_dtypes": [str(w.dtype) for w in mha.weights],
                         "output_dtype": str(fused.dtype.name), "output": arr(np.asarray(fused, dtype=np.float64))},
           "mha_scores": {"output": arr(np.asarray(out2, dtype=np.float64)),
                          "scores_dtype": str(scores.dtype.name), "scores": arr(np.asarray(scores, dtype=np.float64))}}
    logits = (rng.standard_normal((2, 3, 4)) * 4.0).astype(np.float32)
    smask = rng.random((2, 3, 4)) > 0.4
    smask[1, 2, :] = False
    sm = keras.layers.Softmax(name="softmax")(logits, mask=smask)
    res["softmax_masked"] = {"x": arr(logits), "mask": arr(smask.astype(np.float32)),
                             "output_dtype": str(sm.dtype.name),
                             "output": arr(np.asarray(sm, dtype=np.float64))}
    vmask = rng.random((2, 5)) > 0.3
    vmask[1, :] = False
    att = keras.layers.Attention(name="attention")([q, v], mask=[None, vmask])
    res["attention_masked"] = {"q": arr(q), "v": arr(v), "vmask": arr(vmask.astype(np.float32)),
                               "output_dtype": str(att.dtype.name), "output": arr(np.asarray(att, dtype=np.float64))}
    return res


def main():
    import keras
    out = {}
    for policy in ["mixed_float16", "mixed_bfloat16", "float64", "float32"]:
        keras.mixed_precision.set_global_policy(policy)
        rec = rnn_models(keras, policy, 21)
        rec["group_norm"] = group_norm(keras)
        rec.update(attention(keras))
        out[policy] = rec
    keras.mixed_precision.set_global_policy("mixed_float16")
    scale = {}
    for auto in [True, False]:
        m = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
        m.compile(optimizer=keras.optimizers.SGD(), loss="mse", auto_scale_loss=auto)
        scale[str(auto).lower()] = type(m.optimizer).__name__
    out["auto_scale_loss"] = scale
    keras.mixed_precision.set_global_policy("float32")
    with open(os.path.join(HERE, "layer_policies.json"), "w") as f:
        json.dump(out, f)


if __name__ == "__main__":
    main()
