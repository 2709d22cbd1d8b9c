#!/usr/bin/env bash
# Runs every fuzz target of the module for a short time each (FUZZTIME,
# default 5s): the targets are listed with `go test -list '^Fuzz'` in every
# package whose tests define one, so a new target is picked up unasked.
# Exits non-zero at the first target that finds a failure (its input is
# then in that package's testdata/fuzz/<Target>/).
set -euo pipefail
cd "$(dirname "$0")/.."
fuzztime=${FUZZTIME:-5s}
dirs=$(grep -rl --include='*_test.go' '^func Fuzz' . | xargs -n1 dirname | sort -u)
n=0
for d in $dirs; do
	for target in $(go test -list '^Fuzz' "$d" | grep '^Fuzz' || true); do
		echo "== fuzz $d $target ($fuzztime)"
		go test -run '^$' -fuzz "^${target}\$" -fuzztime "$fuzztime" "$d" >/tmp/symgrad-fuzz.txt 2>&1 || { cat /tmp/symgrad-fuzz.txt; exit 1; }
		tail -n 1 /tmp/symgrad-fuzz.txt
		n=$((n + 1))
	done
done
echo "== $n fuzz targets passed ($fuzztime each)"
