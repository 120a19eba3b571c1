"""Writes complex_keras.npz: inputs and Keras 3 (TensorFlow backend) outputs of the complex,
FFT and eig ops in keras.ops, read by tests/core/test_complex.cpp and test_fft.cpp.

Run by hand in a venv with keras and tensorflow-cpu from PyPI:
    KERAS_BACKEND=tensorflow python tests/data/ops/make_complex_fixtures.py
Inputs are TensorFlow tensors of the stated dtype, so results keep TF's dtype rules.
Complex arrays are stored as complex64/complex128 ('<c8'/'<c16').
"""
import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
import numpy as np
import tensorflow as tf
from keras import ops

rng = np.random.default_rng(20)
out = {}


def t(a, dtype):
    return tf.constant(np.asarray(a), dtype=dtype)


def put(name, v):
    out[name] = np.asarray(v)


# ---- complex elementwise ---------------------------------------------------------------
zc = (rng.normal(size=(2, 3)) + 1j * rng.normal(size=(2, 3))).astype(np.complex64)
zc[0, 0] = 0  # angle(0) = 0
wc = (rng.normal(size=(3,)) + 1j * rng.normal(size=(3,))).astype(np.complex64)
z = t(zc, tf.complex64)
w = t(wc, tf.complex64)
put("z", zc)
put("w", wc)
put("real_z", ops.real(z))
put("imag_z", ops.imag(z))
put("conj_z", ops.conj(z))
put("angle_z", ops.angle(z))
put("isreal_z", ops.isreal(z))
put("abs_z", ops.abs(z))
put("exp_z", ops.exp(z))
put("add_zw", ops.add(z, w))
put("sub_zw", ops.subtract(z, w))
put("mul_zw", ops.multiply(z, w))
put("div_zw", ops.divide(z, w))
put("neg_z", ops.negative(z))
put("view_as_real_z", ops.view_as_real(z))
put("cast_z_f32", tf.cast(z, tf.float32))
z128 = t(zc.astype(np.complex128), tf.complex128)
put("angle_z128", ops.angle(z128))
put("abs_z128", ops.abs(z128))
xf = np.array([1.5, -2.0, 0.0, np.nan, -0.0], np.float32)
put("xf", xf)
put("angle_xf", ops.angle(t(xf, tf.float32)))
put("real_xf", ops.real(t(xf, tf.float32)))
put("imag_xf", ops.imag(t(xf, tf.float32)))
xi = np.array([3, -1, 0], np.int32)
put("xi", xi)
put("angle_xi", ops.angle(t(xi, tf.int32)))
put("imag_xi", ops.imag(t(xi, tf.int32)))
pa = np.abs(rng.normal(size=(2, 3))).astype(np.float32)
pt = rng.normal(size=(2, 3)).astype(np.float32)
put("polar_abs", pa)
put("polar_angle", pt)
put("polar", ops.polar(t(pa, tf.float32), t(pt, tf.float32)))
vc = rng.normal(size=(2, 3, 2))
put("vc", vc)
put("view_as_complex", ops.view_as_complex(t(vc, tf.float64)))

# ---- FFT ---------------------------------------------------------------------------------
def pair(shape, dtype):
    return (rng.normal(size=shape).astype(dtype), rng.normal(size=shape).astype(dtype))


for name, shape, dtype, tdt in [("p8", (2, 8), np.float32, tf.float32),
                                ("p5", (3, 5), np.float64, tf.float64),
                                ("p1", (2, 1), np.float32, tf.float32),
                                ("p12", (12,), np.float64, tf.float64)]:
    re, im = pair(shape, dtype)
    put(name + "_re", re)
    put(name + "_im", im)
    fr, fi = ops.fft((t(re, tdt), t(im, tdt)))
    put(name + "_fft_re", fr)
    put(name + "_fft_im", fi)

