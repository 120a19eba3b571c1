#!/usr/bin/env python3
"""Writes fixtures.json: Keras 3's text and categorical preprocessing layers (StringLookup,
IntegerLookup, Hashing, CategoryEncoding, Discretization, TextVectorization) on small
inputs, for tests/keras/test_text_layers.cpp.

Each case: the layer's class and keyword arguments (the C++ test builds the layer from them
with the layer registry's from_config), optional adapt data, an input, and either Keras's
output (dtype, shape, flat values) and get_vocabulary(), or the error Keras raised.

Run by hand in a venv with tensorflow-cpu and keras (3.x):
    python tests/data/text_layers/make_fixtures.py
"""
import json
import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
import numpy as np  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
CASES = []


def tensor_json(x):
    x = np.asarray(x)
    if x.dtype.kind in "US" or x.dtype == object:
        vals = [v.decode() if isinstance(v, bytes) else str(v) for v in x.reshape(-1).tolist()]
        dtype = "string"
    else:
        vals = x.reshape(-1).tolist()
        dtype = str(x.dtype)
    return {"dtype": dtype, "shape": list(x.shape), "values": vals}


def plain(v):
    if isinstance(v, (list, tuple)):
        return [plain(i) for i in v]
    if isinstance(v, bytes):
        return v.decode()
    if isinstance(v, np.generic):
        return v.item()
    return v


def case(name, cls, kwargs, x, adapt=None, error=False):
    c = {"name": name, "class": cls, "kwargs": kwargs, "input": tensor_json(x)}
    if adapt is not None:
        c["adapt"] = tensor_json(adapt)
    try:
        layer = getattr(keras.layers, cls)(**kwargs)
        if adapt is not None:
            layer.adapt(adapt)
        y = layer(x)
        if hasattr(y, "to_tensor") and hasattr(y, "row_lengths"):  # ragged
            c["ragged_row_lengths"] = y.row_lengths().numpy().tolist()
            y = y.flat_values
        c["output"] = tensor_json(keras.ops.convert_to_numpy(y))
        if hasattr(layer, "get_vocabulary"):
            c["vocabulary"] = plain(layer.get_vocabulary())
        if cls == "Discretization" and adapt is not None:
            c["bin_boundaries"] = plain(list(layer.bin_boundaries))
        if error:
            raise SystemExit(f"{name}: expected an error, Keras gave {c['output']}")
    except SystemExit:
        raise
    except Exception as e:  # Keras's error: the C++ layer must raise too
        if not error:
            raise
        c["error"] = type(e).__name__
    CASES.append(c)


S = np.array
d = S([["b", "a", "c", "a"], ["d", "b", "a", "zz"]])

# ---- StringLookup ----------------------------------------------------------------------
case("string_adapt_int", "StringLookup", {}, S([["a", "q"], ["zz", ""]]), adapt=d)
case("string_oov3_mask", "StringLookup", {"num_oov_indices": 3, "mask_token": ""},
     S(["a", "q", "r", "s", "", "xyz", "hello", "c"]), adapt=d)
case("string_max_tokens", "StringLookup", {"max_tokens": 3}, S(["a", "b", "c", "d"]), adapt=d)
case("string_one_hot", "StringLookup", {"vocabulary": ["a", "b", "c"], "output_mode": "one_hot"}, S(["a", "z", "c"]))
case("string_one_hot_col", "StringLookup", {"vocabulary": ["a", "b", "c"], "output_mode": "one_hot"},
     S([["a"], ["z"]]))
case("string_multi_hot_mask", "StringLookup",
     {"vocabulary": ["a", "b", "c"], "output_mode": "multi_hot", "mask_token": ""}, S([["a", "", "c"], ["b", "b", "x"]]))
case("string_multi_hot_1d", "StringLookup", {"vocabulary": ["a", "b", "c"], "output_mode": "multi_hot"},
     S(["c", "c", "q"]))
case("string_count_pad", "StringLookup",
     {"vocabulary": ["a", "b", "c"], "output_mode": "count", "pad_to_max_tokens": True, "max_tokens": 7},
     S([["a", "a", "c"], ["b", "b", "x"]]))
