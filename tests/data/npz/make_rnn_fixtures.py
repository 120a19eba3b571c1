"""Writes tests/data/rnn/*.npz: Keras 3's outputs of the recurrent layers (SimpleRNN, LSTM,
GRU, RNN over a cell, Bidirectional) and TimeDistributed on fixed inputs, masks and
weights, for tests/keras/test_recurrent_layers.cpp (which builds the same layers in
keras-cpp). Run by hand in a venv with keras, tensorflow-cpu and numpy:

    /work/venv/bin/python tests/data/npz/make_rnn_fixtures.py

Each file holds x (the input), mask (when the case has one: bool, (batch, time)),
w0, w1, ... (the layer's weights, Keras's order and shapes) and y0, y1, ... (Keras's
outputs: the output, then the states when return_state), float32. A stateful case
calls the layer twice on x and keeps the second call's outputs. configs.json holds
the class name and config keys of each.
"""
import json
import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import numpy as np  # noqa: E402
import keras  # noqa: E402
from keras import layers  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "rnn")

# A mask with steps masked at the end of one sequence and in the middle of the other.
MASK = np.array([[1, 1, 1, 0, 0], [1, 0, 1, 1, 0]], dtype=bool)

# name -> (layer, input shape with the batch axis, mask or None, stateful calls).
# Keep these in step with the C++ test.
CASES = {
    "lstm": (lambda: layers.LSTM(4), (2, 5, 3), None),
    "lstm_sequences_state": (lambda: layers.LSTM(4, return_sequences=True, return_state=True), (2, 5, 3), None),
    "lstm_backwards_no_forget_bias": (
        lambda: layers.LSTM(3, go_backwards=True, return_sequences=True, unit_forget_bias=False), (2, 5, 3), None),
    "lstm_mask_sequences_state": (
        lambda: layers.LSTM(4, return_sequences=True, return_state=True), (2, 5, 3), MASK),
    "lstm_no_bias_relu": (lambda: layers.LSTM(3, use_bias=False, activation="relu"), (2, 4, 2), None),
    "gru": (lambda: layers.GRU(4), (2, 5, 3), None),
    "gru_reset_before_sequences": (lambda: layers.GRU(4, reset_after=False, return_sequences=True), (2, 5, 3), None),
    "gru_mask_state": (lambda: layers.GRU(3, return_state=True), (2, 5, 3), MASK),
    "gru_backwards_mask_sequences": (
        lambda: layers.GRU(3, go_backwards=True, return_sequences=True), (2, 5, 3), MASK),
    "gru_no_bias": (lambda: layers.GRU(3, use_bias=False), (2, 4, 2), None),
    "simple_rnn_relu_sequences": (lambda: layers.SimpleRNN(4, activation="relu", return_sequences=True), (2, 5, 3), None),
    "simple_rnn_backwards_mask_state": (
        lambda: layers.SimpleRNN(3, go_backwards=True, return_sequences=True, return_state=True), (2, 5, 3), MASK),
    "rnn_lstm_cell_sequences": (lambda: layers.RNN(layers.LSTMCell(3), return_sequences=True), (2, 5, 3), None),
    "rnn_gru_cell_state": (lambda: layers.RNN(layers.GRUCell(3), return_state=True), (2, 5, 3), MASK),
    "lstm_stateful": (lambda: layers.LSTM(3, stateful=True, return_sequences=True), (2, 5, 3), None),
    "bidirectional_lstm_concat": (lambda: layers.Bidirectional(layers.LSTM(3, return_sequences=True)), (2, 5, 3), None),
    "bidirectional_gru_sum": (lambda: layers.Bidirectional(layers.GRU(3), merge_mode="sum"), (2, 5, 3), None),
    "bidirectional_simple_rnn_mul": (
        lambda: layers.Bidirectional(layers.SimpleRNN(3, return_sequences=True), merge_mode="mul"), (2, 5, 3), None),
    "bidirectional_lstm_ave_mask": (
        lambda: layers.Bidirectional(layers.LSTM(3, return_sequences=True), merge_mode="ave"), (2, 5, 3), MASK),
    "bidirectional_gru_none": (lambda: layers.Bidirectional(layers.GRU(2), merge_mode=None), (2, 5, 3), None),
    "bidirectional_lstm_state": (lambda: layers.Bidirectional(layers.LSTM(2, return_state=True)), (2, 5, 3), None),
    "bidirectional_backward_layer": (
        lambda: layers.Bidirectional(layers.LSTM(3, return_sequences=True),
                                     backward_layer=layers.GRU(2, return_sequences=True, go_backwards=True)),
        (2, 5, 3), None),
    "time_distributed_dense": (lambda: layers.TimeDistributed(layers.Dense(3, activation="tanh")), (2, 4, 5), None),
    "time_distributed_conv1d": (lambda: layers.TimeDistributed(layers.Conv1D(2, 3)), (2, 3, 6, 2), None),
}


def main():
    os.makedirs(OUT, exist_ok=True)
    rng = np.random.default_rng(2025)
    configs = {}
    for name, (make, shape, mask) in CASES.items():
        layer = make()
        x = rng.uniform(-1, 1, shape).astype(np.float32)
        layer.build(shape)
        weights = [rng.uniform(-0.5, 0.5, w.shape).astype(np.float32) for w in layer.get_weights()]
        layer.set_weights(weights)
        kwargs = {} if mask is None else {"mask": mask}
        y = layer(x, **kwargs)
        if name.endswith("stateful"):
            y = layer(x, **kwargs)
        ys = y if isinstance(y, (list, tuple)) else [y]
        arrays = {"x": x}
        if mask is not None:
            arrays["mask"] = mask
        arrays.update({f"w{i}": w for i, w in enumerate(weights)})
        arrays.update({f"y{i}": keras.ops.convert_to_numpy(v).astype(np.float32) for i, v in enumerate(ys)})
        np.savez(os.path.join(OUT, name + ".npz"), **arrays)
        configs[name] = {"class_name": layer.__class__.__name__, "config_keys": sorted(layer.get_config())}
        print(name, layer.__class__.__name__, x.shape, "->", [tuple(v.shape) for v in ys],
              [tuple(w.shape) for w in weights])
    with open(os.path.join(OUT, "configs.json"), "w") as f:
        json.dump(configs, f, indent=1, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
