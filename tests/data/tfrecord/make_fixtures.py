"""Writes the TFRecord / tf.train.Example fixtures of tests/keras/test_tfrecord.cpp with
TensorFlow itself (run with a Python that has tensorflow-cpu):

    python tests/data/tfrecord/make_fixtures.py tests/data/tfrecord

records*.tfrecord: TFRecord files (none, GZIP, ZLIB) of RECORDS; fixed*.bin: fixed-length
record files; examples.tfrecord: serialized Examples; expected.json: what TensorFlow's
readers and parsers give on them (bytes as hex), including its errors on corrupted files.
"""
import gzip
import json
import os
import struct
import sys
import zlib

import numpy as np
import tensorflow as tf

out = sys.argv[1]
RECORDS = [b"hello", b"", b"x" * 300, bytes(range(256)), bytes((i * 7) % 251 for i in range(3000))]


def write_records(name, compression):
    with tf.io.TFRecordWriter(os.path.join(out, name), tf.io.TFRecordOptions(compression_type=compression)) as w:
        for r in RECORDS:
            w.write(r)


def read(path, **kw):
    try:
        return {"records": [x.numpy().hex() for x in tf.data.TFRecordDataset(path, **kw)]}
    except tf.errors.OpError as e:
        return {"error": e.message.split("}}")[-1].split("[Op:")[0].strip().split("' failed")[0]}


write_records("records.tfrecord", "")
write_records("records_gzip.tfrecord", "GZIP")
write_records("records_zlib.tfrecord", "ZLIB")
expected = {"records": [r.hex() for r in RECORDS]}

# Damaged copies of records.tfrecord: flip one byte, or cut the file.
raw = open(os.path.join(out, "records.tfrecord"), "rb").read()
damage = []
tmp = os.path.join(out, "damaged.tmp")
for flip in [0, 9, 14, 20, 22, 30, 40, 45, 60]:
    b = bytearray(raw)
    b[flip] ^= 1
    open(tmp, "wb").write(bytes(b))
    damage.append({"flip": flip, **read(tmp)})
for cut in [5, 11, 12, 19, 21, 26, 32, 33, 36, len(raw) - 1]:
    open(tmp, "wb").write(raw[:cut])
    damage.append({"cut": cut, **read(tmp)})
os.remove(tmp)
expected["damaged"] = damage

# Fixed-length records.
body = b"HH" + bytes(range(10)) + b"F"
open(os.path.join(out, "fixed.bin"), "wb").write(body)
open(os.path.join(out, "fixed.bin.gz"), "wb").write(gzip.compress(body, mtime=0))
fixed = []
for args in [dict(record_bytes=5, header_bytes=2, footer_bytes=1), dict(record_bytes=3, header_bytes=2, footer_bytes=1),
             dict(record_bytes=1), dict(record_bytes=13), dict(record_bytes=4, header_bytes=20)]:
    for name, comp in [("fixed.bin", None), ("fixed.bin.gz", "GZIP")]:
        try:
            got = {"records": [x.numpy().hex() for x in tf.data.FixedLengthRecordDataset(
                os.path.join(out, name), compression_type=comp, **args)]}
        except tf.errors.OpError as e:
            got = {"error": e.message.split("}}")[-1].split("[Op:")[0].strip()}
        fixed.append({"file": name, "compression": comp or "", **args, **got})
expected["fixed"] = fixed


# Examples.
def feature(v):
    if v is None:
        return tf.train.Feature()
    kind, values = v
    if kind == "float":
        return tf.train.Feature(float_list=tf.train.FloatList(value=values))
    if kind == "int64":
        return tf.train.Feature(int64_list=tf.train.Int64List(value=values))
    return tf.train.Feature(bytes_list=tf.train.BytesList(value=values))


def example(**kw):
    return tf.train.Example(features=tf.train.Features(feature={k: feature(v) for k, v in kw.items()}))


def varint(v):
    o = b""
    while v >= 0x80:
        o += bytes([(v & 0x7F) | 0x80])
        v >>= 7
    return o + bytes([v])


def ld(field, payload):
    return varint(field << 3 | 2) + varint(len(payload)) + payload


examples = [
    example(f=("float", [1.5, 2.5, 3.5, 4.5]), i=("int64", [3]), s=("bytes", [b"ab", b"c"]), name=("bytes", [b"alpha"]),
            img=("bytes", [bytes(range(12))])).SerializeToString(deterministic=True),
    example(f=("float", [9.0, 8.0]), i=("int64", [7, -8]), s=("bytes", [])).SerializeToString(deterministic=True),
    example(f=None, i=("int64", [1]), s=("bytes", [b"\x00\xff"])).SerializeToString(deterministic=True),
    # n given twice (the last wins), unpacked int64s and floats, an unknown field
    (varint(2 << 3) + varint(5) +
     ld(1, ld(1, ld(1, b"n") + ld(2, ld(3, varint(1 << 3) + varint(4))))) +
     ld(1, ld(1, ld(1, b"n") + ld(2, ld(3, varint(1 << 3) + varint(7) + varint(1 << 3) + varint(2**64 - 1))))) +
     ld(1, ld(1, ld(1, b"f") + ld(2, ld(2, b"".join(varint(1 << 3 | 5) + struct.pack("<f", v) for v in [1.0, 2.5])))))),
    b"\x0a\x05abc",  # malformed
]
with tf.io.TFRecordWriter(os.path.join(out, "examples.tfrecord")) as w:
    for e in examples:
        w.write(e)