re, im = pair((2, 4, 6), np.float32)
put("q_re", re)
put("q_im", im)
for fn in ("fft2", "ifft2"):
    r, i = getattr(ops, fn)((t(re, tf.float32), t(im, tf.float32)))
    put(f"q_{fn}_re", r)
    put(f"q_{fn}_im", i)

xr = rng.normal(size=(3, 7))
put("xr", xr)
for n in (None, 8, 4):
    r, i = ops.rfft(t(xr, tf.float64), fft_length=n)
    put(f"rfft_{n}_re", r)
    put(f"rfft_{n}_im", i)
re, im = pair((3, 4), np.float64)
put("h_re", re)
put("h_im", im)
for n in (None, 7, 5, 9):
    put(f"irfft_{n}", ops.irfft((t(re, tf.float64), t(im, tf.float64)), fft_length=n))
xr32 = rng.normal(size=(5,)).astype(np.float32)
put("xr32", xr32)
r, i = ops.rfft(t(xr32, tf.float32))
put("rfft32_re", r)
put("rfft32_im", i)

# ---- stft / istft ------------------------------------------------------------------------
sig = rng.normal(size=(2, 40)).astype(np.float32)
put("sig", sig)
cases = {"hann_c": dict(window="hann", center=True),
         "hamming_nc": dict(window="hamming", center=False),
         "none_c": dict(window=None, center=True)}
for key, kw in cases.items():
    r, i = ops.stft(t(sig, tf.float32), 10, 4, 16, **kw)
    put(f"stft_{key}_re", r)
    put(f"stft_{key}_im", i)
    put(f"istft_{key}", ops.istft((r, i), 10, 4, 16, **kw))
r, i = ops.stft(t(sig, tf.float32), 10, 4, 16)
put("istft_len35", ops.istft((r, i), 10, 4, 16, length=35))
win = rng.uniform(0.5, 1.0, size=(10,)).astype(np.float32)
put("win", win)
r, i = ops.stft(t(sig, tf.float32), 10, 3, 12, window=t(win, tf.float32))
put("stft_win_re", r)
put("stft_win_im", i)
put("istft_win", ops.istft((r, i), 10, 3, 12, window=t(win, tf.float32)))

# ---- eig ---------------------------------------------------------------------------------
a = rng.normal(size=(4, 4))
put("eig_a", a)
ev, vec = ops.eig(t(a, tf.float64))
put("eig_vals", ev)
put("eig_vecs", vec)
ab = rng.normal(size=(2, 3, 3)).astype(np.float32)
put("eig_ab", ab)
ev, vec = ops.eig(t(ab, tf.float32))
put("eig_b_vals", ev)
put("eig_b_vecs", vec)

# ---- matmul and reductions of complex tensors (drawn last: the arrays above keep their values).
# complex64 only: Keras 3's result_type turns complex128 operands of matmul, prod and the
# binary ops into complex64; keras-cpp keeps complex128, as tf.matmul and tf.math do.
ma = (rng.normal(size=(2, 3, 4)) + 1j * rng.normal(size=(2, 3, 4))).astype(np.complex64)
mb = (rng.normal(size=(4, 5)) + 1j * rng.normal(size=(4, 5))).astype(np.complex64)
put("mm_a", ma)
put("mm_b", mb)
put("matmul_ab", ops.matmul(t(ma, tf.complex64), t(mb, tf.complex64)))
put("sum_a_1", ops.sum(t(ma, tf.complex64), axis=1))
put("sum_a_all", ops.sum(t(ma, tf.complex64)))
put("mean_a_02", ops.mean(t(ma, tf.complex64), axis=(0, 2)))
put("mean_a_keep", ops.mean(t(ma, tf.complex64), axis=-1, keepdims=True))
put("prod_a_2", ops.prod(t(ma, tf.complex64), axis=2))

path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "complex_keras.npz")
np.savez(path, **out)
print("wrote", path, len(out), "arrays")
