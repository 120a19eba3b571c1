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

With overlap (--late-bytes L --hide-s H): the buckets but the last L bytes are ready H
seconds before the backward pass ends and are reduced, one after another, meanwhile; the
last L bytes are ready only at its end:
  step(P) = compute + max(0, allreduce(P, n - L) - H) + allreduce(P, L)

Usage: scaling_model.py --alpha A --beta B --grad-bytes N --bucket-bytes K --compute-s T
                        [--late-bytes L --hide-s H] [--name LABEL] [--markdown]
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
    ap.add_argument("--late-bytes", type=float, default=None)
    ap.add_argument("--hide-s", type=float, default=0.0)
    ap.add_argument("--name", default="")
    ap.add_argument("--markdown", action="store_true")
    a = ap.parse_args()
    k = max(1, math.ceil(a.grad_bytes / a.bucket_bytes))
    overlap = a.late_bytes is not None
    rows = []
    for p in [2, 8, 16, 32, 64, 128, 256, 512, 1024]:
        r, t = ring(p, a.grad_bytes, k, a.alpha, a.beta), tree(p, a.grad_bytes, k, a.alpha, a.beta)
        h = halving_doubling(p, a.grad_bytes, k, a.alpha, a.beta)
        best = min(r, t)
        row = [p, r, t, a.compute_s + best, a.compute_s / (a.compute_s + best), h, a.compute_s / (a.compute_s + h)]
        if overlap:
            def cost(nbytes):
                kb = max(1, math.ceil(nbytes / a.bucket_bytes)) if nbytes > 0 else 0
                return min(ring(p, nbytes, kb, a.alpha, a.beta), tree(p, nbytes, kb, a.alpha, a.beta)) if kb else 0.0
            exposed = max(0.0, cost(a.grad_bytes - a.late_bytes) - a.hide_s) + cost(a.late_bytes)
            row += [a.compute_s + exposed, a.compute_s / (a.compute_s + exposed)]
        rows.append(row)
    if a.markdown:
        print(f"{a.name}: alpha {a.alpha * 1e6:.2f} us, beta {a.beta:.3e} s/B ({1e-9 / a.beta:.2f} GB/s), "
              f"gradients {a.grad_bytes / 1e6:.3f} MB in {k} bucket(s), compute {a.compute_s * 1e3:.3f} ms/step"
              + (f"; overlap: {a.late_bytes / 1e6:.3f} MB late, {a.hide_s * 1e3:.3f} ms to hide behind" if overlap else "")
              + "\n")
        head = "| workers | ring (ms) | tree (ms) | step, best of ring/tree (ms) | efficiency | halving-doubling (ms) | its efficiency |"
        print(head + (" step with overlap (ms) | its efficiency |" if overlap else ""))
        print("|--:|--:|--:|--:|--:|--:|--:|" + ("--:|--:|" if overlap else ""))
        for row in rows:
            p, r, t, s_, e, h, eh = row[:7]
            line = f"| {p} | {r * 1e3:.3f} | {t * 1e3:.3f} | {s_ * 1e3:.3f} | {e * 100:.1f}% | {h * 1e3:.3f} | {eh * 100:.1f}% |"
            if overlap:
                line += f" {row[7] * 1e3:.3f} | {row[8] * 100:.1f}% |"
            print(line)
    else:
        for row in rows:
            print(*row)

if __name__ == "__main__":
    main()
