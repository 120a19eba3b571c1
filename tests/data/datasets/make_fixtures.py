"""Writes the keras::datasets fixtures: small files in the formats of Keras's dataset files
(imdb.npz and reuters.npz with pickled object arrays, in NumPy's protocol-3 pickles and
as Python 2 pickles; boston_housing.npz, california_housing.npz, mnist.npz; CIFAR-10 and
CIFAR-100 batches as Python 2 cPickle wrote them, in folders and in .tar.gz archives),
then what Keras 3's own loaders return for them (get_file pointed at the fixtures):
expected.json (the sequence datasets) and expected.npz (the arrays).

Run with a Python that has keras and numpy: /work/venv/bin/python make_fixtures.py
"""
import io
import json
import os
import pickle
import struct
import tarfile
import zipfile

import numpy as np

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
HERE = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(20261207)


class Py2Pickler(pickle._Pickler):
    """Protocol 2 with Python 2's strings: bytes and str as BINSTRING / SHORT_BINSTRING."""

    dispatch = pickle._Pickler.dispatch.copy()

    def save_py2_string(self, obj):
        data = obj.encode("ascii") if isinstance(obj, str) else obj
        if len(data) < 256:
            self.write(pickle.SHORT_BINSTRING + bytes([len(data)]) + data)
        else:
            self.write(pickle.BINSTRING + struct.pack("<i", len(data)) + data)
        self.memoize(obj)

    dispatch[bytes] = save_py2_string
    dispatch[str] = save_py2_string


def py2_pickle(obj):
    f = io.BytesIO()
    Py2Pickler(f, protocol=2).dump(obj)
    return f.getvalue()


def object_array(lists):
    a = np.empty(len(lists), dtype=object)
    for i, x in enumerate(lists):
        a[i] = list(x)
    return a


