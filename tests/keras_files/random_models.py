"""Random models built in Keras 3 and checked in keras-cpp (run by hand, with the venv's Keras):

    /work/venv/bin/python tests/keras_files/random_models.py --count 200 --seed 1 \
        --out /tmp/random_models --check build/tests/compare_keras_files

Each case is a functional model of 1 to 4 layers drawn from the pool below, with their
options drawn away from the defaults (paddings, strides, dilations, data formats,
activations, recurrent directions, merge modes, interpolations...), random weights
(BatchNormalization's variances kept positive); some start from token ids through an
Embedding (mask_zero) or from a Masking layer, whose masks reach the layers after; a
quarter of the float-input ones get a second input (through a Dense, concatenated with the
flattened first branch) or a second output head (compiled with a loss per output and
loss_weights). Saved with model.save as <case>.keras with
its inputs (<case>.in<i>.npy, uniform in [-1, 1)) and Keras's predictions
(<case>.out<j>.npy). A model without layers that draw random numbers in training is also
compiled (a random optimizer; a regression loss, or a cross-entropy on logits, hinge or
cosine loss with a target that suits it) and trained two train_on_batch steps
toward <case>.target0.npy after it was saved: <case>.losses.npy holds Keras's two losses,
<case>.trained0.npy its predictions after them. --check runs the keras-cpp program on the
folder, which loads every file, predicts eagerly and traced (and trains the compiled ones
the same two steps), and prints one line per case; the failing cases are printed again
here with their layers' configs. A case whose draw Keras itself refuses is
drawn again. Cases that found a difference go into tests/data/keras_files through
make_fixtures.py, so the suite keeps checking them.
"""
import argparse
import json
import os
import subprocess
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "jax")  # or tensorflow (channels_last only, see Draw.fmt)
import numpy as np  # noqa: E402
import keras  # noqa: E402
from keras import layers as L  # noqa: E402

ACTIVATIONS = ["linear", "relu", "tanh", "sigmoid", "gelu", "elu", "selu", "softplus", "softsign", "swish",
               "hard_sigmoid", "leaky_relu", "relu6", "silu", "mish", "log_softmax", "softmax", "exponential",
               "hard_silu", "celu", "glu", "tanh_shrink", "hard_tanh", "soft_shrink", "sparse_plus", "squareplus",
               "log_sigmoid", "sparsemax", "threshold"]


class Draw:
    """The random choices of one case."""

    def __init__(self, rng):
        self.rng = rng

    def int(self, lo, hi):
        return int(self.rng.integers(lo, hi + 1))

    def pick(self, options):
        return options[int(self.rng.integers(len(options)))]

    def flip(self, p=0.5):
        return bool(self.rng.random() < p)

    def act(self):
        # glu halves the last axis and threshold needs arguments: keep them for Activation.
        return self.pick([a for a in ACTIVATIONS if a not in ("glu", "threshold")] + ["linear"] * 4)

    def reg(self, rank2=False):
        """A weight regularizer, None most of the time (the loss of a compiled case adds it)."""
        kinds = ["l1", "l2", "l1l2"] + (["orthogonal"] if rank2 else [])
        kind = self.pick([None, None] + kinds)
        if kind == "l1":
            return keras.regularizers.L1(self.pick([0.01, 0.1]))
        if kind == "l2":
            return keras.regularizers.L2(self.pick([0.01, 0.1]))
        if kind == "l1l2":
            return keras.regularizers.L1L2(l1=0.02, l2=0.03)
        if kind == "orthogonal":
            return keras.regularizers.OrthogonalRegularizer(factor=0.05, mode=self.pick(["rows", "columns"]))
        return None

    def constraint(self):
        """A weight constraint, None most of the time (applied after each training step)."""
        kind = self.pick([None, None, None, "max_norm", "min_max", "non_neg", "unit"])
        if kind == "max_norm":
            return keras.constraints.MaxNorm(self.pick([0.3, 1.0]), axis=0)
        if kind == "min_max":
            return keras.constraints.MinMaxNorm(0.2, 0.6, rate=self.pick([1.0, 0.5]), axis=0)
        if kind == "non_neg":
            return keras.constraints.NonNeg()
        if kind == "unit":
            return keras.constraints.UnitNorm(axis=0)
        return None

    def fmt(self):
        # (TensorFlow's CPU convolutions give wrong values channels_first for some shapes:
        # under KERAS_BACKEND=tensorflow the generator stays channels_last)
        if keras.backend.backend() == "tensorflow":
            return "channels_last"
        return self.pick(["channels_last", "channels_last", "channels_first"])


