"""Writes tests/data/losses/*.npz and configs.json: Keras 3's values of the losses
CategoricalFocalCrossentropy, Dice, Tversky, CategoricalGeneralizedCrossEntropy, Circle
and CTC on fixed inputs, for tests/keras/test_more_losses.cpp. Run by hand in a venv
with keras, tensorflow-cpu and numpy:

    /work/venv/bin/python tests/data/npz/make_loss_fixtures.py

Each case's file holds y_true, y_pred, sample_weight (when the case has one), loss
(Keras's reduced loss, float64) and grad (the gradient of loss with respect to y_pred);
configs.json maps each case to {"class_name", "config"} (Keras's get_config, which the
C++ test deserializes to build the same loss). Everything is computed in float32, as
Keras does by default; the arrays are stored as float32 (labels as int32).
"""
import json
import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
from keras import losses  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "losses")
rng = np.random.default_rng(1404)


def probs(*shape):
    x = rng.uniform(0.05, 1.0, shape).astype(np.float32)
    return x / x.sum(axis=-1, keepdims=True)


def onehot(labels, classes):
    return np.eye(classes, dtype=np.float32)[labels]


def unit_rows(n, d):
    x = rng.normal(size=(n, d)).astype(np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def masks(*shape):
    return (rng.uniform(size=shape) > 0.5).astype(np.float32)


def weights(n):
    return rng.uniform(0.2, 2.0, (n,)).astype(np.float32)


def ctc_case(batch, steps, classes, lengths):
    labels = np.zeros((batch, max(lengths)), np.int32)
    for i, n in enumerate(lengths):
        labels[i, :n] = rng.integers(1, classes, n)
    return labels, rng.normal(size=(batch, steps, classes)).astype(np.float32)


def cases():
    """name -> (loss, y_true, y_pred, sample_weight or None)"""
    c = {}
    L = losses
    t4 = onehot(rng.integers(0, 3, 4), 3)
    c["cfce_default"] = (L.CategoricalFocalCrossentropy(), t4, probs(4, 3), None)
    c["cfce_logits_smoothing"] = (L.CategoricalFocalCrossentropy(from_logits=True, label_smoothing=0.1),
                                  onehot(rng.integers(0, 4, 5), 4), rng.normal(size=(5, 4)).astype(np.float32) * 3,
                                  None)
    c["cfce_alpha_gamma_weighted"] = (L.CategoricalFocalCrossentropy(alpha=0.6, gamma=1.5), t4,
                                      rng.uniform(0.01, 1, (4, 3)).astype(np.float32), weights(4))
    c["cfce_gamma0_sum"] = (L.CategoricalFocalCrossentropy(gamma=0.0, reduction="sum"), t4, probs(4, 3), None)
    c["cfce_axis1_none"] = (L.CategoricalFocalCrossentropy(axis=1, reduction="none"),
                            onehot(rng.integers(0, 3, (2, 4)), 3).transpose(0, 2, 1).copy(),
                            probs(2, 4, 3).transpose(0, 2, 1).copy(), None)
    c["cfce_3d_mean_with_sample_weight"] = (
        L.CategoricalFocalCrossentropy(reduction="mean_with_sample_weight"),
        onehot(rng.integers(0, 3, (2, 3)), 3), probs(2, 3, 3), weights(2).reshape(2, 1))
    c["dice_default"] = (L.Dice(), masks(3, 4, 4), rng.uniform(size=(3, 4, 4)).astype(np.float32), None)
    c["dice_axes_1_2_none"] = (L.Dice(axis=(1, 2), reduction="none"), masks(3, 4, 4),
                               rng.uniform(size=(3, 4, 4)).astype(np.float32), None)
    c["dice_axis1_weighted"] = (L.Dice(axis=1), masks(4, 5), rng.uniform(size=(4, 5)).astype(np.float32), weights(4))
    zero_t = masks(3, 5)
    zero_t[1] = 0.0
    zero_p = rng.uniform(size=(3, 5)).astype(np.float32)
    zero_p[1] = 0.0
    c["dice_axis1_all_zero_rows_sum"] = (L.Dice(axis=-1, reduction="sum"), zero_t, zero_p, None)
    c["dice_all_zero"] = (L.Dice(), np.zeros((2, 3), np.float32), np.zeros((2, 3), np.float32), None)
    c["dice_default_weighted"] = (L.Dice(), masks(4, 3), rng.uniform(size=(4, 3)).astype(np.float32), weights(4))
    c["tversky_default"] = (L.Tversky(), masks(3, 6), rng.uniform(size=(3, 6)).astype(np.float32), None)
    c["tversky_alpha_beta_axis"] = (L.Tversky(alpha=0.7, beta=0.3, axis=-1), masks(4, 6),
                                    rng.uniform(size=(4, 6)).astype(np.float32), weights(4))
    c["tversky_axes_none"] = (L.Tversky(alpha=0.2, beta=0.8, axis=[1, 2], reduction="none"), masks(2, 3, 4),
                              rng.uniform(size=(2, 3, 4)).astype(np.float32), None)
    c["tversky_all_zero"] = (L.Tversky(axis=1), np.zeros((2, 4), np.float32),
                             np.zeros((2, 4), np.float32), None)
    c["cgce_default"] = (L.CategoricalGeneralizedCrossEntropy(), rng.integers(0, 4, 5).astype(np.int32),
                         probs(5, 4), None)
    c["cgce_q07_weighted_sum"] = (L.CategoricalGeneralizedCrossEntropy(q=0.7, reduction="sum"),
                                  rng.integers(0, 3, 4).astype(np.int32), probs(4, 3), weights(4))
    c["cgce_3d_none"] = (L.CategoricalGeneralizedCrossEntropy(q=0.2, reduction="none"),
                         rng.integers(0, 5, (2, 3)).astype(np.int32), probs(2, 3, 5), None)
    lab = np.array([0, 1, 0, 2, 1, 0, 3, 2], np.int32)  # label 3 has no positive pair
    c["circle_default"] = (L.Circle(), lab, unit_rows(8, 5), None)
    c["circle_no_remove_diagonal"] = (L.Circle(remove_diagonal=False), lab, unit_rows(8, 5), None)
    c["circle_gamma_margin_weighted"] = (L.Circle(gamma=20.0, margin=0.25), lab, unit_rows(8, 5), weights(8))
    c["circle_sum"] = (L.Circle(gamma=10.0, reduction="sum"), np.array([1, 1, 2, 2, 3, 1], np.int32),
                       unit_rows(6, 4), None)
    c["circle_none"] = (L.Circle(gamma=30.0, reduction="none"), lab, unit_rows(8, 3), None)
    c["ctc_default"] = (L.CTC(),) + ctc_case(3, 8, 5, [3, 1, 4]) + (None,)
    c["ctc_repeats_none"] = (L.CTC(reduction="none"), np.array([[1, 1, 2], [3, 3, 3], [2, 0, 0]], np.int32),
                             rng.normal(size=(3, 7, 4)).astype(np.float32), None)
    c["ctc_weighted_sum"] = (L.CTC(reduction="sum"),) + ctc_case(2, 6, 6, [2, 3]) + (weights(2),)
    c["ctc_empty_label"] = (L.CTC(reduction="none"), np.array([[0, 0], [2, 0]], np.int32),
                            rng.normal(size=(2, 4, 3)).astype(np.float32), None)
    return c


def main():
    os.makedirs(OUT, exist_ok=True)
    configs = {}
    for name, (loss, y_true, y_pred, sw) in cases().items():
        p = tf.constant(y_pred)
        with tf.GradientTape() as tape:
            tape.watch(p)
            value = loss(y_true, p, sample_weight=sw)
            total = tf.reduce_sum(value)
        grad = tape.gradient(total, p)
        arrays = {"y_true": y_true, "y_pred": y_pred, "loss": value.numpy().astype(np.float64),
                  "grad": grad.numpy().astype(np.float32)}
        if sw is not None:
            arrays["sample_weight"] = sw
        np.savez(os.path.join(OUT, name + ".npz"), **arrays)
        configs[name] = {"class_name": loss.__class__.__name__, "config": loss.get_config()}
        print(name, loss.__class__.__name__, y_true.shape, y_pred.shape, "->", value.numpy())
    with open(os.path.join(OUT, "configs.json"), "w") as f:
        json.dump(configs, f, indent=1, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
