"""Writes the fixtures of tests/keras/test_utils.cpp and tests/core/test_image_io.cpp:
small image and WAV files (tests/data/utils/files/), a directory tree of classes
(tests/data/utils/tree/), and what TensorFlow 2 / Keras 3 make of them (utils.npz).

Run from the repository root with the oracle venv:
  /work/venv/bin/python tests/data/utils/make_utils_fixtures.py
"""
import os
import shutil
import struct

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np
import tensorflow as tf
import keras
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
FILES = os.path.join(HERE, "files")
TREE = os.path.join(HERE, "tree")
out = {}


def write(name, data):
    with open(os.path.join(FILES, name), "wb") as f:
        f.write(data)


def bmp(pixels, bits, top_down=False):
    """An uncompressed BMP of (h, w, 3 or 4) uint8 pixels; bits 8 uses a palette of the
    distinct colors."""
    h, w = pixels.shape[:2]
    palette = b""
    if bits == 8:
        colors = sorted({tuple(p) for p in pixels.reshape(-1, 3)})
        index = {c: i for i, c in enumerate(colors)}
        palette = b"".join(bytes([c[2], c[1], c[0], 0]) for c in colors)
        rows = [bytes(index[tuple(p)] for p in row) for row in pixels]
    elif bits == 24:
        rows = [b"".join(bytes([p[2], p[1], p[0]]) for p in row) for row in pixels]
    else:
        rows = [b"".join(bytes([p[2], p[1], p[0], p[3]]) for p in row) for row in pixels]
    stride = (len(rows[0]) + 3) // 4 * 4
    rows = [r + b"\0" * (stride - len(r)) for r in rows]
    if not top_down:
        rows = rows[::-1]
    data = b"".join(rows)
    offset = 14 + 40 + len(palette)
    header = b"BM" + struct.pack("<IHHI", offset + len(data), 0, 0, offset)
    info = struct.pack("<IiiHHIIiiII", 40, w, -h if top_down else h, 1, bits, 0, len(data), 2835, 2835,
                       len(palette) // 4, 0)
    return header + info + palette + data


def wav(samples, bits, fmt=1, rate=8000):
    ch = samples.shape[1]
    if fmt == 3:
        data = samples.astype("<f4").tobytes()
    elif bits == 8:
        data = (np.clip(np.round(samples * 128) + 128, 0, 255)).astype(np.uint8).tobytes()
    elif bits == 24:
        v = np.clip(np.round(samples * 2 ** 23), -2 ** 23, 2 ** 23 - 1).astype(np.int32).ravel()
        data = b"".join(int(x).to_bytes(3, "little", signed=True) for x in v)
    else:
        v = np.clip(np.round(samples * 2 ** 31), -2 ** 31, 2 ** 31 - 1).astype(np.int64).astype("<i4")
        data = v.tobytes()
    ba = ch * bits // 8
    fmt_chunk = struct.pack("<HHIIHH", fmt, ch, rate, rate * ba, ba, bits)
    extra = b"LIST" + struct.pack("<I", 3) + b"abc\0"  # an odd-sized chunk to skip (padded)
    body = b"WAVEfmt " + struct.pack("<I", len(fmt_chunk)) + fmt_chunk + extra + b"data" + struct.pack("<I", len(data)) + data
    return b"RIFF" + struct.pack("<I", len(body)) + body


def codecs():
    os.makedirs(FILES, exist_ok=True)
    rng = np.random.default_rng(7)
    rgb = rng.integers(0, 256, (9, 13, 3), dtype=np.uint8)
    rgba = rng.integers(0, 256, (7, 5, 4), dtype=np.uint8)
    gray16 = rng.integers(0, 65536, (6, 4, 1), dtype=np.uint16)
    files = {
        "rgb.png": tf.io.encode_png(rgb).numpy(),
        "rgba.png": tf.io.encode_png(rgba).numpy(),
        "gray16.png": tf.io.encode_png(gray16).numpy(),
        "rgb.jpg": tf.io.encode_jpeg(np.repeat(np.repeat(rgb, 3, 0), 3, 1), quality=90).numpy(),
        "gray.jpg": tf.io.encode_jpeg(rgb[:, :, :1]).numpy(),
        "rgb24.bmp": bmp(rgb, 24),
        "rgba32_top_down.bmp": bmp(rgba, 32, top_down=True),
        "palette8.bmp": bmp(np.stack([rgb[:, :, 0] // 64 * 64] * 3, -1), 8),
        "colors8.bmp": bmp(np.stack([rgb[:, :, 0] // 64 * 64, rgb[:, :, 1] // 128 * 100, rgb[:, :, 0] // 64 * 10], -1), 8),
    }
    # TensorFlow reads an 8-bit BMP as one channel of raw palette indices (and crashes when
    # asked for 3); keras-cpp applies the palette: these are the colors written.
    out["img/palette8_bmp/expected"] = (rgb[:, :, :1] // 64 * 64).astype(np.uint8)
    out["img/colors8_bmp/expected"] = np.stack(
        [rgb[:, :, 0] // 64 * 64, rgb[:, :, 1] // 128 * 100, rgb[:, :, 0] // 64 * 10], -1).astype(np.uint8)
    # A palette PNG with a transparency chunk, and an interlaced one, written by Pillow.
    pal = Image.fromarray(rgb[:, :, 0] // 32, mode="L").convert("P")
    pal.putpalette([v for i in range(8) for v in (i * 30, 255 - i * 30, i * 10)])
    pal.info["transparency"] = 3
    pal.save(os.path.join(FILES, "palette_trns.png"), transparency=3)
    Image.fromarray(rgba, mode="RGBA").save(os.path.join(FILES, "interlaced.png"), interlace=1)
    # GIFs: one frame, and an animation whose later frames Pillow crops to what changed
    # (with transparency), so decoding must composite.
    Image.fromarray(rgb).quantize(colors=16).save(os.path.join(FILES, "still.gif"))
    frames = [np.full((10, 12, 3), 20, np.uint8) for _ in range(3)]
    frames[1][2:5, 3:9] = (200, 10, 10)
    frames[2][2:5, 3:9] = (200, 10, 10)
    frames[2][6:9, 1:4] = (10, 200, 10)
    pil = [Image.fromarray(f).convert("P", palette=Image.ADAPTIVE, colors=8) for f in frames]
    pil[0].save(os.path.join(FILES, "animated.gif"), save_all=True, append_images=pil[1:], duration=50, loop=0)
    for name in ("still.gif", "animated.gif"):
        contents = tf.io.read_file(os.path.join(FILES, name))
        key = "img/" + name.replace(".", "_")
        out[key + "/frames"] = tf.io.decode_gif(contents).numpy()
        out[key + "/first"] = tf.io.decode_image(contents, expand_animations=False).numpy()
    for name, data in files.items():
        write(name, data)
    for name in sorted(os.listdir(FILES)):
        if not name.endswith((".png", ".jpg", ".bmp")) or name.endswith("8.bmp"):
            continue
        contents = tf.io.read_file(os.path.join(FILES, name))
        key = name.replace(".", "_")
        out["img/" + key + "/0"] = tf.io.decode_image(contents, expand_animations=False).numpy()
        for ch in (1, 3, 4):
            if name.endswith(".jpg") and ch == 4 or name.endswith(".bmp") and ch == 1:
                continue
            out["img/" + key + "/" + str(ch)] = tf.io.decode_image(contents, channels=ch, expand_animations=False).numpy()
        if not name.endswith(".bmp"):  # (TensorFlow 2.20 crashes on a top-down BMP to float)
            out["img/" + key + "/float"] = tf.io.decode_image(contents, dtype=tf.float32, expand_animations=False).numpy()
        if name.endswith(".jpg"):
            out["img/" + key + "/accurate"] = tf.io.decode_jpeg(contents, dct_method="INTEGER_ACCURATE").numpy()
    # WAV files: TensorFlow's own 16-bit files, and the other sample formats (no oracle:
    # their expected values are the samples written).
    audio = np.round(rng.uniform(-1, 1, (11, 2)) * 32768) / 32768
    audio = np.clip(audio, -1, 32767 / 32768).astype(np.float32)
    write("stereo16.wav", tf.audio.encode_wav(audio, 16000).numpy())
    contents = tf.io.read_file(os.path.join(FILES, "stereo16.wav"))
    for ch, n in ((-1, -1), (1, -1), (3, -1), (-1, 5), (2, 15)):
        d, sr = tf.audio.decode_wav(contents, desired_channels=ch, desired_samples=n)
        out["wav/stereo16/%d/%d" % (ch, n)] = d.numpy()
    out["wav/stereo16/rate"] = np.array(sr.numpy(), np.int32)
    grid = np.array([[-1.0], [-0.5], [0.0], [0.25], [0.5 - 2 ** -7]], np.float32)
    write("mono8.wav", wav(grid, 8))
    write("mono24.wav", wav(grid, 24))
    write("mono32.wav", wav(grid, 32))
    write("monofloat.wav", wav(np.array([[1.5], [-0.1], [0.3]], np.float32), 32, fmt=3))
    out["wav/grid"] = grid
    enc = np.array([[0.9, -0.9], [1.5, -2.0], [0.123456, 0.00001526], [np.float32(1 / 65536), -1.0]], np.float32)
    out["wav/encode_in"] = enc
    out["wav/encode_out"] = np.frombuffer(tf.audio.encode_wav(enc, 22050).numpy(), np.uint8)


def tree():
    """class_a/ and class_b/ (with a nested folder) of .txt, .png, .jpg and .wav files."""
    shutil.rmtree(TREE, ignore_errors=True)
    rng = np.random.default_rng(3)
    texts = {"class_a/a1.txt": b"the first text", "class_a/a2.txt": b"second",
             "class_b/b1.txt": b"a text of class b, longer than the others",
             "class_b/nested/b2.txt": b"nested", "class_b/ignored.csv": b"x,y",
             ".hidden/h.txt": b"hidden class"}
    for name, data in texts.items():
        os.makedirs(os.path.join(TREE, os.path.dirname(name)), exist_ok=True)
        with open(os.path.join(TREE, name), "wb") as f:
            f.write(data)
    sizes = {"class_a/i1.png": (6, 8), "class_a/i2.jpg": (10, 10), "class_b/i3.png": (9, 5),
             "class_b/nested/i4.bmp": (4, 7)}
    for name, (h, w) in sizes.items():
        img = rng.integers(0, 256, (h, w, 3), dtype=np.uint8)
        path = os.path.join(TREE, name)
        if name.endswith(".png"):
            data = tf.io.encode_png(img).numpy()
        elif name.endswith(".jpg"):
            data = tf.io.encode_jpeg(img).numpy()
        else:
            data = bmp(img, 24)
        with open(path, "wb") as f:
            f.write(data)
    frames = [Image.fromarray(rng.integers(0, 256, (7, 9, 3), dtype=np.uint8)).quantize(colors=32) for _ in range(2)]
    frames[0].save(os.path.join(TREE, "class_b/nested/i5.gif"), save_all=True, append_images=frames[1:])
    clips = {"class_a/w1.wav": 5, "class_b/w2.wav": 3, "class_b/nested/w3.wav": 7}
    for name, n in clips.items():
        a = (np.round(rng.uniform(-1, 1, (n, 1)) * 32768) / 32768).clip(-1, 32767 / 32768).astype(np.float32)
        with open(os.path.join(TREE, name), "wb") as f:
            f.write(tf.audio.encode_wav(a, 8000).numpy())
    kw = dict(shuffle=False, verbose=False)
    ds = keras.utils.text_dataset_from_directory(TREE, batch_size=None, **kw)
    for i, (x, _) in enumerate(ds):  # (texts as bytes: .npz string arrays are not read)
        out["tree/text/x/%d" % i] = np.frombuffer(x.numpy(), np.uint8)
    out["tree/text/y"] = np.array([y.numpy() for _, y in ds])
    ds = keras.utils.text_dataset_from_directory(TREE, batch_size=None, max_length=4, label_mode="categorical", **kw)
    for i, (x, _) in enumerate(ds):
        out["tree/text4/x/%d" % i] = np.frombuffer(x.numpy(), np.uint8)
    out["tree/text4/y"] = np.stack([y.numpy() for _, y in ds])
    for mode in ("bilinear", "nearest"):
        for extra in ("", "crop", "pad"):
            args = dict(image_size=(5, 6), interpolation=mode, batch_size=4,
                        crop_to_aspect_ratio=extra == "crop", pad_to_aspect_ratio=extra == "pad")
            x, y = next(iter(keras.utils.image_dataset_from_directory(TREE, **args, **kw)))
            out["tree/image/%s%s/x" % (mode, extra)] = x.numpy()
            out["tree/image/%s%s/y" % (mode, extra)] = y.numpy()
    x, y = next(iter(keras.utils.image_dataset_from_directory(TREE, image_size=(5, 6), batch_size=8, **kw)))
    out["tree/image/all/x"] = x.numpy()
    out["tree/image/all/y"] = y.numpy()
    # (TensorFlow reads no BMP or GIF as grayscale: class_a has none.)
    x, y = next(iter(keras.utils.image_dataset_from_directory(TREE, image_size=(3, 3), color_mode="grayscale",
                                                               class_names=["class_a"], batch_size=4, **kw)))
    out["tree/image/gray/x"] = x.numpy()
    out["tree/image/gray/y"] = y.numpy()
    x, y = next(iter(keras.utils.image_dataset_from_directory(TREE, image_size=(3, 3), label_mode="binary",
                                                               batch_size=4, **kw)))
    out["tree/image/binary/x"] = x.numpy()
    out["tree/image/binary/y"] = y.numpy()
    x, y = next(iter(keras.utils.audio_dataset_from_directory(TREE, batch_size=3, **kw)))
    out["tree/audio/padded/x"] = x.numpy()
    out["tree/audio/padded/y"] = y.numpy()
    x, y = next(iter(keras.utils.audio_dataset_from_directory(TREE, batch_size=3, output_sequence_length=4, **kw)))
    out["tree/audio/fixed/x"] = x.numpy()
    tr, va = keras.utils.text_dataset_from_directory(TREE, batch_size=None, validation_split=0.5, subset="both",
                                                     seed=1, shuffle=False, verbose=False)
    out["tree/split/train"] = np.array([y.numpy() for _, y in tr])
    out["tree/split/val"] = np.array([y.numpy() for _, y in va])


def arrays():
    u = keras.utils
    out["cat/a"] = u.to_categorical(np.array([[0], [2], [1], [3]]))
    out["cat/b"] = u.to_categorical(np.array([[1, 0], [2, 2]]), num_classes=4)
    out["norm/in"] = np.array([[3.0, 4.0, 0.0], [0.0, 0.0, 0.0], [1.0, -2.0, 2.0]], np.float32)
    for order in (1, 2, 3):
        out["norm/%d" % order] = u.normalize(out["norm/in"], order=order)
    # (Keras's NumPy path reads axis=0 as -1 when it expands the norms, `axis or -1`: the
    # expected values are NumPy's norms along axis 0.)
    n = np.linalg.norm(out["norm/in"], 2, 0, keepdims=True)
    out["norm/axis0"] = out["norm/in"] / np.where(n == 0, 1, n)
    seqs = [[1, 2, 3], [4, 5], [], [6, 7, 8, 9, 10]]
    for pad in ("pre", "post"):
        for trunc in ("pre", "post"):
            out["pad/%s_%s" % (pad, trunc)] = u.pad_sequences(seqs, maxlen=4, padding=pad, truncating=trunc, value=-1)
    out["pad/default"] = u.pad_sequences(seqs)
    out["pad/float"] = u.pad_sequences([[0.5, 1.5], [2.5]], dtype="float32", value=0.25)
    out["pad/steps"] = u.pad_sequences([np.ones((2, 3)), np.zeros((0, 3)), 2 * np.ones((1, 3))], maxlen=3)
    data = np.arange(40, dtype=np.float32).reshape(20, 2)
    targets = np.arange(100, 120, dtype=np.int32)
    cases = {"basic": dict(sequence_length=4, batch_size=5),
             "strided": dict(sequence_length=3, sequence_stride=3, sampling_rate=2, batch_size=2),
             "range": dict(sequence_length=2, start_index=3, end_index=15, batch_size=4)}
    for name, kw in cases.items():
        ds = u.timeseries_dataset_from_array(data, targets, **kw)
        xs, ys = zip(*[(x.numpy(), y.numpy()) for x, y in ds])
        out["ts/%s/x" % name] = np.concatenate(xs)
        out["ts/%s/y" % name] = np.concatenate(ys)
        out["ts/%s/batches" % name] = np.array([len(x) for x in xs])
    x = np.arange(10)
    for name, kw in {"int": dict(left_size=3), "frac": dict(right_size=0.25), "both": dict(left_size=0.2, right_size=0.3)}.items():
        left, right = u.split_dataset(x, **kw)
        out["split/%s/left" % name] = np.array([int(v) for v in left])
        out["split/%s/right" % name] = np.array([int(v) for v in right])


def mel():
    """keras.layers.MelSpectrogram and STFTSpectrogram on random audio, and the STFT
    initializer: outputs and configs (audio_layers.json)."""
    import json
    rng = np.random.default_rng(11)
    cases = {"small": (dict(fft_length=64, sequence_stride=16, sampling_rate=8000, num_mel_bins=10), (2, 200)),
             "power": (dict(fft_length=64, sequence_stride=20, sequence_length=48, window="hamming", sampling_rate=8000,
                            num_mel_bins=6, min_freq=100.0, max_freq=3000.0, power_to_db=False, mag_exp=1.0), (3, 150)),
             "db": (dict(fft_length=32, sequence_stride=8, sampling_rate=4000, num_mel_bins=8, top_db=20.0,
                         ref_power=2.0, min_power=1e-6), (97,)),
             "defaults": (dict(), (1, 4000))}
    configs = {}
    for name, (kw, shape) in cases.items():
        layer = keras.layers.MelSpectrogram(**kw)
        x = rng.uniform(-1, 1, shape).astype(np.float32)
        out["mel/%s/x" % name] = x
        out["mel/%s/y" % name] = np.asarray(layer(x))
        cfg = layer.get_config()
        cfg.pop("dtype", None)
        configs[name] = cfg
    out["mel/matrix"] = np.asarray(keras.layers.MelSpectrogram(**cases["small"][0]).linear_to_mel_weight_matrix(
        num_mel_bins=10, num_spectrogram_bins=33, sampling_rate=8000, lower_edge_hertz=20.0, upper_edge_hertz=4000.0))
    stft_cases = {"log": dict(frame_length=16, frame_step=8), "magnitude": dict(mode="magnitude", frame_length=12),
                  "psd": dict(mode="psd", frame_length=16, frame_step=4, fft_length=32, window="hamming",
                              scaling="spectrum", periodic=True),
                  "real": dict(mode="real", frame_length=8, frame_step=8, padding="same", window=None),
                  "imag": dict(mode="imag", frame_length=8, frame_step=3, scaling=None, window="blackman"),
                  "angle": dict(mode="angle", frame_length=8, frame_step=4, window="bartlett"),
                  "stft": dict(mode="stft", frame_length=8, frame_step=4, expand_dims=True),
                  "first": dict(mode="magnitude", frame_length=8, frame_step=4, data_format="channels_first",
                                window="boxcar"),
                  "first_expand": dict(mode="log", frame_length=8, frame_step=2, data_format="channels_first",
                                       expand_dims=True)}
    for name, kw in stft_cases.items():
        layer = keras.layers.STFTSpectrogram(**kw)
        shape = (2, 3, 40) if kw.get("data_format") == "channels_first" else (2, 40, 3)
        x = rng.uniform(-1, 1, shape).astype(np.float32)
        out["stft/%s/x" % name] = x
        out["stft/%s/y" % name] = np.asarray(layer(x))
        cfg = layer.get_config()
        cfg.pop("dtype", None)
        configs["stft_" + name] = cfg
    for window in ("hann", "hamming", "blackman", "bartlett", "boxcar"):
        for periodic in (False, True):
            for side in ("real", "imag"):
                init = keras.initializers.STFT(side=side, window=window, periodic=periodic)
                out["stft_init/%s/%d/%s" % (window, periodic, side)] = np.asarray(init((7, 1, 5)))
    configs["stft_initializer"] = keras.initializers.serialize(keras.initializers.STFT(side="imag", window=None))
    with open(os.path.join(HERE, "audio_layers.json"), "w") as f:
        json.dump(configs, f, indent=1, sort_keys=True)


def image_utils():
    """keras.utils.array_to_img and load_img on PNG files (Pillow decodes PNGs as TensorFlow)."""
    rng = np.random.default_rng(5)
    x = rng.uniform(-3, 5, (4, 6, 3)).astype(np.float32)
    out["img_utils/x"] = x
    out["img_utils/scaled"] = np.asarray(keras.utils.array_to_img(x))
    out["img_utils/unscaled"] = np.asarray(keras.utils.array_to_img(np.abs(x) * 40, scale=False))
    path = os.path.join(FILES, "rgb.png")
    out["img_utils/load"] = np.asarray(keras.utils.load_img(path))
    out["img_utils/load_5x4"] = np.asarray(keras.utils.load_img(path, target_size=(5, 4)))
    out["img_utils/load_keep"] = np.asarray(keras.utils.load_img(path, target_size=(4, 4), keep_aspect_ratio=True))
    out["img_utils/load_rgba"] = np.asarray(keras.utils.load_img(os.path.join(FILES, "rgba.png"), color_mode="rgba"))


def crossing():
    """tf.sparse.cross_hashed through keras.layers.HashedCrossing: strings, integers, mixed."""
    a = np.array(["red", "green", "blue", "", "a long string of text"])
    b = np.array([1, -2, 300000000000, 0, 7], np.int64)
    c = np.array(["x", "y", "x", "y", "z"])
    for name, feats, bins in (("ss", (a, c), 1000), ("si", (a, b), 97), ("is", (b, a), 97), ("sis", (a, b, c), 5),
                              ("big", (a, c), 2 ** 62)):
        out["cross/%s" % name] = np.asarray(keras.layers.HashedCrossing(bins)(list(feats))).astype(np.int64)
    out["cross/onehot"] = np.asarray(keras.layers.HashedCrossing(6, output_mode="one_hot")((a[:, None], c[:, None])))
    out["cross/scalar"] = np.asarray(keras.layers.HashedCrossing(50)((np.array("q"), np.array(3)))).astype(np.int64)


if __name__ == "__main__":
    codecs()
    tree()
    arrays()
    mel()
    image_utils()
    crossing()
    np.savez(os.path.join(HERE, "utils.npz"), **out)
    print(len(out), "arrays")
