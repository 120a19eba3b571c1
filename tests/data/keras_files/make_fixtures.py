"""Writes the Keras 3 fixtures of tests/keras/test_keras_files.cpp (run by hand):

    /work/venv/bin/python tests/data/keras_files/make_fixtures.py [MODEL...]

For each model NAME: NAME.keras (model.save), NAME.weights.h5 (model.save_weights),
NAME.in<i>.npy (inputs, seeded) and NAME.out<j>.npy (Keras's predictions). Weights are
random (seeded) and moving statistics of BatchNormalization are set away from 0 / 1, so
a weight loaded into the wrong slot changes the outputs.
"""
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
import numpy as np  # noqa: E402
import keras  # noqa: E402
from keras import layers  # noqa: E402

OUT = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(17)


def randomize(model):
    for w in model.weights:
        v = rng.uniform(-0.5, 0.5, size=w.shape)
        if "variance" in w.path:
            v = rng.uniform(0.5, 1.5, size=w.shape)
        w.assign(v.astype(w.dtype))
    # Normalization computes from the statistics its finalize_state() read (as loading
    # does); assigned weights need it again.
    for layer in model._flatten_layers():
        if isinstance(layer, layers.Normalization) and layer.input_mean is None:
            layer.finalize_state()


def seq_mlp():
    return keras.Sequential([
        keras.Input((6,)),
        layers.Dense(8, activation="relu"),
        layers.Dropout(0.3),
        layers.Dense(5, activation="tanh", use_bias=False),
        layers.BatchNormalization(),
        layers.Dense(3, activation="softmax"),
    ], name="seq_mlp"), [(4, 6)]


def functional_multi():
    a = keras.Input((4,), name="wide")
    b = keras.Input((3,), name="deep")
    h = layers.Dense(5, activation="relu")(a)
    h2 = layers.Dense(5, activation="sigmoid")(b)
    added = layers.Add()([h, h2])
    c = layers.Concatenate()([added, b])
    n = layers.LayerNormalization()(c)
    o1 = layers.Dense(2, name="out_a")(n)
    o2 = layers.Activation("softplus")(layers.Multiply()([h, h2]))
    return keras.Model([a, b], [o1, o2], name="functional_multi"), [(3, 4), (3, 3)]


def conv():
    x = keras.Input((10, 9, 3))
    y = layers.Conv2D(4, 3, padding="same", activation="relu")(x)
    y = layers.MaxPooling2D(2)(y)
    y = layers.Conv2D(5, (2, 3), strides=(1, 2))(y)
    y = layers.AveragePooling2D(2, padding="same")(y)
    y = layers.Flatten()(y)
    y = layers.Reshape((-1, 5))(y)
    y = layers.Conv1D(3, 2, padding="causal")(y)
    y = layers.GlobalAveragePooling1D()(y)
    y = layers.Dense(2)(y)
    return keras.Model(x, y, name="conv"), [(2, 10, 9, 3)]


def rnn():
    ids = keras.Input((7,), dtype="int32")
    e = layers.Embedding(20, 6)(ids)
    s = layers.LSTM(5, return_sequences=True)(e)
    s = layers.Bidirectional(layers.GRU(4, return_sequences=True))(s)
    s = layers.TimeDistributed(layers.Dense(3))(s)
    s = layers.SimpleRNN(4)(s)
    out = layers.Dense(2)(s)
    return keras.Model(ids, out, name="rnn"), [("ids", 3, 7, 20)]


def attention():
    q = keras.Input((4, 6))
    v = keras.Input((5, 6))
    a = layers.MultiHeadAttention(num_heads=2, key_dim=3)(q, v)
    a = layers.GlobalMaxPooling1D()(a)
    return keras.Model([q, v], a, name="attention"), [(2, 4, 6), (2, 5, 6)]


def activations():
    return keras.Sequential([
        keras.Input((5,)),
        layers.Dense(6),
        layers.LeakyReLU(negative_slope=0.2),
        layers.Dense(6),
        layers.PReLU(),
        layers.ELU(),
        layers.ReLU(max_value=0.5),
        layers.Dense(4),
        layers.Softmax(),
    ], name="activations"), [(3, 5)]


def nested():
    inner = keras.Sequential([keras.Input((4,)), layers.Dense(3, activation="relu"), layers.Dense(3)],
                             name="inner")
    x = keras.Input((4,))
    y = layers.Dense(4)(x)
    y = inner(y)
    y = layers.Dense(1)(layers.Concatenate()([y, x]))
    return keras.Model(x, y, name="nested"), [(2, 4)]


