#!/usr/bin/env python3
"""Writes tests/data/keras_files/edited_by_keras.weights.h5 and editor.json, Keras 3's
KerasFileEditor on seq_mlp.keras, read by tests/keras/test_file_editor.cpp:

    /work/venv/bin/python tests/data/keras_files/make_editor_fixture.py

editor.json: compare() against the model of seq_mlp.keras before and after the edits
(status, error_count, match_count). The edits: dense_1 renamed dense_9, dense_2's bias
deleted, a weight "2" added to dense, an object layers/extra added, batch_normalization
deleted; then save().
"""
import contextlib
import io
import json
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
import numpy as np  # noqa: E402
import keras  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    src = os.path.join(HERE, "seq_mlp.keras")
    model = keras.saving.load_model(src)
    with contextlib.redirect_stdout(io.StringIO()):
        editor = keras.saving.KerasFileEditor(src)
        fresh = editor.compare(model)
        editor.rename_object("dense_1", "dense_9")
        editor.delete_weight("layers/dense_2", "1")
        editor.add_weights("dense", {"2": np.ones(3, "float32")})
        editor.add_object("layers/extra", {"0": np.arange(4, dtype="float32")})
        editor.delete_object("batch_normalization")
        edited = editor.compare(model)
        editor.save(os.path.join(HERE, "edited_by_keras.weights.h5"))
    with open(os.path.join(HERE, "editor.json"), "w") as f:
        json.dump({"fresh": fresh, "edited": edited}, f, indent=1, sort_keys=True)
        f.write("\n")
    print("wrote edited_by_keras.weights.h5 and editor.json")


if __name__ == "__main__":
    main()
