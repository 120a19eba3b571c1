#!/usr/bin/env python3
# make_fixtures.py - writes the .npy fixtures of tests/core/test_ragged.cpp,
# test_tensor_array.cpp, test_queues.cpp and the keras ragged tests: inputs and what TensorFlow computes from
# them (tf.RaggedTensor and tf.ragged ops, tf.TensorArray with tf.GradientTape, tf.queue
# orders). Run by hand in a venv with tensorflow-cpu from PyPI:
#   /work/venv/bin/python tests/data/ragged/make_fixtures.py
# Everything goes into one file, tf_fixtures.npz (the repository ignores *.npy); a ragged
# result NAME is stored as the arrays NAME_values and NAME_splits<level>.
import os

import numpy as np
import tensorflow as tf

here = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(15)
out = {}


def put(name, value):
    out[name] = np.asarray(value)


def put_rt(name, rt):
    if not isinstance(rt, tf.RaggedTensor):
        put(name, rt.numpy())
        return
    put(name + "_values", rt.flat_values.numpy())
    for level, splits in enumerate(rt.nested_row_splits):
        put(name + "_splits" + str(level), splits.numpy())


# ---- rt1: float32, ragged_rank 1, with an empty row -----------------------------------
v1 = rng.uniform(-2, 2, 6).astype("float32")
rt1 = tf.RaggedTensor.from_row_splits(v1, np.array([0, 3, 3, 5, 6], "int64"))
rt2 = tf.ragged.constant([[7.0], [8.0, 9.0], [], [10.0]], dtype=tf.float32)
put_rt("rt1", rt1)
put_rt("rt2", rt2)
put("rt1_to_tensor", rt1.to_tensor())
put("rt1_to_tensor_shape", rt1.to_tensor(default_value=-1.0, shape=[3, 2]))
put("rt1_bounding_shape", rt1.bounding_shape().numpy())
for op in ["sum", "mean", "max", "min", "prod"]:
    f = getattr(tf, "reduce_" + op)
    put("rt1_" + op + "_axis1", f(rt1, axis=1))
    put("rt1_" + op + "_axis0", f(rt1, axis=0))
put("rt1_sum_all", tf.reduce_sum(rt1))
put_rt("rt1_gather", tf.gather(rt1, [3, 0, 0, 1]))
put_rt("rt1_concat0", tf.concat([rt1, rt2], axis=0))
put_rt("rt1_concat1", tf.concat([rt1, rt2], axis=1))
put_rt("rt1_mask_rows", tf.ragged.boolean_mask(rt1, [True, False, True, True]))
put_rt("rt1_mask_ragged", tf.ragged.boolean_mask(rt1, rt1 > 0))
put_rt("rt1_arith", rt1 * rt1 + 2.0 - rt1 / 4.0)
put_rt("rt1_map", tf.ragged.map_flat_values(tf.square, rt1))
put_rt("rt1_plus_rt2x", rt1 + tf.ragged.map_flat_values(lambda v: v * 0 + 1.0, rt1))

# Gradients with respect to the flat values.
c = np.array([1.0, 2.0, 3.0, 4.0], "float32")
w = rng.uniform(-1, 1, (4, 3)).astype("float32")
vv = tf.Variable(v1)
with tf.GradientTape(persistent=True) as tape:
    r = tf.RaggedTensor.from_row_splits(vv, np.array([0, 3, 3, 5, 6], "int64"))
    g_sum = tf.reduce_sum(tf.reduce_sum(r * r, axis=1) * c)
    g_dense = tf.reduce_sum(r.to_tensor() * w)
    g_max = tf.reduce_sum(tf.reduce_max(r, axis=1)[0:4:3] * c[0:4:3])
    g_gather = tf.reduce_sum(tf.gather(r, [3, 0, 0]).flat_values * np.arange(1, 8, dtype="float32"))
put("w", w)
put("grad_sum", tf.convert_to_tensor(tape.gradient(g_sum, vv)))
put("grad_dense", tf.convert_to_tensor(tape.gradient(g_dense, vv)))
put("grad_max", tf.convert_to_tensor(tape.gradient(g_max, vv)))
put("grad_gather", tf.convert_to_tensor(tape.gradient(g_gather, vv)))

