"""Writes tests/data/norm/spectral_*.npz: Keras 3's SpectralNormalization on fixed inputs and
weights, for tests/keras/test_spectral_normalization.cpp (which builds the same cases in
keras-cpp). Run by hand in a venv with keras, tensorflow-cpu and numpy:

    /work/venv/bin/python tests/data/npz/make_spectral_fixtures.py

spectral_<case>.npz: x (the input), w_<name> (each weight by its last path component, as
set before the call: kernel / embeddings, vector_u, bias), y_train (the output of a
training call), after_<name> (the weights after it), y_infer (then an inference call).
"""
import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import numpy as np  # noqa: E402
import keras  # noqa: E402
from keras import layers  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "norm")

# name -> (make layer, input); keep in step with tests/keras/test_spectral_normalization.cpp.
CASES = {
    "dense": (lambda: layers.SpectralNormalization(layers.Dense(3)), ("float", (4, 5))),
    "conv_iterations": (lambda: layers.SpectralNormalization(layers.Conv2D(2, 3), power_iterations=3),
                        ("float", (2, 5, 5, 2))),
    "embedding": (lambda: layers.SpectralNormalization(layers.Embedding(6, 4)), ("ids", (2, 3))),
}


def main():
    rng = np.random.default_rng(31)
    for name, (make, (kind, shape)) in CASES.items():
        layer = make()
        x = rng.integers(0, 6, shape).astype("int32") if kind == "ids" else rng.uniform(-1, 1, shape).astype("float32")
        layer(x)  # builds
        arrays = {"x": x}
        for w in layer.weights:
            v = rng.uniform(-0.5, 0.5, w.shape).astype("float32")
            w.assign(v)
            arrays["w_" + w.path.split("/")[-1]] = v
        arrays["y_train"] = np.asarray(layer(x, training=True))
        for w in layer.weights:
            arrays["after_" + w.path.split("/")[-1]] = np.asarray(w.value)
        arrays["y_infer"] = np.asarray(layer(x, training=False))
        np.savez(os.path.join(OUT, "spectral_" + name + ".npz"), **arrays)
        print(name, sorted(arrays))


if __name__ == "__main__":
    main()
