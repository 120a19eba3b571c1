#!/usr/bin/env python3
"""Writes tests/data/paths/paths.json, multi_optimizer.keras and policy_map.keras, Keras
3's layer and variable paths, MultiOptimizer with an OptimizerMap, and DTypePolicyMap, read
by tests/keras/test_variable_paths.cpp:

    /work/venv/bin/python tests/data/paths/make_path_fixtures.py

paths.json:
- "paths": for each model, every layer's path and every weight's path, in weights order;
- "multi": a functional model (x -> enc Dense(4, relu) -> head Dense(1)) with given
  weights, compiled with MultiOptimizer(OptimizerMap(SGD(0.1), {"enc/.*": Adam(0.01)})),
  three train_on_batch steps: the data, the weights before and after, the iterations;
- "policy_map": DTypePolicyMap lookups and serialized forms.
multi_optimizer.keras: that model after its steps (compile config with the MultiOptimizer).
policy_map.keras: a functional model whose Dense "mixed" has dtype DTypePolicyMap(float32,
{"mixed": bfloat16}), with its predictions in paths.json.
"""
import json
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
import numpy as np  # noqa: E402
import keras  # noqa: E402
from keras import dtype_policies as dp  # noqa: E402
from keras import layers, optimizers  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


def describe(model):
    layers_ = [{"name": l.name, "path": l.path} for l in model._flatten_layers(include_self=False)]
    return {"layers": layers_, "weights": [v.path for v in model.weights]}


def paths():
    out = {}
    seq = keras.Sequential([keras.Input((3,)), layers.Dense(4, name="d1"), layers.Dense(2, name="d2")], name="seq")
    out["sequential"] = describe(seq)
    lazy = keras.Sequential([layers.Dense(4, name="a"), layers.Dense(2, name="b")], name="lazy")
    lazy(np.ones((1, 3), "float32"))
    out["sequential_built_by_call"] = describe(lazy)
    x = keras.Input((3,), name="x")
    h = layers.Dense(4, name="enc")(x)
    out["functional"] = describe(keras.Model(x, layers.Dense(1, name="head")(h), name="fn"))
    block = keras.Sequential([keras.Input((3,)), layers.Dense(4, name="inner")], name="block")
    x = keras.Input((3,), name="x")
    out["nested"] = describe(keras.Model(x, layers.Dense(1, name="outer")(block(x)), name="nest"))

    class Sub(keras.Model):
        def __init__(self):
            super().__init__(name="sub")
            self.d = layers.Dense(2, name="d")
            self.mha = layers.MultiHeadAttention(num_heads=2, key_dim=2, name="att")

        def call(self, x):
            return self.d(self.mha(x, x))

    sub = Sub()
    sub(np.ones((1, 3, 4), "float32"))
    out["subclassed"] = describe(sub)

    # Wrappers build their inner layers inside those layers' scopes.
    x = keras.Input((3, 4), name="x")
    h = layers.Bidirectional(layers.LSTM(2, return_sequences=True, name="l"), name="bi")(x)
    h = layers.TimeDistributed(layers.Dense(2, name="td_dense"), name="td")(h)
    h = layers.TimeDistributed(layers.LSTM(2, name="td_lstm"), name="td2")(layers.Reshape((1, 3, 2), name="r")(h))
    h = layers.RNN([layers.LSTMCell(2, name="c1"), layers.LSTMCell(2, name="c2")], name="stack")(h)
    wrap = keras.Model(x, h, name="wrap")
    out["wrappers"] = {"weights": [v.path for v in wrap.weights]}
    return out


def multi():
    rng = np.random.default_rng(7)
    x_in = keras.Input((3,), name="x")
    h = layers.Dense(4, activation="relu", name="enc")(x_in)
    model = keras.Model(x_in, layers.Dense(1, name="head")(h), name="wide_deep")
    before = [rng.uniform(-0.5, 0.5, w.shape).astype("float32") for w in model.weights]
    model.set_weights(before)
    omap = optimizers.OptimizerMap(optimizers.SGD(0.1), {"enc/.*": optimizers.Adam(0.01)})
    model.compile(optimizer=optimizers.MultiOptimizer(omap), loss="mse")
    x = rng.uniform(-1, 1, (8, 3)).astype("float32")
    y = rng.uniform(-1, 1, (8, 1)).astype("float32")
    for _ in range(3):
        model.train_on_batch(x, y)
    model.save(os.path.join(HERE, "multi_optimizer.keras"))
    opt = model.optimizer
    return {
        "x": x.ravel().tolist(), "y": y.ravel().tolist(),
        "before": [w.ravel().tolist() for w in before],
        "after": [w.numpy().ravel().tolist() for w in model.weights],
        "iterations": int(opt.iterations.numpy()),
        "inner": [[o.name, int(o.iterations.numpy())] for o in opt.optimizers],
    }


def policy_map():
    m = dp.DTypePolicyMap(default_policy="float32")
    m["encoder/layer_0/dense"] = "bfloat16"
    m["encoder/.*"] = "float16"
    m["decoder"] = dp.QuantizedDTypePolicy("int8", "float32")
    queries = ["encoder/layer_0/dense", "encoder/attention/query", "decoder", "decoder/attention"]
    out = {"lookups": {q: m[q].name for q in queries}, "name": m.name,
           "serialized": keras.saving.serialize_keras_object(m)}
    m["encoder/attention/.*"] = "bfloat16"
    try:
        m["encoder/attention/query"]
    except ValueError as e:
        out["multiple"] = str(e)
    pm = dp.DTypePolicyMap(default_policy="float32")
    pm["mixed"] = "bfloat16"
    x = keras.Input((3,), name="x")
    mixed = layers.Dense(4, name="mixed", dtype=pm)
    model = keras.Model(x, layers.Dense(2, name="plain")(mixed(x)), name="with_map")
    rng = np.random.default_rng(3)
    model.set_weights([rng.uniform(-1, 1, w.shape).astype("float32") for w in model.weights])
    model.save(os.path.join(HERE, "policy_map.keras"))
    data = rng.uniform(-1, 1, (2, 3)).astype("float32")
    out["model"] = {"x": data.ravel().tolist(), "y": model.predict(data, verbose=0).ravel().tolist(),
                    "mixed_compute_dtype": mixed.compute_dtype, "mixed_variable_dtype": mixed.variable_dtype,
                    "mixed_config_dtype": keras.saving.serialize_keras_object(mixed.get_config()["dtype"])}
    return out


def main():
    keras.utils.set_random_seed(1)
    data = {"paths": paths(), "multi": multi(), "policy_map": policy_map()}
    with open(os.path.join(HERE, "paths.json"), "w") as f:
        json.dump(data, f, indent=1, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
