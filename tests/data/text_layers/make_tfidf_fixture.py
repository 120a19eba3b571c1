#!/usr/bin/env python3
"""Writes tfidf_model.keras and tfidf.json: a Keras 3 model whose adapted TextVectorization
and StringLookup layers run in "tf_idf" mode (their vocabularies in the archive's asset
files, their idf weights in model.weights.h5 as "<layer>/vars/idf_weights", Keras's
save_own_variables), with an input batch and Keras's outputs, for
tests/keras/test_text_layers.cpp.

Run by hand in a venv with tensorflow-cpu and keras (3.x):
    python tests/data/text_layers/make_tfidf_fixture.py
"""
import json
import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
import numpy as np  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))

def tensor_json(x):  # as make_fixtures.py writes tensors
    x = np.asarray(x)
    if x.dtype.kind in "US" or x.dtype == object:
        return {"dtype": "string", "shape": list(x.shape),
                "values": [v.decode() if isinstance(v, bytes) else str(v) for v in x.reshape(-1).tolist()]}
    return {"dtype": str(x.dtype), "shape": list(x.shape), "values": x.reshape(-1).tolist()}


docs = np.array(["the cat sat", "the dog sat down", "a cat and a dog", "the end"])
x_in = keras.Input((1,), dtype="string", name="text")
tv = keras.layers.TextVectorization(output_mode="tf_idf", max_tokens=8, name="vectorize")
tv.adapt(docs)
# pad_to_max_tokens: the stored idf weights run to max_tokens, zeros past the vocabulary.
sl = keras.layers.StringLookup(output_mode="tf_idf", max_tokens=6, pad_to_max_tokens=True, name="lookup")
sl.adapt(np.array([["a", "b"], ["a", "c"], ["d", "a"]]))
model = keras.Model(x_in, [tv(x_in), sl(x_in)], name="tfidf_model")
model.save(os.path.join(HERE, "tfidf_model.keras"))
x = np.array([["the cat sat"], ["a"], ["dog dog end"], ["c"], [""]])
outputs = [tensor_json(keras.ops.convert_to_numpy(y)) for y in model(x)]
with open(os.path.join(HERE, "tfidf.json"), "w") as f:
    json.dump({"keras_version": keras.__version__, "input": tensor_json(x), "outputs": outputs,
               "vocabularies": [[str(t) for t in tv.get_vocabulary()], [str(t) for t in sl.get_vocabulary()]]},
              f, indent=None, separators=(",", ":"))
print("outputs", [o["shape"] for o in outputs])
