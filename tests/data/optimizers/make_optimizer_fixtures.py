"""Writes optimizers.json: Keras 3's own trajectories for the optimizers and base options
that tests/keras/test_optimizer_options.cpp checks (Lamb, Adafactor, use_ema with
ema_overwrite_frequency, gradient_accumulation_steps, loss_scale_factor, SwapEMAWeights
in fit). Run with the oracle venv (tensorflow-cpu, keras and jax):
python make_optimizer_fixtures.py

ScheduleFreeAdamW's trajectories come from Keras on the JAX backend: on the TensorFlow
backend its `momentum.value` is a live reference, so the "old" iterate it reads is already
updated, which its code does not intend (the JAX and PyTorch backends read the old one)."""
import json
import os
import subprocess
import sys

JAX_ONLY = sys.argv[1:] == ["--jax-cases"]
os.environ["KERAS_BACKEND"] = "jax" if JAX_ONLY else "tensorflow"
import numpy as np
import keras
from keras import ops

# The problem: f(w) = sum(c * w^2) for each variable, so the gradient is 2 c w.
SHAPES = {"vector": (3,), "matrix": (2, 3), "cube": (2, 2, 3), "tall": (4, 2), "embedding": (3, 2)}


def initial(shape, k):
    n = int(np.prod(shape))
    return (np.linspace(-1.5, 1.2, n) + 0.1 * k).reshape(shape).astype("float32")


def coeff(shape):
    n = int(np.prod(shape))
    return (np.arange(1, n + 1) % 4 + 0.5).reshape(shape).astype("float32")


def trajectory(make, shapes, steps, grad_scale=1.0):
    opt = make()
    vars_ = [keras.Variable(initial(SHAPES[s], k), name=s) for k, s in enumerate(shapes)]
    cs = [coeff(SHAPES[s]) for s in shapes]
    out = []
    for _ in range(steps):
        grads = [ops.multiply(2.0 * c * grad_scale, v) for v, c in zip(vars_, cs)]
        opt.apply_gradients(zip(grads, vars_))
        step = {"weights": [np.asarray(v).ravel().tolist() for v in vars_],
                "iterations": int(opt.iterations)}
        if opt.use_ema:
            step["averages"] = [np.asarray(a).ravel().tolist() for a in opt._model_variables_moving_average]
        out.append(step)
    return {"config": {k: v for k, v in opt.get_config().items() if k != "learning_rate" or not isinstance(v, dict)},
            "shapes": shapes, "steps": out}


cases = {
    "lamb": trajectory(lambda: keras.optimizers.Lamb(learning_rate=0.05), ["vector", "matrix"], 4),
    "lamb_decay": trajectory(lambda: keras.optimizers.Lamb(learning_rate=0.05, beta_1=0.8, weight_decay=0.1,
                                                           epsilon=1e-6), ["matrix"], 3),
    "adafactor": trajectory(lambda: keras.optimizers.Adafactor(), ["vector", "matrix", "cube"], 4),
    "adafactor_large_lr": trajectory(lambda: keras.optimizers.Adafactor(learning_rate=0.5, clip_threshold=0.5),
                                     ["vector", "matrix", "cube"], 4),
    "adafactor_absolute": trajectory(lambda: keras.optimizers.Adafactor(learning_rate=0.5, relative_step=False,
                                                                        beta_2_decay=-0.5), ["matrix"], 3),
    "adam_ema": trajectory(lambda: keras.optimizers.Adam(learning_rate=0.1, use_ema=True, ema_momentum=0.8),
                           ["vector", "matrix"], 4),
    "sgd_ema_overwrite": trajectory(lambda: keras.optimizers.SGD(learning_rate=0.1, momentum=0.5, use_ema=True,
                                                                 ema_momentum=0.6, ema_overwrite_frequency=3),
                                    ["vector"], 7),
    "sgd_accumulate": trajectory(lambda: keras.optimizers.SGD(learning_rate=0.1, momentum=0.9,
                                                              gradient_accumulation_steps=3, clipnorm=1.0),
                                 ["vector", "matrix"], 7),
    "adam_accumulate_ema": trajectory(lambda: keras.optimizers.Adam(learning_rate=0.1, gradient_accumulation_steps=2,
                                                                    use_ema=True, ema_momentum=0.5,
                                                                    weight_decay=0.01),
                                      ["vector"], 6),
    "muon": trajectory(lambda: keras.optimizers.Muon(learning_rate=0.05),
                       ["vector", "matrix", "cube", "tall", "embedding"], 4),
    "muon_options": trajectory(lambda: keras.optimizers.Muon(learning_rate=0.05, nesterov=False, rms_rate=None,
                                                             exclude_layers=["ta.l"], adam_lr_ratio=0.5,
                                                             weight_decay=0.01, adam_weight_decay=None,
                                                             exclude_embeddings=False, ns_steps=3, momentum=0.8),
                               ["matrix", "tall", "embedding", "vector"], 3),
    "rmsprop_loss_scale": trajectory(lambda: keras.optimizers.RMSprop(learning_rate=0.01, loss_scale_factor=8.0),
                                     ["vector"], 3, grad_scale=8.0),
}

if JAX_ONLY:
    print(json.dumps({
        "schedule_free": trajectory(lambda: keras.optimizers.ScheduleFreeAdamW(), ["vector", "matrix"], 4),
        "schedule_free_warmup": trajectory(
            lambda: keras.optimizers.ScheduleFreeAdamW(learning_rate=0.1, warmup_steps=3, beta_1=0.8,
                                                       weight_decay=0.05), ["matrix"], 5)}))
    sys.exit(0)
jax_cases = subprocess.run([sys.executable, os.path.abspath(__file__), "--jax-cases"], check=True,
                           capture_output=True, text=True).stdout
cases.update(json.loads(jax_cases.strip().splitlines()[-1]))

# fit() with use_ema and SwapEMAWeights: validation runs on the averages, and fit leaves
# the averages in the weights.
x = np.linspace(-1, 1, 24).reshape(8, 3).astype("float32")
y = np.stack([x.sum(1), x[:, 0] - x[:, 2]], 1).astype("float32")
kernel = np.array([[0.3, -0.2], [0.1, 0.4], [-0.5, 0.2]], "float32")
bias = np.array([0.05, -0.1], "float32")
fits = {}
for swap_on_epoch in [False, True]:
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    model.set_weights([kernel, bias])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.1, use_ema=True, ema_momentum=0.5), loss="mse")
    h = model.fit(x, y, batch_size=4, epochs=3, shuffle=False, verbose=0, validation_data=(x[:4], y[:4]),
                  callbacks=[keras.callbacks.SwapEMAWeights(swap_on_epoch=swap_on_epoch)])
    fits["swap_on_epoch" if swap_on_epoch else "swap"] = {
        "history": {k: [float(v) for v in vs] for k, vs in h.history.items()},
        "weights": [w.ravel().tolist() for w in model.get_weights()]}
cases["fit"] = {"x": x.ravel().tolist(), "y": y.ravel().tolist(), "kernel": kernel.ravel().tolist(),
                "bias": bias.ravel().tolist(), "runs": fits}

with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "optimizers.json"), "w") as f:
    json.dump(cases, f, indent=1)