def spatial():
    x = keras.Input((8, 8, 3))
    y = layers.ZeroPadding2D(1)(x)
    y = layers.Conv2DTranspose(4, 3, strides=2)(y)
    y = layers.Cropping2D(((1, 2), (2, 1)))(y)
    y = layers.DepthwiseConv2D(3, depth_multiplier=2)(y)
    y = layers.SeparableConv2D(5, 3, padding="same", activation="relu")(y)
    y = layers.UpSampling2D(2)(y)
    y = layers.MaxPooling2D(3)(y)
    y = layers.SpatialDropout2D(0.2)(y)
    y = layers.GlobalMaxPooling2D()(y)
    y = layers.Dense(2)(y)
    return keras.Model(x, y, name="spatial"), [(2, 8, 8, 3)]


def sequence1d():
    return keras.Sequential([
        keras.Input((12, 4)),
        layers.Conv1D(6, 3, dilation_rate=2, activation="elu"),
        layers.MaxPooling1D(2),
        layers.ZeroPadding1D((1, 2)),
        layers.Cropping1D((2, 1)),
        layers.UpSampling1D(2),
        layers.SeparableConv1D(4, 3, padding="same"),
        layers.DepthwiseConv1D(2),
        layers.Conv1DTranspose(3, 3, strides=2, padding="same"),
        layers.AveragePooling1D(2, strides=1),
        layers.GlobalMaxPooling1D(),
    ], name="sequence1d"), [(2, 12, 4)]


def volumes():
    return keras.Sequential([
        keras.Input((5, 5, 5, 2)),
        layers.Conv3D(3, 2, activation="relu"),
        layers.MaxPooling3D(2),
        layers.ZeroPadding3D(1),
        layers.AveragePooling3D(2),
        layers.GlobalAveragePooling3D(),
    ], name="volumes"), [(2, 5, 5, 5, 2)]


def misc():
    a = keras.Input((6,))
    b = keras.Input((6,))
    r = layers.Rescaling(0.5, offset=0.1)(a)
    n = layers.Normalization(mean=[0.1, -0.2, 0.3, 0.0, 0.5, -0.5], variance=[1.0, 2.0, 0.5, 1.5, 0.8, 1.2])(r)
    d = layers.Dense(6)(n)
    d = layers.GaussianNoise(0.1)(d)
    d = layers.ActivityRegularization(l1=0.01)(d)
    e = layers.EinsumDense("ab,bc->ac", output_shape=6, bias_axes="c")(b)
    e = layers.Identity()(e)
    merged = [layers.Subtract()([d, e]), layers.Average()([d, e]), layers.Maximum()([d, e]),
              layers.Minimum()([d, e])]
    dot = layers.Dot(axes=1, normalize=True)([d, e])
    u = layers.UnitNormalization()(layers.Concatenate()(merged))
    seq = layers.RepeatVector(4)(u)
    seq = layers.Permute((2, 1))(seq)
    seq = layers.Reshape((8, 12))(seq)
    g = layers.GroupNormalization(groups=3)(seq)
    g = layers.GlobalAveragePooling1D()(g)
    out = layers.Concatenate()([g, dot])
    return keras.Model([a, b], out, name="misc"), [(3, 6), (3, 6)]


def masked():
    ids = keras.Input((6,), dtype="int32")
    q = layers.Embedding(10, 4, mask_zero=True)(ids)
    v = keras.Input((5, 4))
    mv = layers.Masking(0.0)(v)
    a1 = layers.Attention(use_scale=True)([q, mv])
    a2 = layers.AdditiveAttention()([q, mv])
    s = layers.Add()([a1, a2])
    s = layers.GRU(3, reset_after=False, go_backwards=True)(s)
    return keras.Model([ids, v], s, name="masked"), [("ids", 2, 6, 10), (2, 5, 4)]


def images():
    return keras.Sequential([
        keras.Input((10, 12, 3)),
        layers.Resizing(8, 8),
        layers.CenterCrop(6, 6),
        layers.RandomFlip(),
        layers.RandomRotation(0.1),
        layers.RandomZoom(0.1),
        layers.RandomTranslation(0.1, 0.1),
        layers.RandomContrast(0.2),
        layers.RandomCrop(5, 5),
        layers.Conv2D(2, 2),
        layers.Flatten(),
    ], name="images"), [(2, 10, 12, 3)]


