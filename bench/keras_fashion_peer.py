"""keras_fashion_peer.py - what the Keras 3 (TensorFlow backend, CPU) peers of the
Fashion-MNIST sequence benchmarks share (bench/lstm_keras.py, bench/transformer_keras.py):
each image's 28 rows as 28 timesteps of 28 features, the model a script builds, Adam(1e-3),
sparse categorical cross-entropy on logits, model.fit on the first 12,800 training images,
shuffled each epoch. Measures training samples/s per epoch (median over epochs after the
first, which includes tracing), step_ms (epoch time / steps), predict samples/s on the 10k
test images at batch 256 (median of 3), test accuracy, peak RSS. One JSON line on stdout.
Flags: [--epochs 4] [--batch 64] [--threads 1] [--seed 42].
"""
import argparse, gzip, json, os, resource, statistics, time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
import numpy as np

SAMPLES = 12800


def load_split(d, split):
    with gzip.open(f"{d}/{split}-images-idx3-ubyte.gz", "rb") as f:
        img = f.read()
    with gzip.open(f"{d}/{split}-labels-idx1-ubyte.gz", "rb") as f:
        lab = f.read()
    n = int.from_bytes(img[4:8], "big")
    x = np.frombuffer(img, np.uint8, offset=16).reshape(n, 28, 28).astype(np.float32) / 255.0
    y = np.frombuffer(lab, np.uint8, offset=8).astype(np.int32)
    return x, y


def run(model_name, build_model):
    """Parses the flags, trains build_model(keras) on Fashion-MNIST rows, prints the JSON line."""
    p = argparse.ArgumentParser()
    p.add_argument("--epochs", type=int, default=4)
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--warmup-steps", type=int, default=0, help="accepted for flag parity; unused")
    a = p.parse_args()
    import tensorflow as tf
    tf.config.threading.set_intra_op_parallelism_threads(a.threads)
    tf.config.threading.set_inter_op_parallelism_threads(a.threads)
    import keras

    keras.utils.set_random_seed(a.seed)
    d = os.environ.get("FASHION_MNIST_DIR") or "/usr/share/datasets/fashion-mnist"
    xtr, ytr = load_split(d, "train")
    xtr, ytr = xtr[:SAMPLES], ytr[:SAMPLES]
    xte, yte = load_split(d, "t10k")

    model = build_model(keras)
    model.compile(optimizer=keras.optimizers.Adam(1e-3),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    times = []

    class Timer(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            self.t = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            times.append(time.perf_counter() - self.t)

    model.fit(xtr, ytr, batch_size=a.batch, epochs=a.epochs, shuffle=True, verbose=0, callbacks=[Timer()])
    steps = -(-SAMPLES // a.batch)
    timed = times[1:] if len(times) > 1 else times
    sps = [SAMPLES / t for t in timed]
    model.predict(xte, batch_size=256, verbose=0)
    pred = []
    for _ in range(3):
        t = time.perf_counter()
        logits = model.predict(xte, batch_size=256, verbose=0)
        pred.append(len(xte) / (time.perf_counter() - t))
    acc = float((logits.argmax(1) == yte).mean())
    print(json.dumps({
        "impl": "keras3-tf", "model": model_name, "batch": a.batch, "threads": a.threads, "epochs": a.epochs,
        "train_samples_per_s": round(statistics.median(sps)),
        "train_samples_per_s_epochs": [round(s) for s in sps],
        "step_ms": round(1e3 * statistics.median(timed) / steps, 4),
        "predict_samples_per_s": round(statistics.median(pred)),
        "test_accuracy": round(acc, 4),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }))
