#!/usr/bin/env python3
"""Reads a keras-cpp TensorBoard log folder with the tensorboard package's own reader
(EventAccumulator, as TensorBoard's server does) and checks what it finds: every
scalar tag Keras 3 writes for the run, the weight histograms and the graph, as the
tensor summaries tf.summary writes (plugins "scalars" and "histograms").

    build/examples/fashion_mnist_mlp --epochs 2 --tensorboard /tmp/tb
    /work/venv/bin/python tests/keras/tensorboard/read_events.py /tmp/tb

Prints each run's tags with their steps and values, and exits 1 on a missing piece.
"""
import sys

from tensorboard.backend.event_processing import event_accumulator
from tensorboard.util import tensor_util


def load(path):
    acc = event_accumulator.EventAccumulator(path, size_guidance={event_accumulator.TENSORS: 0})
    acc.Reload()
    return acc


def tags_of(acc, plugin):
    try:
        return sorted(acc.PluginTagToContent(plugin))
    except KeyError:  # no summary of that plugin
        return []


def main(log_dir):
    ok = True
    train, val = load(log_dir + "/train"), load(log_dir + "/validation")
    for name, acc in (("train", train), ("validation", val)):
        scalars = tags_of(acc, "scalars")
        print(f"{name}: scalars {scalars}")
        for tag in scalars:
            events = acc.Tensors(tag)
            shown = ", ".join(f"{e.step}: {float(tensor_util.make_ndarray(e.tensor_proto)):.4f}" for e in events[:6])
            print(f"  {tag}: {len(events)} points ({shown}{', ...' if len(events) > 6 else ''})")
        print(f"{name}: histograms {len(tags_of(acc, 'histograms'))}, graph {acc.Tags()['graph']}")
    want_train = {"epoch_loss", "epoch_accuracy", "epoch_learning_rate", "batch_loss", "batch_accuracy"}
    want_val = {"epoch_loss", "epoch_accuracy", "evaluation_loss_vs_iterations"}
    for want, acc, name in ((want_train, train, "train"), (want_val, val, "validation")):
        missing = want - set(tags_of(acc, "scalars"))
        if missing:
            print(f"MISSING in {name}: {sorted(missing)}")
            ok = False
    hists = tags_of(train, "histograms")
    if not hists:
        print("MISSING: weight histograms")
        ok = False
    else:
        event = train.Tensors(hists[0])[0]
        rows = tensor_util.make_ndarray(event.tensor_proto)
        print(f"histogram {hists[0]} at step {event.step}: {rows[:, 2].sum():.0f} values in "
              f"[{rows[0, 0]:.4f}, {rows[-1, 1]:.4f}], {len(rows)} buckets")
    if not train.Tags()["graph"]:
        print("MISSING: the graph")
        ok = False
    else:
        g = train.Graph()
        ops = sorted({n.op for n in g.node})
        print(f"graph: {len(g.node)} nodes, ops {ops}")
    print("read_events: OK" if ok else "read_events: FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
