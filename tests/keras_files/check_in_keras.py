"""Loads the .keras, .h5 (whole models, the legacy format) and .weights.h5 files keras-cpp
wrote in Keras 3 and compares Keras's predictions with keras-cpp's (run by hand; Keras 3
and TensorFlow from PyPI):

    KERAS_CPP_KERAS_FILES_OUT=/tmp/kcpp_files build/tests/keras_tests -tc='*keras-cpp writes .keras*'
    /work/venv/bin/python tests/keras_files/check_in_keras.py /tmp/kcpp_files

For each NAME.keras or NAME.h5 in the folder: keras.saving.load_model, predict on NAME.in<i>.npy,
compare with NAME.out<j>.npy (keras-cpp's outputs); when NAME.weights.h5 is there, the
weights are loaded into the model again (after zeroing them) and compared the same way.
For each NAME.json (keras-cpp's model.to_json()): keras.models.model_from_json, the
weights of NAME.weights.h5, and the same comparison. serialized.jsonl (keras-cpp's
serialize_keras_object entries, tests/keras/test_object_registration.cpp): each through
keras.saving.deserialize_keras_object, its options compared with what Keras writes back.
Prints one line per file and exits non-zero when a difference passes 1e-5.
"""
import glob
import os
import sys
import warnings

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np  # noqa: E402
import keras  # noqa: E402

TOL = 1e-5


@keras.saving.register_keras_serializable()  # Keras's default package: "Custom>ScaleShift"
class ScaleShift(keras.layers.Layer):
    """The user layer of tests/keras/test_keras_files.cpp: y = x * scale * factor + shift."""

    def __init__(self, factor=1.0, **kwargs):
        super().__init__(**kwargs)
        self.factor = factor

    def build(self, input_shape):
        self.scale = self.add_weight(name="scale", shape=(input_shape[-1],), initializer="ones")
        self.shift = self.add_weight(name="shift", shape=(input_shape[-1],), initializer="zeros")

    def call(self, x):
        return x * self.scale * self.factor + self.shift

    def get_config(self):
        return {**super().get_config(), "factor": self.factor}


def arrays(base, kind):
    out = []
    while os.path.exists(f"{base}.{kind}{len(out)}.npy"):
        out.append(np.load(f"{base}.{kind}{len(out)}.npy"))
    return out


def predict(model, inputs):
    y = model.predict(inputs if len(inputs) > 1 else inputs[0], verbose=0)
    return [np.asarray(t) for t in (y if isinstance(y, (list, tuple)) else [y])]


def diff(got, want):
    assert len(got) == len(want), (len(got), len(want))
    return max(float(np.max(np.abs(g.astype("float64") - w.astype("float64")))) for g, w in zip(got, want))


def same_option(mine, theirs):
    """An option keras-cpp serialized and the one Keras serializes back: numbers within
    float32 rounding, nested entries by class and options, a model's layers by class."""
    if isinstance(mine, dict) and "class_name" in mine:
        if not isinstance(theirs, dict):  # an object Keras's config keeps as such (a schedule)
            theirs = {"class_name": type(theirs).__name__, "config": theirs.get_config()}
        return mine["class_name"] == theirs.get("class_name") and all(
            same_option(v, theirs.get("config", {})[k])
            for k, v in mine.get("config", {}).items() if k in theirs.get("config", {}))
    if isinstance(mine, (list, tuple)) and isinstance(theirs, (list, tuple)):
        return len(mine) == len(theirs) and all(same_option(a, b) for a, b in zip(mine, theirs))
    if isinstance(mine, (int, float)) and isinstance(theirs, (int, float)) and not isinstance(mine, bool):
        return abs(mine - theirs) <= 1e-6 * max(1.0, abs(mine))
    return mine == theirs


