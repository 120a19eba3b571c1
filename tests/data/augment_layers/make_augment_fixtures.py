"""Writes augment_layers.json: Keras 3's outputs and configs of
ContrastLimitedAdaptiveHistogramEqualization, of keras.ops.image.elastic_transform and
RandomElasticTransform with given random fields (TensorFlow's stateless_normal replaced by
a queue of fixed fields), and of the 11 RandAugment / AugMix operations at factor 0 (each
then deterministic), for tests/keras/test_augment_layers.cpp.
Run with the oracle venv: python make_augment_fixtures.py"""
import json
import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
import numpy as np
import tensorflow as tf
import keras

rng = np.random.default_rng(5)
CLAHE = keras.layers.ContrastLimitedAdaptiveHistogramEqualization


def numbers(a):
    return [float("%.9g" % v) for v in np.asarray(a, "float64").ravel()]


def case(images, out, config=None):
    c = {"input": numbers(images), "shape": list(np.shape(images)), "output": numbers(out)}
    if config is not None:
        c["config"] = json.loads(json.dumps(config, default=list))
        c["config"].pop("dtype", None)
    return c


def run(layer, images):
    return case(images, layer(images, training=True), layer.get_config())


def pixels(shape, high=256):
    return rng.integers(0, high, size=shape).astype("float32")


cases = {}
x16 = pixels((2, 16, 16, 3))
x16[1, :, :, 2] = np.clip(x16[1, :, :, 2], 40, 90)  # a narrow channel
cases["clahe_default"] = run(CLAHE(), x16)
cases["clahe_pad"] = run(CLAHE(tile_grid_size=(4, 3)), pixels((2, 13, 10, 3)))
cases["clahe_clip0"] = run(CLAHE(clip_limit=0, tile_grid_size=(2, 4)), pixels((1, 12, 12, 2)))
cases["clahe_clip2"] = run(CLAHE(clip_limit=2.0, tile_grid_size=(3, 2)), pixels((3, 9, 7, 1), 60))
cases["clahe_unit"] = run(CLAHE(value_range=(0, 1), tile_grid_size=(2, 2)),
                          rng.uniform(0, 1, size=(2, 8, 6, 3)).astype("float32"))
flat = np.full((1, 8, 8, 1), 77.0, "float32")
cases["clahe_constant"] = run(CLAHE(tile_grid_size=(2, 2)), flat)
u8 = rng.integers(0, 256, size=(1, 10, 12, 3)).astype("uint8")
cases["clahe_uint8"] = case(u8, CLAHE(tile_grid_size=(3, 3))(u8))
cases["clahe_uint8"]["dtype"] = str(CLAHE(tile_grid_size=(3, 3))(u8).dtype.name)
cases["clahe_unbatched"] = run(CLAHE(tile_grid_size=(2, 3)), pixels((9, 11, 3)))

# elastic transforms with fixed fields
queue = []
real_normal = tf.random.stateless_normal


def fixed_normal(shape, mean=0.0, stddev=1.0, dtype=tf.float32, seed=None, **kw):
    return tf.constant(queue.pop(0), dtype=dtype)


tf.random.stateless_normal = fixed_normal


def elastic_case(images, fields, out, extra):
    c = case(images, out)
    c["fields"] = numbers(fields)
    c.update(extra)
    return c


def fields_for(b, h, w):
    return rng.standard_normal(size=(2, b, h, w)).astype("float32")


img = pixels((2, 16, 14, 2))
for name, kw in {"op_reflect": dict(alpha=6.0, sigma=1.7),
                 "op_constant": dict(alpha=9.0, sigma=2.2, fill_mode="constant", fill_value=33.0),
                 "op_nearest": dict(alpha=4.0, sigma=1.0, interpolation="nearest", fill_mode="nearest"),
                 "op_wrap_small_sigma": dict(alpha=12.0, sigma=0.8, fill_mode="wrap")}.items():
    f = fields_for(2, 16, 14)
    queue[:] = [f[0], f[1]]
    out = keras.ops.image.elastic_transform(img, seed=1, **kw)
    assert not queue
    cases["elastic_" + name] = elastic_case(img, f, out, {"kwargs": kw})

img20 = pixels((2, 20, 20, 1))
for name, kw in {"layer_default": dict(factor=(1, 1), scale=(1, 1), seed=3),
                 "layer_half": dict(factor=(1, 1), scale=(0.5, 0.5), interpolation="nearest",
                                    fill_mode="constant", fill_value=5.0, value_range=(10, 200), seed=3),
                 "layer_strong": dict(factor=(1, 1), scale=(2.0 / 3, 2.0 / 3), fill_mode="wrap", seed=3)}.items():
    layer = keras.layers.RandomElasticTransform(**kw)
    f = fields_for(2, 20, 20)
    queue[:] = [f[0], f[1]]
    out = layer(img20, training=True)
    assert not queue
    cases["elastic_" + name] = elastic_case(img20, f, out, {"config": json.loads(json.dumps(layer.get_config(),
                                                                                       default=list))})
    cases["elastic_" + name]["config"].pop("dtype", None)
tf.random.stateless_normal = real_normal

# RandAugment's and AugMix's operations at factor 0: each is deterministic
small = pixels((2, 6, 7, 3))
ra = keras.layers.RandAugment(factor=0.0, num_ops=1, seed=1)
aug = keras.layers.AugMix(factor=0.0, num_chains=1, chain_depth=1, seed=1)
ops = {}
for name in ra._AUGMENT_LAYERS:
    sub = getattr(ra, name)
    t = sub.get_random_transformation(small, training=True)
    ops[name] = numbers(sub.transform_images(keras.ops.convert_to_tensor(small), t))
cases["ops_factor0"] = {"input": numbers(small), "shape": list(small.shape), "ops": ops,
                        "order": list(ra._AUGMENT_LAYERS)}
configs = {"rand_augment_default": keras.layers.RandAugment(),
           "rand_augment_custom": keras.layers.RandAugment(value_range=(0, 1), num_ops=3, factor=(0.1, 0.4),
                                                           interpolation="nearest", seed=7),
           "aug_mix_default": keras.layers.AugMix(),
           "aug_mix_custom": keras.layers.AugMix(value_range=(-1, 1), num_chains=2, chain_depth=4, factor=0.6,
                                                 alpha=0.5, all_ops=False, seed=9),
           "clahe_default": CLAHE(),
           "elastic_default": keras.layers.RandomElasticTransform()}
cases["configs"] = {}
for k, layer in configs.items():
    c = json.loads(json.dumps(layer.get_config(), default=list))
    c.pop("dtype", None)
    cases["configs"][k] = c
cases["aug_mix_ops"] = {"all": list(keras.src.layers.preprocessing.image_preprocessing.aug_mix.AUGMENT_LAYERS_ALL),
                        "basic": list(keras.src.layers.preprocessing.image_preprocessing.aug_mix.AUGMENT_LAYERS)}

with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "augment_layers.json"), "w") as f:
    json.dump(cases, f, separators=(",", ":"))
