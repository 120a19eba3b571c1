#!/usr/bin/env bash
# tests/distribute/run.sh - the distributed-training checks under mpirun (2 ranks on this
# machine), as CI's "distribute" stage runs them:
#   1. keras_tests and the examples do not link MPI (only keras-cpp-distribute users do)
#   2. dist_check equivalence: 2-rank fit == single-process fit (weights, History, evaluate),
#      over shared memory (one bucket; small buckets overlapped with the backward pass;
#      small buckets without overlap), then over TCP (loopback, small overlapped buckets)
#   2c. the same across two network namespaces joined by a veth pair (tests/distribute/
#      netns.sh; reported skipped where namespaces cannot be made)
#   2d. dist_check shard: data::auto_shard gives the ranks disjoint files (FILE) or
#      disjoint batches (DATA), together everything
#   2e. dist_check fileshard: fit and evaluate on 3 uneven files, sharded by FILE; both
#      ranks run the longer shard's steps, every line once an epoch, History equal
#   2f. dist_check distribution: keras::distribution (layouts, devices, DataParallel fit
#      == one process's, distribute_tensor / distribute_dataset), alone and on 2 ranks
#   3. fault: rank 1 SIGKILLs itself mid-training; rank 0 must be gone within 30 s and
#      the error must name rank 1; relaunching resumes from BackupAndRestore and ends on
#      the weights of an uninterrupted 2-rank run, bit for bit
#   4. dist_check nccl: the NCCL path (reported skipped with fewer than 2 GPUs)
# Prints "distribute: N passed, N failed, N skipped" and fails when anything failed.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
BUILD_DIR=${BUILD_DIR:-build}
BIN="$BUILD_DIR/tests/distribute/dist_check"
MPIRUN_BASE=(mpirun -np 2 --allow-run-as-root --oversubscribe --bind-to none
             --mca btl_vader_single_copy_mechanism none)
MPIRUN=("${MPIRUN_BASE[@]}" --mca btl self,vader,tcp)   # shared memory between local ranks
passed=0 failed=0 skipped=0
ok() { echo "distribute: PASS $*"; passed=$((passed + 1)); }
bad() { echo "distribute: FAIL $*" >&2; failed=$((failed + 1)); }

if [ ! -x "$BIN" ]; then
  echo "distribute: $BIN is missing (is Open MPI installed? apt-get install libopenmpi-dev openmpi-bin)" >&2
  exit 1
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# 1. MPI stays out of programs that use no strategy.
if ldd "$BUILD_DIR/tests/keras_tests" | grep -qi 'libmpi'; then bad "keras_tests links MPI"
else ok "keras_tests does not link MPI"; fi

# 2. Equivalence with one process: one bucket, then 256-byte buckets overlapped with the
#    backward pass (several all-reduces on the communication thread), then without overlap.
for args in "" "256 1" "256 0"; do
  # shellcheck disable=SC2086
  if timeout 300 "${MPIRUN[@]}" "$BIN" equivalence $args >"$tmp/eq.log" 2>&1 && grep -q '^PASS equivalence' "$tmp/eq.log"; then
    ok "$(sed -n 's/^PASS //p' "$tmp/eq.log")"
  else
    cat "$tmp/eq.log" >&2; bad "2-rank fit differs from single-process fit (equivalence $args)"
  fi
done

# 2b. The same over TCP (loopback) instead of shared memory.
if timeout 300 "${MPIRUN_BASE[@]}" --mca btl self,tcp "$BIN" equivalence 256 1 >"$tmp/eq_tcp.log" 2>&1 &&
   grep -q '^PASS equivalence' "$tmp/eq_tcp.log"; then
  ok "over TCP: $(sed -n 's/^PASS //p' "$tmp/eq_tcp.log")"
else
  cat "$tmp/eq_tcp.log" >&2; bad "2-rank fit over TCP differs from single-process fit"
fi

# 2c. Across two network namespaces joined by a veth pair: TCP over a link, not loopback.
bash tests/distribute/netns.sh "$BIN" "$tmp" >"$tmp/netns.log" 2>&1
rc=$?
sent=$(sed -n 's/^veth .* sent \([0-9]*\) bytes$/\1/p' "$tmp/netns.log")
if ((rc == 77)); then
  echo "distribute: $(grep -m1 '^SKIPPED' "$tmp/netns.log")"; skipped=$((skipped + 1))
elif ((rc == 0)) && grep -q '^PASS equivalence' "$tmp/netns.log" && [ "${sent:-0}" -gt 10000 ]; then
  ok "across two network namespaces (veth, ${sent} bytes sent over it): $(sed -n 's/^PASS //p' "$tmp/netns.log")"
else
  cat "$tmp/netns.log" >&2; bad "2-rank fit across network namespaces"
fi

