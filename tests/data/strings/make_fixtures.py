#!/usr/bin/env python3
"""Writes strings_tf.json: inputs of the keras::strings ops and what TensorFlow returns
for them (tests/core/test_strings_fixture.cpp reads it).

Run by hand with TensorFlow from PyPI: /work/venv/bin/python make_fixtures.py

Format: {"tf_version", "cases": [{"op", "args", "inputs": [tensor...], then "output":
tensor, "ragged": {"values": tensor, "row_splits": [...]}, "text": str, or "error":
TensorFlow's message}]}. A tensor is {"dtype", "shape", "values"}: string elements as hex
(any bytes survive JSON), floats as Python's repr ("nan", "-0.0"), other numbers as they are.
"""
import json
import os
import random

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


def enc(t):
    t = tf.convert_to_tensor(t)
    a = np.asarray(t.numpy(), dtype=object if t.dtype == tf.string else None)
    flat = a.reshape(-1).tolist()
    if t.dtype == tf.string:
        vals = [bytes(v).hex() for v in flat]
    elif t.dtype.is_floating:
        vals = [repr(float(v)) for v in flat]
    elif t.dtype.is_complex:
        vals = [[repr(float(v.real)), repr(float(v.imag))] for v in flat]
    elif t.dtype == tf.bool:
        vals = [bool(v) for v in flat]
    else:
        vals = [int(v) for v in flat]
    return {"dtype": t.dtype.name, "shape": list(t.shape), "values": vals}


cases = []


def case(op, inputs, fn, **args):
    c = {"op": op, "args": args, "inputs": [enc(x) for x in inputs]}
    try:
        r = fn()
        if isinstance(r, tf.RaggedTensor):
            c["ragged"] = {"values": enc(r.values), "row_splits": [int(v) for v in r.row_splits.numpy()]}
        else:
            c["output"] = enc(r)
    except (tf.errors.OpError, ValueError, TypeError) as e:
        c["error"] = getattr(e, "message", str(e)).split(" [Op:")[0].split("\n")[0]
    cases.append(c)


def S(xs):
    return tf.constant(xs, dtype=tf.string)


CORPUS = [b"", b"a", b"Hello, World!", b"  padded\t\n", b"\t\v\f\r \n", b"MiXeD 123 _x_",
          "h\u00e9llo w\u00f6rld".encode(), "\u4e2d\u6587\u5b57".encode(), "\U0001F600 smile".encode(),
          b"nul\x00byte", b"\xff\xfe invalid", b"\xc3", b"a\xe2\x82b", b"\xed\xa0\x80", b"\xf4\x90\x80\x80",
          b"\xc0\xaf", b"ctrl\x01\x1f\x7f", "c1\u0080\u009f".encode(), b"quote ' and \" and \\",
          b"UPPER lower", b" lead", b"trail ", b"a,b,,c", b",", b"x<>y<>z"]

# ---- printing (repr) -------------------------------------------------------------------------
for t in [S(b"abc"), S(b"it's"), S([b"a", b"bc"]), S([[b"a", b"bcd"], [b"cc", b"d"]]),
          S([b'a"b', b"'", b"'\""]), S([b"\x00\xff\n\t\r\\", "\u00e9".encode()]), S([b"x"] * 1001),
          tf.zeros([0], tf.string), tf.zeros([2, 0], tf.string), S([[[b"a"], [b"b"]], [[b"c"], [b"d"]]])]:
    cases.append({"op": "repr", "args": {}, "inputs": [enc(t)], "text": str(t)})

# ---- length, case, strip -------------------------------------------------------------------------
case("length", [S(CORPUS)], lambda: tf.strings.length(S(CORPUS)), unit="BYTE")
case("length", [S(CORPUS)], lambda: tf.strings.length(S(CORPUS), unit="UTF8_CHAR"), unit="UTF8_CHAR")
case("length", [S([[b"ab", b""], [b"\xc3\xa9", b"xyz"]])],
     lambda: tf.strings.length(S([[b"ab", b""], [b"\xc3\xa9", b"xyz"]]), unit="UTF8_CHAR"), unit="UTF8_CHAR")