case("string_tf_idf_adapt", "StringLookup", {"output_mode": "tf_idf"}, S([["a", "a", "c"], ["b", "b", "x"]]), adapt=d)
case("string_tf_idf_given", "StringLookup",
     {"vocabulary": ["a", "b", "c"], "idf_weights": [0.5, 0.25, 2.0], "output_mode": "tf_idf"},
     S([["a", "a", "c"], ["b", "q", "x"]]))
case("string_invert", "StringLookup", {"vocabulary": ["a", "b", "c"], "invert": True}, S([0, 1, 2, 3, 4, -1]))
case("string_invert_mask", "StringLookup", {"vocabulary": ["a", "b", "c"], "invert": True, "mask_token": "M"},
     S([[0, 1], [2, 4]]))
case("string_vocab_with_specials", "StringLookup", {"vocabulary": ["[UNK]", "a"]}, S(["a", "b"]))
case("string_oov0", "StringLookup", {"vocabulary": ["a", "b"], "num_oov_indices": 0}, S(["b", "a"]))
case("string_err_adapt_empty", "StringLookup", {}, S(["x"]), adapt=np.array([], dtype=str), error=True)
case("string_err_not_adapted", "StringLookup", {}, S(["x"]), error=True)
case("string_err_oov0_unknown", "StringLookup", {"vocabulary": ["a", "b"], "num_oov_indices": 0}, S(["c"]), error=True)
case("string_err_duplicates", "StringLookup", {"vocabulary": ["a", "b", "a"]}, S(["a"]), error=True)
case("string_err_mode", "StringLookup", {"output_mode": "foo"}, S(["a"]), error=True)
case("string_err_max_tokens", "StringLookup", {"max_tokens": 1}, S(["a"]), error=True)
case("string_err_num_oov", "StringLookup", {"num_oov_indices": -1}, S(["a"]), error=True)
case("string_err_mask_in_vocab", "StringLookup", {"vocabulary": ["a", ""], "mask_token": ""}, S(["a"]), error=True)
case("string_err_too_big", "StringLookup", {"vocabulary": ["a", "b", "c"], "max_tokens": 3}, S(["a"]), error=True)
case("string_err_tf_idf_no_idf", "StringLookup", {"vocabulary": ["a"], "output_mode": "tf_idf"}, S(["a"]), error=True)
case("string_err_idf_not_tf_idf", "StringLookup", {"vocabulary": ["a"], "idf_weights": [1.0]}, S(["a"]), error=True)
case("string_err_int_input", "StringLookup", {"vocabulary": ["a"]}, S([1, 2]), error=True)

# ---- IntegerLookup ---------------------------------------------------------------------
case("int_adapt", "IntegerLookup", {}, S([3, 1, 5, 0, -1]), adapt=S([3, 3, 7, 1, 1, 1, 9, -2]))
case("int_oov3", "IntegerLookup", {"num_oov_indices": 3, "vocabulary": [5, 6]}, S([0, 1, 2, 3, 4, -1, -7, 100, 5]))
case("int_mask", "IntegerLookup", {"mask_token": 0, "vocabulary": [5, 6]}, S([[0, 5], [7, 6]]))
case("int_multi_hot", "IntegerLookup", {"vocabulary": [5, 6], "output_mode": "multi_hot"}, S([[5, 5, 9], [6, 0, 0]]))
case("int_count_adapt", "IntegerLookup", {"output_mode": "count", "max_tokens": 4}, S([[4, 4, 2], [8, 8, 8]]),
     adapt=S([[4, 4, 2], [8, 8, 8], [2, 9, 9]]))
case("int_invert", "IntegerLookup", {"vocabulary": [5, 6], "invert": True}, S([0, 1, 2, 3]))
case("int_err_duplicates", "IntegerLookup", {"vocabulary": [1, 1]}, S([1]), error=True)

