#!/usr/bin/env python3
# make_elem_fixtures.py - writes elem_keras.npz for tests/core/test_math.cpp and
# tests/core/test_activations.cpp: inputs with the edge values (NaN, +-inf, -0.0, domain
# ends, empty tensors) and what Keras 3 (TensorFlow backend) computes from them with the
# elementwise math and activations of keras.ops. Run by hand with the oracle venv (the
# tests read the committed file):
#   /work/venv/bin/python tests/data/ops/make_elem_fixtures.py
import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
import keras
import numpy as np

ops = keras.ops
rng = np.random.default_rng(20)
out = {}
inf, nan = np.inf, np.nan


def put(name, value):
    out[name] = np.asarray(ops.convert_to_numpy(value))


# ---- unary: one input with the edge values (2, 8), in float64, float32 and int32 ---------
u = np.array([[-3.0, -1.5, -1.0, -0.5, -0.0, 0.0, 0.25, 0.5],
              [0.999, 1.0, 1.5, 2.0, 10.0, nan, inf, -inf]])
ui = np.array([[-3, -1, 0, 1], [2, 5, 7, 100]], dtype="int32")
put("u_f64", u)
put("u_i32", ui)
unary = ["absolute", "negative", "fabs", "cbrt", "erf", "erfc", "erfinv", "exp2", "log10", "log2",
         "sinh", "cosh", "tan", "arccos", "arccosh", "arcsin", "arcsinh", "arctan", "arctanh", "trunc",
         "signbit", "sinc", "i0", "deg2rad", "rad2deg", "nan_to_num", "isinf", "isneginf", "isposinf"]
int_ok = set(unary) - {"erf", "erfc", "erfinv"}
for n in unary:
    f = getattr(ops, n)
    put(n + "_f64", f(u))
    put(n + "_f32", f(u.astype("float32")))
    if n in int_ok:
        put(n + "_i32", f(ui))
        put(n + "_i64", f(ui.astype("int64")))
put("nan_to_num_args_f64", ops.nan_to_num(u, nan=1.5, posinf=7.0, neginf=-8.0))
# erfinv near +-1 and i0 on a wide range, where approximations part
e = np.array([-0.9999999, -0.999, -0.7, -0.3, 1e-8, 0.2, 0.6, 0.9, 0.99999, 0.9999999999])
put("erfinv_near_f64", e)
put("erfinv_near_out_f64", ops.erfinv(e))
iz = np.array([-40.0, -7.5, -1e-3, 3.0, 15.0, 99.0, 700.0, 800.0])
put("i0_wide_f64", iz)
put("i0_wide_out_f64", ops.i0(iz))
bi = np.array([[0, 1, -1, 5], [-128, 127, 2 ** 30, -(2 ** 31)]], dtype="int32")
put("bits_i32", bi)
put("bitwise_invert_i32", ops.bitwise_invert(bi))
put("bitwise_invert_u8", ops.bitwise_invert(np.array([0, 1, 254, 255], dtype="uint8")))

# ---- binary: (2, 8) with (8,) (broadcast), float64 / float32; int32 pairs ---------------
a = u
b = np.array([2.0, -0.5, 0.0, -0.0, 1.0, nan, inf, 3.0])
put("a_f64", a)
put("b_f64", b)
ai = np.array([[-7, 7, -7, 0], [12, 5, -4, 9]], dtype="int32")
bint = np.array([3, -3, -3, 4], dtype="int32")
put("ai_i32", ai)
put("bi_i32", bint)
binary_float = ["arctan2", "hypot", "logaddexp", "logaddexp2", "fmax", "fmin", "fmod", "heaviside",
                "nextafter", "logical_xor", "isclose", "divide_no_nan", "true_divide"]
for n in binary_float:
    f = getattr(ops, n)
    put(n + "_f64", f(a, b))
    put(n + "_f32", f(a.astype("float32"), b.astype("float32")))
    if n != "fmod":  # (integer fmod by 0 raises in the C++ test instead)
        put(n + "_i32", f(ai, np.array([3, -3, 0, 4], dtype="int32")))
    put(n + "_i64", f(ai.astype("int64"), bint.astype("int64")))