case("lower", [S(CORPUS)], lambda: tf.strings.lower(S(CORPUS)))
case("upper", [S(CORPUS)], lambda: tf.strings.upper(S(CORPUS)))
case("strip", [S(CORPUS)], lambda: tf.strings.strip(S(CORPUS)))

# ---- substr ----------------------------------------------------------------------------------------
# A grid of scalar pos and len per string: results[i][j] for pos[i], len[j] (hex, or null
# where TensorFlow raises).
POS, LEN = [0, 1, 2, 3, 5, 6, 7, 8, -1, -2, -3, -6, -9], [0, 1, 2, 4, 10, -1, -3]


def substr_or_none(s, pos, ln, unit):
    try:
        return bytes(tf.strings.substr(S(s), pos, ln, unit=unit).numpy()).hex()
    except (tf.errors.InvalidArgumentError, UnicodeDecodeError):  # (the message holds the bytes)
        return None


for s in [b"hello", b"ab", b"", "h\u00e9llo \u4e2d".encode(), b"\xe9\x80", b"\x80\x80a"]:
    for unit in ["BYTE", "UTF8_CHAR"]:
        cases.append({"op": "substr_grid", "args": {"unit": unit, "pos": POS, "len": LEN}, "inputs": [enc(S(s))],
                      "results": [[substr_or_none(s, p, n, unit) for n in LEN] for p in POS]})
X = S([[b"hello", b"ab"], [b"world", b"xyz"]])
case("substr_t", [X, tf.constant([1, 0]), tf.constant([2, 1])],
     lambda: tf.strings.substr(X, tf.constant([1, 0]), tf.constant([2, 1])), unit="BYTE")
case("substr_t", [X, tf.constant([[1, 0], [2, 2]], tf.int64), tf.constant([[9, 1], [1, 0]], tf.int64)],
     lambda: tf.strings.substr(X, tf.constant([[1, 0], [2, 2]], tf.int64), tf.constant([[9, 1], [1, 0]], tf.int64)),
     unit="BYTE")

# ---- split, bytes_split --------------------------------------------------------------------------
SPLIT = [b"a b  c", b"", b" x", b"a,b,,c", b",", b"  lead and trail  ", b"x<>y<>z<>", b"one", b"\ta\nb\vc\fd\re",
         b"a  b  c  d", b"<><>"]
for sep in [None, ",", "<>", " ", "b"]:
    for maxsplit in [-1, 0, 1, 2]:
        case("split", [S(SPLIT)], lambda: tf.strings.split(S(SPLIT), sep=sep, maxsplit=maxsplit),
             sep=sep or "", maxsplit=maxsplit)
case("split", [S(b"a b")], lambda: tf.strings.split(S(b"a b")), sep="", maxsplit=-1)
case("bytes_split", [S(CORPUS)], lambda: tf.strings.bytes_split(S(CORPUS)))
case("bytes_split", [S(b"abc")], lambda: tf.strings.bytes_split(S(b"abc")))

# ---- join, reduce_join -------------------------------------------------------------------------
A, B = S([b"a", b"b"]), S([b"x", b"y"])
case("join", [A, S(b"-"), B], lambda: tf.strings.join([A, S(b"-"), B]), separator="")
case("join", [A, B], lambda: tf.strings.join([A, B], separator=", "), separator=", ")
case("join", [S(b"p"), S(b"q")], lambda: tf.strings.join([S(b"p"), S(b"q")], separator="+"), separator="+")
case("join", [A, S([b"c"])], lambda: tf.strings.join([A, S([b"c"])]), separator="")
case("join", [], lambda: tf.strings.join([]), separator="")
R = S([[[b"a", b"b", b"c"], [b"d", b"e", b"f"]], [[b"g", b"h", b"i"], [b"j", b"k", b"l"]]])
for axis in [None, 0, 1, 2, -1, [0, 2], [2, 0], [1, 2], 3, -4]:
    for keepdims in [False, True]:
        case("reduce_join", [R], lambda: tf.strings.reduce_join(R, axis=axis, keepdims=keepdims, separator="."),
             axis=axis, keepdims=keepdims, separator=".")