# ---- Hashing ---------------------------------------------------------------------------
words = S(["a", "b", "hello", "", "zz", "The quick brown fox"])
case("hash_strings", "Hashing", {"num_bins": 5}, words)
case("hash_strings_2d", "Hashing", {"num_bins": 1024}, S([["a", "b"], ["c", "d"]]))
case("hash_salt_pair", "Hashing", {"num_bins": 5, "salt": [1, 2]}, words)
case("hash_salt_int", "Hashing", {"num_bins": 5, "salt": 7}, words)
case("hash_mask", "Hashing", {"num_bins": 5, "mask_value": ""}, words)
case("hash_ints", "Hashing", {"num_bins": 5}, S([1, 2, 3, -4, 1000]))
case("hash_ints_mask", "Hashing", {"num_bins": 5, "mask_value": 0}, S([[0, 2], [3, -4]]))
case("hash_multi_hot", "Hashing", {"num_bins": 3, "output_mode": "multi_hot"}, S([["a", "b"], ["c", "c"]]))
case("hash_count", "Hashing", {"num_bins": 3, "output_mode": "count"}, S([["a", "b"], ["c", "c"]]))
case("hash_one_hot", "Hashing", {"num_bins": 4, "output_mode": "one_hot"}, S(["a", "b", "c"]))
case("hash_err_bins", "Hashing", {"num_bins": 0}, S(["a"]), error=True)
case("hash_err_mode", "Hashing", {"num_bins": 3, "output_mode": "tf_idf"}, S(["a"]), error=True)

# ---- CategoryEncoding ------------------------------------------------------------------
case("cat_one_hot", "CategoryEncoding", {"num_tokens": 4, "output_mode": "one_hot"}, S([3, 2, 0, 1]))
case("cat_multi_hot", "CategoryEncoding", {"num_tokens": 4}, S([[0, 1], [0, 0], [1, 2], [3, 1]]))
case("cat_multi_hot_1d", "CategoryEncoding", {"num_tokens": 4}, S([3, 2, 2]))
case("cat_count", "CategoryEncoding", {"num_tokens": 4, "output_mode": "count"}, S([[0, 1], [0, 0], [1, 2], [3, 1]]))
case("cat_out_of_range", "CategoryEncoding", {"num_tokens": 3}, S([[0, 3]]))
case("cat_err_negative", "CategoryEncoding", {"num_tokens": 3}, S([[0, -1]]), error=True)
case("cat_rank3", "CategoryEncoding", {"num_tokens": 3}, S([[[0, 1]], [[2, 2]]]))
case("cat_one_hot_2d", "CategoryEncoding", {"num_tokens": 3, "output_mode": "one_hot"}, S([[0, 1], [2, 5]]))
case("cat_err_mode", "CategoryEncoding", {"num_tokens": 3, "output_mode": "tf_idf"}, S([0]), error=True)
case("cat_err_tokens", "CategoryEncoding", {"num_tokens": 0}, S([0]), error=True)

# ---- Discretization --------------------------------------------------------------------
xs = S([[-1.5, 1.0, 3.4, 0.5], [0.0, 3.0, 1.3, 0.0]], dtype="float32")
case("disc_boundaries", "Discretization", {"bin_boundaries": [0.0, 1.0, 2.0]}, xs)
case("disc_one_hot", "Discretization", {"bin_boundaries": [0.0, 1.0, 2.0], "output_mode": "one_hot"},
     S([-1.0, 0.5, 1.5, 2.5], dtype="float32"))
case("disc_count", "Discretization", {"bin_boundaries": [0.0, 1.0, 2.0], "output_mode": "count"}, xs)
rng = np.random.default_rng(0)
data = rng.normal(size=(200,)).astype("float32")
case("disc_adapt", "Discretization", {"num_bins": 4, "epsilon": 0.01}, S([-2.0, -0.3, 0.0, 0.3, 2.0], dtype="float32"),
     adapt=data)
case("disc_adapt_small", "Discretization", {"num_bins": 3, "epsilon": 0.01}, S([0.0, 1.5, 2.5, 9.0], dtype="float32"),
     adapt=S([1.0, 2.0, 3.0, 4.0, 5.0, 6.0], dtype="float32"))
# (Both bin_boundaries and num_bins raise in the constructor, but a config with both is an
# adapted layer's, which from_config accepts: test_text_layers.cpp checks the constructor.)
case("disc_err_mode", "Discretization", {"bin_boundaries": [0.0], "output_mode": "tf_idf"}, xs, error=True)

