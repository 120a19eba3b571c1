"""Fixtures of tests/core/test_half.cpp and tests/keras/test_mixed_precision.cpp.

conversions.npz: float64 and float32 inputs (edge cases: ties, subnormals, overflow, NaN,
inf, signed zeros, plus random values over the whole range) and the bit patterns
(as int32) of NumPy's float16 and ml_dtypes' bfloat16 of each, both rounded once from
the input's own type; the float32 values of every 5th float16 and bfloat16 bit pattern.
loss_scale.json: Keras 3's LossScaleOptimizer (wrapping SGD) on a scalar variable, for a
sequence of gradients (finite, inf, NaN): the scale, the variable and the iteration counts
after each step, with dynamic_growth_steps=3.
policy_models.json: per policy (mixed_float16, mixed_bfloat16), a Sequential
Dense(8, relu) -> Dense(2) -> Activation("linear", dtype="float32") on fixed weights: each
layer's output dtype and the weights' dtypes, the forward outputs, the loss and weights
after fit() (2 steps of SGD on mse), the layers' configs; and for mixed_float16, the loss
scale after each train_on_batch of a model compiled with a LossScaleOptimizer whose
initial scale (2^20) overflows float16 gradients first (skip-and-halve, then growth).

Run: KERAS_BACKEND=tensorflow /work/venv/bin/python make_fixtures.py
"""
import json
import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
import ml_dtypes
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))


def conversions():
    rng = np.random.default_rng(7)
    f16_max, f16_tiny = 65504.0, 2.0 ** -24
    edge = [0.0, -0.0, 1.0, -1.0, 0.1, 1 / 3, 65504.0, 65519.99, 65520.0, 65536.0, 1e10, -1e10,
            2.0 ** -14, 2.0 ** -15, 2.0 ** -24, 2.0 ** -25, 2.0 ** -25 * 1.0000001, 3 * 2.0 ** -26,
            2.0 ** -26, 1.0 + 2.0 ** -11, 1.0 + 3 * 2.0 ** -11, 1.0 + 2.0 ** -8, 1.0 + 3 * 2.0 ** -8,
            1.0 + 2.0 ** -11 + 2.0 ** -40, 3.3895313892515355e38, 3.4e38, 1e39, 1e-40, 2.0 ** -133,
            np.inf, -np.inf, np.nan, 2049.0, 2051.0, 257.0, 259.0, -2.5, 1e-8]
    rand = np.concatenate([
        rng.standard_normal(300) * 10.0 ** rng.integers(-9, 6, 300),
        rng.uniform(-f16_max, f16_max, 100),
        rng.standard_normal(100) * f16_tiny * 50,
        rng.standard_normal(100) * 10.0 ** rng.integers(-38, 38, 100)])
    x64 = np.concatenate([np.array(edge, dtype=np.float64), rand])
    x32 = x64.astype(np.float32)
    out = {
        "x64": x64, "x32": x32,
        "f16_from64": x64.astype(np.float16).view(np.uint16).astype(np.int32),
        "f16_from32": x32.astype(np.float16).view(np.uint16).astype(np.int32),
        "bf16_from64": x64.astype(ml_dtypes.bfloat16).view(np.uint16).astype(np.int32),
        "bf16_from32": x32.astype(ml_dtypes.bfloat16).view(np.uint16).astype(np.int32),
    }
    bits = np.arange(0, 65536, 5, dtype=np.uint32).astype(np.uint16)  # every 5th pattern
    out["all_bits"] = bits.astype(np.int32)
    out["f16_all"] = bits.view(np.float16).astype(np.float32)
    out["bf16_all"] = bits.view(ml_dtypes.bfloat16).astype(np.float32)
    np.savez(os.path.join(HERE, "conversions.npz"), **out)


