"""Writes tests/data/conv_lstm/*.npz: Keras 3's outputs of ConvLSTM1D/2D/3D on fixed
inputs and weights, for tests/keras/test_conv_lstm.cpp (which builds the same cases in
keras-cpp). Run by hand in a venv with keras, tensorflow-cpu and numpy:

    /work/venv/bin/python tests/data/npz/make_conv_lstm_fixtures.py

<case>.npz: x (inputs), m (bool (batch, time) mask, where given), h0 and c0 (initial
states, where given), w0, w1, ... (the weights, Keras's order and shapes), y0, y1, ...
(Keras's outputs: the output, then the states where returned), g (the gradient of the sum
of the first output with respect to x). configs.json: each case's class name, config
keys, weight paths and shapes.
"""
import json
import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
import keras  # noqa: E402
from keras import layers  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "conv_lstm")

# name -> (make layer, input shape, mask?, initial state?). Keep in step with
# tests/keras/test_conv_lstm.cpp.
CASES = {
    "conv_lstm1d": (lambda: layers.ConvLSTM1D(3, 2), (2, 4, 6, 2), False, False),
    "conv_lstm2d_same_sequences": (lambda: layers.ConvLSTM2D(2, 3, padding="same", return_sequences=True),
                                   (2, 3, 5, 4, 2), False, False),
    "conv_lstm2d_strides_state_backwards": (
        lambda: layers.ConvLSTM2D(2, (3, 2), strides=(2, 1), return_state=True, go_backwards=True),
        (2, 3, 6, 5, 1), False, False),
    "conv_lstm2d_dilation_options": (
        lambda: layers.ConvLSTM2D(3, 2, dilation_rate=2, use_bias=False, activation="relu",
                                  recurrent_activation="hard_sigmoid", unit_forget_bias=False),
        (1, 2, 6, 6, 2), False, False),
    "conv_lstm3d": (lambda: layers.ConvLSTM3D(2, 2, padding="same", return_sequences=True), (1, 2, 3, 4, 3, 1),
                    False, False),
    "conv_lstm2d_mask_initial_state": (
        lambda: layers.ConvLSTM2D(2, 3, padding="same", return_sequences=True, return_state=True),
        (2, 4, 4, 3, 2), True, True),
    "conv_lstm2d_channels_first": (
        lambda: layers.ConvLSTM2D(2, 3, data_format="channels_first", return_sequences=True, return_state=True),
        (2, 3, 2, 5, 4), False, False),
    "conv_lstm2d_zero_output_for_mask": (
        lambda: layers.ConvLSTM2D(2, 3, padding="same", return_sequences=True, zero_output_for_mask=True),
        (2, 4, 4, 3, 2), True, False),
    "conv_lstm1d_zero_output_for_mask_last": (
        lambda: layers.ConvLSTM1D(3, 2, zero_output_for_mask=True, return_state=True), (2, 4, 5, 2), True, False),
}

# A stateful layer called on two batches in turn (the second starts from the first's final
# states), then reset: stateful.npz holds x, x2, the weights and y (first call), y2
# (second call).
STATEFUL = (lambda: layers.ConvLSTM2D(2, 3, padding="same", stateful=True), (2, 3, 4, 3, 1))

# Bidirectional wrapping ConvLSTM layers (Keras's ConvLSTM is an RNN).
BIDIRECTIONAL = {
    "bidirectional_conv_lstm2d_concat": (
        lambda: layers.Bidirectional(layers.ConvLSTM2D(2, 3, padding="same", return_sequences=True)),
        (2, 3, 4, 3, 1), False, False),
    "bidirectional_conv_lstm1d_sum_state": (
        lambda: layers.Bidirectional(layers.ConvLSTM1D(2, 2, return_state=True), merge_mode="sum"),
        (2, 4, 5, 2), False, False),
    "bidirectional_conv_lstm2d_mask_ave": (
        lambda: layers.Bidirectional(layers.ConvLSTM2D(2, 3, padding="same", return_sequences=True),
                                     merge_mode="ave"),
        (2, 4, 4, 3, 2), True, False),
    "bidirectional_conv_lstm2d_channels_first_none": (
        lambda: layers.Bidirectional(layers.ConvLSTM2D(2, 3, data_format="channels_first", return_sequences=True),
                                     merge_mode=None),
        (2, 3, 2, 5, 4), False, False),
    "bidirectional_conv_lstm3d_mul": (
        lambda: layers.Bidirectional(layers.ConvLSTM3D(1, 2), merge_mode="mul"),
        (1, 2, 3, 3, 3, 1), False, False),
}