def options():
    """Layers with options away from their defaults, compiled and trained one step (so the
    file also holds a compile config and optimizer variables, which keras-cpp skips)."""
    x = keras.Input((6, 4))
    y = layers.LSTM(6, return_sequences=True, unit_forget_bias=False, recurrent_activation="hard_sigmoid",
                    kernel_regularizer=keras.regularizers.L2(0.01), recurrent_constraint="non_neg",
                    dropout=0.1, recurrent_dropout=0.1, go_backwards=True)(x)
    y = layers.LayerNormalization(scale=False, epsilon=1e-2)(y)
    y = layers.Conv1D(4, 2, groups=2, dilation_rate=2, use_bias=False, kernel_initializer=keras.initializers.HeNormal(3),
                      activity_regularizer=keras.regularizers.L1(0.001))(y)
    y = layers.BatchNormalization(center=False, momentum=0.9, epsilon=1e-2)(y)
    y = layers.SimpleRNN(3, activation="relu", return_state=False)(y)
    y = layers.Dense(2, kernel_constraint=keras.constraints.MaxNorm(2.0), bias_regularizer=keras.regularizers.L1L2(0.01, 0.02))(y)
    model = keras.Model(x, y, name="options")
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse")
    model.fit(rng.uniform(size=(4, 6, 4)), rng.uniform(size=(4, 2)), epochs=1, verbose=0)
    return model, [(3, 6, 4)]


def noise_norm():
    """The noise layers (the identity in inference), SpectralNormalization and RMSNormalization over
    one and two axes."""
    x = keras.Input((4, 6))
    y = layers.GaussianDropout(0.3, seed=1)(x)
    y = layers.AlphaDropout(0.2, noise_shape=(None, 1, 6), seed=2)(y)
    y = layers.RMSNormalization()(y)
    y = layers.Dense(6)(y)
    y = layers.SpectralNormalization(layers.Conv1D(6, 2, padding="same"), power_iterations=2)(y)
    y = layers.RMSNormalization(axis=[1, 2], epsilon=1e-3)(y)
    return keras.Model(x, y, name="noise_norm"), [(3, 4, 6)]


def color():
    """The color image layers and RandomGaussianBlur (the identity in inference, but for
    AutoContrast) and adaptive pooling. (Keras 3.15's Equalization cannot be placed in a
    Sequential: its compute_output_spec returns its input, which Keras reports as a cycle.)"""
    return keras.Sequential([
        keras.Input((4, 5, 3)),
        layers.RandomBrightness(0.2, value_range=(-1, 1), seed=1),
        layers.RandomInvert(0.5, value_range=(-1, 1)),
        layers.RandomGrayscale(0.3),
        layers.Solarization(addition_factor=0.1, threshold_factor=(0.2, 0.6), value_range=(-1, 1)),
        layers.RandomPosterization((2, 5), value_range=(-1, 1)),
        layers.AutoContrast(value_range=(-1, 1)),
        layers.RandomSaturation(0.3, value_range=(-1, 1)),
        layers.RandomHue(0.2, value_range=(-1, 1)),
        layers.RandomColorDegeneration(0.4, value_range=(-1, 1)),
        layers.RandomSharpness(0.3, value_range=(-1, 1)),
        layers.RandomGaussianBlur(0.5, kernel_size=(3, 5), sigma=(0.2, 0.9), value_range=(-1, 1), seed=2),
        layers.Conv2D(2, 2),
        layers.AdaptiveMaxPooling2D((2, 3)),
        layers.AdaptiveAveragePooling2D(2),
    ], name="color"), [(2, 4, 5, 3)]


def gqa():
    """GroupQueryAttention and MultiHeadAttention with a gate, a causal mask and a sliding window, over
    an Embedding's mask."""
    ids = keras.Input((6,), dtype="int32")
    x = layers.Embedding(10, 8, mask_zero=True)(ids)
    y = layers.GroupQueryAttention(head_dim=4, num_query_heads=4, num_key_value_heads=2, use_gate=True,
                                   sliding_window=3)(x, x, use_causal_mask=True)
    y = layers.MultiHeadAttention(2, 3, use_gate=True, sliding_window=2)(y, x)
    y = layers.GlobalAveragePooling1D()(y)
    return keras.Model(ids, y, name="gqa"), [("ids", 2, 6, 10)]


