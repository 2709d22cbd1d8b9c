package data

import (
	"cmp"
	"slices"
	"strconv"
)

// maxDirectLabel bounds the class indices read as they are: a label of 10^12
// is an identifier rather than a class index, and would make NumClasses absurd.
const maxDirectLabel = 1 << 24

// encodeLabels turns class labels into int64 indices. Labels that are all
// integers in [0, 2^24) are used as they are (names nil); otherwise the
// distinct labels are sorted (numerically when all parse as finite numbers,
// else as strings), numbered from 0, and returned as the class names, which
// keep the spelling of each label's first occurrence.
func encodeLabels(labels []string) ([]int64, []string) {
	out := make([]int64, len(labels))
	vals := make([]float64, len(labels))
	keys := slices.Clone(labels)
	direct, numeric := true, true
	for i, s := range labels {
		v, err := strconv.ParseFloat(s, 64)
		if err != nil || !isFinite(v) {
			direct, numeric = false, false
			break
		}
		vals[i], out[i] = v, int64(v)
		keys[i] = strconv.FormatFloat(v, 'g', -1, 64) // "1.0" and "1" are one label
		if v != float64(int64(v)) || v < 0 || v >= maxDirectLabel {
			direct = false
		}
	}
	if direct {
		return out, nil
	}
	if !numeric {
		keys = labels
	}
	first := map[string]int{} // key -> row of its first occurrence
	var distinct []int
	for i, k := range keys {
		if _, ok := first[k]; !ok {
			first[k] = i
			distinct = append(distinct, i)
		}
	}
	slices.SortFunc(distinct, func(a, b int) int {
		if numeric {
			return cmp.Compare(vals[a], vals[b])
		}
		return cmp.Compare(labels[a], labels[b])
	})
	names := make([]string, len(distinct))
	code := make(map[string]int64, len(distinct))
	for c, row := range distinct {
		names[c], code[keys[row]] = labels[row], int64(c)
	}
	for i, k := range keys {
		out[i] = code[k]
	}
	return out, names
}
