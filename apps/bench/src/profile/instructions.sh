#!/bin/sh
# Instructions per operation of profile-gaps.ts cases under callgrind: each case runs twice,
# with 0 and with <ops> timed operations after the same setup, and the difference of the
# two totals over <ops> is what one operation costs. Instruction counts repeat to within a
# few per cent on a loaded machine where times move by 2x. Slow (valgrind): minutes per run.
#   sh src/profile/instructions.sh <keys> <ops> <case>...   (from apps/bench)
# Leaves <out>/<case>-<ops>.out for callgrind_annotate (out: $OUT or /tmp/stowage-callgrind).
set -eu
keys=$1
ops=$2
shift 2
out=${OUT:-/tmp/stowage-callgrind}
mkdir -p "$out"
total() {
  valgrind --tool=callgrind --smc-check=all --callgrind-out-file="$out/$1-$2.out" \
    node --conditions=@stowage/source --import tsx src/profile/profile-gaps.ts "$1" "$keys" "$2" 2>&1 >/dev/null |
    sed -n 's/^==[0-9]*== Collected : //p'
}
for name in "$@"; do
  base=$(total "$name" 0)
  with=$(total "$name" "$ops")
  echo "$name: $(((with - base) / ops)) instructions per operation ($base without the $ops operations, $with with)"
done
