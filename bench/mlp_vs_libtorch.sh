#!/usr/bin/env bash
# mlp_vs_libtorch.sh - bench_mlp_fashion against ../shared/peers/run.sh mlp (libtorch),
# alternately: bench/vs_libtorch.sh mlp with the same flags and environment.
#   bench/mlp_vs_libtorch.sh [--epochs 3 --batch 32 --threads 1 ...]   (PAIRS=3, PEER_FLAGS="--blas-threads 1")
exec "$(dirname "${BASH_SOURCE[0]}")/vs_libtorch.sh" mlp "$@"
