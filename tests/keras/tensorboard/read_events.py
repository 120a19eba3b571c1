#!/usr/bin/env python3
"""Reads a keras-cpp TensorBoard log folder with the tensorboard package's own reader
(EventAccumulator, as TensorBoard's server does) and checks what it finds: every
scalar tag Keras 3 writes for the run, the weight histograms and the graph.

    build/examples/fashion_mnist_mlp --epochs 2 --tensorboard /tmp/tb
    /work/venv/bin/python tests/keras/tensorboard/read_events.py /tmp/tb

Prints each run's tags with their steps and values, and exits 1 on a missing piece.
"""
import sys

from tensorboard.backend.event_processing import event_accumulator


def load(path):
    acc = event_accumulator.EventAccumulator(path, size_guidance={event_accumulator.SCALARS: 0,
                                                                  event_accumulator.HISTOGRAMS: 0})
    acc.Reload()
    return acc


def main(log_dir):
    ok = True
    train, val = load(log_dir + "/train"), load(log_dir + "/validation")
    for name, acc in (("train", train), ("validation", val)):
        tags = acc.Tags()
        print(f"{name}: scalars {sorted(tags['scalars'])}")
        for tag in sorted(tags["scalars"]):
            events = acc.Scalars(tag)
            shown = ", ".join(f"{e.step}: {e.value:.4f}" for e in events[:6])
            print(f"  {tag}: {len(events)} points ({shown}{', ...' if len(events) > 6 else ''})")
        print(f"{name}: histograms {len(tags['histograms'])}, graph {tags['graph']}")
    want_train = {"epoch_loss", "epoch_accuracy", "epoch_learning_rate", "batch_loss", "batch_accuracy"}
    want_val = {"epoch_loss", "epoch_accuracy", "evaluation_loss_vs_iterations"}
    for want, acc, name in ((want_train, train, "train"), (want_val, val, "validation")):
        missing = want - set(acc.Tags()["scalars"])
        if missing:
            print(f"MISSING in {name}: {sorted(missing)}")
            ok = False
    hists = train.Tags()["histograms"]
    if not hists:
        print("MISSING: weight histograms")
        ok = False
    else:
        h = train.Histograms(hists[0])[0]
        print(f"histogram {hists[0]} at step {h.step}: {h.histogram_value.num:.0f} values in "
              f"[{h.histogram_value.min:.4f}, {h.histogram_value.max:.4f}], {len(h.histogram_value.bucket)} buckets")
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
