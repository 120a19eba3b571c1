"""Writes the tf.summary fixture of tests/keras/test_summary.cpp with TensorFlow itself (run
with a Python that has tensorflow-cpu and tensorboard):

    python tests/data/summary/make_fixtures.py tests/data/summary

events.tfevents: one event file written by tf.summary (scalars, histograms, text, images,
audio, a generic summary and a raw Summary) in the order the test writes the same calls
with keras::summary. The inputs are made from simple formulas both sides compute.
"""
import os
import shutil
import sys
import tempfile

import numpy as np
import tensorflow as tf

out = sys.argv[1]


def histogram_data(n):
    return np.array([(i * 37 % 101) / 7.0 - 5.0 for i in range(n)], dtype=np.float32)


def image_data(k, h, w, c):  # uint8 pixels
    return np.array([(i * 29 + 7) % 256 for i in range(k * h * w * c)], dtype=np.uint8).reshape(k, h, w, c)


def audio_data(k, t, c):  # floats in [-1.2, 1.2]
    return np.array([((i * 13) % 25) / 10.0 - 1.2 for i in range(k * t * c)], dtype=np.float32).reshape(k, t, c)


logdir = tempfile.mkdtemp()
writer = tf.summary.create_file_writer(logdir)
with writer.as_default():
    tf.summary.scalar("loss", 0.5, step=0)
    tf.summary.scalar("count", tf.constant(3, tf.int32), step=1)
    tf.summary.scalar("third", tf.constant(1 / 3, tf.float64), step=2, description="one third")
    with tf.name_scope("train"):
        tf.summary.scalar("accuracy", 0.75, step=3)
    tf.summary.scalar("odd name: a/b c", -2.0, step=-4)
    tf.summary.histogram("weights", histogram_data(200), step=5)
    tf.summary.histogram("five", histogram_data(50), step=6, buckets=5)
    tf.summary.histogram("empty", np.zeros([0], np.float32), step=7)
    tf.summary.histogram("single", np.full([3], 2.5, np.float32), step=8)
    tf.summary.histogram("no_buckets", histogram_data(4), step=9, buckets=0)
    tf.summary.histogram("ints", tf.constant([[1, 2], [2, 9]], tf.int32), step=10)
    tf.summary.histogram("nan", np.array([1.0, np.nan, 3.0], np.float32), step=11)
    tf.summary.histogram("one_bucket", histogram_data(10), step=12, buckets=1)
    tf.summary.text("greeting", "hello", step=13)
    tf.summary.text("table", [["a", "b"], ["", "\u00e9t\u00e9"]], step=14, description="a table")
    tf.summary.image("rgb", image_data(2, 3, 4, 3), step=15)
    tf.summary.image("gray_float", np.array([-0.5, 0.3, 1.2, 0.999], np.float32).reshape(1, 2, 2, 1), step=16)
    tf.summary.image("rgba_max2", image_data(5, 2, 1, 4), step=17, max_outputs=2)
    tf.summary.image("gray_alpha", image_data(1, 2, 2, 2), step=18)
    tf.summary.image("none", image_data(2, 2, 2, 3), step=19, max_outputs=0)
    tf.summary.audio("mono", audio_data(2, 5, 1), 44100, step=20)
    tf.summary.audio("stereo_max1", audio_data(3, 4, 2), 8000, step=21, max_outputs=1, encoding="wav")
    from tensorboard.compat.proto import summary_pb2

    metadata = summary_pb2.SummaryMetadata(
        display_name="My summary", summary_description="generic",
        plugin_data=summary_pb2.SummaryMetadata.PluginData(plugin_name="my_plugin", content=b"\x01\x02"))
    tf.summary.write("custom", tf.constant([[1, -2], [3, 4]], tf.int64), step=22, metadata=metadata)
    tf.summary.write("plain", tf.constant([1.5, 2.5], tf.float64), step=23)
    raw = summary_pb2.Summary()
    raw.value.add(tag="raw_value", simple_value=4.25)
    tf.summary.experimental.write_raw_pb(raw.SerializeToString(), step=24)
    tf.summary.experimental.set_step(25)
    tf.summary.scalar("default_step", 1.0)
    tf.summary.experimental.set_step(None)
    with writer.as_default(step=26):
        tf.summary.scalar("as_default_step", 2.0)
    with tf.summary.record_if(False):
        tf.summary.scalar("not_recorded", 3.0, step=27)
    with tf.summary.record_if(lambda: True):
        tf.summary.scalar("recorded", 4.0, step=28)
writer.close()
(name,) = os.listdir(logdir)
shutil.copy(os.path.join(logdir, name), os.path.join(out, "events.tfevents"))
shutil.rmtree(logdir)
