"""Fixtures for tests/keras/test_legacy_models.cpp: whole models in the legacy HDF5 format
(`model.save("x.h5")`), as Keras 2 (tf_keras 2.21) and Keras 3.15 write them, with the
predictions each gives and, for the compiled ones, what one more training step gives
(the step the saved model takes next, in memory); and keras3_lambda.keras, a Keras 3 file
whose Lambda layer holds Python code.

    /work/venv/bin/pip install tf_keras   # Keras 2, next to Keras 3
    /work/venv/bin/python tests/data/legacy_models/make_fixtures.py

For every case <name>.h5 (and for three, <name>.json: Keras 2's model.to_json()) and, in
expected.npz: <name>/x0, <name>/x1 (inputs), <name>/y0,
<name>/y1 (labels), <name>/pred<i> (the saved model's predictions on x), <name>/keras3_pred<i>
(Keras 3's load_model of the file, the same within float32 rounding) and, compiled,
<name>/eval/<key> (Keras's evaluate logs on (x, y)), <name>/step_loss (the saved model's
next train_on_batch on (x, y)) and <name>/after<i> (its predictions after that step). cases.txt lists the cases:
"<name> <inputs> <outputs> <compiled 0/1> <keras3: loads|raises>" (Keras 3 raises for
Keras 2's LSTM and GRU, which write time_major, and mistakes a first layer's
batch_input_shape for its input_shape).
"""
import json
import os

os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")
os.environ["KERAS_BACKEND"] = "tensorflow"
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import h5py
import numpy as np
import tf_keras as k2

HERE = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(11)


def uniform(*shape):
    return rng.uniform(-1, 1, size=shape).astype(np.float32)


