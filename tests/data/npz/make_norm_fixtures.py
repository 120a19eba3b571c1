"""Writes tests/data/norm/*.npz: Keras 3's outputs of GroupNormalization and
UnitNormalization on fixed inputs and weights, for
tests/keras/test_group_unit_normalization.cpp (which builds the same layers in keras-cpp).
Run by hand in a venv with keras, tensorflow-cpu and numpy:

    /work/venv/bin/python tests/data/npz/make_norm_fixtures.py

Each file holds x (the input), w0, w1, ... (the layer's weights, Keras's order and
shapes), y (Keras's output) and, for the layers with weights, dx and dw0, dw1, ...: the
gradients of sum(y * c) with c a fixed array (also stored), all float32; configs.json
the class name and config of each.
"""
import json
import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
from keras import layers  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "norm")

# name -> (layer, input shape with the batch axis). Keep these in step with the C++ test.
CASES = {
    "group_norm_default_groups2": (lambda: layers.GroupNormalization(groups=2), (3, 5, 4)),
    "group_norm_instance": (lambda: layers.GroupNormalization(groups=-1, epsilon=1e-5), (2, 3, 3, 4)),
    "group_norm_one_group_no_center": (lambda: layers.GroupNormalization(groups=1, center=False), (2, 6)),
    "group_norm_axis1_no_scale": (lambda: layers.GroupNormalization(groups=3, axis=1, scale=False), (2, 6, 2, 3)),
    "group_norm_axis_minus2": (lambda: layers.GroupNormalization(groups=2, axis=-2), (2, 3, 4, 2)),
    "unit_norm_last": (lambda: layers.UnitNormalization(), (3, 5)),
    "unit_norm_axes_1_2": (lambda: layers.UnitNormalization(axis=[1, 2]), (2, 3, 4)),
    "unit_norm_axis1_zero_row": (lambda: layers.UnitNormalization(axis=1), (2, 3, 2)),
}


def main():
    os.makedirs(OUT, exist_ok=True)
    rng = np.random.default_rng(1414)
    configs = {}
    for name, (make, shape) in CASES.items():
        layer = make()
        x = rng.uniform(-2, 3, shape).astype(np.float32)
        if name.endswith("zero_row"):
            x[0, :, 1] = 0.0
        layer.build(shape)
        weights = [rng.uniform(0.5, 1.5, w.shape).astype(np.float32) for w in layer.get_weights()]
        layer.set_weights(weights)
        c = rng.uniform(-1, 1, shape).astype(np.float32)
        xt = tf.constant(x)
        with tf.GradientTape() as tape:
            tape.watch(xt)
            y = layer(xt)
            loss = tf.reduce_sum(y * c)
        grads = tape.gradient(loss, [xt] + list(layer.trainable_weights))
        arrays = {"x": x, "y": y.numpy().astype(np.float32), "c": c, "dx": grads[0].numpy()}
        arrays.update({f"w{i}": w for i, w in enumerate(weights)})
        arrays.update({f"dw{i}": g.numpy() for i, g in enumerate(grads[1:])})
        np.savez(os.path.join(OUT, name + ".npz"), **arrays)
        cfg = layer.get_config()
        configs[name] = {"class_name": layer.__class__.__name__,
                         "config": {k: v for k, v in cfg.items() if k not in ("dtype",)}}
        print(name, layer.__class__.__name__, x.shape, "->", y.shape)
    with open(os.path.join(OUT, "configs.json"), "w") as f:
        json.dump(configs, f, indent=1, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
