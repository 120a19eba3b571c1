"""Writes keras_ops_names.txt: every public name of Keras 3's `keras.ops` (the top level,
which holds the numpy, linalg and nn namespaces' names too) and of `keras.ops.image`
(prefixed `image.`), one per line, sorted. The submodule names themselves are left out.

Run with the oracle venv: /work/venv/bin/python tests/data/ops/make_ops_names.py
"""
import os

import keras

HERE = os.path.dirname(os.path.abspath(__file__))
SUBMODULES = {"image", "linalg", "nn", "numpy"}

names = {n for n in dir(keras.ops) if not n.startswith("_") and n not in SUBMODULES}
names |= {"image." + n for n in dir(keras.ops.image) if not n.startswith("_")}
for ns in ("numpy", "linalg", "nn"):
    missing = {n for n in dir(getattr(keras.ops, ns)) if not n.startswith("_")} - names
    assert not missing, (ns, missing)
with open(os.path.join(HERE, "keras_ops_names.txt"), "w") as f:
    f.write(f"# keras.ops names of Keras {keras.__version__} (make_ops_names.py)\n")
    for n in sorted(names):
        f.write(n + "\n")
print(len(names), "names")
