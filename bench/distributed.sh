#!/bin/sh
# distributed.sh: data-parallel throughput of examples/distributed.
#
# Measures samples/s of one zoo model (default lstm, global batch 64) with
# 1, 2 and 4 replicas in one process, and with 1 and 2 MPI ranks (one
# replica each) when OpenMPI is installed; then the time of one float64
# allreduce against the gradient size (1e3 .. 1e7 elements) over 2 ranks.
# Each configuration runs ROUNDS times, interleaved, and the median is
# printed. Run it on an idle machine: other processes change the numbers.
# A tool for people, not a test; docs/distributed.md holds the results.
#
# usage: bench/distributed.sh [-model NAME] [-batch B] [-steps N] [-rounds R] [-openblas]
#   -model NAME  zoo model (default lstm)
#   -batch B     global batch (default 64; a multiple of 4)
#   -steps N     optimizer steps per run (default 60)
#   -rounds R    interleaved runs per configuration (default 3)
#   -openblas    build with -tags openblas (OPENBLAS_NUM_THREADS=1: the
#                replicas and ranks use the cores)
set -eu
cd "$(dirname "$0")/.."

model=lstm batch=64 steps=60 rounds=3 tags=""
while [ $# -gt 0 ]; do
	case "$1" in
	-model) model="$2"; shift ;;
	-batch) batch="$2"; shift ;;
	-steps) steps="$2"; shift ;;
	-rounds) rounds="$2"; shift ;;
	-openblas) tags="openblas"; export OPENBLAS_NUM_THREADS=1 ;;
	*) echo "usage: $0 [-model NAME] [-batch B] [-steps N] [-rounds R] [-openblas]" >&2; exit 2 ;;
	esac
	shift
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -tags "$tags" -o "$tmp/distributed" ./examples/distributed
mpi=""
if command -v mpirun >/dev/null 2>&1 && pkg-config --exists ompi-c 2>/dev/null; then
	go build -tags "mpi $tags" -o "$tmp/distributed-mpi" ./examples/distributed
	go test -c -tags "mpi $tags" -o "$tmp/mpi.test" ./parallel/mpi
	mpi="mpirun --bind-to none --oversubscribe"
	[ "$(id -u)" = 0 ] && mpi="$mpi --allow-run-as-root"
else
	echo "note: no OpenMPI (apt-get install openmpi-bin libopenmpi-dev): rank runs skipped" >&2
fi

# rate CMD...: the samples/s a run prints.
rate() { "$@" | awk '/^samples\/s/ {print $2}'; }

args="-model $model -batch $batch -steps $steps -seed 1"
configs="r1 r2 r4"
[ -n "$mpi" ] && configs="$configs p1 p2"
for i in $(seq "$rounds"); do
	for c in $configs; do
		case "$c" in
		r*) v=$(rate "$tmp/distributed" $args -replicas "${c#r}") ;;
		p*) v=$(rate $mpi -np "${c#p}" "$tmp/distributed-mpi" $args -replicas 1) ;;
		esac
		echo "$v" >>"$tmp/$c"
	done
done

median() { sort -g "$1" | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }
base=$(median "$tmp/r1")
echo "model $model, global batch $batch, $steps steps, median of $rounds runs${tags:+, $tags}"
printf '%-22s %12s %8s\n' configuration samples/s speedup
for c in $configs; do
	m=$(median "$tmp/$c")
	case "$c" in
	r*) name="1 process, ${c#r} replica(s)" ;;
	p*) name="${c#p} rank(s) x 1 replica" ;;
	esac
	printf '%-22s %12s %8s\n' "$name" "$m" "$(awk -v a="$m" -v b="$base" 'BEGIN {printf "%.2fx", a/b}')"
done
if [ -n "$mpi" ]; then
	echo
	$mpi -np 2 -x SYMGRAD_MPI_ALLREDUCE_BENCH=1 "$tmp/mpi.test"
fi
