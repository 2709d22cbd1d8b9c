package data

import (
	"encoding/csv"
	"io"
	"strconv"
	"strings"

	"github.com/pkg/errors"
)

// ReadSklearnCSV reads the CSV layout of scikit-learn's bundled datasets
// (sklearn/datasets/data/iris.csv, wine_data.csv, breast_cancer.csv, read by
// sklearn.datasets.load_csv_data): a first row "n_samples,n_features,class
// names...", then n_samples rows of n_features numbers and an integer class
// index. X is float64 [n_samples,n_features], Y int64 [n_samples], and
// ClassNames the header's names. A row count other than n_samples, a row of
// another width, a non-finite value or a class index outside the class
// names is an error naming the file, line and column. The dataset is named
// name and validated. A gzip stream is decompressed.
func ReadSklearnCSV(r io.Reader, name string, opts ...ReadOption) (*Dataset, error) {
	r, _, err := maybeGunzip(r, name, readLimit(opts))
	if err != nil {
		return nil, err
	}
	cr := csv.NewReader(r)
	cr.ReuseRecord, cr.FieldsPerRecord = true, -1
	head, err := cr.Read()
	if err == io.EOF {
		return nil, errors.Errorf("data: %s: empty file", name)
	}
	if err != nil {
		return nil, csvError(name, err)
	}
	if len(head) < 2 {
		return nil, errors.Errorf("data: %s:1: header %s, want n_samples,n_features,class names...", name, quoteAll(head))
	}
	ns, err1 := strconv.Atoi(strings.TrimSpace(head[0]))
	nf, err2 := strconv.Atoi(strings.TrimSpace(head[1]))
	if err1 != nil || err2 != nil || ns < 1 || nf < 1 {
		return nil, errors.Errorf("data: %s:1: header %s: n_samples and n_features must be positive integers", name, quoteAll(head[:2]))
	}
	names := make([]string, len(head)-2)
	for i, h := range head[2:] {
		names[i] = strings.TrimSpace(h)
	}
	t := &csvTable{name: name, cr: cr, ncols: nf + 1, target: nf}
	if err := t.readSklearn(ns, len(names)); err != nil {
		return nil, err
	}
	d, err := New(name, denseF64(t.x, ns, nf), denseI64(t.classes))
	if err != nil {
		return nil, err
	}
	if len(names) > 0 {
		d.ClassNames = names
	}
	return d, d.Validate()
}

// LoadSklearnCSV reads the file at path with ReadSklearnCSV.
func LoadSklearnCSV(path string, opts ...ReadOption) (*Dataset, error) {
	return loadWith(path, func(r io.Reader, name string) (*Dataset, error) { return ReadSklearnCSV(r, name, opts...) })
}

// readSklearn reads exactly ns rows of the sklearn layout, with class indices
// below k when k > 0.
func (t *csvTable) readSklearn(ns, k int) error {
	err := t.eachRecord(func(rec []string) error {
		line, _ := t.cr.FieldPos(0)
		if t.rows == ns {
			return errors.Errorf("data: %s:%d: more rows than the %d samples the header declares", t.name, line, ns)
		}
		if len(rec) != t.ncols {
			return errors.Errorf("data: %s:%d: %d fields, want %d features and a class index", t.name, line, len(rec), t.ncols-1)
		}
		return t.classRow(rec, k)
	})
	if err != nil {
		return err
	}
	if t.rows != ns {
		return errors.Errorf("data: %s: the header declares %d samples, the file has %d rows", t.name, ns, t.rows)
	}
	return nil
}

// classRow parses a row of features whose last field is a class index below
// k (any non-negative index when k is 0).
func (t *csvTable) classRow(rec []string, k int) error {
	last := len(rec) - 1
	for j, f := range rec[:last] {
		v, err := parseFinite(strings.TrimSpace(f))
		if err != nil {
			return t.fieldError(j, f, err.Error())
		}
		t.x = append(t.x, v)
	}
	f := strings.TrimSpace(rec[last])
	v, err := strconv.ParseFloat(f, 64)
	if err != nil || v != float64(int64(v)) || v < 0 || v >= maxDirectLabel || (k > 0 && v >= float64(k)) {
		why := "not a class index"
		if k > 0 {
			why += " in [0," + strconv.Itoa(k) + ")"
		}
		return t.fieldError(last, f, why)
	}
	t.classes = append(t.classes, int64(v))
	t.rows++
	return nil
}

// ReadSklearnDigits reads the layout of scikit-learn's digits.csv.gz (read by
// sklearn.datasets.load_digits): no header, every row the 64 pixel values
// (0..16) of an 8x8 image followed by the digit, gzipped or not. Rows of any
// equal width of at least two are accepted: X is float64 [N,width-1] (use
// ReshapeX(1, 8, 8) for a CNN), Y int64 [N], and ClassNames "0", "1", ...
// up to the largest label. The dataset is named name and validated.
func ReadSklearnDigits(r io.Reader, name string, opts ...ReadOption) (*Dataset, error) {
	r, _, err := maybeGunzip(r, name, readLimit(opts))
	if err != nil {
		return nil, err
	}
	cr := csv.NewReader(r)
	cr.ReuseRecord = true
	t := &csvTable{name: name, cr: cr}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, csvError(name, err)
		}
		if t.ncols = len(rec); t.ncols < 2 {
			return nil, errors.Errorf("data: %s:1: %d field(s), want features and a label", name, t.ncols)
		}
		if err := t.classRow(rec, 0); err != nil {
			return nil, err
		}
	}
	if t.rows == 0 {
		return nil, errors.Errorf("data: %s: no data rows", name)
	}
	d, err := New(name, denseF64(t.x, t.rows, t.ncols-1), denseI64(t.classes))
	if err != nil {
		return nil, err
	}
	d.ClassNames = indexNames("", d.NumClasses())
	return d, d.Validate()
}

// LoadSklearnDigits reads the file at path with ReadSklearnDigits.
func LoadSklearnDigits(path string, opts ...ReadOption) (*Dataset, error) {
	return loadWith(path, func(r io.Reader, name string) (*Dataset, error) { return ReadSklearnDigits(r, name, opts...) })
}
