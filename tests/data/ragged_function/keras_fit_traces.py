"""How often Keras 3 on TensorFlow traces train_step when fit() gets ragged x in batches
of different sizes and row lengths (the model and data of the test "fit, evaluate and
predict on ragged x ..." in tests/keras/test_ragged_model.cpp). Prints the count (1).

Run: /work/venv/bin/python tests/data/ragged_function/keras_fit_traces.py
"""
import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

ROWS = [[1, 2, 3], [4], [5, 6, 7, 8, 0, 1], [2], [5], [3, 3], [8, 7, 6, 5], [1], [2, 4, 6], [0, 0, 0, 0, 0, 0], [7, 1]]
traces = [0]


class CountingModel(keras.Model):
    def train_step(self, data):
        traces[0] += 1  # Python runs only while the step traces
        return super().train_step(data)


def main():
    x = tf.ragged.constant(ROWS, dtype=tf.int64)
    y = np.array([0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1], np.int32)
    inp = keras.Input((None,), dtype="int64", ragged=True)
    h = keras.layers.GlobalAveragePooling1D()(keras.layers.Embedding(9, 4)(inp))
    model = CountingModel(inp, keras.layers.Dense(3, activation="softmax")(h))
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    model.fit(tf.data.Dataset.from_tensor_slices((x, y)).batch(4), epochs=3, verbose=0)
    print("train_step traces:", traces[0])


if __name__ == "__main__":
    main()