# ---- rt3: int32, ragged_rank 2 ----------------------------------------------------------
rt3 = tf.ragged.constant([[[1, 2], [3]], [], [[4, 5, 6], [], [7]]], dtype=tf.int32)
put_rt("rt3", rt3)
put("rt3_to_tensor", rt3.to_tensor())
put_rt("rt3_sum_axis2", tf.reduce_sum(rt3, axis=2))
put_rt("rt3_max_axis2", tf.reduce_max(rt3, axis=2))
for op in ["sum", "max", "mean", "prod"]:
    for axis in [0, 1]:
        put_rt("rt3_%s_axis%d" % (op, axis), getattr(tf, "reduce_" + op)(rt3, axis=axis))
rt5 = tf.RaggedTensor.from_nested_row_lengths(rng.uniform(-1, 1, (7, 2)).astype("float32"), [[2, 0, 3], [1, 2, 0, 3, 1]])
put_rt("rt5", rt5)
for axis in [0, 1, 2, 3]:
    put_rt("rt5_sum_axis%d" % axis, tf.reduce_sum(rt5, axis=axis))
    put_rt("rt5_min_axis%d" % axis, tf.reduce_min(rt5, axis=axis))
put_rt("rt3_gather", tf.gather(rt3, [2, 0]))
put_rt("rt3_concat0", tf.concat([rt3, rt3], axis=0))
put_rt("rt3_concat1", tf.concat([rt3, tf.gather(rt3, [1, 2, 0])], axis=1))

# ---- rt4: float64 values with an inner uniform axis --------------------------------------
v4 = rng.uniform(-1, 1, (5, 2))
rt4 = tf.RaggedTensor.from_row_lengths(v4, np.array([2, 0, 3], "int64"))
put_rt("rt4", rt4)
put("rt4_to_tensor", rt4.to_tensor(default_value=0.5))
put("rt4_sum_axis1", tf.reduce_sum(rt4, axis=1))
put_rt("rt4_sum_axis2", tf.reduce_sum(rt4, axis=2))
put("rt4_sum_axis0", tf.reduce_sum(rt4, axis=0))
put("rt4_mean_axis1", tf.reduce_mean(rt4, axis=1))
put("rt4_max_axis1", tf.reduce_max(rt4, axis=1))

# ---- from_tensor, from_value_rowids ------------------------------------------------------
dense = np.array([[1, 2, 0, 0], [3, 0, 4, 0], [0, 0, 0, 0]], "int32")
put("dense", dense)
put_rt("ft_padding", tf.RaggedTensor.from_tensor(dense, padding=0))
put_rt("ft_lengths", tf.RaggedTensor.from_tensor(dense, lengths=[1, 4, 0]))
put_rt("ft_plain", tf.RaggedTensor.from_tensor(dense))
dense3 = np.array([[[1, 2], [0, 0]], [[3, 4], [5, 6]], [[0, 0], [0, 0]]], "int32")
put("dense3", dense3)
put_rt("ft3_padding", tf.RaggedTensor.from_tensor(dense3, padding=[0, 0]))
put_rt("ft3_rank2", tf.RaggedTensor.from_tensor(dense3, ragged_rank=2, padding=0))
put_rt("from_rowids", tf.RaggedTensor.from_value_rowids([1.0, 2.0, 3.0, 4.0, 5.0], [0, 0, 2, 2, 2], nrows=4))

# ---- queues (tests/core/test_queues.cpp) ---------------------------------------------------
# PaddingFIFOQueue pads each component to the batch's largest size per unknown dimension.
pq = tf.queue.PaddingFIFOQueue(5, [tf.int32, tf.float32], shapes=[[None], [None, 2]])
pq.enqueue([[1, 2, 3], np.ones((1, 2), "float32")])
pq.enqueue([[4], np.full((3, 2), 2.0, "float32")])
a, b = pq.dequeue_many(2)
put("queue_padded_a", a)
put("queue_padded_b", b)
# PriorityQueue: smallest priority first.
prio = tf.queue.PriorityQueue(10, [tf.float32], shapes=[[]])
prio.enqueue_many([tf.constant([5, 1, 3, 0, 4], tf.int64), tf.constant([50.0, 10.0, 30.0, 0.0, 40.0])])
p, v = prio.dequeue_many(5)
put("queue_priority_p", p)
put("queue_priority_v", v)
# A closed FIFOQueue: dequeue_many fails and takes nothing; dequeue_up_to takes the rest.
fq = tf.queue.FIFOQueue(10, tf.int32, shapes=[[]])
fq.enqueue_many([[1, 2, 3]])
fq.close()
try:
    fq.dequeue_many(5)
except tf.errors.OutOfRangeError:
    put("queue_closed_size_after_many", fq.size())
