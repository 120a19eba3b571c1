"""Writes more_layers.json: Keras 3's outputs and configs of ReversibleEmbedding (tied and
untied, soft cap, mask) and Pipeline, for tests/keras/test_more_layers.cpp.
Run with the oracle venv: python make_more_layer_fixtures.py"""
import json
import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
import numpy as np
import keras
from keras import layers

rng = np.random.default_rng(3)
ids = np.array([[1, 2, 0], [3, 9, 4]], "int32")
hidden = rng.normal(size=(2, 3, 4)).astype("float32")


def config(layer):
    c = json.loads(json.dumps(layer.get_config(), default=list))
    c.pop("dtype", None)
    return c


cases = {}
for key, kwargs in [("tied", {}), ("untied", {"tie_weights": False, "logit_soft_cap": 2.0}),
                    ("masked", {"mask_zero": True, "reverse_dtype": "float32"})]:
    emb = layers.ReversibleEmbedding(10, 4, **kwargs)
    emb.build((None, 3))
    weights = [rng.normal(size=w.shape).astype("float32") for w in emb.weights]
    emb.set_weights(weights)
    out = emb(ids)
    mask = getattr(out, "_keras_mask", None)
    cases[key] = {"weights": [w.ravel().tolist() for w in weights], "weight_shapes": [list(w.shape) for w in weights],
                  "ids": ids.ravel().tolist(), "forward": np.asarray(out).ravel().tolist(),
                  "mask": None if mask is None else np.asarray(mask).astype("float32").ravel().tolist(),
                  "hidden": hidden.ravel().tolist(), "reverse": np.asarray(emb(hidden, reverse=True)).ravel().tolist(),
                  "config": config(emb)}

pipe = layers.Pipeline([layers.Rescaling(0.5, offset=1.0), layers.CenterCrop(2, 2), layers.Rescaling(3.0)])
images = rng.uniform(0, 10, size=(2, 4, 4, 1)).astype("float32")
cases["pipeline"] = {"input": images.ravel().tolist(), "shape": list(images.shape),
                     "output": np.asarray(pipe(images)).ravel().tolist(), "config": config(pipe)}
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "more_layers.json"), "w") as f:
    json.dump(cases, f)
