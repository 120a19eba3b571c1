"""Fixtures for tests/keras/test_applications.cpp: Keras 3's keras.applications models
built small, their weights filled by a formula the C++ test repeats, and their outputs on
a fixed input; plus preprocess_input on a fixed batch.

    /work/venv/bin/python tests/data/applications/make_fixtures.py

writes applications.npz (outputs and preprocess_input results) and structure.txt (per
model: its layers in order, with class name and weight shapes, and its parameter count).
"""
import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")

import numpy as np
import keras
from keras import applications as A

HERE = os.path.dirname(os.path.abspath(__file__))

# name -> (builder, keyword arguments); inputs are small so that the test runs fast.
CASES = [
    ("vgg16", A.VGG16, dict(input_shape=(32, 32, 3), classes=10, classifier_activation=None)),
    ("vgg19", A.VGG19, dict(include_top=False, input_shape=(40, 36, 3), pooling="max")),
    ("resnet50", A.ResNet50, dict(input_shape=(32, 32, 3), classes=7, classifier_activation=None)),
    ("resnet101", A.ResNet101, dict(include_top=False, input_shape=(32, 32, 3), pooling="avg")),
    ("resnet152", A.ResNet152, dict(include_top=False, input_shape=(33, 35, 3))),
    ("resnet50v2", A.ResNet50V2, dict(input_shape=(32, 32, 3), classes=6)),
    ("resnet101v2", A.ResNet101V2, dict(include_top=False, input_shape=(32, 32, 3), pooling="max")),
    ("resnet152v2", A.ResNet152V2, dict(include_top=False, input_shape=(32, 32, 3), pooling="avg")),
    ("mobilenet", A.MobileNet, dict(input_shape=(32, 32, 3), alpha=0.25, classes=10, classifier_activation=None)),
    ("mobilenet_dm2", A.MobileNet, dict(include_top=False, input_shape=(35, 32, 3), alpha=0.5,
                                        depth_multiplier=2, pooling="avg")),
    ("mobilenetv2", A.MobileNetV2, dict(include_top=False, input_shape=(33, 40, 3), alpha=0.35, pooling="avg")),
    ("mobilenetv2_a13", A.MobileNetV2, dict(input_shape=(32, 32, 3), alpha=1.3, classes=4,
                                            classifier_activation=None)),
    ("densenet121", A.DenseNet121, dict(input_shape=(32, 32, 3), classes=5, classifier_activation=None)),
    ("densenet169", A.DenseNet169, dict(include_top=False, input_shape=(32, 32, 3), pooling="avg")),
    ("densenet201", A.DenseNet201, dict(include_top=False, input_shape=(32, 32, 3), pooling="max")),
    ("xception", A.Xception, dict(include_top=False, input_shape=(75, 80, 3), pooling="avg")),
    ("inception_v3", A.InceptionV3, dict(input_shape=(75, 75, 3), classes=3, classifier_activation=None)),
    ("inception_resnet_v2", A.InceptionResNetV2, dict(input_shape=(75, 75, 3), classes=3,
                                                      classifier_activation=None)),
    ("inception_resnet_v2_avg", A.InceptionResNetV2, dict(include_top=False, input_shape=(80, 90, 3), pooling="avg")),
    ("efficientnetb0", A.EfficientNetB0, dict(input_shape=(32, 32, 3), classes=5, classifier_activation=None)),
    ("efficientnetb3", A.EfficientNetB3, dict(include_top=False, input_shape=(40, 36, 3), pooling="max")),
    ("efficientnetv2b0", A.EfficientNetV2B0, dict(input_shape=(32, 32, 3), classes=4, classifier_activation=None)),
    ("efficientnetv2b2", A.EfficientNetV2B2, dict(include_top=False, input_shape=(34, 34, 3), pooling="avg")),
    ("efficientnetv2s", A.EfficientNetV2S, dict(include_top=False, input_shape=(32, 32, 3), pooling="max",
                                                include_preprocessing=False)),
    ("mobilenetv3small", A.MobileNetV3Small, dict(input_shape=(32, 32, 3), classes=5, classifier_activation=None)),
    ("mobilenetv3small_min", A.MobileNetV3Small, dict(include_top=False, input_shape=(40, 36, 3), pooling="avg",
                                                      minimalistic=True, alpha=0.75)),
    ("mobilenetv3large", A.MobileNetV3Large, dict(include_top=False, input_shape=(33, 35, 3), alpha=1.25,
                                                  include_preprocessing=False)),
    ("mobilenetv3large_top", A.MobileNetV3Large, dict(input_shape=(32, 32, 3), classes=3, dropout_rate=0.0)),
    ("convnext_tiny", A.ConvNeXtTiny, dict(input_shape=(32, 32, 3), classes=5, classifier_activation=None)),
    ("convnext_small", A.ConvNeXtSmall, dict(include_top=False, input_shape=(36, 40, 3), pooling="avg")),
    ("convnext_base", A.ConvNeXtBase, dict(include_top=False, input_shape=(32, 32, 3), include_preprocessing=False)),
    ("nasnetmobile", A.NASNetMobile, dict(input_shape=(32, 32, 3), classes=5, classifier_activation=None)),
    ("nasnetlarge", A.NASNetLarge, dict(include_top=False, input_shape=(35, 33, 3), pooling="avg")),
]


