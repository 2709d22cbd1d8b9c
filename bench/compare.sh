#!/bin/sh
# compare.sh: symgrad's training step against PyTorch's, side by side.
#
# Runs BenchmarkTrainStep (./models) and, when /usr/bin/python3 has torch,
# bench/torch_bench.py (same models, batch sizes and optimizers, 2 threads,
# OMP_WAIT_POLICY=PASSIVE), interleaved for ROUNDS rounds so that both see
# the same machine load, and prints the median per-step times and their
# ratio. A tool for people, not a test.
#
# usage: bench/compare.sh [-openblas] [-rounds N] [-benchtime D] [-models REGEX]
#   -openblas    build the Go side with -tags openblas (needs libopenblas-dev)
#   -rounds N    interleaved rounds (default 3)
#   -benchtime D go test -benchtime per model and round (default 1s)
#   -models RE   model names, a regular expression (default: all)
set -eu
cd "$(dirname "$0")/.."

tags="" rounds=3 benchtime=1s models='.*'
while [ $# -gt 0 ]; do
	case "$1" in
	-openblas) tags="-tags openblas" ;;
	-rounds) rounds="$2"; shift ;;
	-benchtime) benchtime="$2"; shift ;;
	-models) models="$2"; shift ;;
	*) echo "usage: $0 [-openblas] [-rounds N] [-benchtime D] [-models REGEX]" >&2; exit 2 ;;
	esac
	shift
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# shellcheck disable=SC2086 # tags is empty or two words
go test -c $tags -o "$tmp/models.test" ./models/

python=/usr/bin/python3
torch=no
if [ -x "$python" ] && "$python" -c 'import torch' 2>/dev/null; then
	torch=yes
fi
torchmodels=$(printf '%s\n' simplenet binary mlp mlpbn lenet lstm bilstm gru textcnn transformer | grep -E "^($models)\$" | paste -sd, -)

i=1
while [ "$i" -le "$rounds" ]; do
	echo "round $i/$rounds ..." >&2
	"$tmp/models.test" -test.run '^$' -test.bench "^BenchmarkTrainStep/($models)(/f32)?\$" \
		-test.benchtime "$benchtime" | grep '^BenchmarkTrainStep/' >>"$tmp/go.txt"
	if [ "$torch" = yes ] && [ -n "$torchmodels" ]; then
		OMP_WAIT_POLICY=PASSIVE "$python" bench/torch_bench.py --models "$torchmodels" --seconds 1 >>"$tmp/torch.txt"
	fi
	i=$((i + 1))
done

[ -f "$tmp/torch.txt" ] || : >"$tmp/torch.txt"
build=gonum
[ -n "$tags" ] && build=openblas
echo "symgrad ($build, $(go env GOARCH), $(nproc) cores) vs PyTorch $([ "$torch" = yes ] && "$python" -c 'import torch; print(torch.__version__)' || echo '(not installed)'); medians of $rounds interleaved rounds"
# go.txt lines: BenchmarkTrainStep/mlp/f32-2  N  123 ns/op  0 B/op  0 allocs/op
# torch.txt lines: mlp f32 <median ms> <p10> <p90> <steps>
awk '
function median(list,   n, a, i, j, t) {
	n = split(list, a, " ")
	for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
	return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
FNR == NR {
	name = $1; sub(/^BenchmarkTrainStep\//, "", name); sub(/-[0-9]+$/, "", name)
	dt = "f64"; if (name ~ /\/f32$/) { dt = "f32"; sub(/\/f32$/, "", name) }
	key = name " " dt; go[key] = go[key] " " $3 / 1e6; allocs[key] = $7
	if (!(key in seen)) { seen[key] = 1; order[++n] = key }
	next
}
{ key = $1 " " $2; torch[key] = torch[key] " " $3 }
END {
	printf "%-10s %-5s %12s %12s %10s %14s\n", "model", "dtype", "symgrad ms", "PyTorch ms", "speedup", "allocs/step"
	for (i = 1; i <= n; i++) {
		key = order[i]; split(key, k, " ")
		g = median(go[key])
		if (key in torch) { t = median(torch[key]); printf "%-10s %-5s %12.3f %12.3f %9.2fx %14s\n", k[1], k[2], g, t, t / g, allocs[key] }
		else printf "%-10s %-5s %12.3f %12s %10s %14s\n", k[1], k[2], g, "-", "-", allocs[key]
	}
	print "speedup = PyTorch time / symgrad time (above 1: symgrad is faster)"
}' "$tmp/go.txt" "$tmp/torch.txt"
