"""bench_tfrecord's reading pipeline in tf.data, over the file bench_tfrecord writes:
TFRecordDataset -> batch(256) -> map(parse_example, decode_raw, cast to float32 / 255),
examples per second over whole passes (median; the first pass, which traces the map, is
left out). Run with a Python that has tensorflow-cpu:

    python bench/tfrecord_tf.py --threads 1 --epochs 3 --file /tmp/fashion.tfrecord
"""
import argparse
import json
import statistics
import time

import tensorflow as tf

p = argparse.ArgumentParser()
p.add_argument("--threads", type=int, default=1)
p.add_argument("--epochs", type=int, default=3)
p.add_argument("--file", default="/tmp/fashion.tfrecord")
p.add_argument("--compression", default="")
a = p.parse_args()
tf.config.threading.set_intra_op_parallelism_threads(a.threads)
tf.config.threading.set_inter_op_parallelism_threads(a.threads)
spec = {"image": tf.io.FixedLenFeature([], tf.string), "label": tf.io.FixedLenFeature([], tf.int64)}


def parse(records):
    f = tf.io.parse_example(records, spec)
    return tf.cast(tf.io.decode_raw(f["image"], tf.uint8), tf.float32) / 255.0, f["label"]


ds = tf.data.TFRecordDataset(a.file, compression_type=a.compression).batch(256).map(parse)
rates = []
for e in range(a.epochs + 1):
    t0 = time.perf_counter()
    seen = 0
    for x, y in ds:
        seen += int(x.shape[0])
    if e:
        rates.append(seen / (time.perf_counter() - t0))
print(json.dumps({"bench": "tfrecord_tf", "threads": a.threads, "examples": seen, "compression": a.compression,
                  "read_examples_per_s": round(statistics.median(rates)), "read_runs": [round(r) for r in rates]}))