# ---- TextVectorization -----------------------------------------------------------------
docs = S(["The Cat sat on the mat.", "the dog ATE my homework!", "A cat, a dog; the END", "..."])
q = S(["the cat ate the dog", "zebra mat", ""])
case("tv_int", "TextVectorization", {}, q, adapt=docs)
case("tv_int_len", "TextVectorization", {"output_sequence_length": 4}, q, adapt=docs)
case("tv_max_tokens", "TextVectorization", {"max_tokens": 5, "output_sequence_length": 6}, q, adapt=docs)
case("tv_lower", "TextVectorization", {"standardize": "lower"}, S(["the cat.", "Cat"]), adapt=docs)
case("tv_strip", "TextVectorization", {"standardize": "strip_punctuation"}, S(["The cat.", "cat"]), adapt=docs)
case("tv_none", "TextVectorization", {"standardize": None}, S(["The cat.", "cat"]), adapt=docs)
case("tv_character", "TextVectorization", {"split": "character", "output_sequence_length": 8}, S(["cab", "a b"]),
     adapt=S(["abc", "aab", "c c"]))
case("tv_split_none", "TextVectorization", {"split": None}, S(["the cat", "a dog"]),
     adapt=S(["The cat", "a dog", "a dog"]))
case("tv_ngrams", "TextVectorization", {"ngrams": 2}, S(["the cat sat", "a dog"]), adapt=docs)
case("tv_ngrams_tuple", "TextVectorization", {"ngrams": (1, 3)}, S(["the cat sat on", "a dog"]), adapt=docs)
case("tv_multi_hot", "TextVectorization", {"output_mode": "multi_hot"}, q, adapt=docs)
case("tv_count", "TextVectorization", {"output_mode": "count", "max_tokens": 6}, q, adapt=docs)
case("tv_tf_idf", "TextVectorization", {"output_mode": "tf_idf"}, q, adapt=docs)
case("tv_vocab", "TextVectorization", {"vocabulary": ["cat", "dog", "the"], "output_sequence_length": 5}, q)
case("tv_ragged", "TextVectorization", {"ragged": True}, q, adapt=docs)
case("tv_2d_input", "TextVectorization", {"output_sequence_length": 3}, S([["the cat"], ["dog"]]), adapt=docs)
case("tv_err_mode", "TextVectorization", {"output_mode": "one_hot2"}, q, error=True)
case("tv_err_standardize", "TextVectorization", {"standardize": "upper"}, q, error=True)
case("tv_err_split", "TextVectorization", {"split": "comma"}, q, error=True)
case("tv_err_ngrams", "TextVectorization", {"ngrams": 0}, q, adapt=docs, error=True)
case("tv_err_seq_len_mode", "TextVectorization", {"output_mode": "multi_hot", "output_sequence_length": 3}, q,
     error=True)
case("tv_err_ragged_mode", "TextVectorization", {"output_mode": "count", "ragged": True}, q, error=True)
case("tv_err_int_input", "TextVectorization", {"vocabulary": ["a"]}, S([1, 2]), error=True)

# ---- a .keras file whose adapted vocabularies are asset files ----------------------------
x_in = keras.Input((1,), dtype="string", name="text")
tv = keras.layers.TextVectorization(output_sequence_length=4, name="vectorize")
tv.adapt(docs)
sl = keras.layers.StringLookup(num_oov_indices=2, mask_token="", name="lookup")
sl.adapt(S(["b", "a", "a", "c", "a", "b"]))
model = keras.Model(x_in, [tv(x_in), sl(x_in)], name="text_model")
model.save(os.path.join(HERE, "text_model.keras"))
file_input = S([["the cat sat"], ["a"], ["b"], [""]])
file_outputs = [tensor_json(keras.ops.convert_to_numpy(y)) for y in model(file_input)]

with open(os.path.join(HERE, "fixtures.json"), "w") as f:
    json.dump({"keras_version": keras.__version__, "cases": CASES,
               "keras_file": {"input": tensor_json(file_input), "outputs": file_outputs}},
              f, indent=None, separators=(",", ":"))
print(len(CASES), "cases")