case("reduce_join", [tf.zeros([2, 0], tf.string)],
     lambda: tf.strings.reduce_join(tf.zeros([2, 0], tf.string), axis=1), axis=1, keepdims=False, separator="")
case("reduce_join", [S(b"s")], lambda: tf.strings.reduce_join(S(b"s")), axis=None, keepdims=False, separator="")

# ---- regular expressions ---------------------------------------------------------------------------
for pat in [r"a.c", r"[a-z]+", r".*", r"\w+ \w+", r"(?i)hello.*", r"\d+", r"", r"a(c", r"\p{Han}+", r"\xff.*"]:
    case("regex_full_match", [S(CORPUS + [b"abc", b"12345"])],
         lambda: tf.strings.regex_full_match(S(CORPUS + [b"abc", b"12345"]), pat), pattern=pat)
for pat, rw in [("a", "x"), (r"(\w+) (\w+)", r"\2 \1"), ("", "-"), ("b", r"\1"), (r"\s+", " "), ("l+", r"<\0>"),
                ("[", "x"), (r"(o)", r"\\\1")]:
    for glob in [True, False]:
        src = S([b"aaa bab", b"", b"hello world", b"  two  spaces ", b"abc"])
        case("regex_replace", [src], lambda: tf.strings.regex_replace(src, pat, rw, replace_global=glob),
             pattern=pat, rewrite=rw, replace_global=glob)

# ---- numbers -----------------------------------------------------------------------------------------
FLOATS = ["1.5", " 2", "1e40", "inf", "-nan", "0x10", "1.5 ", "Infinity", "infinityx", "-Inf", "+1", "+-1", "1e",
          "1.", ".5", ".", "0X1A", "0x1p3", "-0x10", "0x", "0x1.8p1", "1_0", "\t1\n", "\v1\f", "-1e40", "1e-50",
          "1e-40", "3.4028235e38", "3.4028236e38", "nan(123)", "NAN", "0.000000000000000000000000000001",
          "1" + " " * 40, "1e400", "1d", "1f", "00012", "-0", "1,5", "1.5E-3", "e5", "- 1", "abc", "", " ",
          "12345678901234567890123", "2.5e-324", "1.7976931348623157e308", "1.8e308", "0.1", "3.14159265358979"]
INTS = ["+5", "-0", "007", "0x10", " 5 ", "5 5", "2147483647", "-2147483648", "2147483648", "-2147483649",
        "9223372036854775807", "9223372036854775808", "-9223372036854775808", "-9223372036854775809", "1e3", "",
        " ", "+", "-", "--1", "+-1", "1.0", "\t7\n", "0", "0" * 40 + "1", "+ 1", "12a"]
# One element at a time: results[i] is the number (a float as repr) or null where TensorFlow raises.
def number_or_none(x, dt):
    try:
        v = tf.strings.to_number(S(x.encode()), dt).numpy()
        return repr(float(v)) if dt.is_floating else int(v)
    except tf.errors.InvalidArgumentError:
        return None


for dt, xs in [(tf.float32, FLOATS), (tf.float64, FLOATS), (tf.int32, INTS), (tf.int64, INTS)]:
    cases.append({"op": "to_number_list", "args": {"out_type": dt.name}, "inputs": [enc(S([x.encode() for x in xs]))],
                  "results": [number_or_none(x, dt) for x in xs]})
case("to_number", [S([[b"1", b"2"], [b"3", b"-4"]])],
     lambda: tf.strings.to_number(S([[b"1", b"2"], [b"3", b"-4"]]), tf.int32), out_type="int32")

