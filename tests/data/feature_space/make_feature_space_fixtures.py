"""Writes feature_space.json: Keras 3's FeatureSpace outputs (concat and dict modes, batched
and a single row) after adapt() on a small table, and keras_feature_space.keras (the
adapted concat FeatureSpace as Keras's FeatureSpace.save writes it), for
tests/keras/test_feature_space.cpp.
Run with the oracle venv: python make_feature_space_fixtures.py"""
import json
import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
import numpy as np
import tensorflow as tf
import keras
from keras.utils import FeatureSpace

table = {
    "age": [23.0, 35.0, 41.0, 29.0, 52.0, 61.0, 19.0, 44.0, 38.0, 27.0, 33.0, 57.0],
    "income": [1.5, 3.2, 2.8, 0.9, 4.4, 5.1, 0.4, 3.9, 2.2, 1.1, 2.6, 4.8],
    "score": [0.1, 0.7, 0.3, 0.9, 0.5, 0.2, 0.8, 0.4, 0.6, 0.15, 0.95, 0.35],
    "rate": [10.0, 20.0, 30.0, 40.0, 50.0, 60.0, 70.0, 80.0, 90.0, 15.0, 25.0, 35.0],
    "city": ["paris", "lyon", "paris", "nice", "lyon", "paris", "lille", "nice", "paris", "lyon", "paris", "brest"],
    "code": [7, 3, 7, 9, 3, 7, 5, 9, 1, 3, 7, 9],
    "tag": ["a", "b", "c", "a", "b", "d", "e", "a", "c", "b", "a", "f"],
    "zip": [75001, 69002, 75001, 6000, 69002, 75002, 59000, 6000, 75001, 69003, 75001, 29200],
}
dtypes = {"age": "float32", "income": "float32", "score": "float32", "rate": "float32", "city": "string",
          "code": "int32", "tag": "string", "zip": "int32"}
arrays = {k: np.array(v, dtype=(object if dtypes[k] == "string" else dtypes[k])) for k, v in table.items()}
batch = {k: v[2:7] for k, v in arrays.items()}
row = {k: v[4] for k, v in arrays.items()}


def make(output_mode):
    return FeatureSpace(
        features={
            "age": "float",
            "income": "float_normalized",
            "score": FeatureSpace.float_discretized(num_bins=4),
            "rate": FeatureSpace.float_rescaled(scale=0.1, offset=1.0),
            "city": "string_categorical",
            "code": FeatureSpace.integer_categorical(num_oov_indices=2),
            "tag": "string_hashed",
            "zip": FeatureSpace.integer_hashed(num_bins=8),
        },
        crosses=[FeatureSpace.cross(("city", "code"), crossing_dim=16),
                 FeatureSpace.cross(("tag", "zip"), crossing_dim=4)],
        hashing_dim=8,
        output_mode=output_mode,
    )


def tolist(x):
    x = np.asarray(x)
    return x.astype("float64").ravel().tolist()


out = {"table": table, "dtypes": dtypes}
fs = make("concat")
fs.adapt(tf.data.Dataset.from_tensor_slices(arrays))
out["concat_batch"] = {"shape": list(np.shape(fs(batch))), "values": tolist(fs(batch))}
out["concat_row"] = {"shape": list(np.shape(fs(row))), "values": tolist(fs(row))}
fs.save(os.path.join(os.path.dirname(os.path.abspath(__file__)), "keras_feature_space.keras"))
out["config"] = json.loads(json.dumps(fs.get_config(), default=str))
enc = fs.get_encoded_features()
out["encoded_shape"] = list(enc.shape)
out["vocab_city"] = fs.preprocessors["city"].get_vocabulary()
out["boundaries_score"] = [float(b) for b in fs.preprocessors["score"].bin_boundaries]
out["income_mean_var"] = [float(np.asarray(fs.preprocessors["income"].mean).ravel()[0]),
                          float(np.asarray(fs.preprocessors["income"].variance).ravel()[0])]
fd = make("dict")
fd.adapt(tf.data.Dataset.from_tensor_slices(arrays))
d = fd(batch)
out["dict_batch"] = {k: {"shape": list(np.shape(v)), "values": tolist(v)} for k, v in d.items()}
d1 = fd(row)
out["dict_row"] = {k: {"shape": list(np.shape(v)), "values": tolist(v)} for k, v in d1.items()}
# int output for a cross and a categorical feature, in dict mode
fi = FeatureSpace(features={"city": FeatureSpace.string_categorical(output_mode="int"), "code": "integer_categorical"},
                  crosses=[FeatureSpace.cross(("city", "code"), crossing_dim=16, output_mode="int")],
                  output_mode="dict")
fi.adapt({"city": arrays["city"], "code": arrays["code"]})
di = fi({"city": batch["city"], "code": batch["code"]})
out["dict_int"] = {k: {"shape": list(np.shape(v)), "values": tolist(v), "dtype": str(np.asarray(v).dtype)}
                   for k, v in di.items()}
try:
    FeatureSpace(features={"city": FeatureSpace.string_categorical(output_mode="int")}, output_mode="concat").adapt(
        {"city": arrays["city"]})
    out["concat_int_error"] = None
except Exception as e:  # noqa: BLE001
    out["concat_int_error"] = str(e)
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "feature_space.json"), "w") as f:
    json.dump(out, f, indent=1)