def mlp():
    m = k2.Sequential([
        k2.layers.InputLayer(input_shape=(6,)),
        k2.layers.Dense(8, activation="relu", kernel_regularizer=k2.regularizers.l2(0.01)),
        k2.layers.BatchNormalization(),
        k2.layers.Dense(3, activation="softmax", kernel_constraint=k2.constraints.MaxNorm(2.0)),
    ], name="mlp")
    m.compile(optimizer=k2.optimizers.Adam(0.01), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    x = [uniform(10, 6)]
    y = [rng.integers(0, 3, size=(10,)).astype(np.int32)]
    return m, x, y


def first_layer_shape():
    """A Sequential model whose first layer took input_shape (no InputLayer written before
    tf_keras 2.4; the hand-edited file below drops it), uncompiled (its Dropout would make
    a training step random)."""
    m = k2.Sequential([
        k2.layers.Dense(5, activation="tanh", input_shape=(4,), name="hidden"),
        k2.layers.LeakyReLU(alpha=0.2),
        k2.layers.Dropout(0.25),
        k2.layers.Dense(2, name="out"),
    ], name="first_layer_shape")
    return m, [uniform(7, 4)], None


def two_heads():
    a = k2.Input((5,), name="a")
    b = k2.Input((3,), name="b")
    h = k2.layers.Dense(6, activation="relu", name="da")(a)
    g = k2.layers.Dense(4, activation="sigmoid", name="db")(b)
    c = k2.layers.Concatenate(name="cat")([h, g])
    c = k2.layers.LayerNormalization(name="ln")(c)
    reg = k2.layers.Dense(1, name="reg")(c)
    cls = k2.layers.Dense(3, activation="softmax", name="cls")(c)
    m = k2.Model([a, b], [reg, cls], name="two_heads")
    m.compile(optimizer=k2.optimizers.RMSprop(0.005, momentum=0.5),
              loss={"reg": "mse", "cls": "categorical_crossentropy"},
              loss_weights={"reg": 0.5, "cls": 2.0},
              metrics={"reg": ["mae"], "cls": ["accuracy"]})
    x = [uniform(8, 5), uniform(8, 3)]
    y = [uniform(8, 1), np.eye(3, dtype=np.float32)[rng.integers(0, 3, size=8)]]
    return m, x, y


def cnn():
    m = k2.Sequential([
        k2.Input((8, 8, 2)),
        k2.layers.Conv2D(4, 3, padding="same", strides=2, kernel_initializer="he_normal"),
        k2.layers.BatchNormalization(axis=-1),
        k2.layers.Activation("relu"),
        k2.layers.MaxPooling2D(2),
        k2.layers.Conv2D(3, 1, use_bias=False),
        k2.layers.Flatten(),
        k2.layers.Dense(4),
    ], name="cnn")
    m.compile(optimizer=k2.optimizers.SGD(0.05, momentum=0.9, nesterov=True),
              loss=k2.losses.CategoricalCrossentropy(from_logits=True, label_smoothing=0.1),
              metrics=[k2.metrics.CategoricalAccuracy(name="acc")])
    x = [uniform(6, 8, 8, 2)]
    y = [np.eye(4, dtype=np.float32)[rng.integers(0, 4, size=6)]]
    return m, x, y


def rnn():
    inp = k2.Input((7,), dtype="int32", name="tokens")
    e = k2.layers.Embedding(20, 5, mask_zero=True, name="emb")(inp)
    s = k2.layers.LSTM(6, return_sequences=True, name="lstm")(e)
    s = k2.layers.GRU(4, name="gru")(s)
    out = k2.layers.Dense(1, activation="sigmoid", name="out")(s)
    m = k2.Model(inp, out, name="rnn")
    m.compile(optimizer=k2.optimizers.Adam(0.01, amsgrad=True), loss="binary_crossentropy",
              metrics=["accuracy", k2.metrics.AUC(name="auc")])
    tokens = rng.integers(1, 20, size=(6, 7)).astype(np.int32)
    tokens[0, 4:] = 0
    tokens[3, 2:] = 0
    return m, [tokens], [rng.integers(0, 2, size=(6, 1)).astype(np.float32)]


def zoo_sequence():
    """Keras 2's sequence layers in one functional model (uncompiled)."""
    inp = k2.Input((6, 4), name="seq")
    x = k2.layers.Masking(mask_value=0.0)(inp)
    x = k2.layers.Bidirectional(k2.layers.LSTM(3, return_sequences=True), merge_mode="concat")(x)
    x = k2.layers.TimeDistributed(k2.layers.Dense(5, activation="elu"))(x)
    c = k2.layers.Conv1D(4, 3, padding="causal", dilation_rate=2, activation="relu")(inp)
    c = k2.layers.SeparableConv1D(3, 2, padding="same", depth_multiplier=2)(c)
    c = k2.layers.UpSampling1D(1)(c)
    c = k2.layers.ZeroPadding1D(0)(c)
    a = k2.layers.MultiHeadAttention(num_heads=2, key_dim=3, name="mha")(x, x)
    a = k2.layers.LayerNormalization(epsilon=1e-5)(k2.layers.Add()([a, x]))
    s = k2.layers.SimpleRNN(3, go_backwards=True)(c)
    g = k2.layers.GlobalMaxPooling1D()(a)
    p = k2.layers.GlobalAveragePooling1D()(k2.layers.Attention(use_scale=True)([a, x]))
    h = k2.layers.Concatenate()([g, p, s])
    h = k2.layers.PReLU()(k2.layers.Dense(6)(h))
    h = k2.layers.Reshape((2, 3))(h)
    h = k2.layers.Permute((2, 1))(h)
    h = k2.layers.Flatten()(h)
    h = k2.layers.RepeatVector(2)(h)
    h = k2.layers.GRU(3, reset_after=False)(h)
    out = k2.layers.Multiply()([k2.layers.Dense(3, activation="softmax")(h), k2.layers.ReLU(max_value=2.0)(h)])
    m = k2.Model(inp, out, name="zoo_sequence")
    return m, [uniform(5, 6, 4)], None


def zoo_image():
    """Keras 2's image layers in one Sequential model (uncompiled)."""
    m = k2.Sequential([
        k2.Input((9, 8, 3)),
        k2.layers.Rescaling(1.0 / 2, offset=0.5),
        k2.layers.Conv2D(4, (3, 2), strides=(1, 2), padding="same", use_bias=False),
        k2.layers.BatchNormalization(momentum=0.9, epsilon=1e-4, center=False),
        k2.layers.LeakyReLU(),
        k2.layers.DepthwiseConv2D(3, depth_multiplier=2, padding="valid"),
        k2.layers.SeparableConv2D(5, 2, activation="selu"),
        k2.layers.Conv2DTranspose(3, 3, strides=2, padding="same", output_padding=1),
        k2.layers.ZeroPadding2D(((1, 0), (0, 1))),
        k2.layers.Cropping2D(((0, 1), (1, 0))),
        k2.layers.AveragePooling2D(2, strides=1),
        k2.layers.UpSampling2D((2, 1), interpolation="bilinear"),
        k2.layers.SpatialDropout2D(0.3),
        k2.layers.MaxPooling2D(2, padding="same"),
        k2.layers.Softmax(axis=-1),
        k2.layers.GlobalAveragePooling2D(keepdims=True),
        k2.layers.Flatten(),
        k2.layers.GaussianNoise(0.1),
        k2.layers.Dense(4, kernel_initializer=k2.initializers.VarianceScaling(2.0, "fan_out", "truncated_normal")),
        k2.layers.ELU(alpha=0.5),
        k2.layers.ActivityRegularization(l1=0.01),
        k2.layers.Activation("swish"),
    ], name="zoo_image")
    return m, [uniform(3, 9, 8, 3)], None


def zoo_more():
    """More of Keras 2's layers: preprocessing with state, 3-D and recurrent convolutions,
    the remaining merges and noise layers (uncompiled)."""
    a = k2.Input((5, 6, 6, 2), name="video")
    norm = k2.layers.Normalization(axis=-1)
    norm.adapt(uniform(8, 5, 6, 6, 2) * 3.0 + 1.0)
    v = norm(a)
    v = k2.layers.ConvLSTM2D(3, 3, padding="same", return_sequences=True)(v)
    v = k2.layers.Conv3D(4, (2, 3, 3), activation="relu")(v)
    v = k2.layers.MaxPooling3D((1, 2, 2))(v)
    v = k2.layers.GlobalAveragePooling3D()(v)
    b = k2.Input((7, 3), name="series")
    w = k2.layers.Cropping1D((1, 2))(b)
    w = k2.layers.Conv1D(4, 2, strides=2)(w)
    w = k2.layers.GaussianDropout(0.2)(k2.layers.AlphaDropout(0.2)(w))
    w = k2.layers.Flatten()(w)
    w = k2.layers.Dense(4)(w)
    c = k2.layers.UnitNormalization()(k2.layers.Subtract()([v, w]))
    d = k2.layers.Dot(axes=1, normalize=True)([v, w])
    e = k2.layers.Average()([k2.layers.Maximum()([v, w]), k2.layers.Minimum()([v, w])])
    out = k2.layers.Concatenate()([c, d, e])
    m = k2.Model([a, b], out, name="zoo_more")
    return m, [uniform(3, 5, 6, 6, 2), uniform(3, 7, 3)], None


def mixed_precision():
    """A model built under the mixed_float16 policy: its layers' dtype is a Policy entry."""
    k2.mixed_precision.set_global_policy("mixed_float16")
    try:
        m = k2.Sequential([k2.Input((5,)), k2.layers.Dense(4, activation="relu"),
                           k2.layers.Dense(2, dtype="float32")], name="mixed_precision")
    finally:
        k2.mixed_precision.set_global_policy("float32")
    return m, [uniform(6, 5)], None


def nested():
    """Transfer learning as Keras 2 users wrote it: a frozen nested functional base, a
    nested Sequential head, compiled."""
    bi = k2.Input((6,), name="base_in")
    b = k2.layers.Dense(5, activation="relu", name="base_dense")(bi)
    b = k2.layers.BatchNormalization(name="base_bn")(b)
    base = k2.Model(bi, b, name="base")
    base.trainable = False
    head = k2.Sequential([k2.Input((5,)), k2.layers.Dense(4, activation="tanh"), k2.layers.Dense(3, activation="softmax")],
                         name="head")
    inp = k2.Input((6,), name="features")
    out = head(k2.layers.Dropout(0.0)(base(inp, training=False)))
    m = k2.Model(inp, out, name="nested")
    m.compile(optimizer=k2.optimizers.Adam(0.01), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return m, [uniform(10, 6)], [rng.integers(0, 3, size=(10,)).astype(np.int32)]


def lambda_layer():
    """A Lambda layer: its Python function is what the C++ test registers under the layer's
    name (x * 2 + 1)."""
    m = k2.Sequential([k2.Input((3,)), k2.layers.Lambda(lambda x: x * 2 + 1, name="scale_shift"), k2.layers.Dense(2)],
                      name="lambda_layer")
    return m, [uniform(4, 3)], None


def tf_ops():
    """TensorFlow functions called on Keras 2's symbolic tensors (TFOpLambda layers), compiled."""
    import tensorflow as tf
    inp = k2.Input((4,), name="x")
    d = k2.layers.Dense(6, name="d")(inp)
    a = tf.nn.relu(d) * 2.0 + d
    b = tf.reduce_mean(a, axis=-1, keepdims=True)
    c = tf.concat([a, b], axis=-1)
    e = tf.transpose(tf.reshape(c, (-1, 7, 1)), perm=[0, 2, 1])
    g = tf.squeeze(e, axis=1) - tf.math.sigmoid(c)
    h = tf.math.maximum(g, 0.1) / 3.0
    s = h[:, 1:6][..., None][:, ::2, 0]  # SlicingOpLambda layers
    out = k2.layers.Dense(2, name="out")(tf.nn.softmax(tf.math.square(s) + tf.math.exp(-s), axis=-1))
    m = k2.Model(inp, out, name="tf_ops")
    m.compile(optimizer=k2.optimizers.Adam(0.01), loss="mse")
    return m, [uniform(5, 4)], [uniform(5, 2)]


def legacy_optimizer():
    """Keras 2's legacy optimizers (tf_keras.optimizers.legacy) name their state differently."""
    m = k2.Sequential([k2.Input((4,)), k2.layers.Dense(3, activation="relu"), k2.layers.Dense(1)], name="legacy_opt")
    m.compile(optimizer=k2.optimizers.legacy.Adam(0.02), loss="mse", metrics=["mae", "msle", "poisson", "squared_hinge"])
    return m, [uniform(9, 4)], [uniform(9, 1)]


def optimizer_case(name, make_optimizer):
    """A small regression model under one optimizer: Keras 2's names for its state."""
    def make():
        m = k2.Sequential([k2.Input((4,)), k2.layers.Dense(3, activation="tanh"), k2.layers.Dense(2)], name=name)
        m.compile(optimizer=make_optimizer(), loss="mse")
        return m, [uniform(9, 4)], [uniform(9, 2)]
    make.__name__ = name
    return make


OPTIMIZERS = [
    optimizer_case("opt_adagrad", lambda: k2.optimizers.Adagrad(0.05)),
    optimizer_case("opt_adadelta", lambda: k2.optimizers.Adadelta(0.5)),
    optimizer_case("opt_adamax", lambda: k2.optimizers.Adamax(0.02)),
    optimizer_case("opt_nadam", lambda: k2.optimizers.Nadam(0.02)),
    optimizer_case("opt_ftrl", lambda: k2.optimizers.Ftrl(0.05, l1_regularization_strength=0.01)),
    optimizer_case("opt_adamw", lambda: k2.optimizers.AdamW(0.02, weight_decay=0.01)),
    optimizer_case("opt_lion", lambda: k2.optimizers.Lion(0.01)),
    optimizer_case("opt_rmsprop_centered", lambda: k2.optimizers.RMSprop(0.01, centered=True)),
    optimizer_case("legacy_sgd", lambda: k2.optimizers.legacy.SGD(0.05, momentum=0.9)),
    optimizer_case("legacy_rmsprop", lambda: k2.optimizers.legacy.RMSprop(0.01, momentum=0.5, centered=True)),
    optimizer_case("legacy_adagrad", lambda: k2.optimizers.legacy.Adagrad(0.05)),
    optimizer_case("legacy_adamax", lambda: k2.optimizers.legacy.Adamax(0.02)),
    optimizer_case("legacy_adadelta", lambda: k2.optimizers.legacy.Adadelta(0.5)),
    optimizer_case("legacy_ftrl", lambda: k2.optimizers.legacy.Ftrl(0.05, l1_regularization_strength=0.01)),
    optimizer_case("legacy_nadam", lambda: k2.optimizers.legacy.Nadam(0.02)),  # another algorithm than Keras 3's
]

JSON_CASES = {"two_heads", "zoo_sequence", "zoo_image"}

CASES = [mlp, first_layer_shape, two_heads, cnn, rnn, legacy_optimizer, zoo_sequence, zoo_image, zoo_more,
         mixed_precision, nested, lambda_layer, tf_ops] + OPTIMIZERS


def keras3_written(arrays, lines):
    """A functional model Keras 3 trained and saved as .h5 (its legacy writer); the step it
    takes next in memory is what keras-cpp's resumed step must give (Keras 3.15 cannot
    resume from the file itself)."""
    import keras
    keras.utils.set_random_seed(5)
    inp = keras.Input((6,), name="features")
    h = keras.layers.Dense(5, activation="relu", name="hidden")(inp)
    h = keras.layers.BatchNormalization(name="bn")(h)
    out = keras.layers.Dense(3, activation="softmax", name="probs")(h)
    m = keras.Model(inp, out, name="keras3_functional")
    m.compile(optimizer=keras.optimizers.Adam(0.01, amsgrad=True), loss="sparse_categorical_crossentropy",
              metrics=["accuracy"])
    x = uniform(10, 6)
    y = rng.integers(0, 3, size=(10,)).astype(np.int32)
    m.fit(x, y, batch_size=4, epochs=2, verbose=0)
    name = m.name
    m.save(os.path.join(HERE, name + ".h5"))
    arrays[f"{name}/x0"], arrays[f"{name}/y0"] = x, y
    arrays[f"{name}/pred0"] = m.predict(x, verbose=0).astype(np.float32)
    arrays[f"{name}/keras3_pred0"] = arrays[f"{name}/pred0"]
    for key, value in m.evaluate(x, y, verbose=0, return_dict=True).items():
        arrays[f"{name}/eval/{key}"] = np.float32(value)
    logs = m.train_on_batch(x, y, return_dict=True)
    arrays[f"{name}/step_loss"] = np.float32(logs["loss"])
    arrays[f"{name}/after0"] = m.predict(x, verbose=0).astype(np.float32)
    lines.append(f"{name} 1 1 1 loads")


def keras3_lambda(arrays):
    """A .keras file (Keras 3) whose Lambda holds Python code: the C++ test registers its
    stand-in under the layer's name, as for lambda_layer.h5."""
    import keras
    keras.utils.set_random_seed(6)
    m = keras.Sequential([keras.Input((3,)), keras.layers.Lambda(lambda x: x * 2 + 1, name="scale_shift"),
                          keras.layers.Dense(2)], name="keras3_lambda")
    x = uniform(4, 3)
    m.save(os.path.join(HERE, "keras3_lambda.keras"))
    arrays["keras3_lambda/x0"] = x
    arrays["keras3_lambda/pred0"] = m.predict(x, verbose=0).astype(np.float32)


def keras3_predictions(path, x):
    """Keras 3's load_model of the file and its predictions (None when it raises)."""
    import keras
    try:
        m = keras.models.load_model(path, compile=False)
        y = m.predict(x if len(x) > 1 else x[0], verbose=0)
    except Exception as e:  # noqa: BLE001 - recorded in cases.txt
        print("  keras 3 raises:", type(e).__name__, str(e)[:200].replace("\n", " "))
        return None
    return y if isinstance(y, list) else [y]


def as_list(y):
    return y if isinstance(y, list) else [y]


def strip_modules(value):
    """The config as Keras 2 before 2.13 wrote it: objects as {"class_name", "config"}."""
    if isinstance(value, list):
        return [strip_modules(v) for v in value]
    if isinstance(value, dict):
        return {k: strip_modules(v) for k, v in value.items() if k not in ("module", "registered_name")}
    return value


def main():
    arrays = {}
    lines = []
    for make in CASES:
        k2.backend.clear_session()
        k2.utils.set_random_seed(3)
        model, x, y = make()
        name = model.name
        if y is not None:
            model.fit(x if len(x) > 1 else x[0], y if len(y) > 1 else y[0], batch_size=4, epochs=2, verbose=0)
        path = os.path.join(HERE, name + ".h5")
        model.save(path, save_format="h5")
        if name in JSON_CASES:  # Keras 2's model.to_json(), with the weights of the .h5 file
            with open(os.path.join(HERE, name + ".json"), "w") as f:
                f.write(model.to_json())
        for i, v in enumerate(x):
            arrays[f"{name}/x{i}"] = v
        for i, v in enumerate(y or []):
            arrays[f"{name}/y{i}"] = v
        pred = as_list(model.predict(x if len(x) > 1 else x[0], verbose=0))
        for i, p in enumerate(pred):
            arrays[f"{name}/pred{i}"] = p.astype(np.float32)
        k3 = keras3_predictions(path, x)
        for i, p in enumerate(k3 or []):
            arrays[f"{name}/keras3_pred{i}"] = np.asarray(p, dtype=np.float32)
            assert np.allclose(p, pred[i], atol=1e-5), (name, i)
        if y is not None:
            # Keras 2's evaluate logs: the names and values of its loss and metrics.
            logs = model.evaluate(x if len(x) > 1 else x[0], y if len(y) > 1 else y[0], verbose=0, return_dict=True)
            for key, value in logs.items():
                arrays[f"{name}/eval/{key}"] = np.float32(value)
            # The step the saved model takes next (uninterrupted training; Keras 2 resuming
            # from the file gives the same but for tf_keras's Nadam, whose u_product the
            # file lacks and whose reload multiplies it again for every variable).
            logs = model.train_on_batch(x if len(x) > 1 else x[0], y if len(y) > 1 else y[0], return_dict=True)
            arrays[f"{name}/step_loss"] = np.float32(logs["loss"])
            for i, p in enumerate(as_list(model.predict(x if len(x) > 1 else x[0], verbose=0))):
                arrays[f"{name}/after{i}"] = p.astype(np.float32)
        lines.append(f"{name} {len(x)} {len(pred)} {int(y is not None)} {'loads' if k3 is not None else 'raises'}")
        print(lines[-1])
    # As Keras 2 before 2.13 wrote the first_layer_shape model: no module names, no
    # InputLayer (the first layer's batch_input_shape), a functional model as "Model".
    src = os.path.join(HERE, "first_layer_shape.h5")
    dst = os.path.join(HERE, "old_style.h5")
    with h5py.File(src, "r") as f, h5py.File(dst, "w") as g:
        for key, value in f.attrs.items():
            g.attrs[key] = value
        cfg = strip_modules(json.loads(f.attrs["model_config"]))
        cfg["config"]["layers"] = [l for l in cfg["config"]["layers"] if l["class_name"] != "InputLayer"]
        cfg["config"]["name"] = "old_style"
        g.attrs["model_config"] = json.dumps(cfg).encode("utf8")
        g.attrs["keras_version"] = b"2.4.0"
        f.copy("model_weights", g)
    for key in [k for k in arrays if k.startswith("first_layer_shape/")]:
        arrays["old_style/" + key.split("/", 1)[1]] = arrays[key]
    lines.append("old_style 1 1 0 " + ("loads" if keras3_predictions(dst, [arrays["old_style/x0"]]) else "raises"))
    keras3_written(arrays, lines)
    keras3_lambda(arrays)
    np.savez_compressed(os.path.join(HERE, "expected.npz"), **arrays)
    with open(os.path.join(HERE, "cases.txt"), "w") as f:
        f.write("# <name> <inputs> <outputs> <compiled> <Keras 3 load_model> (make_fixtures.py)\n")
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