NUMS = [tf.constant([1.5, -2.0, 1e-7, 1e20, float("nan"), float("inf"), -float("inf"), 0.1, 123456.789]),
        tf.constant([1.5, -2.0, 1e-7, 1e20, 1 / 3, 2.0 ** 60], tf.float64),
        tf.constant([3, -4, 0, 2147483647], tf.int32), tf.constant([-(2 ** 63), 2 ** 40], tf.int64),
        tf.constant([0, 7, 255], tf.uint8), tf.constant([True, False]), tf.constant([1 + 2j, -0.5 - 1e-3j], tf.complex64),
        S([b"ab", b"", b"longer text"])]
OPTS = [{}, {"precision": 2}, {"precision": 0}, {"scientific": True}, {"shortest": True}, {"width": 8},
        {"width": 8, "fill": "0"}, {"width": 8, "fill": "-"}, {"width": 3, "fill": " "}, {"precision": 3, "scientific": True},
        {"fill": "+"}, {"fill": "#", "shortest": True}, {"scientific": True, "shortest": True}, {"fill": "x"},
        {"fill": "00"}, {"width": 12, "precision": 4, "shortest": True}]
for t in NUMS:
    for o in OPTS:
        case("as_string", [t], lambda: tf.strings.as_string(t, **o), **o)

FMT_INPUTS = [tf.constant([1.5, 2.0, 1e-7]), tf.constant([[1, 2], [3, 4]]), tf.constant(["a\n\"\u00e9'", "\x01\\"]),
              tf.constant([True, False]), tf.range(10), tf.reshape(tf.range(100), [10, 10]), tf.constant(1.0, tf.float64) / 3,
              tf.constant("s"), tf.constant([], tf.float32), tf.zeros([2, 0]), tf.constant([0.1, 1 / 3.0]),
              tf.reshape(tf.range(8), [2, 2, 2]), tf.constant([1 + 2j], tf.complex64), tf.constant([7], tf.uint8),
              tf.reshape(tf.range(24, dtype=tf.int64), [2, 3, 4]), tf.constant([float("nan"), float("inf"), -0.0, 1e30]),
              tf.constant([1e-300, 123456789.0], tf.float64)]
for t in FMT_INPUTS:
    for summ in [3, 2, -1, 0, 1]:
        case("format", [t], lambda: tf.strings.format("v={}!", [t], summarize=summ), template="v={}!",
             placeholder="{}", summarize=summ)
case("format", [tf.constant(1), tf.constant("x")], lambda: tf.strings.format("a%sb%sc", [tf.constant(1), tf.constant("x")],
     placeholder="%s"), template="a%sb%sc", placeholder="%s", summarize=3)
case("format", [], lambda: tf.strings.format("no placeholders", []), template="no placeholders", placeholder="{}",
     summarize=3)
case("format", [tf.constant(1)], lambda: tf.strings.format("{} {}", [tf.constant(1)]), template="{} {}",
     placeholder="{}", summarize=3)

# ---- Unicode ------------------------------------------------------------------------------------------
UNI = CORPUS + [b"\xe2\x82", b"\xff\xc3", b"\xf0\x9f\x98", b"\xf0\x9f\x98\x80", b"\xe0\x80\x80", b"\xef\xbf\xbf",
                b"\xf4\x8f\xbf\xbf", b"\xc2\x80\xc2\x9f", b"a\x80b"]
for errors in ["replace", "ignore", "strict"]:
    for rcc in [False, True]:
        for rep in [0xFFFD, 63]:
            case("unicode_decode", [S(UNI)], lambda: tf.strings.unicode_decode(S(UNI), "UTF-8", errors=errors,
                 replacement_char=rep, replace_control_characters=rcc), errors=errors, replacement_char=rep,
                 replace_control_characters=rcc)
    case("unicode_decode", [S([b"ok", b"fine"])], lambda: tf.strings.unicode_decode(S([b"ok", b"fine"]), "UTF-8",
         errors=errors), errors=errors, replacement_char=0xFFFD, replace_control_characters=False)