def write_case(name, make, shape, with_mask, with_state, rng, configs):
    """Writes <name>.npz and adds its entry to configs."""
    layer = make()
    x = rng.uniform(-1, 1, shape).astype(np.float32)
    arrays = {"x": x}
    kwargs = {}
    if with_mask:
        m = np.ones(shape[:2], dtype=bool)
        m[0, 1] = False
        m[1, 2:] = False
        if name == "conv_lstm1d_zero_output_for_mask_last":
            m[0, -1] = False  # the last timestep masked in both rows
        arrays["m"] = m
        kwargs["mask"] = tf.constant(m)
    if with_state:  # (the case returns its states, so their shape is known)
        state_shape = layer.compute_output_shape(shape)[1]
        h0 = rng.uniform(-1, 1, (shape[0],) + tuple(state_shape[1:])).astype(np.float32)
        c0 = rng.uniform(-1, 1, h0.shape).astype(np.float32)
        arrays["h0"], arrays["c0"] = h0, c0
        kwargs["initial_state"] = [tf.constant(h0), tf.constant(c0)]
    layer(x, **kwargs)  # builds
    weights = [rng.uniform(-0.5, 0.5, w.shape).astype(np.float32) for w in layer.get_weights()]
    layer.set_weights(weights)
    xt = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(xt)
        out = layer(xt, **kwargs)
        outs = out if isinstance(out, (list, tuple)) else [out]
        total = tf.reduce_sum(outs[0])
    arrays["g"] = tape.gradient(total, xt).numpy()
    for i, o in enumerate(outs):
        arrays[f"y{i}"] = np.asarray(o, dtype=np.float32)
    arrays.update({f"w{i}": w for i, w in enumerate(weights)})
    np.savez(os.path.join(OUT, name + ".npz"), **arrays)
    configs[name] = {"class_name": keras.saving.serialize_keras_object(layer)["class_name"],
                     "config_keys": sorted(layer.get_config()),
                     "weight_names": [w.path for w in layer.weights],
                     "weight_shapes": [list(w.shape) for w in layer.weights]}
    print(name, x.shape, "->", [arrays[f"y{i}"].shape for i in range(len(outs))])


def main():
    os.makedirs(OUT, exist_ok=True)
    rng = np.random.default_rng(2026)
    configs = {}
    for name, (make, shape, with_mask, with_state) in CASES.items():
        write_case(name, make, shape, with_mask, with_state, rng, configs)
    make, shape = STATEFUL
    layer = make()
    x, x2 = (rng.uniform(-1, 1, shape).astype(np.float32) for _ in range(2))
    layer(x)  # builds
    weights = [rng.uniform(-0.5, 0.5, w.shape).astype(np.float32) for w in layer.get_weights()]
    layer.set_weights(weights)
    layer.reset_state()
    y, y2 = np.asarray(layer(x)), np.asarray(layer(x2))
    layer.reset_state()
    assert np.allclose(np.asarray(layer(x)), y)
    np.savez(os.path.join(OUT, "stateful.npz"), x=x, x2=x2, y=y, y2=y2, **{f"w{i}": w for i, w in enumerate(weights)})
    configs["stateful"] = {"config": {k: v for k, v in layer.get_config().items()
                                      if k in ("stateful", "unroll", "zero_output_for_mask")}}
    print("stateful", x.shape, "->", y.shape, y2.shape)
    rng = np.random.default_rng(2027)  # (its own stream: the files above stay as they were)
    for name, (make, shape, with_mask, with_state) in BIDIRECTIONAL.items():
        write_case(name, make, shape, with_mask, with_state, rng, configs)
    # A stateful Bidirectional: both layers carry their states (bidirectional_stateful.npz,
    # laid out as stateful.npz).
    layer = layers.Bidirectional(layers.ConvLSTM1D(2, 2, stateful=True, return_sequences=True))
    x, x2 = (rng.uniform(-1, 1, (2, 3, 5, 1)).astype(np.float32) for _ in range(2))
    layer(x)  # builds
    weights = [rng.uniform(-0.5, 0.5, w.shape).astype(np.float32) for w in layer.get_weights()]
    layer.set_weights(weights)
    layer.reset_state()
    y, y2 = np.asarray(layer(x)), np.asarray(layer(x2))
    np.savez(os.path.join(OUT, "bidirectional_stateful.npz"), x=x, x2=x2, y=y, y2=y2,
             **{f"w{i}": w for i, w in enumerate(weights)})
    print("bidirectional_stateful", x.shape, "->", y.shape, y2.shape)
    with open(os.path.join(OUT, "configs.json"), "w") as f:
        json.dump(configs, f, indent=1, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
