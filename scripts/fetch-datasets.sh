#!/usr/bin/env bash
# fetch-datasets.sh: copy scikit-learn's bundled datasets (breast_cancer.csv,
# iris.csv, wine_data.csv, digits.csv.gz) into a folder, for the examples'
# -data flag:
#
#   scripts/fetch-datasets.sh [DEST]        # DEST defaults to ./datasets
#   go run ./examples/binary-classification -data datasets/breast_cancer.csv
#   go run ./examples/cnn -data datasets/digits.csv.gz
#
# It downloads Debian's python3-sklearn package with `apt-get download`
# (no root needed, nothing is installed), unpacks it with `dpkg -x` into a
# cache folder ($XDG_CACHE_HOME/symgrad or ~/.cache/symgrad) and copies the
# CSV files out of usr/lib/python3/dist-packages/sklearn/datasets/data/.
# Running it again reuses the cache and leaves files already in DEST alone.
# The examples do not need it: without -data they use seeded synthetic data.
set -euo pipefail

dest=${1:-datasets}
files=(breast_cancer.csv iris.csv wine_data.csv digits.csv.gz)
cache=${XDG_CACHE_HOME:-$HOME/.cache}/symgrad/python3-sklearn
data_dir=usr/lib/python3/dist-packages/sklearn/datasets/data

missing=()
for f in "${files[@]}"; do
	[[ -s "$dest/$f" ]] || missing+=("$f")
done
if ((${#missing[@]} == 0)); then
	echo "fetch-datasets: $dest already holds ${files[*]}"
	exit 0
fi

if [[ ! -d "$cache/$data_dir" ]]; then
	if ! command -v apt-get >/dev/null || ! command -v dpkg >/dev/null; then
		cat >&2 <<-MSG
		fetch-datasets: this system has no apt-get/dpkg.
		The files are scikit-learn's (BSD-3-Clause), in its source tree under
		sklearn/datasets/data/ (https://github.com/scikit-learn/scikit-learn),
		and in any installed scikit-learn:
		  python3 -c 'import sklearn.datasets, os; print(os.path.join(os.path.dirname(sklearn.datasets.__file__), "data"))'
		Copy ${files[*]} from there into $dest/.
		MSG
		exit 1
	fi
	tmp=$(mktemp -d)
	chmod 755 "$tmp" # apt-get downloads as the _apt user when it can
	trap 'rm -rf "$tmp"' EXIT
	echo "fetch-datasets: downloading python3-sklearn with apt-get download"
	(cd "$tmp" && apt-get download python3-sklearn >/dev/null)
	debs=("$tmp"/python3-sklearn_*.deb)
	[[ -f "${debs[0]}" ]] || { echo "fetch-datasets: apt-get download gave no .deb" >&2; exit 1; }
	mkdir -p "$cache.partial"
	dpkg -x "${debs[0]}" "$cache.partial"
	if [[ ! -d "$cache.partial/$data_dir" ]]; then
		echo "fetch-datasets: ${debs[0]##*/} has no $data_dir" >&2
		rm -rf "$cache.partial"
		exit 1
	fi
	rm -rf "$cache"
	mv "$cache.partial" "$cache"
	echo "fetch-datasets: unpacked ${debs[0]##*/} into $cache"
fi

mkdir -p "$dest"
for f in "${missing[@]}"; do
	if [[ ! -s "$cache/$data_dir/$f" ]]; then
		echo "fetch-datasets: $cache/$data_dir/$f is missing" >&2
		exit 1
	fi
	cp "$cache/$data_dir/$f" "$dest/$f.tmp"
	mv "$dest/$f.tmp" "$dest/$f"
	echo "fetch-datasets: wrote $dest/$f"
done