def main(folder):
    worst, failed = 0.0, 0
    files = sorted(glob.glob(os.path.join(folder, "*.keras")))
    # Whole models in the legacy HDF5 format (keras-cpp's save_model("m.h5")).
    files += sorted(p for p in glob.glob(os.path.join(folder, "*.h5")) if not p.endswith(".weights.h5"))
    if not files:
        sys.exit(f"no .keras or .h5 model files in {folder}")
    for path in files:
        base = os.path.splitext(path)[0]
        name = os.path.basename(base)
        inputs, want = arrays(base, "in"), arrays(base, "out")
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                model = keras.saving.load_model(path)
            skipped = [str(w.message) for w in caught if "Skipping variable loading for optimizer" in str(w.message)]
            if skipped:  # a compiled file's optimizer state must fit Keras's optimizer
                raise ValueError(skipped[0])
            d = diff(predict(model, inputs), want)
            if os.path.exists(base + ".resume_x.npy"):  # Keras resumes from keras-cpp's optimizer state
                x, y = np.load(base + ".resume_x.npy"), np.load(base + ".resume_y.npy")
                for _ in range(2):
                    model.train_on_batch(x, y)
                d = max(d, diff([w.numpy() for w in model.weights], arrays(base, "resumed")))
            compiled = f" (compiled: {type(model.optimizer).__name__}, iterations {int(model.optimizer.iterations.numpy())})" \
                if model.compiled else ""
            line = f"{name}: load_model ok{compiled}, max |keras - keras-cpp| = {d:.3g}"
            if os.path.exists(base + ".weights.h5"):
                for w in model.weights:
                    w.assign(np.zeros(w.shape, w.dtype))
                model.load_weights(base + ".weights.h5")
                dw = diff(predict(model, inputs), want)
                line += f"; load_weights(.weights.h5): {dw:.3g}"
                d = max(d, dw)
        except Exception as e:  # a file Keras cannot load is a failure, reported by name
            print(f"{name}: FAILED: {type(e).__name__}: {e}")
            failed += 1
            continue
        worst = max(worst, d)
        failed += d > TOL
        print(line + ("" if d <= TOL else "  <-- over 1e-5"))
    # NAME.json: keras-cpp's model.to_json(), read by keras.models.model_from_json, with
    # the weights of NAME.weights.h5 (and compiled when the JSON holds a compile_config).
    jsons = sorted(glob.glob(os.path.join(folder, "*.json")))
    for path in jsons:
        base = path[: -len(".json")]
        name = os.path.basename(base)
        try:
            with open(path) as f:
                model = keras.models.model_from_json(f.read())
            model.load_weights(base + ".weights.h5")
            d = diff(predict(model, arrays(base, "in")), arrays(base, "out"))
            compiled = type(model.optimizer).__name__ if model.compiled else "no"
            print(f"{name}: model_from_json ok (compiled: {compiled}), max |keras - keras-cpp| = {d:.3g}" +
                  ("" if d <= TOL else "  <-- over 1e-5"))
            worst = max(worst, d)
            failed += d > TOL
        except Exception as e:
            print(f"{name}: FAILED: {type(e).__name__}: {e}")
            failed += 1
    files += jsons
    # serialized.jsonl: keras-cpp's serialize_keras_object entries, one per line, given to
    # keras.saving.deserialize_keras_object; the options of what Keras serializes back must
    # equal keras-cpp's where both have them (numbers within float32 rounding).
    entries = os.path.join(folder, "serialized.jsonl")
    if os.path.exists(entries):
        import copy
        import json
        with open(entries) as f:
            lines = [json.loads(line) for line in f if line.strip()]
        for entry in lines:
            name = f"serialized {entry['class_name']}"
            try:
                # (deserialize_keras_object replaces nested entries of its argument by objects)
                back = keras.saving.serialize_keras_object(keras.saving.deserialize_keras_object(copy.deepcopy(entry)))
                bad = [k for k, v in entry["config"].items()
                       if k in back["config"] and not same_option(v, back["config"][k])]
                print(f"{name}: deserialize_keras_object ok" + (f", options differ: {bad}" if bad else ""))
                failed += bool(bad)
            except Exception as e:
                print(f"{name}: FAILED: {type(e).__name__}: {e}")
                failed += 1
        files += lines
    print(f"keras {keras.__version__}: {len(files)} files, {failed} failed, worst difference {worst:.3g}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "/tmp/kcpp_files")