put("queue_closed_up_to", fq.dequeue_up_to(5))

# ---- TensorArray (tests/core/test_tensor_array.cpp) ---------------------------------------
ta = tf.TensorArray(tf.float32, size=0, dynamic_size=True)
ta = ta.write(3, [1.0, 2.0])
put("ta_dynamic_stack", ta.stack())
ta = tf.TensorArray(tf.float32, size=3).scatter([2, 0], [[1.0, 2.0], [3.0, 4.0]])
put("ta_scatter_stack", ta.stack())
ta = tf.TensorArray(tf.float32, size=2, infer_shape=False).split([1.0, 2.0, 3.0, 4.0, 5.0], [2, 3])
put("ta_split_read0", ta.read(0))
put("ta_split_read1", ta.read(1))  # (TensorFlow 2.21's eager concat() fails here: no fixture)
x = rng.uniform(-1, 1, (4, 3)).astype("float32")
c = rng.uniform(-1, 1, (4, 3)).astype("float32")
put("ta_x", x)
put("ta_c", c)
xv = tf.Variable(x)
with tf.GradientTape(persistent=True) as tape:
    ta = tf.TensorArray(tf.float32, size=4)
    for i in range(4):
        ta = ta.write(i, tf.sin(xv[i]) * float(i + 1))
    stacked = ta.stack()
    loss_stack = tf.reduce_sum(stacked * c) + tf.reduce_sum(ta.gather([3, 1]) ** 2)
    tb = tf.TensorArray(tf.float32, size=4, clear_after_read=False).unstack(xv * xv)
    loss_unstack = tf.reduce_sum(tb.read(0) * tb.read(2)) + tf.reduce_sum(tb.concat())
put("ta_stacked", stacked)
put("ta_grad_stack", tape.gradient(loss_stack, xv))
put("ta_grad_unstack", tape.gradient(loss_unstack, xv))


# TensorArray in a while_loop inside tf.function: running products of the rows.
@tf.function
def running_products(x):
    n = tf.shape(x)[0]
    ta = tf.TensorArray(tf.float32, size=4)

    def body(i, acc, ta):
        acc = acc * x[i] + 1.0
        return i + 1, acc, ta.write(i, acc)

    _, _, ta = tf.while_loop(lambda i, acc, ta: i < n, body, [0, tf.ones([3]), ta])
    return ta.stack()


put("ta_loop", running_products(tf.constant(x)))
with tf.GradientTape() as tape:
    loss_loop = tf.reduce_sum(running_products(xv) * c)
put("ta_grad_loop", tape.gradient(loss_loop, xv))

# ---- Keras's Embedding on a ragged input (keras 3, TensorFlow backend) -------------------
import keras  # noqa: E402

emb = keras.layers.Embedding(6, 3)
emb.build((None, None))
emb_w = rng.uniform(-1, 1, (6, 3)).astype("float32")
emb.set_weights([emb_w])
put("emb_w", emb_w)
ids = tf.ragged.constant([[1, 5, 2], [], [0], [4, 4]], dtype=tf.int32)
put_rt("emb_ids", ids)
put_rt("emb_out", emb(ids))

# ---- Dataset.ragged_batch (tests/keras/test_ragged_layers.cpp) ----------------------------
seq_lengths = [3, 0, 2, 1, 4]
seqs = [rng.uniform(-1, 1, (n, 2)).astype("float32") for n in seq_lengths]
for i, q in enumerate(seqs):
    put("rb_seq%d" % i, q)


def gen():
    for i, q in enumerate(seqs):
        yield q, np.int32(i)


ds = tf.data.Dataset.from_generator(
    gen, output_signature=(tf.TensorSpec([None, 2], tf.float32), tf.TensorSpec([], tf.int32)))
for b, (xb, yb) in enumerate(ds.ragged_batch(2)):
    put_rt("rb_batch%d_x" % b, xb)
    put("rb_batch%d_y" % b, yb)

# ---- Keras's global 1-d poolings on a ragged input (tests/keras/test_ragged_model.cpp) -----
# The embedded ids above (one empty row): Keras on TensorFlow reduces over the ragged
# dimension (an empty row gives NaN for the mean, the lowest float32 for the max).
emb_out = emb(ids)
put("gap_ragged", keras.layers.GlobalAveragePooling1D()(emb_out))
put("gmp_ragged", keras.layers.GlobalMaxPooling1D()(emb_out))

np.savez(os.path.join(here, "tf_fixtures.npz"), **out)