# Each entry: (name, the ranks of the input it takes (batch left out), a function of (draw,
# shape) returning a layer, or a function of a tensor for layers called in a special way).
def dense(d, s):
    return L.Dense(d.int(1, 6), activation=d.act(), use_bias=d.flip(0.7), kernel_regularizer=d.reg(True),
                   bias_regularizer=d.reg(), kernel_constraint=d.constraint(), bias_constraint=d.constraint(),
                   activity_regularizer=d.reg() if d.flip(0.2) else None)


def lora_dense(d, s):
    # (a LoRA-enabled layer trains only its two low-rank factors; the kernel stays frozen)
    if len(s) == 1 or d.flip():
        return L.Dense(d.int(2, 6), activation=d.act(), use_bias=d.flip(0.7), lora_rank=d.int(1, 2),
                       lora_alpha=d.pick([None, 4.0]))
    return L.EinsumDense("abc,cd->abd", output_shape=(None, d.int(2, 5)), bias_axes=d.pick(["d", None]),
                         lora_rank=d.int(1, 2))


def einsum_dense(d, s):
    if len(s) == 1:
        return L.EinsumDense("ab,bc->ac", output_shape=d.int(1, 5), bias_axes=d.pick(["c", None]),
                             activation=d.act())
    return L.EinsumDense("abc,cd->abd", output_shape=(None, d.int(1, 5)), bias_axes=d.pick(["d", None]))


def batch_norm(d, s):
    axis = -1 if len(s) == 1 or d.flip(0.6) else 1
    return L.BatchNormalization(axis=axis, momentum=d.pick([0.9, 0.99]), epsilon=d.pick([1e-3, 1e-5, 0.1]),
                                center=d.flip(0.7), scale=d.flip(0.7))


def layer_norm(d, s):
    axis = -1 if len(s) == 1 or d.flip() else list(range(1, len(s) + 1))[-d.int(1, len(s)):]
    return L.LayerNormalization(axis=axis, epsilon=d.pick([1e-3, 1e-6, 0.1]), center=d.flip(0.7),
                                scale=d.flip(0.7), rms_scaling=d.flip(0.2))


def group_norm(d, s):
    c = s[-1]
    groups = d.pick([g for g in range(1, c + 1) if c % g == 0])
    return L.GroupNormalization(groups=groups, epsilon=d.pick([1e-3, 1e-5]), center=d.flip(0.7), scale=d.flip(0.7))


def activation(d, s):
    name = d.pick(ACTIVATIONS)
    if name == "glu" and s[-1] % 2:
        name = "relu"
    if name == "threshold":
        return L.ReLU(threshold=0.2)
    return L.Activation(name)


def relu(d, s):
    return L.ReLU(max_value=d.pick([None, 0.5, 2.0]), negative_slope=d.pick([0.0, 0.1]),
                  threshold=d.pick([0.0, 0.1, -0.2]))


def unary(d, s):
    return d.pick([L.LeakyReLU(negative_slope=d.pick([0.01, 0.3])), L.ELU(alpha=d.pick([1.0, 0.5])),
                   L.PReLU(shared_axes=None if len(s) < 2 or d.flip() else [1]), L.Softmax(axis=d.pick([-1, 1])),
                   L.UnitNormalization(axis=-1), L.Rescaling(scale=d.pick([0.5, 2.0]), offset=d.pick([0.0, -0.3])),
                   L.Identity(), L.Dropout(0.4), L.GaussianNoise(0.3), L.GaussianDropout(0.2), L.AlphaDropout(0.2),
                   L.ActivityRegularization(l1=0.01)])


def repeat_vector(d, s):
    return L.RepeatVector(d.int(1, 4))


