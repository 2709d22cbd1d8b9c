package data

import (
	"strconv"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// KeywordTexts returns a text-classification task over token ids, X int64
// [n,length] and int64 labels [n]: every sequence is uniform noise over the
// vocabulary [0,vocab), in which keywords of its class are planted. Class c
// owns the keyword ids c·k ... c·k+k-1 (k = keywords), and each sequence
// holds `planted` of them at random positions; noise tokens are drawn from
// the ids above classes·k, so a keyword appears only in its own class.
// Detecting any one keyword (a convolution and a max over time) solves the
// task.
//
// The classes are balanced and shuffled. Class names are "class 0", ...
// The name is "keyword-texts".
func KeywordTexts(n, length, vocab, classes, keywords, planted int, seed uint64) (*Dataset, error) {
	if _, err := checkSize("KeywordTexts", n, length, vocab, classes, keywords, planted); err != nil {
		return nil, err
	}
	if classes < 2 || classes*keywords >= vocab || planted > length {
		return nil, errors.Errorf("data: KeywordTexts: %d classes of %d keywords in a vocabulary of %d, %d planted in %d tokens: want classes >= 2, classes·keywords < vocab, planted <= length",
			classes, keywords, vocab, planted, length)
	}
	rng := NewRand(seed)
	labels := balancedLabels(n, classes, rng)
	reserved := classes * keywords
	x := make([]int64, n*length)
	for i, c := range labels {
		row := x[i*length : (i+1)*length]
		for t := range row {
			row[t] = int64(reserved + rng.IntN(vocab-reserved))
		}
		for _, t := range rng.Perm(length)[:planted] {
			row[t] = c*int64(keywords) + int64(rng.IntN(keywords))
		}
	}
	names := make([]string, classes)
	for c := range names {
		names[c] = "class " + strconv.Itoa(c)
	}
	d, err := New("keyword-texts", tensor.New(tensor.WithShape(n, length), tensor.WithBacking(x)), denseI64(labels))
	if err != nil {
		return nil, err
	}
	d.ClassNames = names
	return d, nil
}
