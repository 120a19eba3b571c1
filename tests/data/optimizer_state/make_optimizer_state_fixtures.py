#!/usr/bin/env python3
"""Writes tests/data/optimizer_state/<name>.keras and state.json: Keras 3.15 models
trained three steps with each optimizer and saved (their files hold the optimizer's
variables, "optimizer/vars"), then trained two more steps; read by
tests/keras/test_optimizer_state.cpp, which loads each file, trains the same two steps and
compares the weights:

    /work/venv/bin/python tests/data/optimizer_state/make_optimizer_state_fixtures.py [NAME...]

state.json: per name, the data, the optimizer's variables (path and shape, in order) and
the weights after the two further steps.
"""
import json
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
import numpy as np  # noqa: E402
import keras  # noqa: E402
from keras import layers, optimizers  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


def cases():
    decay = optimizers.schedules.ExponentialDecay(0.05, decay_steps=2, decay_rate=0.5)
    return {
        "sgd_momentum": lambda: optimizers.SGD(0.05, momentum=0.9, nesterov=True),
        "adam_amsgrad": lambda: optimizers.Adam(0.01, amsgrad=True),
        "adamw": lambda: optimizers.AdamW(0.01, weight_decay=0.1),
        "rmsprop_centered": lambda: optimizers.RMSprop(0.01, momentum=0.5, centered=True),
        "adagrad": lambda: optimizers.Adagrad(0.1),
        "adadelta": lambda: optimizers.Adadelta(1.0),
        "adamax": lambda: optimizers.Adamax(0.01),
        "nadam": lambda: optimizers.Nadam(0.01),
        "ftrl": lambda: optimizers.Ftrl(0.1, l1_regularization_strength=0.01),
        "lion": lambda: optimizers.Lion(0.001),
        "lamb": lambda: optimizers.Lamb(0.01),
        "adafactor": lambda: optimizers.Adafactor(0.01),
        "adam_schedule": lambda: optimizers.Adam(decay),
        "adam_ema": lambda: optimizers.Adam(0.01, use_ema=True),
        "sgd_accumulation": lambda: optimizers.SGD(0.05, momentum=0.5, gradient_accumulation_steps=2),
        "loss_scale": lambda: optimizers.LossScaleOptimizer(optimizers.Adam(0.01), initial_scale=1024.0,
                                                            dynamic_growth_steps=2),
        # compiled and saved before any step: Keras writes its iteration and learning rate alone
        "adam_untrained": lambda: optimizers.Adam(0.02),
        "multi": lambda: optimizers.MultiOptimizer(
            optimizers.OptimizerMap(optimizers.SGD(0.05, momentum=0.9), {"enc/.*": optimizers.Adam(0.01)})),
    }


PRE_STEPS = {"adam_untrained": 0}  # steps before saving (3 when unlisted)


def main():
    # Names on the command line: only those files, their entries replaced in state.json.
    wanted = sys.argv[1:]
    rng = np.random.default_rng(11)
    x = rng.uniform(-1, 1, (8, 3)).astype("float32")
    y = rng.uniform(-1, 1, (8, 2)).astype("float32")
    out = {"x": x.ravel().tolist(), "y": y.ravel().tolist()}
    if wanted:
        with open(os.path.join(HERE, "state.json")) as f:
            out = json.load(f)
    for name, make in cases().items():
        if wanted and name not in wanted:
            continue
        keras.utils.set_random_seed(5)
        inp = keras.Input((3,), name="x")
        h = layers.Dense(4, activation="tanh", name="enc")(inp)
        model = keras.Model(inp, layers.Dense(2, name="head")(h), name=name)
        weights = [np.random.default_rng(2).uniform(-0.5, 0.5, w.shape).astype("float32") for w in model.weights]
        model.set_weights(weights)
        model.compile(optimizer=make(), loss="mse")
        for _ in range(PRE_STEPS.get(name, 3)):
            model.train_on_batch(x, y)
        model.save(os.path.join(HERE, name + ".keras"))
        variables = [[v.path, list(v.shape)] for v in model.optimizer.variables]
        for _ in range(2):
            model.train_on_batch(x, y)
        out[name] = {"variables": variables, "after": [w.numpy().ravel().tolist() for w in model.weights],
                     "iterations": int(model.optimizer.iterations.numpy())}
    with open(os.path.join(HERE, "state.json"), "w") as f:
        json.dump(out, f, indent=1, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