DT = {"float32": tf.float32, "int64": tf.int64, "string": tf.string}


def spec_of(d):
    t = d["type"]
    if t == "fixed":
        return tf.io.FixedLenFeature(d["shape"], DT[d["dtype"]], default_value=d.get("default"))
    if t == "seq":
        return tf.io.FixedLenSequenceFeature(d["shape"], DT[d["dtype"]], allow_missing=True, default_value=d.get("default"))
    if t == "var":
        return tf.io.VarLenFeature(DT[d["dtype"]])
    return tf.io.RaggedFeature(DT[d["dtype"]])


def values(t):
    a = np.asarray(t.numpy())
    return [v.hex() for v in a.reshape(-1)] if a.dtype.kind in "OS" else a.reshape(-1).tolist()


def describe(v):
    if isinstance(v, tf.SparseTensor):
        return {"kind": "sparse", "indices": v.indices.numpy().tolist(), "values": values(v.values),
                "dense_shape": v.dense_shape.numpy().tolist()}
    if isinstance(v, tf.RaggedTensor):
        return {"kind": "ragged", "values": values(v.flat_values), "splits": v.row_splits.numpy().tolist()}
    return {"kind": "dense", "dtype": v.dtype.name, "shape": v.shape.as_list(), "values": values(v)}


cases = [
    ("batch", [0], {"f": {"type": "fixed", "shape": [4], "dtype": "float32"},
                    "i": {"type": "fixed", "shape": [1], "dtype": "int64"}, "s": {"type": "var", "dtype": "string"}}),
    ("single", [0], {"f": {"type": "fixed", "shape": [2, 2], "dtype": "float32"},
                     "i": {"type": "fixed", "shape": [], "dtype": "int64"}, "img": {"type": "fixed", "shape": [], "dtype": "string"}}),
    ("batch", [0, 1], {"f": {"type": "seq", "shape": [2], "dtype": "float32", "default": -1.0},
                       "i": {"type": "ragged", "dtype": "int64"}, "s": {"type": "var", "dtype": "string"}}),
    ("batch", [0, 1, 2], {"i": {"type": "seq", "shape": [], "dtype": "int64"}, "s": {"type": "ragged", "dtype": "string"},
                          "f": {"type": "var", "dtype": "float32"}}),
    ("batch", [0, 1, 2], {"i": {"type": "fixed", "shape": [1], "dtype": "int64"}}),
    ("batch", [1, 2], {"f": {"type": "fixed", "shape": [2], "dtype": "float32", "default": [0.5, 0.25]}}),
    ("batch", [2], {"f": {"type": "fixed", "shape": [2], "dtype": "float32"}}),
    ("batch", [0], {"f": {"type": "fixed", "shape": [4], "dtype": "int64"}}),
    ("batch", [0], {"zz": {"type": "fixed", "shape": [2], "dtype": "int64"}}),
    ("batch", [0, 2], {"name": {"type": "fixed", "shape": [], "dtype": "string", "default": "zz"}}),
    ("batch", [1], {"f": {"type": "seq", "shape": [3], "dtype": "float32"}}),
    ("single", [1], {"f": {"type": "seq", "shape": [2], "dtype": "float32"}, "i": {"type": "var", "dtype": "int64"},
                     "s": {"type": "ragged", "dtype": "string"}}),
    ("batch", [3], {"n": {"type": "var", "dtype": "int64"}, "f": {"type": "var", "dtype": "float32"}}),
    ("batch", [], {"f": {"type": "fixed", "shape": [2], "dtype": "float32"}, "i": {"type": "var", "dtype": "int64"}}),
    ("batch", [0, 4], {"f": {"type": "var", "dtype": "float32"}}),
]
parse = []
for mode, which, spec in cases:
    tf_spec = {k: spec_of(d) for k, d in spec.items()}
    try:
        if mode == "single":
            r = tf.io.parse_single_example(examples[which[0]], tf_spec)
        else:
            r = tf.io.parse_example(tf.constant([examples[i] for i in which], tf.string), tf_spec)
        got = {"outputs": {k: describe(v) for k, v in r.items()}}
    except tf.errors.OpError as e:
        got = {"error": e.message.split("}}")[-1].split("[Op:")[0].strip()}
    parse.append({"mode": mode, "examples": which, "spec": spec, **got})
expected["parse"] = parse

# Example serialization (deterministic: features in key order).
expected["serialized"] = [
    {"features": {"a": ["float", [1.0, -2.5]], "b": ["int64", [0, -1, 2**40]], "c": ["bytes", ["00ff", ""]], "d": ["float", []]},
     "hex": example(a=("float", [1.0, -2.5]), b=("int64", [0, -1, 2**40]), c=("bytes", [b"\x00\xff", b""]),
                    d=("float", [])).SerializeToString(deterministic=True).hex()},
]
expected["examples"] = [e.hex() for e in examples]
with open(os.path.join(out, "expected.json"), "w") as f:
    json.dump(expected, f, indent=1)
    f.write("\n")
