#!/usr/bin/env bash
# cnn_vs_libtorch.sh - bench_cnn_fashion against ../shared/peers/run.sh cnn (libtorch),
# alternately: bench/vs_libtorch.sh cnn with the same flags and environment.
#   bench/cnn_vs_libtorch.sh [--epochs 3 --batch 32 --threads 1 ...]   (PAIRS=3, PEER_FLAGS="--blas-threads 1")
exec "$(dirname "${BASH_SOURCE[0]}")/vs_libtorch.sh" cnn "$@"