def fill(model):
    """Every weight from the formula of the C++ test (fill_weights there)."""
    k = 0
    for layer in model.layers:
        for w in layer.weights:
            if not w.dtype.startswith("float"):  # (Normalization's count)
                k += 1
                continue
            shape = tuple(w.shape)
            n = int(np.prod(shape)) if shape else 1
            j = np.arange(n, dtype=np.int64)
            u = ((j * 7919 + k * 104729) % 2001).astype(np.float64) / 1000.0 - 1.0
            name = w.path.split("/")[-1]
            if len(shape) >= 2:
                fan_in = n // shape[-1]
                if layer.__class__.__name__ == "DepthwiseConv2D":
                    fan_in = shape[0] * shape[1]
                v = u * np.sqrt(3.0 / fan_in)
            elif name == "gamma":
                v = 1.0 + 0.1 * u
            elif name in ("moving_variance", "variance"):
                v = 1.0 + 0.5 * u * u
            else:
                v = 0.1 * u
            w.assign(v.astype(np.float32).reshape(shape))
            k += 1


def pixels(shape):
    n = int(np.prod(shape))
    j = np.arange(n, dtype=np.int64)
    return (((j * 37) % 255).astype(np.float64) / 127.5 - 1.0).astype(np.float32).reshape(shape)


def legacy(arrays):
    """Keras 2's HDF5 weight layout, three ways: Keras 3's legacy writer (variable-length
    strings), Keras 2's own (fixed-length strings, ':0' names, other layer names, a long
    attribute split in chunks), and a Keras 2 .h5 model file (the `model_weights` group)."""
    import h5py
    from keras.src.legacy.saving import legacy_h5_format

    keras.backend.clear_session()
    inp = keras.Input((6, 6, 3))
    x = keras.layers.Conv2D(4, 3, name="c1")(inp)
    x = keras.layers.BatchNormalization(name="bn")(x)
    x = keras.layers.DepthwiseConv2D(3, name="dw")(x)
    x = keras.layers.GlobalAveragePooling2D()(x)
    y = keras.layers.Dense(2, name="d")(x)
    model = keras.Model(inp, y)
    rng = np.random.default_rng(7)
    for w in model.weights:
        v = rng.uniform(-1, 1, size=tuple(w.shape))
        if w.path.endswith("moving_variance"):
            v = np.abs(v) + 0.5
        w.assign(v.astype(np.float32))
    x = pixels((2, 6, 6, 3))
    arrays["legacy_output"] = model.predict(x, verbose=0).astype(np.float32)
    with h5py.File(os.path.join(HERE, "legacy_keras3.h5"), "w") as f:
        legacy_h5_format.save_weights_to_hdf5_group(f, model)
    legacy_h5_format.save_model_to_hdf5(model, os.path.join(HERE, "legacy_model.h5"), include_optimizer=False)
    # As Keras 2 wrote them: numpy bytes arrays, TF variable names.
    renamed = {"c1": "conv2d", "bn": "batch_normalization", "dw": "depthwise_conv2d", "d": "dense"}
    with h5py.File(os.path.join(HERE, "legacy_keras2.h5"), "w") as f:
        names = [b"input_1", b"conv2d", b"batch_normalization", b"depthwise_conv2d", b"global_average_pooling2d", b"dense"]
        f.attrs["layer_names0"] = np.array(names[:3])
        f.attrs["layer_names1"] = np.array(names[3:])
        f.attrs["backend"] = b"tensorflow"
        f.attrs["keras_version"] = b"2.15.0"
        for layer in model.layers:
            new = renamed.get(layer.name, layer.name if layer.name != "input_layer" else "input_1")
            g = f.create_group(new)
            weight_names = []
            for w in layer.weights:
                wn = f"{new}/{w.path.split('/')[-1]}:0"
                if layer.name == "dw" and wn.endswith("kernel:0"):
                    wn = f"{new}/depthwise_kernel:0"
                weight_names.append(wn.encode())
                g.create_dataset(wn, data=np.asarray(w.numpy()))
            g.attrs["weight_names"] = np.array(weight_names) if weight_names else np.array([], dtype=np.float64)


def main():
    arrays = {}
    lines = []
    for case, builder, kwargs in CASES:
        keras.backend.clear_session()
        model = builder(weights=None, **kwargs)
        fill(model)
        shape = (2,) + tuple(kwargs["input_shape"])
        x = pixels(shape)
        y = model.predict(x, verbose=0)
        arrays[case] = y.astype(np.float32)
        lines.append(f"model {case} {model.name} {model.count_params()} {len(model.layers)}")
        for layer in model.layers:
            shapes = ";".join("x".join(str(d) for d in w.shape) for w in layer.weights) or "-"
            lines.append(f"layer {layer.name} {layer.__class__.__name__} {shapes}")
        print(case, model.name, model.count_params(), y.shape, float(np.abs(y).max()))

    from keras.applications import imagenet_utils
    raw = (np.arange(2 * 4 * 5 * 3, dtype=np.float32) * 2.1) % 256
    raw = raw.reshape(2, 4, 5, 3)
    arrays["pre_input"] = raw
    for mode in ("caffe", "tf", "torch"):
        arrays[f"pre_{mode}"] = imagenet_utils.preprocess_input(raw.copy(), mode=mode)
        cf = np.transpose(raw, (0, 3, 1, 2)).copy()
        arrays[f"pre_{mode}_cf"] = imagenet_utils.preprocess_input(cf, mode=mode, data_format="channels_first")
    legacy(arrays)
    np.savez_compressed(os.path.join(HERE, "applications.npz"), **arrays)
    with open(os.path.join(HERE, "structure.txt"), "w") as f:
        f.write(f"# keras.applications of Keras {keras.__version__} (make_fixtures.py)\n")
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