# 2d. Input sharding: data::auto_shard by file (5 files) and by data (1 file).
mkdir -p "$tmp/shard"
if timeout 120 "${MPIRUN[@]}" "$BIN" shard "$tmp/shard" >"$tmp/shard.log" 2>&1 && grep -q '^PASS shard' "$tmp/shard.log"; then
  ok "$(sed -n 's/^PASS //p' "$tmp/shard.log")"
else
  cat "$tmp/shard.log" >&2; bad "auto_shard: the ranks' shards overlap or miss lines"
fi

# 2e. fit / evaluate on uneven files: sharded by FILE, the ranks agree on the end of each pass.
mkdir -p "$tmp/fileshard"
if timeout 120 "${MPIRUN[@]}" "$BIN" fileshard "$tmp/fileshard" >"$tmp/fileshard.log" 2>&1 &&
   grep -q '^PASS fileshard' "$tmp/fileshard.log"; then
  ok "$(sed -n 's/^PASS //p' "$tmp/fileshard.log")"
else
  cat "$tmp/fileshard.log" >&2; bad "fit on uneven file shards (hang, or steps, lines, History or weights differ)"
fi

# 2f. keras::distribution (Keras 3's API): alone, then over 2 ranks.
for launch in single mpirun; do
  if [ "$launch" = single ]; then cmd=("$BIN" distribution); else cmd=("${MPIRUN[@]}" "$BIN" distribution); fi
  if timeout 120 "${cmd[@]}" >"$tmp/distribution.log" 2>&1 && grep -q '^PASS distribution' "$tmp/distribution.log"; then
    ok "$(sed -n 's/^PASS //p' "$tmp/distribution.log")"
  else
    cat "$tmp/distribution.log" >&2; bad "keras::distribution ($launch)"
  fi
done

# 3. Fault: a rank killed mid-training, then a relaunch that resumes.
timeout 300 "${MPIRUN[@]}" "$BIN" resume "$tmp/backup_ref" "$tmp/ref.bin" >"$tmp/ref.log" 2>&1 ||
  { cat "$tmp/ref.log" >&2; bad "uninterrupted run"; }
start=$(date +%s)
timeout 120 "${MPIRUN[@]}" "$BIN" resume "$tmp/backup" "$tmp/resumed.bin" 2 17 >"$tmp/kill.log" 2>&1
rc=$?
elapsed=$(($(date +%s) - start))
if ((rc == 0)); then
  cat "$tmp/kill.log" >&2; bad "the run with a killed rank exited 0"
elif ((rc == 124)); then
  cat "$tmp/kill.log" >&2; bad "the run with a killed rank hung (timeout after 120 s)"
elif ! grep -qE 'process rank 1 .*(exited|killed)' "$tmp/kill.log"; then
  cat "$tmp/kill.log" >&2; bad "the error does not name the lost rank 1"
else
  # the time from the kill (the launch included) to the survivor's exit
  if ((elapsed <= 30)); then ok "killed rank 1: job ended in ${elapsed} s (exit $rc) naming it: $(grep -m1 -E 'process rank 1 ' "$tmp/kill.log")"
  else bad "killed rank 1: the job took ${elapsed} s to end (limit 30 s)"; fi
fi
if [ ! -f "$tmp/backup/latest.ckpt" ]; then bad "no backup left by the killed run"; fi
timeout 300 "${MPIRUN[@]}" "$BIN" resume "$tmp/backup" "$tmp/resumed.bin" >"$tmp/resume.log" 2>&1 ||
  { cat "$tmp/resume.log" >&2; bad "the relaunch failed"; }
if ! grep -q '^resumed at epoch' "$tmp/resume.log"; then
  cat "$tmp/resume.log" >&2; bad "the relaunch did not resume from the backup"
elif [ -f "$tmp/ref.bin" ] && [ -f "$tmp/resumed.bin" ] && cmp -s "$tmp/ref.bin" "$tmp/resumed.bin"; then
  ok "the relaunch $(grep -m1 '^resumed at epoch' "$tmp/resume.log") from the backup and ended on the uninterrupted run's weights, bit for bit ($(stat -c %s "$tmp/ref.bin") bytes)"
else
  bad "the resumed weights differ from the uninterrupted run's"
fi

# 4. NCCL.
timeout 300 "${MPIRUN[@]}" "$BIN" nccl >"$tmp/nccl.log" 2>&1
rc=$?
if ((rc == 77)) || grep -q '^SKIPPED' "$tmp/nccl.log"; then
  echo "distribute: $(grep -m1 '^SKIPPED' "$tmp/nccl.log")"; skipped=$((skipped + 1))
elif ((rc == 0)); then ok "$(sed -n 's/^PASS //p' "$tmp/nccl.log") (NCCL)"
else cat "$tmp/nccl.log" >&2; bad "NCCL equivalence"; fi

echo "distribute: $passed passed, $failed failed, $skipped skipped"
((failed == 0))
