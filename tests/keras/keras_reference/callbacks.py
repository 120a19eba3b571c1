"""Drives Keras 3's EarlyStopping and ReduceLROnPlateau with fixed sequences of a
monitored value and prints what they do, for tests/keras/test_callbacks_keras.cpp.

    python3 tests/keras/keras_reference/callbacks.py   (needs keras 3 and a backend)

Printed with Keras 3.15.1 (TensorFlow backend); the C++ test holds these outputs.
"""
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import keras  # noqa: E402


class FakeModel:
    def __init__(self, lr=0.1):
        self.stop_training = False
        self.optimizer = keras.optimizers.SGD(learning_rate=lr)

    def get_weights(self):
        return []


def early_stopping(name, values, **kw):
    cb = keras.callbacks.EarlyStopping(**kw)
    m = FakeModel()
    cb.set_model(m)
    cb.on_train_begin()
    stopped = -1
    for epoch, v in enumerate(values):
        cb.on_epoch_end(epoch, {kw.get("monitor", "val_loss"): v})
        if m.stop_training:
            stopped = epoch
            break
    print(f"early_stopping {name}: stops after epoch {stopped}")


def reduce_lr(name, values, lr=0.1, **kw):
    cb = keras.callbacks.ReduceLROnPlateau(**kw)
    m = FakeModel(lr)
    cb.set_model(m)
    cb.on_train_begin()
    lrs = []
    for epoch, v in enumerate(values):
        cb.on_epoch_end(epoch, {kw.get("monitor", "val_loss"): v})
        lrs.append(float(m.optimizer.learning_rate))
    print(f"reduce_lr {name}: " + ", ".join(f"{x:.6g}" for x in lrs))


losses = [1.0, 0.95, 0.85, 0.8, 0.79, 0.7, 0.69, 0.68]
early_stopping("min_delta 0", losses, patience=2)
early_stopping("min_delta 0.1", losses, patience=2, min_delta=0.1)
early_stopping("min_delta 0.1 patience 1", losses, patience=1, min_delta=0.1)
accs = [0.5, 0.6, 0.62, 0.61, 0.7, 0.69, 0.68, 0.69]
early_stopping("accuracy max", accs, monitor="val_accuracy", mode="max", patience=2)
early_stopping("accuracy max min_delta 0.05", accs, monitor="val_accuracy", mode="max",
               patience=2, min_delta=0.05)
early_stopping("accuracy mode min", accs, monitor="val_accuracy", mode="min", patience=2)
slow = [0.9, 0.8, 0.85, 0.86, 0.6, 0.61, 0.62]
early_stopping("no baseline", slow, patience=2)
early_stopping("baseline not beaten", slow, patience=2, baseline=0.55)
early_stopping("baseline beaten", [0.9, 0.5, 0.52, 0.53, 0.54, 0.55], patience=3, baseline=0.55)
early_stopping("baseline accuracy", accs, monitor="val_accuracy", mode="max", patience=2, baseline=0.65)

plateau = [1.0, 0.95, 0.92, 0.91, 0.5, 0.55, 0.6, 0.7, 0.8, 0.9, 1.0]
reduce_lr("min", plateau, factor=0.5, patience=2, min_delta=0.1, cooldown=1, min_lr=0.02)
reduce_lr("default min_delta", [1.0, 0.99995, 0.9999, 0.99, 0.99, 0.99], factor=0.5, patience=1)
reduce_lr("max", accs, monitor="val_accuracy", mode="max", factor=0.1, patience=1, min_delta=0.0)
reduce_lr("cooldown 2", [1.0] * 9, factor=0.5, patience=1, cooldown=2)
