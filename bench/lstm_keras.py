"""lstm_keras.py - Keras 3 (TensorFlow backend, CPU) peer of bench/lstm_fashion.cpp.

The same model in Keras: LSTM(128), Dense(10) on logits; the training, timing and JSON
line of bench/keras_fashion_peer.py.
Usage (a venv with tensorflow-cpu and keras from PyPI, e.g. /work/venv/bin/python):
  python bench/lstm_keras.py [--epochs 4] [--batch 64] [--threads 1] [--seed 42]
"""
from keras_fashion_peer import run


def build(keras):
    return keras.Sequential([keras.Input((28, 28)), keras.layers.LSTM(128), keras.layers.Dense(10)])


if __name__ == "__main__":
    run("lstm128", build)
