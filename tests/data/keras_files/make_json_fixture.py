"""Writes the model_from_json fixture of tests/keras/test_cloning.cpp (run by hand):

    /work/venv/bin/python tests/data/keras_files/make_json_fixture.py

keras_json.json is Keras 3's model.to_json() of a compiled functional model (two inputs,
a shared Dense layer, two outputs; Adam(0.01), a Huber loss and a per-output loss weight,
mae and RootMeanSquaredError metrics); keras_json.weights.h5 its weights,
keras_json.in<i>.npy inputs and keras_json.out<j>.npy Keras's predictions.
"""
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
import numpy as np  # noqa: E402
import keras  # noqa: E402
from keras import layers  # noqa: E402

OUT = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(23)


def main():
    a = keras.Input((4,), name="left")
    b = keras.Input((4,), name="right")
    shared = layers.Dense(3, activation="tanh", name="shared")
    ha, hb = shared(a), shared(b)
    out1 = layers.Dense(2, name="sum_head")(layers.Add()([ha, hb]))
    out2 = layers.Dense(1, activation="sigmoid", name="diff_head")(layers.Subtract()([ha, hb]))
    model = keras.Model([a, b], [out1, out2], name="siamese")
    for w in model.weights:
        w.assign(rng.uniform(-0.8, 0.8, size=w.shape).astype("float32"))
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss=[keras.losses.Huber(), "binary_crossentropy"],
                  loss_weights=[1.0, 0.5], metrics=["mae", keras.metrics.RootMeanSquaredError()])
    with open(os.path.join(OUT, "keras_json.json"), "w") as f:
        f.write(model.to_json(indent=1))
    model.save_weights(os.path.join(OUT, "keras_json.weights.h5"))
    xs = [rng.uniform(-1, 1, size=(3, 4)).astype("float32") for _ in range(2)]
    for i, x in enumerate(xs):
        np.save(os.path.join(OUT, f"keras_json.in{i}.npy"), x)
    for j, y in enumerate(model.predict(xs, verbose=0)):
        np.save(os.path.join(OUT, f"keras_json.out{j}.npy"), y)


if __name__ == "__main__":
    main()