case("unicode_decode", [S(b"ab\xc3\xa9")], lambda: tf.strings.unicode_decode(S(b"ab\xc3\xa9"), "UTF-8"),
     errors="replace", replacement_char=0xFFFD, replace_control_characters=False)
CPS = [[104, 233], [], [0x110000, -1, 0xD800, 65], [0x1F600, 0x4E2D, 0x7F, 0], [0xDFFF, 0x10FFFF, 0xE000, 0x800, 0x7FF]]
for errors in ["replace", "ignore", "strict"]:
    for rep in [0xFFFD, 63]:
        rt = tf.ragged.constant(CPS, dtype=tf.int32)
        c = {"op": "unicode_encode", "args": {"errors": errors, "replacement_char": rep},
             "inputs": [{"ragged": True, "values": enc(rt.values), "row_splits": [int(v) for v in rt.row_splits]}]}
        try:
            c["output"] = enc(tf.strings.unicode_encode(rt, "UTF-8", errors=errors, replacement_char=rep))
        except tf.errors.OpError as e:
            c["error"] = e.message.split(" [Op:")[0]
        cases.append(c)
for dense in [tf.constant([104, 105]), tf.constant([[104, 105], [65, 66]]), tf.constant([[[72], [73]]])]:
    case("unicode_encode", [dense], lambda: tf.strings.unicode_encode(dense, "UTF-8"), errors="replace",
         replacement_char=0xFFFD)

# ---- hashing ---------------------------------------------------------------------------------------------
rng = random.Random(15)
# Every length 0..129 (FarmHash's branches: 0-3, 4-7, 8-16, 17-32, 33-64, 64-byte blocks),
# then longer ones; the corpus is written once ("corpora") and named by the cases.
HASH = list(CORPUS) + [bytes(rng.randrange(256) for _ in range(n)) for n in list(range(0, 130)) + [191, 192, 193, 255, 256, 257, 1000]]
HASH += [("x" * n).encode() for n in range(0, 130, 7)]
CORPORA = {"hash": enc(S(HASH))}


def hash_case(op, fn, **args):
    case(op, [], fn, **args)
    cases[-1]["inputs"] = [{"corpus": "hash"}]


for nb in [2 ** 63 - 1, 1000, 7, 1]:
    hash_case("to_hash_bucket_fast", lambda: tf.strings.to_hash_bucket_fast(S(HASH), nb), num_buckets=nb)
case("to_hash_bucket_fast", [S(b"a")], lambda: tf.strings.to_hash_bucket_fast(S(b"a"), 0), num_buckets=0)
for key in [[1, 2], [0, 0], [2 ** 63 - 1, 12345678901234567]]:
    for nb in [2 ** 63 - 1, 10]:
        hash_case("to_hash_bucket_strong", lambda: tf.strings.to_hash_bucket_strong(S(HASH), nb, key),
                  num_buckets=nb, key=key)

# ---- string tensors in the engine's ops ----------------------------------------------------------------
case("equal", [S([b"a", b"b", b""]), S(b"a")], lambda: tf.equal(S([b"a", b"b", b""]), S(b"a")))
case("not_equal", [S([[b"a"], [b"b"]]), S([b"a", b"b", b"c"])],
     lambda: tf.not_equal(S([[b"a"], [b"b"]]), S([b"a", b"b", b"c"])))

out = {"tf_version": tf.__version__, "corpora": CORPORA, "cases": cases}
with open(os.path.join(HERE, "strings_tf.json"), "w") as f:
    json.dump(out, f, separators=(",", ":"))
    f.write("\n")
print(f"wrote {len(cases)} cases", {k: sum(1 for c in cases if c["op"] == k) for k in sorted({c["op"] for c in cases})})