def conv_lstm():
    """ConvLSTM2D returning sequences into one returning its last output, then ConvLSTM1D and
    ConvLSTM3D."""
    x = keras.Input((3, 5, 5, 2))
    y = layers.ConvLSTM2D(3, 3, padding="same", return_sequences=True, go_backwards=True)(x)
    y = layers.ConvLSTM2D(2, 2, strides=2, unit_forget_bias=False)(y)
    s = keras.Input((2, 6, 2))
    z = layers.ConvLSTM1D(2, 3, return_sequences=True)(s)
    z = layers.ConvLSTM3D(1, 2, padding="same")(layers.Reshape((2, 4, 1, 1, 2))(z))
    out = layers.Concatenate()([layers.Flatten()(y), layers.Flatten()(z)])
    return keras.Model([x, s], layers.Dense(2)(out), name="conv_lstm"), [(2, 3, 5, 5, 2), (2, 2, 6, 2)]


def stacked_rnn():
    """RNN over StackedRNNCells (three cell classes; two cells of one class), masked."""
    x = keras.Input((5, 3))
    y = layers.Masking(0.0)(x)
    y = layers.RNN(layers.StackedRNNCells([layers.LSTMCell(4), layers.GRUCell(3, reset_after=False),
                                           layers.SimpleRNNCell(2)]), return_sequences=True)(y)
    y = layers.RNN(layers.StackedRNNCells([layers.LSTMCell(2), layers.LSTMCell(3)]), go_backwards=True)(y)
    return keras.Model(x, y, name="stacked_rnn"), [(2, 5, 3)]


def reversible():
    """A language-model head: ReversibleEmbedding (untied, soft cap) called forward and with
    reverse=True, around a Pipeline of weightless layers."""
    ids = keras.Input((6,), dtype="int32")
    emb = layers.ReversibleEmbedding(12, 4, tie_weights=False, logit_soft_cap=5.0)
    h = emb(ids)
    h = layers.Pipeline([layers.Rescaling(0.5), layers.Activation("tanh")])(h)
    h = layers.Dense(4)(h)
    return keras.Model(ids, emb(h, reverse=True), name="reversible"), [("ids", 2, 6, 12)]


def preprocess():
    """Normalization (its statistics in the weights, count left at 0 as Keras 3 always leaves
    it) and Discretization ("int", as indices into an Embedding) in a model."""
    x = keras.Input((4,))
    y = layers.Dense(3)(layers.Normalization()(x))
    ids = layers.Discretization(bin_boundaries=[-0.5, 0.0, 0.5])(x)
    e = layers.Flatten()(layers.Embedding(4, 2)(ids))
    return keras.Model(x, layers.Concatenate()([y, e]), name="preprocess"), [(5, 4)]


def quantized():
    """model.quantize("int8") after random float weights: Dense (inputs quantized per row,
    int32 products), EinsumDense and Embedding (per-row scales); the file holds
    QuantizedDTypePolicy configs, int8 kernels and their scales."""
    ids = keras.Input((5,), dtype="int32")
    x = keras.Input((6,))
    e = layers.Flatten()(layers.Embedding(9, 3)(ids))
    h = layers.Dense(7, activation="relu")(layers.Concatenate()([e, x]))
    h = layers.EinsumDense("ab,bc->ac", 5, bias_axes="c", activation="tanh")(h)
    model = keras.Model([ids, x], layers.Dense(4)(h), name="quantized")
    randomize(model)
    model.quantize("int8")
    model.fixture_randomized = True
    return model, [("ids", 3, 5, 9), (3, 6)]


def lora():
    """LoRA on Dense, EinsumDense and Embedding (lora_rank, lora_alpha), with trained-looking
    (random) factors: the file holds the merged kernels and no factors."""
    ids = keras.Input((4,), dtype="int32")
    e = layers.Embedding(8, 6, lora_rank=2)(ids)
    h = layers.EinsumDense("abc,cd->abd", (4, 5), bias_axes="d", lora_rank=3, lora_alpha=6)(e)
    y = layers.Dense(3, lora_rank=2, lora_alpha=1)(layers.Flatten()(h))
    model = keras.Model(ids, y, name="lora")
    randomize(model)
    model.fixture_randomized = True
    return model, [("ids", 2, 4, 8)]


def resample():
    """UpSampling2D and Resizing with resize's other interpolations (bicubic, lanczos3,
    lanczos5, area; channels_first; antialias), found by tests/keras_files/random_models.py."""
    x = keras.Input((5, 6, 2))
    y = layers.UpSampling2D((2, 1), interpolation="bicubic")(x)
    y = layers.Resizing(7, 9, interpolation="lanczos3")(y)
    y = layers.Conv2D(3, 2, data_format="channels_first")(layers.Permute((3, 1, 2))(y))
    y = layers.UpSampling2D(2, interpolation="area", data_format="channels_first")(y)
    y = layers.Permute((2, 3, 1))(y)
    y = layers.Resizing(4, 5, interpolation="lanczos5", antialias=True)(y)
    y = layers.Resizing(3, 3, interpolation="area")(y)
    return keras.Model(x, y, name="resample"), [(2, 5, 6, 2)]