def write_py2_npz(path, arrays):
    """An .npz whose object arrays are Python 2 pickles (as the old dataset files)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, a in arrays.items():
            f = io.BytesIO()
            if a.dtype == object:
                header = {"descr": "|O", "fortran_order": False, "shape": a.shape}
                np.lib.format.write_array_header_1_0(f, header)
                f.write(py2_pickle(a))
            else:
                np.lib.format.write_array(f, a)
            z.writestr(name + ".npy", f.getvalue())


def sequences(n, vocab, lo=1, hi=26):
    return [[int(w) for w in rng.integers(0, vocab, size=int(rng.integers(lo, hi)))] for _ in range(n)]


def write_sequence_files():
    imdb = {"x_train": object_array(sequences(40, 150)), "y_train": rng.integers(0, 2, 40).astype(np.int64),
            "x_test": object_array(sequences(30, 150)), "y_test": rng.integers(0, 2, 30).astype(np.int64)}
    np.savez(os.path.join(HERE, "imdb.npz"), **imdb)
    write_py2_npz(os.path.join(HERE, "imdb_py2.npz"), imdb)
    reuters = {"x": object_array(sequences(60, 120)), "y": rng.integers(0, 46, 60).astype(np.int64)}
    np.savez(os.path.join(HERE, "reuters.npz"), **reuters)
    with open(os.path.join(HERE, "imdb_word_index.json"), "w") as f:
        json.dump({"the": 1, "and": 2, "a": 3, "film": 19, "zebra": 87000}, f)


def write_array_files():
    np.savez(os.path.join(HERE, "boston_housing.npz"), x=rng.normal(size=(50, 13)), y=rng.normal(size=50))
    np.savez(os.path.join(HERE, "california_housing.npz"), x=rng.normal(size=(700, 8)).astype(np.float32),
             y=rng.normal(size=700).astype(np.float32))
    np.savez_compressed(os.path.join(HERE, "mnist.npz"),
                        x_train=rng.integers(0, 256, (5, 28, 28)).astype(np.uint8),
                        y_train=rng.integers(0, 10, 5).astype(np.uint8),
                        x_test=rng.integers(0, 256, (3, 28, 28)).astype(np.uint8),
                        y_test=rng.integers(0, 10, 3).astype(np.uint8))


def cifar_batch(n, labels):
    d = {b"batch_label": b"fixture batch", b"data": rng.integers(0, 256, (n, 3072)).astype(np.uint8),
         b"filenames": [b"img_%d.png" % i for i in range(n)]}
    for key, classes in labels.items():
        d[key] = [int(v) for v in rng.integers(0, classes, n)]
    return py2_pickle(d)


def write_cifar(folder, files, labels, archive):
    os.makedirs(os.path.join(HERE, folder), exist_ok=True)
    for name, n in files:
        with open(os.path.join(HERE, folder, name), "wb") as f:
            f.write(cifar_batch(n, labels))
    with tarfile.open(os.path.join(HERE, archive), "w:gz", format=tarfile.GNU_FORMAT) as t:
        t.add(os.path.join(HERE, folder), arcname=folder)


def expected():
    import keras
    from keras.src.datasets import boston_housing, california_housing, cifar, cifar100, imdb, mnist, reuters

    for m in (boston_housing, california_housing, imdb, mnist, reuters):
        m.get_file = lambda fname=None, *a, **k: fname
    cifar100.get_file = lambda fname=None, *a, **k: HERE
    cases, arrays = [], {}

    def seq_case(name, fn, path, **options):
        case = {"name": name, "dataset": fn.__module__.split(".")[-1], "file": os.path.basename(path),
                "options": options}
        try:
            (xtr, ytr), (xte, yte) = fn(path=path, **options)
            case.update(x_train=[list(map(int, x)) for x in xtr], y_train=[int(v) for v in ytr],
                        x_test=[list(map(int, x)) for x in xte], y_test=[int(v) for v in yte])
        except ValueError as e:
            case["error"] = str(e)
        cases.append(case)

    imdb_path = os.path.join(HERE, "imdb.npz")
    seq_case("imdb_default", imdb.load_data, imdb_path)
    seq_case("imdb_py2", imdb.load_data, os.path.join(HERE, "imdb_py2.npz"))
    seq_case("imdb_num_words", imdb.load_data, imdb_path, num_words=50)
    seq_case("imdb_skip_top", imdb.load_data, imdb_path, num_words=60, skip_top=5)
    seq_case("imdb_maxlen", imdb.load_data, imdb_path, maxlen=10)
    seq_case("imdb_no_start_no_oov", imdb.load_data, imdb_path, start_char=None, oov_char=None, index_from=0,
             num_words=100)
    seq_case("imdb_seed", imdb.load_data, imdb_path, seed=7, index_from=5, start_char=4)
    seq_case("imdb_maxlen_too_short", imdb.load_data, imdb_path, maxlen=1)
    reuters_path = os.path.join(HERE, "reuters.npz")
    seq_case("reuters_default", reuters.load_data, reuters_path)
    seq_case("reuters_split", reuters.load_data, reuters_path, test_split=0.5, num_words=40)
    seq_case("reuters_maxlen", reuters.load_data, reuters_path, maxlen=12, oov_char=None, seed=3)

    def put(prefix, result):
        (xtr, ytr), (xte, yte) = result
        arrays.update({prefix + "/x_train": xtr, prefix + "/y_train": ytr, prefix + "/x_test": xte,
                       prefix + "/y_test": yte})

    put("boston_default", boston_housing.load_data(path=os.path.join(HERE, "boston_housing.npz")))
    put("boston_split", boston_housing.load_data(path=os.path.join(HERE, "boston_housing.npz"), test_split=0.3, seed=1))
    put("california_large", california_housing.load_data(path=os.path.join(HERE, "california_housing.npz")))
    put("california_small", california_housing.load_data(version="small",
                                                        path=os.path.join(HERE, "california_housing.npz")))
    put("mnist", mnist.load_data(path=os.path.join(HERE, "mnist.npz")))
    put("cifar100_fine", cifar100.load_data())
    (_, ytr), (_, yte) = cifar100.load_data(label_mode="coarse")  # the same images as "fine"
    arrays.update({"cifar100_coarse/y_train": ytr, "cifar100_coarse/y_test": yte})
    # cifar10.load_data assumes 50,000 training images; its batches are joined here as it does.
    folder = os.path.join(HERE, "cifar-10-batches-py")
    train = [cifar.load_batch(os.path.join(folder, "data_batch_%d" % i)) for i in range(1, 6)]
    xte, yte = cifar.load_batch(os.path.join(folder, "test_batch"))
    xtr = np.concatenate([b[0] for b in train]).transpose(0, 2, 3, 1)
    ytr = np.concatenate([np.asarray(b[1], dtype=np.uint8) for b in train]).reshape(-1, 1)
    put("cifar10", ((xtr, ytr), (xte.transpose(0, 2, 3, 1), np.asarray(yte, dtype=np.uint8).reshape(-1, 1))))
    np.savez_compressed(os.path.join(HERE, "expected.npz"), **arrays)
    with open(os.path.join(HERE, "expected.json"), "w") as f:
        json.dump({"keras": keras.__version__, "cases": cases}, f, indent=None, separators=(",", ":"))
        f.write("\n")


if __name__ == "__main__":
    write_sequence_files()
    write_array_files()
    write_cifar("cifar-10-batches-py", [("data_batch_%d" % i, 3) for i in range(1, 6)] + [("test_batch", 2)],
                {b"labels": 10}, "cifar-10-python.tar.gz")
    write_cifar("cifar-100-python", [("train", 4), ("test", 2)], {b"fine_labels": 100, b"coarse_labels": 20},
                "cifar-100-python.tar.gz")
    expected()
