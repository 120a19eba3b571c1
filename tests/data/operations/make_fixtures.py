"""Fixtures for tests/keras/test_operations.cpp: Keras 3 functional models whose graphs
hold keras.ops calls on KerasTensors (operations), saved as .keras files, with their
outputs on fixed inputs.

    /work/venv/bin/python tests/data/operations/make_fixtures.py

writes ops_mix.keras (one output per operation), ops_block.keras (a small trained-shape
network of layers and operations, as MobileNetV3's and ConvNeXt's code writes them) and
ops.npz (the inputs, and each model's outputs as <model>/<output index>).
"""
import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")

import numpy as np
import keras
from keras import layers, ops

HERE = os.path.dirname(os.path.abspath(__file__))
keras.utils.set_random_seed(3)


def mix_model():
    x = keras.Input((4,), name="x")
    i = keras.Input((4,), dtype="int32", name="i")
    r = ops.reshape(x, (-1, 2, 2))
    outs = [
        x + 3.0, 3.0 - x, x * x, x / 2.0, -x, x ** 2, 2.0 / (ops.abs(x) + 1.0),
        i + 2, i / 2, i + 0.5,
        ops.relu(x), ops.relu6(x * 4.0), ops.sigmoid(x), ops.hard_sigmoid(x), ops.hard_silu(x), ops.silu(x),
        ops.gelu(x), ops.gelu(x, approximate=False), ops.softmax(x, axis=-1), ops.log_softmax(x),
        ops.tanh(x), ops.exp(x), ops.log(ops.abs(x) + 1.0), ops.sqrt(ops.abs(x)), ops.square(x),
        ops.leaky_relu(x, negative_slope=0.1), ops.elu(x), ops.selu(x), ops.softplus(x), ops.softsign(x),
        ops.erf(x), ops.rsqrt(ops.abs(x) + 1.0), ops.sin(x), ops.cos(x), ops.floor(x), ops.ceil(x),
        ops.round(x), ops.sign(x), ops.log1p(ops.abs(x)), ops.expm1(x),
        ops.mean(x, axis=1, keepdims=True), ops.sum(x, axis=-1), ops.max(x, axis=1), ops.min(x, axis=1),
        ops.prod(x, axis=1), ops.var(x, axis=-1), ops.std(x, axis=-1), ops.logsumexp(x, axis=-1),
        ops.argmax(x, axis=-1), ops.argmin(x, axis=1), ops.all(x > 0, axis=1), ops.any(x > 0, axis=1),
        r, ops.transpose(r, (0, 2, 1)), ops.concatenate([x, x * 2.0], axis=-1), ops.stack([x, -x], axis=1),
        ops.expand_dims(x, 1), ops.squeeze(ops.expand_dims(x, 1), axis=1), ops.matmul(r, r),
        ops.cast(x * 3.0, "int32"), ops.clip(x, -0.5, 0.5), ops.maximum(x, 0.25), ops.minimum(x, -x),
        ops.power(ops.abs(x), 3), ops.where(x > 0, x, 0.0), ops.where(x < 0, x, -x),
        x[:, 1:3], x[:, 0], x[..., None, 2], r[:, ::-1, 1],
        ops.take(x, ops.clip(i, 0, 3), axis=1), ops.tile(x, (1, 2)), ops.repeat(x, 2, axis=1),
        ops.cumsum(x, axis=1), ops.flip(x, axis=1), ops.moveaxis(r, 1, 2), ops.swapaxes(r, 1, 2),
        ops.one_hot(ops.clip(i, 0, 4), 5), ops.equal(x, 0.5), ops.not_equal(i, 1),
        ops.logical_and(x > 0, x < 1), ops.logical_or(x > 0.5, x < -0.5), ops.logical_not(x > 0),
        ops.greater_equal(x, 0.0), ops.less_equal(x, 0.0), ops.sort(x, axis=-1), ops.norm(x, axis=-1),
        ops.normalize(x, axis=-1), ops.einsum("bij,bjk->bik", r, r), ops.zeros_like(x), ops.ones_like(i),
        ops.pad(x, ((0, 0), (1, 2)), constant_values=2.0), ops.slice(x, (0, 1), (2, 2)),
        ops.top_k(x, 2)[0], ops.top_k(x, 2)[1], ops.split(x, 2, axis=1)[1], ops.dot(x, ops.transpose(x)),
    ]
    return keras.Model([x, i], outs, name="ops_mix")


def block_model():
    # hard_sigmoid and a residual as keras.applications' MobileNetV3 and ConvNeXt write them.
    x = keras.Input((6, 6, 3), name="image")
    h = layers.Conv2D(8, 3, padding="same", name="conv")(x)
    s = layers.ReLU(6.0)(h + 3.0) * (1.0 / 6.0)
    h = layers.Multiply()([h, s])
    g = layers.GlobalAveragePooling2D(keepdims=True)(h)
    h = h + layers.Dense(8, name="dense")(g)
    y = ops.mean(h, axis=(1, 2))
    y = layers.Dense(3, name="head")(y)
    return keras.Model(x, [y, ops.softmax(y)], name="ops_block")


def main():
    rng = np.random.default_rng(5)
    xs = rng.normal(size=(3, 4)).astype("float32")
    ints = rng.integers(-1, 6, size=(3, 4)).astype("int32")
    image = rng.normal(size=(2, 6, 6, 3)).astype("float32")
    arrays = {"x": xs, "i": ints, "image": image}
    for model, inputs in ((mix_model(), [xs, ints]), (block_model(), image)):
        outs = model(inputs)
        if not isinstance(outs, (list, tuple)):
            outs = [outs]
        for k, o in enumerate(outs):
            arrays[f"{model.name}/{k}"] = np.asarray(o)
        model.save(os.path.join(HERE, f"{model.name}.keras"))
    np.savez_compressed(os.path.join(HERE, "ops.npz"), **arrays)
    print("wrote", len(arrays), "arrays")


if __name__ == "__main__":
    main()