def masked_merge():
    """Masks through the merge layers (Multiply reads masked steps as 1, Maximum/Minimum as
    the other input), SpatialDropout1D and Normalization (they pass masks on) and
    RMSNormalization (it drops them), found by tests/keras_files/random_models.py."""
    ids = keras.Input((6,), dtype="int32")
    e = layers.Embedding(9, 4, mask_zero=True)(ids)
    a = layers.Dense(4)(e)
    b = layers.Dense(4, activation="tanh")(e)
    m = layers.Minimum()([layers.Multiply()([a, b]), b])
    s = layers.SpatialDropout1D(0.3)(layers.Add()([layers.Maximum()([a, b]), m]))
    n = layers.Normalization(mean=0.1, variance=2.0)(s)
    r = layers.GlobalAveragePooling1D()(layers.LSTM(3, return_sequences=True)(n))
    g = layers.GRU(3)(layers.RMSNormalization()(e))
    return keras.Model(ids, layers.Concatenate()([r, g]), name="masked_merge"), [("ids", 3, 6, 9)]


MODELS = [seq_mlp, functional_multi, conv, rnn, attention, activations, nested, spatial, sequence1d, volumes,
          misc, masked, images, options, noise_norm, color, gqa, conv_lstm, stacked_rnn, reversible, preprocess,
          quantized, lora, resample, masked_merge]


def main():
    # Names on the command line: only those models (their random draws then differ from
    # a full run's, which rewrites every fixture).
    wanted = sys.argv[1:]
    for make in MODELS:
        if wanted and make.__name__ not in wanted:
            continue
        model, specs = make()
        if not getattr(model, "fixture_randomized", False):
            randomize(model)
        inputs = []
        for spec in specs:
            if spec[0] == "ids":
                ids = rng.integers(0, spec[3], size=spec[1:3]).astype("int32")
                ids[:, -2:] = 0  # trailing padding (masked where the model masks zeros)
                inputs.append(ids)
            else:
                inputs.append(rng.uniform(-1, 1, size=spec).astype("float32"))
        outputs = model.predict(inputs if len(inputs) > 1 else inputs[0], verbose=0)
        if not isinstance(outputs, (list, tuple)):
            outputs = [outputs]
        name = model.name
        model.save(os.path.join(OUT, name + ".keras"))
        model.save_weights(os.path.join(OUT, name + ".weights.h5"))
        for i, x in enumerate(inputs):
            np.save(os.path.join(OUT, f"{name}.in{i}.npy"), x)
        for j, y in enumerate(outputs):
            np.save(os.path.join(OUT, f"{name}.out{j}.npy"), np.asarray(y))
        print(name, [x.shape for x in inputs], [np.asarray(y).shape for y in outputs])
    if not wanted:
        hostile()
    print("keras", keras.__version__, file=sys.stderr)


def hostile():
    """Weight files for seq_mlp's first Dense layer that the reader must refuse."""
    import h5py

    def make(name, fill):
        with h5py.File(os.path.join(OUT, f"hostile_{name}.weights.h5"), "w") as f:
            g = f.create_group("layers/dense/vars")
            fill(g)

    # A shape of 2^40 floats with no data stored (HDF5 would return fill values).
    make("unallocated", lambda g: g.create_dataset("0", shape=(1 << 20, 1 << 20), dtype="float32"))
    make("compressed", lambda g: g.create_dataset("0", data=np.zeros((6, 8), "float32"), compression="gzip"))
    make("float16", lambda g: g.create_dataset("0", data=np.zeros((6, 8), "float16")))
    make("string", lambda g: g.create_dataset("0", data=np.array([b"abc"])))
    make("rank9", lambda g: g.create_dataset("0", data=np.zeros((1,) * 9, "float32")))

    def soft(g):
        g.create_dataset("x", data=np.zeros((6, 8), "float32"))
        g["0"] = h5py.SoftLink("/layers/dense/vars/x")

    make("softlink", soft)
    make("wrong_shape", lambda g: (g.create_dataset("0", data=np.zeros((7, 8), "float32")),
                                   g.create_dataset("1", data=np.zeros((8,), "float32"))))


if __name__ == "__main__":
    main()
