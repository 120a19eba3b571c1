"""Writes metrics.json: Keras 3's results and configs for the metrics that
tests/keras/test_metrics_more.cpp checks (IoU, BinaryIoU, OneHotIoU, OneHotMeanIoU,
PearsonCorrelation, ConcordanceCorrelation and the functions, SensitivityAtSpecificity,
SpecificityAtSensitivity, PrecisionAtRecall, RecallAtPrecision). Each case is a list of
update_state calls and the result after them. Run with the oracle venv."""
import json
import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
import numpy as np
import keras

rng = np.random.default_rng(7)


def arr(x):
    return np.asarray(x).tolist()


def case(metric, updates):
    for u in updates:
        metric.update_state(*[np.asarray(a, "float32") if a is not None else None for a in u])
    res = np.asarray(metric.result())
    cfg = {k: v for k, v in metric.get_config().items()}
    return {"updates": [[arr(a) if a is not None else None for a in u] for u in updates],
            "result": arr(res), "config": cfg}


cases = {}
yt = [0, 1, 2, 2, 1, 0, 2, 1]
yp = [0, 2, 2, 1, 1, 0, 0, 1]
sw = [1.0, 0.5, 2.0, 1.0, 0.0, 1.5, 1.0, 0.25]
cases["iou"] = case(keras.metrics.IoU(num_classes=3, target_class_ids=[0, 2]), [(yt, yp, sw), (yp, yt, None)])
cases["iou_ignore"] = case(keras.metrics.IoU(num_classes=4, target_class_ids=[1, 3], ignore_class=0, name="my_iou"),
                           [(yt, yp, None)])
cases["iou_absent"] = case(keras.metrics.IoU(num_classes=4, target_class_ids=[0, 3]), [(yt, yp, None)])
cases["mean_iou"] = case(keras.metrics.MeanIoU(num_classes=4), [(yt, yp, sw)])
bt = [0, 1, 1, 0, 1, 0]
bp = [0.2, 0.35, 0.9, 0.3, 0.1, 0.6]
cases["binary_iou"] = case(keras.metrics.BinaryIoU(), [(bt, bp, None)])
cases["binary_iou_t"] = case(keras.metrics.BinaryIoU(target_class_ids=[1], threshold=0.3),
                             [(bt, bp, [1, 2, 1, 1, 0.5, 1]), (bp, bt, None)])
oh_t = np.eye(3)[[0, 2, 1, 1, 0]]
oh_p = rng.uniform(size=(5, 3))
cases["one_hot_iou"] = case(keras.metrics.OneHotIoU(num_classes=3, target_class_ids=[1, 2]), [(oh_t, oh_p, None)])
cases["one_hot_mean_iou"] = case(keras.metrics.OneHotMeanIoU(num_classes=3), [(oh_t, oh_p, [1, 0.5, 2, 1, 1])])

ct = rng.normal(size=(4, 5))
cp = ct * 0.7 + rng.normal(size=(4, 5)) * 0.5
ct2 = rng.normal(size=(4, 5))
cp2 = rng.normal(size=(4, 5))
cases["pearson"] = case(keras.metrics.PearsonCorrelation(), [(ct, cp, None), (ct2, cp2, [1, 2, 0.5, 1])])
cases["pearson_axis0"] = case(keras.metrics.PearsonCorrelation(axis=0, name="pc"), [(ct, cp, None)])
cases["concordance"] = case(keras.metrics.ConcordanceCorrelation(), [(ct, cp, None), (ct2, cp2, [1, 2, 0.5, 1])])
cases["pearson_fn"] = {"y_true": arr(ct), "y_pred": arr(cp),
                       "result": arr(keras.metrics.pearson_correlation(ct.astype("float32"), cp.astype("float32")))}
cases["concordance_fn"] = {"y_true": arr(ct), "y_pred": arr(cp),
                           "result": arr(keras.metrics.concordance_correlation(ct.astype("float32"),
                                                                               cp.astype("float32"), axis=0)),
                           "axis": 0}

st = (rng.uniform(size=40) > 0.45).astype("float32")
sp = np.clip(st * 0.35 + rng.uniform(size=40) * 0.65, 0, 1).astype("float32")
sw2 = rng.uniform(size=40).astype("float32")
mt = (rng.uniform(size=(20, 3)) > 0.5).astype("float32")
mp = rng.uniform(size=(20, 3)).astype("float32")
for cls, arg in [("SensitivityAtSpecificity", "specificity"), ("SpecificityAtSensitivity", "sensitivity"),
                 ("PrecisionAtRecall", "recall"), ("RecallAtPrecision", "precision")]:
    C = getattr(keras.metrics, cls)
    key = cls.lower()
    cases[key] = case(C(0.6), [(st, sp, None), (st[:10], sp[10:20], sw2[:10])])
    cases[key + "_t7"] = case(C(0.8, num_thresholds=7, name="x"), [(st, sp, sw2)])
    cases[key + "_t1"] = case(C(0.3, num_thresholds=1), [(st, sp, None)])
    cases[key + "_class"] = case(C(0.5, num_thresholds=50, class_id=2), [(mt, mp, None)])
    cases[key + "_strict"] = case(C(1.0), [(st, sp, None)])

with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "metrics.json"), "w") as f:
    json.dump(cases, f, indent=1)