def loss_scale():
    import keras
    v = keras.Variable(np.float32(1.0), name="v")
    opt = keras.optimizers.LossScaleOptimizer(keras.optimizers.SGD(learning_rate=0.5),
                                              initial_scale=8.0, dynamic_growth_steps=3)
    opt.build([v])
    grads = [1.0, 2.0, float("inf"), 4.0, float("nan"), 1.0, 1.0, 1.0, 2.0, -1.0, 1.0, 1.0, 1.0]
    steps = []
    for g in grads:
        scale = float(opt.dynamic_scale.numpy())
        opt.apply_gradients([(keras.ops.convert_to_tensor(np.float32(g * scale)), v)])
        steps.append({"grad": g if np.isfinite(g) else str(g), "scale_before": scale,
                      "scale": float(opt.dynamic_scale.numpy()), "value": float(v.numpy()),
                      "iterations": int(opt.iterations.numpy()),
                      "inner_iterations": int(opt.inner_optimizer.iterations.numpy())})
    default = keras.optimizers.LossScaleOptimizer(keras.optimizers.SGD())
    default.build([v])
    with open(os.path.join(HERE, "loss_scale.json"), "w") as f:
        json.dump({"learning_rate": 0.5, "initial_scale": 8.0, "dynamic_growth_steps": 3,
                   "steps": steps, "default_config": json.loads(json.dumps(default.get_config(), default=float)),
                   "scale_loss": float(default.scale_loss(keras.ops.convert_to_tensor(np.float32(3.0))).numpy())},
                  f, indent=1)


def policy_models():
    import keras
    rng = np.random.default_rng(3)
    x = rng.standard_normal((16, 4)).astype(np.float32)
    y = rng.standard_normal((16, 2)).astype(np.float32)
    weights = [(rng.standard_normal((4, 8)) * 0.5).astype(np.float32), (rng.standard_normal(8) * 0.1).astype(np.float32),
               (rng.standard_normal((8, 2)) * 0.5).astype(np.float32), (rng.standard_normal(2) * 0.1).astype(np.float32)]

    def make():
        return keras.Sequential([keras.Input((4,)), keras.layers.Dense(8, activation="relu", name="d1"),
                                 keras.layers.Dense(2, name="d2"),
                                 keras.layers.Activation("linear", dtype="float32", name="out")])

    out = {"x": x.tolist(), "y": y.tolist(), "weights": [w.tolist() for w in weights]}
    for policy in ["mixed_float16", "mixed_bfloat16"]:
        keras.mixed_precision.set_global_policy(policy)
        m = make()
        m.set_weights(weights)
        h = x
        dtypes = []
        for layer in m.layers:
            h = layer(h)
            dtypes.append(str(h.dtype.name))
        rec = {"layer_output_dtypes": dtypes, "model_dtype_policy": m.dtype_policy.name,
               "weight_dtypes": [str(w.dtype) for w in m.weights], "forward": np.asarray(m(x)).tolist(),
               "configs": [layer.get_config()["dtype"] for layer in m.layers]}
        m.compile(optimizer=keras.optimizers.SGD(learning_rate=0.1), loss="mse")
        rec["optimizer_class"] = type(m.optimizer).__name__
        hist = m.fit(x, y, batch_size=8, epochs=1, shuffle=False, verbose=0)
        rec["fit_loss"] = hist.history["loss"][0]
        rec["fit_weights"] = [np.asarray(w).tolist() for w in m.get_weights()]
        if policy == "mixed_float16":
            rec["fit_scale"] = float(m.optimizer.dynamic_scale.numpy())
            m = make()
            m.set_weights(weights)
            m.compile(optimizer=keras.optimizers.LossScaleOptimizer(keras.optimizers.SGD(learning_rate=0.1),
                                                                    initial_scale=2.0 ** 20, dynamic_growth_steps=2),
                      loss="mse")
            scales, iters = [], []
            for i in range(8):
                m.train_on_batch(x[2 * i:2 * i + 2], y[2 * i:2 * i + 2])
                scales.append(float(m.optimizer.dynamic_scale.numpy()))
                iters.append(int(m.optimizer.iterations.numpy()))
            rec["lso_scales"], rec["lso_iterations"] = scales, iters
            rec["lso_weights"] = [np.asarray(w).tolist() for w in m.get_weights()]
        out[policy] = rec
    keras.mixed_precision.set_global_policy("float32")
    with open(os.path.join(HERE, "policy_models.json"), "w") as f:
        json.dump(out, f)


if __name__ == "__main__":
    conversions()
    loss_scale()
    policy_models()