def reshape(d, s):
    n = int(np.prod(s))
    divisors = [k for k in range(1, n + 1) if n % k == 0]
    a = d.pick(divisors)
    if d.flip():
        return L.Reshape((a, n // a))
    b = d.pick([k for k in divisors if (n // a) % k == 0])
    return L.Reshape((a, b, n // a // b))


def flatten(d, s):
    return L.Flatten(data_format=d.fmt())


def conv(d, s):
    rank = len(s) - 1
    cls = {1: L.Conv1D, 2: L.Conv2D, 3: L.Conv3D}[rank]
    padding = d.pick(["valid", "same"] + (["causal"] if rank == 1 else []))
    strides, dilation = d.int(1, 2), 1
    if strides == 1 and d.flip(0.3):
        dilation = 2
    fmt = d.fmt() if padding != "causal" else "channels_last"
    c_in = s[0] if fmt == "channels_first" else s[-1]
    groups = d.pick([g for g in range(1, c_in + 1) if c_in % g == 0]) if d.flip(0.3) else 1
    filters = groups * d.int(1, 3)
    return cls(filters, d.int(1, 3), strides=strides, padding=padding, dilation_rate=dilation, groups=groups,
               data_format=fmt, activation=d.act(), use_bias=d.flip(0.7), kernel_regularizer=d.reg(),
               kernel_constraint=d.constraint())


def separable(d, s):
    rank = len(s) - 1
    cls = {1: L.SeparableConv1D, 2: L.SeparableConv2D}[rank]
    strides = d.int(1, 2)
    return cls(d.int(1, 4), d.int(1, 3), strides=strides, padding=d.pick(["valid", "same"]),
               depth_multiplier=d.int(1, 2), dilation_rate=1 if strides > 1 else d.int(1, 2),
               data_format=d.fmt(), activation=d.act(), use_bias=d.flip(0.7))


def depthwise(d, s):
    rank = len(s) - 1
    cls = {1: L.DepthwiseConv1D, 2: L.DepthwiseConv2D}[rank]
    strides = d.int(1, 2)
    return cls(d.int(1, 3), strides=strides, padding=d.pick(["valid", "same"]), depth_multiplier=d.int(1, 2),
               dilation_rate=1 if strides > 1 else d.int(1, 2), data_format=d.fmt(), activation=d.act(),
               use_bias=d.flip(0.7))


def conv_transpose(d, s):
    rank = len(s) - 1
    cls = {1: L.Conv1DTranspose, 2: L.Conv2DTranspose, 3: L.Conv3DTranspose}[rank]
    strides = d.int(1, 3)
    output_padding = None
    if strides > 1 and d.flip(0.3):
        # (not 0: "same" with an even kernel and output_padding 0 gives JAX a shorter output
        # than its input; TensorFlow refuses it, as keras-cpp does)
        output_padding = d.int(1, strides - 1)
    return cls(d.int(1, 4), d.int(1, 3), strides=strides, padding=d.pick(["valid", "same"]),
               output_padding=output_padding, data_format=d.fmt(), activation=d.act(), use_bias=d.flip(0.7))


def pooling(d, s):
    rank = len(s) - 1
    cls = d.pick([{1: L.MaxPooling1D, 2: L.MaxPooling2D, 3: L.MaxPooling3D},
                  {1: L.AveragePooling1D, 2: L.AveragePooling2D, 3: L.AveragePooling3D}])[rank]
    return cls(pool_size=d.int(1, 3), strides=d.pick([None, 1, 2]), padding=d.pick(["valid", "same"]),
               data_format=d.fmt())


def global_pooling(d, s):
    rank = len(s) - 1
    cls = d.pick([{1: L.GlobalMaxPooling1D, 2: L.GlobalMaxPooling2D, 3: L.GlobalMaxPooling3D},
                  {1: L.GlobalAveragePooling1D, 2: L.GlobalAveragePooling2D, 3: L.GlobalAveragePooling3D}])[rank]
    return cls(data_format=d.fmt(), keepdims=d.flip(0.3))


def padding_crop(d, s):
    rank = len(s) - 1
    if d.flip():
        cls = {1: L.ZeroPadding1D, 2: L.ZeroPadding2D, 3: L.ZeroPadding3D}[rank]
        pad = tuple((d.int(0, 2), d.int(0, 2)) for _ in range(rank))
        return cls(pad[0] if rank == 1 else pad, **({} if rank == 1 else {"data_format": d.fmt()}))
    cls = {1: L.Cropping1D, 2: L.Cropping2D, 3: L.Cropping3D}[rank]
    # (not all 0: see upsampling's note on layers that hand back their input)
    crop = tuple((d.int(0, 1), d.int(1, 1)) for _ in range(rank))
    return cls(crop[0] if rank == 1 else crop, **({} if rank == 1 else {"data_format": d.fmt()}))


# Keras's JAX backend resizes "bicubic" with the exact Keys kernel, its TensorFlow backend
# (and keras-cpp) with ResizeBicubic's table of 1/1024 steps (up to 1e-3 apart): bicubic is
# drawn only under TensorFlow, and "area" (TensorFlow's alone) likewise.
RESAMPLING = ["bilinear", "lanczos3", "lanczos5"] + (["bicubic", "area"] if keras.backend.backend() == "tensorflow"
                                                      else [])


def upsampling(d, s):
    rank = len(s) - 1
    if rank == 1:
        # (not 1: Keras's repeat by 1 hands back its input tensor, whose mask then survives a
        # layer that drops masks; keras-cpp drops it, as Keras's own warning says)
        return L.UpSampling1D(d.int(2, 3))
    if rank == 2:
        return L.UpSampling2D((d.int(1, 3), d.int(1, 2)), data_format=d.fmt(),
                              interpolation=d.pick(["nearest"] + RESAMPLING))
    return L.UpSampling3D(d.int(1, 2), data_format=d.fmt())


def recurrent(d, s):
    cls = d.pick([L.LSTM, L.GRU, L.SimpleRNN])
    kwargs = dict(units=d.int(1, 5), return_sequences=d.flip(), go_backwards=d.flip(0.3),
                  activation=d.pick(["tanh", "relu", "sigmoid"]), use_bias=d.flip(0.8), unroll=d.flip(0.2))
    if cls is not L.SimpleRNN:
        kwargs["recurrent_activation"] = d.pick(["sigmoid", "hard_sigmoid", "tanh"])
    if cls is L.LSTM:
        kwargs["unit_forget_bias"] = d.flip()
    if cls is L.GRU:
        kwargs["reset_after"] = d.flip()
    layer = cls(**kwargs)
    if d.flip(0.3):
        # (not unrolled: an unrolled masked sequence's outputs differ between Keras's backends,
        # JAX carrying the last output over masked steps, TensorFlow zeroing the backward
        # layer's at the unreversed mask's steps; keras-cpp zeroes masked steps, as Keras does
        # when not unrolled)
        kwargs.update(go_backwards=False, unroll=False)
        return L.Bidirectional(cls(**kwargs), merge_mode=d.pick(["concat", "sum", "mul", "ave"]))
    return layer


def stacked_cells(d, s):
    def cell():
        kind = d.pick(["lstm", "gru", "simple"])
        units = d.int(1, 4)
        if kind == "lstm":
            return L.LSTMCell(units, recurrent_activation=d.pick(["sigmoid", "hard_sigmoid"]))
        if kind == "gru":
            return L.GRUCell(units, reset_after=d.flip())
        return L.SimpleRNNCell(units, activation=d.pick(["tanh", "relu"]))
    cells = [cell() for _ in range(d.int(1, 3))]
    return L.RNN(L.StackedRNNCells(cells) if d.flip() else cells, return_sequences=d.flip(),
                 go_backwards=d.flip(0.3))


def conv_lstm(d, s):
    rank = len(s) - 2
    cls = {1: L.ConvLSTM1D, 2: L.ConvLSTM2D}[rank]
    return cls(d.int(1, 3), d.int(1, 3), padding=d.pick(["valid", "same"]), strides=d.pick([1, 1, 2]),
               return_sequences=d.flip(), go_backwards=d.flip(0.3), data_format="channels_last")


def time_distributed(d, s):
    return L.TimeDistributed(L.Dense(d.int(1, 4), activation=d.act()))


def permute(d, s):
    dims = list(range(1, len(s) + 1))
    d.rng.shuffle(dims)
    return L.Permute(tuple(int(x) for x in dims))


def attention_call(d, s):
    kind = d.pick(["mha", "mha", "attention", "additive"])
    if kind == "mha":
        layer = L.MultiHeadAttention(num_heads=d.int(1, 3), key_dim=d.int(1, 4),
                                     value_dim=d.pick([None, d.int(1, 4)]), use_bias=d.flip(0.7),
                                     output_shape=d.pick([None, d.int(1, 4)]))
        causal = d.flip(0.4)
        return lambda x: layer(x, x, use_causal_mask=causal)
    if kind == "attention":
        layer = L.Attention(use_scale=d.flip(), score_mode=d.pick(["dot", "concat"]))
    else:
        layer = L.AdditiveAttention(use_scale=d.flip())
    causal = d.flip(0.4)
    return lambda x: layer([x, x], use_causal_mask=causal)


def group_query_attention(d, s):
    kv = d.int(1, 2)
    layer = L.GroupQueryAttention(head_dim=d.int(1, 4), num_query_heads=kv * d.int(1, 2), num_key_value_heads=kv,
                                  use_bias=d.flip(0.7))
    causal = d.flip(0.4)
    return lambda x: layer(x, x, use_causal_mask=causal)


def reversible_embedding(d, s):
    # the transposed embeddings as an output projection (logits over the vocabulary)
    layer = L.ReversibleEmbedding(VOCAB, s[-1], tie_weights=True)
    layer.build((None,))
    return lambda x: layer(x, reverse=True)


def image_inference(d, s):
    # layers that change an image only in training, or always the same way
    return d.pick([L.AutoContrast(value_range=(-1, 1)), L.Solarization(threshold_factor=0.5, value_range=(-1, 1)),
                   L.RandomFlip(), L.RandomRotation(0.2), L.RandomZoom(0.2), L.RandomContrast(0.3),
                   L.RandomTranslation(0.1, 0.1), L.RandomBrightness(0.2, value_range=(-1, 1))])


def merge_call(d, s):
    branch = L.Dense(s[-1], activation=d.act())
    kind = d.pick(["add", "subtract", "multiply", "average", "maximum", "minimum", "concatenate", "dot"])
    if kind == "concatenate":
        merge = L.Concatenate(axis=d.pick([-1, 1]))
    elif kind == "dot":
        merge = L.Dot(axes=-1, normalize=d.flip())
    else:
        merge = getattr(L, kind.capitalize())()
    return lambda x: merge([x, branch(x)])


def image_layer(d, s):
    h, w = s[0], s[1]
    kind = d.pick(["resizing", "center_crop", "spatial_dropout"])
    if kind == "resizing":
        return L.Resizing(d.int(1, 7), d.int(1, 7),
                          interpolation=d.pick(["nearest"] + RESAMPLING),
                          crop_to_aspect_ratio=d.flip(0.3))
    if kind == "center_crop":
        return L.CenterCrop(d.int(1, h), d.int(1, w))
    return L.SpatialDropout2D(0.3)


def rms_norm(d, s):
    return L.RMSNormalization(axis=-1, epsilon=d.pick([1e-6, 1e-3]))


def adaptive_pooling(d, s):
    rank = len(s) - 1
    cls = d.pick([{1: L.AdaptiveAveragePooling1D, 2: L.AdaptiveAveragePooling2D, 3: L.AdaptiveAveragePooling3D},
                  {1: L.AdaptiveMaxPooling1D, 2: L.AdaptiveMaxPooling2D, 3: L.AdaptiveMaxPooling3D}])[rank]
    return cls(tuple(d.int(1, 4) for _ in range(rank)) if rank > 1 else d.int(1, 4), data_format=d.fmt())


def spectral_norm(d, s):
    inner = L.Dense(d.int(1, 4)) if len(s) == 1 or d.flip() else {2: L.Conv1D, 3: L.Conv2D, 4: L.Conv3D}[len(s)](
        d.int(1, 3), d.int(1, 2), padding="same")
    return L.SpectralNormalization(inner, power_iterations=d.int(1, 2))


def time_distributed_conv(d, s):
    return L.TimeDistributed(L.Conv1D(d.int(1, 3), d.int(1, 2), padding=d.pick(["valid", "same"]),
                                      activation=d.act()))


# (make, input ranks, weight)
POOL = [
    (rms_norm, (1, 2, 3), 1), (adaptive_pooling, (2, 3, 4), 1), (spectral_norm, (1, 2, 3, 4), 1),
    (time_distributed_conv, (3,), 1),
    (dense, (1, 2, 3), 3), (einsum_dense, (1, 2), 1), (batch_norm, (1, 2, 3), 2), (layer_norm, (1, 2, 3), 2),
    (group_norm, (2, 3), 1), (activation, (1, 2, 3), 2), (relu, (1, 2), 1), (unary, (1, 2, 3), 2),
    (repeat_vector, (1,), 1), (reshape, (1, 2, 3), 1), (flatten, (2, 3, 4), 1), (conv, (2, 3, 4), 4),
    (separable, (2, 3), 2), (depthwise, (2, 3), 2), (conv_transpose, (2, 3, 4), 2), (pooling, (2, 3, 4), 2),
    (global_pooling, (2, 3, 4), 1), (padding_crop, (2, 3, 4), 1), (upsampling, (2, 3, 4), 1),
    (recurrent, (2,), 3), (conv_lstm, (3, 4), 1), (time_distributed, (2, 3), 1), (permute, (2, 3), 1),
    (attention_call, (2,), 2), (merge_call, (1, 2, 3), 2), (image_layer, (3,), 1),
    (lora_dense, (1, 2), 1), (stacked_cells, (2,), 1), (group_query_attention, (2,), 1),
    (reversible_embedding, (1, 2), 1), (image_inference, (3,), 1),
]


def input_shape(d):
    rank = d.pick([1, 2, 2, 3, 3, 4])
    if rank == 1:
        return (d.int(1, 8),)
    if rank == 2:
        return (d.int(1, 7), d.int(1, 5))
    if rank == 3:
        return (d.int(2, 7), d.int(2, 7), d.int(1, 4))
    return (d.int(2, 4), d.int(2, 5), d.int(2, 5), d.int(1, 3))


def draw_model(d, name):
    shape = input_shape(d)
    inp = keras.Input(shape)
    x = inp
    if len(shape) == 1 and d.flip(0.1):  # a signal into a spectrogram
        shape = (d.int(40, 120),) if d.flip() else (d.int(40, 120), 1)
        inp = keras.Input(shape)
        x = inp
        if len(shape) == 1:
            x = L.MelSpectrogram(fft_length=d.pick([16, 32]), sequence_stride=d.pick([4, 8]),
                                 sequence_length=d.pick([None, 12, 16]), window=d.pick(["hann", "hamming", None]),
                                 sampling_rate=d.pick([8000, 16000]), num_mel_bins=d.int(2, 8),
                                 min_freq=d.pick([0.0, 20.0]), max_freq=d.pick([None, 3000.0]),
                                 power_to_db=d.flip(0.7), mag_exp=d.pick([1.0, 2.0]), top_db=d.pick([80.0, 20.0]),
                                 min_power=1e-6, ref_power=1.0)(x)
        else:
            x = L.STFTSpectrogram(mode=d.pick(["log", "magnitude", "psd", "real", "imag", "angle", "stft"]),
                                  frame_length=d.pick([8, 16]), frame_step=d.pick([4, 8]),
                                  fft_length=d.pick([None, 16, 32]), window=d.pick(["hann", "hamming", None]),
                                  periodic=d.flip(), scaling=d.pick(["density", "spectrum", None]),
                                  padding=d.pick(["valid", "same"]), expand_dims=d.flip(0.3))(x)
    elif len(shape) == 1 and d.flip(0.4):  # token ids into an Embedding, its mask to what follows
        shape = (d.int(2, 7),)
        inp = keras.Input(shape, dtype="int32")
        kind = d.pick(["embedding", "embedding", "lookup", "hashing", "encoding"])
        x = inp
        if kind == "lookup":
            x = L.IntegerLookup(vocabulary=[int(v) for v in d.rng.permutation(VOCAB)[:5]], mask_token=0,
                                num_oov_indices=d.int(1, 2), output_mode="int")(x)
        elif kind == "hashing":
            x = L.Hashing(VOCAB, mask_value=d.pick([None, 0]))(x)
        if kind == "encoding":
            x = L.CategoryEncoding(VOCAB, output_mode=d.pick(["multi_hot", "count", "one_hot"]))(x)
        else:
            x = L.Embedding(VOCAB + 2, d.int(1, 5), mask_zero=d.flip(0.7))(x)
    elif len(shape) == 1 and d.flip(0.2):  # preprocessing of features
        if d.flip():
            x = L.Normalization(mean=d.rng.uniform(-1, 1, shape).tolist(),
                                variance=d.rng.uniform(0.2, 2, shape).tolist())(inp)
        else:
            x = L.Discretization(bin_boundaries=sorted(d.rng.uniform(-1, 1, 3).tolist()))(inp)
            x = L.Embedding(4, d.int(1, 4))(x)
    elif len(shape) == 2 and d.flip(0.3):  # all-zero steps masked
        x = L.Masking(0.0)(inp)
    for _ in range(d.int(1, 4)):
        s = tuple(x.shape[1:])
        options = [(make, w) for make, ranks, w in POOL if len(s) in ranks]
        weights = np.array([w for _, w in options], dtype=float)
        make = options[int(d.rng.choice(len(options), p=weights / weights.sum()))][0]
        layer = make(d, s)
        y = layer(x)
        if any(dim is not None and dim <= 0 for dim in y.shape[1:]):
            raise ValueError("an empty axis")
        if int(np.prod([dim for dim in y.shape[1:]])) > 4096:
            raise ValueError("too big")
        x = y
    model_inputs, outputs = [inp], [x]
    if inp.dtype != "int32" and d.flip(0.25):  # a second input joined in, or a second head
        flat = L.Flatten()(x) if len(x.shape) > 2 else x
        if d.flip():
            second = keras.Input((d.int(1, 6),))
            model_inputs.append(second)
            flat = L.Concatenate()([flat, L.Dense(d.int(1, 4), activation=d.act())(second)])
            outputs = [L.Dense(d.int(1, 4))(flat)]
        if len(model_inputs) == 1 or d.flip():
            outputs.append(L.Dense(d.int(1, 4), activation=d.act())(flat))
    return keras.Model(model_inputs if len(model_inputs) > 1 else inp, outputs if len(outputs) > 1 else x,
                       name=name), shape


VOCAB = 9


def inputs(model, shape, rng):
    """A batch of 3 for the model's input: ids with trailing zeros (padding) for an int
    input, else uniform in [-1, 1) with all-zero steps where a Masking layer reads them; a
    second input uniform in [-1, 1)."""
    if len(model.inputs) > 1:
        return [first_input(model, shape, rng)] + [rng.uniform(-1, 1, size=(3,) + tuple(i.shape[1:])).astype("float32")
                                                   for i in model.inputs[1:]]
    return first_input(model, shape, rng)


def first_input(model, shape, rng):
    if model.inputs[0].dtype == "int32":
        ids = rng.integers(1, VOCAB, size=(3,) + shape).astype("int32")
        ids[0, -1:] = 0
        ids[1, -2:] = 0
        return ids
    x = rng.uniform(-1, 1, size=(3,) + shape).astype("float32")
    if any(isinstance(layer, L.Masking) for layer in model.layers) and shape[0] > 1:
        x[0, -1] = 0
        x[2, 0] = 0
    return x


# Metrics that suit each kind of loss's target (the others: regression metrics).
METRICS = {"categorical": ["categorical_accuracy", "kl_divergence"], "sparse": ["sparse_categorical_accuracy"],
           "binary": ["binary_accuracy"], "hinge": ["mae"]}


def compile_args(d, y):
    """A loss that suits outputs y (logits for the cross-entropies), its target, and the
    metrics to compile with it (half the time none)."""
    loss, target, kind = loss_and_target(d, y)
    options = METRICS.get(kind, ["mae", "mse", "rmse", "log_cosh"])
    metrics = [] if d.flip() else [d.pick(options)]
    metrics = [keras.metrics.RootMeanSquaredError() if m == "rmse" else m for m in metrics]
    return loss, target, metrics


def loss_and_target(d, y):
    rng = d.rng
    kind = d.pick(["mse", "mae", "huber", "log_cosh", "categorical", "sparse", "binary", "hinge", "cosine"])
    if kind in ("categorical", "sparse", "cosine") and (y.ndim < 2 or y.shape[-1] < 2):
        kind = "mse"  # (a cosine over one component is its sign: ill-conditioned near 0)
    loss, target = loss_of(d, y, kind)
    return loss, target, kind


def loss_of(d, y, kind):
    rng = d.rng
    if kind == "categorical":
        t = rng.dirichlet(np.ones(y.shape[-1]), size=y.shape[:-1]).astype("float32")
        return keras.losses.CategoricalCrossentropy(from_logits=True, label_smoothing=d.pick([0.0, 0.1])), t
    if kind == "sparse":
        return (keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                rng.integers(0, y.shape[-1], size=y.shape[:-1]).astype("int32"))
    if kind == "binary":
        return keras.losses.BinaryCrossentropy(from_logits=True), rng.uniform(0, 1, y.shape).astype("float32")
    if kind == "hinge":
        return d.pick(["hinge", "squared_hinge"]), rng.choice([-1.0, 1.0], size=y.shape).astype("float32")
    if kind == "cosine":
        return keras.losses.CosineSimilarity(axis=-1), rng.uniform(-1, 1, y.shape).astype("float32")
    return kind, rng.uniform(-1, 1, y.shape).astype("float32")


def randomize(model, rng):
    for w in model.weights:
        v = rng.uniform(-0.5, 0.5, size=w.shape)
        if "variance" in w.path:
            v = rng.uniform(0.5, 1.5, size=w.shape)
        w.assign(v.astype(w.dtype))


# Layers that draw random numbers in training: a model holding one is not trained.
RANDOM_IN_TRAINING = (L.Dropout, L.GaussianNoise, L.GaussianDropout, L.AlphaDropout, L.SpatialDropout1D,
                      L.SpatialDropout2D, L.SpatialDropout3D, L.Solarization, L.RandomFlip, L.RandomRotation,
                      L.RandomZoom, L.RandomContrast, L.RandomTranslation, L.RandomBrightness)


def optimizer(d):
    return d.pick([lambda: keras.optimizers.SGD(0.05, momentum=d.pick([0.0, 0.9]), nesterov=d.flip()),
                   lambda: keras.optimizers.Adam(0.01, amsgrad=d.flip(0.3)),
                   lambda: keras.optimizers.AdamW(0.01, weight_decay=0.05),
                   lambda: keras.optimizers.RMSprop(0.01, momentum=d.pick([0.0, 0.5]), centered=d.flip()),
                   lambda: keras.optimizers.Adagrad(0.05), lambda: keras.optimizers.Nadam(0.01),
                   lambda: keras.optimizers.Adamax(0.01), lambda: keras.optimizers.Lion(0.001),
                   lambda: keras.optimizers.Adadelta(1.0), lambda: keras.optimizers.Ftrl(0.05),
                   lambda: keras.optimizers.Adafactor(0.01)])()


# Under JAX, SpectralNormalization's training call assigns the normalized kernel in a
# stateless scope that drops it (the gradient then goes through the division); TensorFlow
# keeps the assignment, as keras-cpp does.
BACKEND_DIVERGES_IN_TRAINING = (L.SpectralNormalization,) if keras.backend.backend() == "jax" else ()


def trains(model):
    return not any(isinstance(layer, RANDOM_IN_TRAINING + BACKEND_DIVERGES_IN_TRAINING)
                   for layer in model._flatten_layers())


def make_case(seed, index, out, train):
    name = f"case{seed}_{index:04d}"
    rng = np.random.default_rng([seed, index])
    d = Draw(rng)
    for _ in range(50):
        try:
            model, shape = draw_model(d, name)
            randomize(model, rng)
            x = inputs(model, shape, rng)
            y = model.predict(x, verbose=0)
            break
        except Exception:  # a draw Keras refuses: draw again
            continue
    else:
        return None
    outs = y if isinstance(y, (list, tuple)) else [y]
    path = os.path.join(out, name + ".keras")
    for i, xi in enumerate(x if isinstance(x, list) else [x]):
        np.save(os.path.join(out, f"{name}.in{i}.npy"), xi)
    for j, o in enumerate(outs):
        np.save(os.path.join(out, f"{name}.out{j}.npy"), np.asarray(o))
    model.save(path)  # uncompiled
    if not (train and trains(model)):
        return name, model
    if len(outs) == 1:
        loss, target, metrics = compile_args(d, np.asarray(outs[0]))
        model.compile(optimizer=optimizer(d), loss=loss, metrics=metrics or None)
    else:  # a loss (and metrics) per output, weighted
        args = [compile_args(d, np.asarray(o)) for o in outs]
        loss, target = [a[0] for a in args], [a[1] for a in args]
        model.compile(optimizer=optimizer(d), loss=loss, loss_weights=[d.pick([0.5, 1.0, 2.0]) for _ in outs],
                      metrics=[a[2] for a in args])
    # two steps toward a random target on a copy of the compiled file: the losses, then the
    # predictions after them (kept unless Keras's own steps failed or went NaN: sparsemax,
    # JAX's NaN gradient of normalize at an output that became exactly 0, ...)
    model.save(path + ".compiled.keras")
    try:
        trained = keras.saving.load_model(path + ".compiled.keras")
        logs = [{k: float(v) for k, v in trained.train_on_batch(x, target, return_dict=True).items()} for _ in range(2)]
        losses = [step["loss"] for step in logs]
    except Exception:  # Keras's own training step failed (JAX's masked BatchNormalization, ...)
        losses, logs = [np.nan], []
    after = trained.predict(x, verbose=0) if np.all(np.isfinite(losses)) else None
    after = None if after is None else [np.asarray(a) for a in (after if isinstance(after, list) else [after])]
    if after is None or not all(np.all(np.isfinite(a)) for a in after):
        os.remove(path + ".compiled.keras")
        return name, model
    os.replace(path + ".compiled.keras", path)
    for j, t in enumerate(target if isinstance(target, list) else [target]):
        np.save(os.path.join(out, f"{name}.target{j}.npy"), t)
    np.save(os.path.join(out, name + ".losses.npy"), np.array(losses, np.float64))
    with open(os.path.join(out, name + ".logs.json"), "w") as f:  # every logged value of both steps
        json.dump(logs, f)
    for j, a in enumerate(after):
        np.save(os.path.join(out, f"{name}.trained{j}.npy"), a)
    # An adaptive optimizer divides each gradient by its own size, so a component that is
    # 0 but for float rounding (a bias before BatchNormalization in training, a kernel
    # feeding UnitNormalization) moves by a good part of the learning rate in Keras and in
    # keras-cpp, in different directions (Lion by the whole of it): their predictions
    # after training are compared at the scale of the steps, SGD's at 1e-3.
    sgd = isinstance(model.optimizer, keras.optimizers.SGD)
    np.save(os.path.join(out, name + ".trained_tol.npy"), np.float64(1e-3 if sgd else 0.05))
    return name, model


def describe(model):
    rows = []
    for layer in model.layers[1:]:
        cfg = layer.get_config()
        for key in ("name", "trainable", "dtype", "kernel_initializer", "bias_initializer", "kernel_regularizer",
                    "bias_regularizer", "activity_regularizer", "kernel_constraint", "bias_constraint"):
            cfg.pop(key, None)
        rows.append(f"    {type(layer).__name__} {json.dumps(cfg, default=str)}")
    if model.compiled:
        rows.append(f"    compiled: {type(model.optimizer).__name__} {model.loss} metrics {model._compile_metrics}")
    return "\n".join(rows)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--count", type=int, default=100)
    parser.add_argument("--out", default="/tmp/random_models")
    parser.add_argument("--check", help="the compare_keras_files program")
    parser.add_argument("--no-train", action="store_true", help="no compiled models (predictions only)")
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    models = {}
    for i in range(args.count):
        made = make_case(args.seed, i, args.out, not args.no_train)
        if made:
            models[made[0]] = made[1]
    print(f"{len(models)} cases in {args.out} (keras {keras.__version__})")
    if not args.check:
        return 0
    run = subprocess.run([args.check, args.out], capture_output=True, text=True)
    bad = 0
    for line in run.stdout.splitlines():
        name, verdict = line.split()[:2]
        if verdict != "ok":
            bad += 1
            print(line)
            if name in models:
                print(describe(models[name]))
    print(run.stderr.strip())
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
