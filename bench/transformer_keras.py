"""transformer_keras.py - Keras 3 (TensorFlow backend, CPU) peer of bench/transformer_fashion.cpp.

The same model in Keras: the 28 rows as 28 tokens into Dense(64), 2 pre-norm encoder
blocks (LayerNormalization, MultiHeadAttention(4, 16), residual add, LayerNormalization,
Dense(128, gelu), Dense(64), residual add), LayerNormalization, GlobalAveragePooling1D,
Dense(10) on logits; the training, timing and JSON line of bench/keras_fashion_peer.py.
Usage (a venv with tensorflow-cpu and keras from PyPI, e.g. /work/venv/bin/python):
  python bench/transformer_keras.py [--epochs 4] [--batch 64] [--threads 1] [--seed 42]
"""
from keras_fashion_peer import run


def build(keras):
    L = keras.layers
    inp = keras.Input((28, 28))
    h = L.Dense(64)(inp)
    for _ in range(2):
        n = L.LayerNormalization()(h)
        h = L.Add()([h, L.MultiHeadAttention(4, 16)(n, n)])
        f = L.Dense(128, activation="gelu")(L.LayerNormalization()(h))
        h = L.Add()([h, L.Dense(64)(f)])
    h = L.GlobalAveragePooling1D()(L.LayerNormalization()(h))
    return keras.Model(inp, L.Dense(10)(h))


if __name__ == "__main__":
    run("transformer2x64", build)