put("fmod_i32", ops.fmod(ai, bint))
put("isclose_eqnan_f64", ops.isclose(a, b, equal_nan=True))
put("isclose_tol_f64", ops.isclose(a, b, rtol=0.5, atol=0.6))
# keras-cpp's isclose takes NumPy's infinities (keras.ops on TensorFlow finds inf not close
# to inf, and 0.25 close to inf): the test compares with numpy.isclose, which agrees with
# keras.ops everywhere else.
put("np_isclose_f64", np.isclose(a, b))
put("np_isclose_f32", np.isclose(a.astype("float32"), b.astype("float32")))
put("np_isclose_eqnan_f64", np.isclose(a, b, equal_nan=True))
put("np_isclose_tol_f64", np.isclose(a, b, rtol=0.5, atol=0.6))
fin = np.isfinite(a) & np.isfinite(b)
assert (np.isclose(a, b) == ops.convert_to_numpy(ops.isclose(a, b)))[fin].all()
put("allclose_f64", ops.allclose(a, a + 1e-9))
put("allclose_tol_f64", ops.allclose(np.array([1.0, 2.0]), np.array([1.0, 2.001]), rtol=1e-3))
put("ldexp_f64", ops.ldexp(a, np.array([1, -2, 3, 0, 5, -1, 2, 3], dtype="int32")))
put("ldexp_i32", ops.ldexp(ai, np.array([1, -2, 3, 0], dtype="int32")))
ints = {"i32": "int32", "i64": "int64", "u8": "uint8"}
gx = np.array([[12, -4, 0, 7], [100, 9, -2147483647, 6]])
gy = np.array([18, 6, 5, 0])
sx = np.array([[1, -8, 8, 255], [3, -1, 100, 7]])
sy = np.array([1, 2, 40, 7])
for k, dt in ints.items():
    gxa, gya = (np.abs(gx) % 256, gy) if dt == "uint8" else (gx, gy)
    sxa = np.abs(sx) % 256 if dt == "uint8" else sx
    X, Y = gxa.astype(dt), gya.astype(dt)
    SX, SY = sxa.astype(dt), sy.astype(dt)
    put("gx_" + k, X)
    put("gy_" + k, Y)
    put("sx_" + k, SX)
    put("sy_" + k, SY)
    for n in ["gcd", "lcm", "bitwise_and", "bitwise_or", "bitwise_xor"]:
        put(n + "_" + k, getattr(ops, n)(X, Y))
    for n in ["bitwise_left_shift", "bitwise_right_shift"]:
        put(n + "_" + k, getattr(ops, n)(SX, SY))

# ---- activations (keras.ops.nn) -----------------------------------------------------------
x = rng.uniform(-3, 3, (2, 3, 4))
x[0, 0, :] = [nan, inf, -inf, 0.0]
x[0, 1, :] = [-1.0, 1.0, 0.5, -0.5]
put("x_f64", x)
acts = {
    "celu": lambda t: ops.celu(t), "celu_a": lambda t: ops.celu(t, alpha=0.5),
    "glu": lambda t: ops.glu(t), "glu_ax1": lambda t: ops.glu(t[:, :2], axis=1),
    "hard_shrink": lambda t: ops.hard_shrink(t), "hard_shrink_t": lambda t: ops.hard_shrink(t, 1.2),
    "hard_sigmoid": ops.hard_sigmoid, "hard_silu": ops.hard_silu, "hard_swish": ops.hard_swish,
    "hard_tanh": ops.hard_tanh, "log_sigmoid": ops.log_sigmoid,
    "soft_shrink": lambda t: ops.soft_shrink(t), "soft_shrink_t": lambda t: ops.soft_shrink(t, 1.2),
    "sparse_plus": ops.sparse_plus, "sparse_sigmoid": ops.sparse_sigmoid,
    "squareplus": lambda t: ops.squareplus(t), "squareplus_b": lambda t: ops.squareplus(t, 0.5),
    "swish": ops.swish, "tanh_shrink": ops.tanh_shrink,
    "threshold": lambda t: ops.threshold(t, 0.3, -2.0),
}
for n, f in acts.items():
    put(n + "_f64", f(x))
    put(n + "_f32", f(x.astype("float32")))
s = rng.uniform(-2, 2, (2, 3, 4))
s[1, 2, :] = [5.0, 5.0, -1.0, 0.0]  # ties
put("s_f64", s)
for ax in (-1, 1, 0):
    put(f"sparsemax_ax{ax}_f64".replace("-", "m"), ops.sparsemax(s, axis=ax))
    put(f"sparsemax_ax{ax}_f32".replace("-", "m"), ops.sparsemax(s.astype("float32"), axis=ax))

path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "elem_keras.npz")
np.savez(path, **out)
print(f"wrote {path}: {len(out)} arrays (Keras {keras.__version__})")
