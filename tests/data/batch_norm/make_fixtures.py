#!/usr/bin/env python3
"""Writes batch_norm_mask.npz: Keras 3's BatchNormalization with a mask (training uses the
masked moments; inference ignores the mask), for tests/keras/test_batch_norm_fused.cpp.
Run by hand in a venv with tensorflow-cpu and keras: python make_fixtures.py
"""
import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
import keras
import numpy as np

rng = np.random.default_rng(5)
out = {}
for name, shape, axis in [("last", (2, 5, 3), -1), ("axis1", (2, 4, 3), 1)]:
    x = rng.uniform(-2, 2, size=shape).astype("float32") + 1.0
    mask = rng.uniform(size=shape[:2]) > 0.4
    mask[0, 0] = True
    layer = keras.layers.BatchNormalization(axis=axis, momentum=0.5, epsilon=0.01)
    layer.build(shape)
    c = shape[axis]
    gamma = rng.uniform(0.5, 1.5, size=c).astype("float32")
    beta = rng.uniform(-1, 1, size=c).astype("float32")
    layer.set_weights([gamma, beta, np.zeros(c, "float32"), np.ones(c, "float32")])
    y = layer(x, training=True, mask=mask)
    out[name + "_x"] = x
    out[name + "_mask"] = mask
    out[name + "_gamma"] = gamma
    out[name + "_beta"] = beta
    out[name + "_y_train"] = np.asarray(y)
    out[name + "_moving_mean"] = np.asarray(layer.moving_mean)
    out[name + "_moving_variance"] = np.asarray(layer.moving_variance)
    out[name + "_y_infer"] = np.asarray(layer(x, training=False, mask=mask))
np.savez(os.path.join(os.path.dirname(os.path.abspath(__file__)), "batch_norm_mask.npz"), **out)
print("keras", keras.__version__, "wrote", len(out), "arrays")
