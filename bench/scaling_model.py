#!/usr/bin/env python3
"""The data-parallel scaling model of docs/scaling.md: predicted step time and weak-scaling
efficiency for P workers from a transport's latency alpha (s) and inverse bandwidth beta
(s/byte), the gradient size, the bucket size and the measured single-replica step time.

  ring all-reduce of n bytes in k buckets:  k * 2 (P-1) alpha + 2 (P-1)/P * n * beta
  tree (binomial reduce + broadcast):       k * 2 log2(P) alpha + 2 log2(P) * n * beta
  halving-doubling (Rabenseifner; NCCL's pipelined double binary tree has the same terms):
                                            k * 2 log2(P) alpha + 2 (P-1)/P * n * beta
  step(P) = compute + allreduce(P)          (no overlap with the backward pass)
  efficiency(P) = compute / step(P)         (per-replica batch fixed: weak scaling)

Usage: scaling_model.py --alpha A --beta B --grad-bytes N --bucket-bytes K --compute-s T
                        [--name LABEL] [--markdown]
"""
import argparse
import math


def ring(p, n, k, alpha, beta):
    return 0.0 if p == 1 else k * 2 * (p - 1) * alpha + 2 * (p - 1) / p * n * beta


def tree(p, n, k, alpha, beta):
    return 0.0 if p == 1 else k * 2 * math.log2(p) * alpha + 2 * math.log2(p) * n * beta


def halving_doubling(p, n, k, alpha, beta):
    return 0.0 if p == 1 else k * 2 * math.log2(p) * alpha + 2 * (p - 1) / p * n * beta


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--alpha", type=float, required=True)
    ap.add_argument("--beta", type=float, required=True)
    ap.add_argument("--grad-bytes", type=float, required=True)
    ap.add_argument("--bucket-bytes", type=float, default=4 << 20)
    ap.add_argument("--compute-s", type=float, required=True)
    ap.add_argument("--name", default="")
    ap.add_argument("--markdown", action="store_true")
    a = ap.parse_args()
    k = max(1, math.ceil(a.grad_bytes / a.bucket_bytes))
    rows = []
    for p in [2, 8, 16, 32, 64, 128, 256, 512, 1024]:
        r, t = ring(p, a.grad_bytes, k, a.alpha, a.beta), tree(p, a.grad_bytes, k, a.alpha, a.beta)
        h = halving_doubling(p, a.grad_bytes, k, a.alpha, a.beta)
        best = min(r, t)
        rows.append((p, r, t, a.compute_s + best, a.compute_s / (a.compute_s + best), h, a.compute_s / (a.compute_s + h)))
    if a.markdown:
        print(f"{a.name}: alpha {a.alpha * 1e6:.2f} us, beta {a.beta:.3e} s/B ({1e-9 / a.beta:.2f} GB/s), "
              f"gradients {a.grad_bytes / 1e6:.3f} MB in {k} bucket(s), compute {a.compute_s * 1e3:.3f} ms/step\n")
        print("| workers | ring (ms) | tree (ms) | step, best of ring/tree (ms) | efficiency | halving-doubling (ms) | its efficiency |")
        print("|--:|--:|--:|--:|--:|--:|--:|")
        for p, r, t, s, e, h, eh in rows:
            print(f"| {p} | {r * 1e3:.3f} | {t * 1e3:.3f} | {s * 1e3:.3f} | {e * 100:.1f}% | {h * 1e3:.3f} | {eh * 100:.1f}% |")
    else:
        for row in rows:
            print(*row)


if __name__ == "__main__":
    main()
