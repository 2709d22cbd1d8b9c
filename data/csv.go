package data

import (
	"encoding/csv"
	"io"
	"strconv"
	"strings"

	"github.com/pkg/errors"
)

// Column selects a CSV column. Its zero value is the last column.
type Column struct {
	name  string
	index int
	set   bool
}

// ColumnNamed selects the column whose header is name (needs a header row).
func ColumnNamed(name string) Column { return Column{name: name, set: true} }

// ColumnAt selects column i, counting from 0; a negative i counts from the
// end (-1 is the last column).
func ColumnAt(i int) Column { return Column{index: i, set: true} }

// resolve returns the 0-based index of c among the header names (nil
// without a header) of a table of ncols columns.
func (c Column) resolve(header []string, ncols int) (int, error) {
	switch {
	case !c.set:
		return ncols - 1, nil
	case c.name != "":
		for i, h := range header {
			if h == c.name {
				return i, nil
			}
		}
		if header == nil {
			return 0, errors.Errorf("target column %q selected by name, but the file has no header row", c.name)
		}
		return 0, errors.Errorf("no column named %s in header %s", quoteShort(c.name), quoteAll(header))
	}
	i := c.index
	if i < 0 {
		i += ncols
	}
	if i < 0 || i >= ncols {
		return 0, errors.Errorf("target column %d outside the %d columns", c.index, ncols)
	}
	return i, nil
}

// CSVConfig configures ReadCSV. Its zero value reads a comma-separated file
// without a header whose last column is a float target.
type CSVConfig struct {
	// Header says that the first row holds the column names.
	Header bool
	// Target selects the target column; the zero Column is the last one.
	// Every other column is a numeric feature.
	Target Column
	// Classes reads the target as class labels into int64 indices [N]
	// instead of a float column [N,1]. Labels that are all non-negative
	// integers are used as they are; any other labels are numbered in
	// sorted order (numeric order when all are numbers, else string order,
	// like scikit-learn's LabelEncoder) and recorded in ClassNames.
	Classes bool
	// Comma is the field separator; 0 means ','.
	Comma rune
	// Comment, if not 0, starts a comment line to skip.
	Comment rune
	// MaxBytes limits the bytes read (after gzip decompression): a larger
	// file is a *TooLargeError. 0 means DefaultMaxBytes (256 MiB), a
	// negative value no limit.
	MaxBytes int64
}

// ReadCSV reads a dataset from CSV text: one sample per row, every field a
// finite number except a class-label target. X is float64 [N,columns-1] with
// the feature names from the header, Y float64 [N,1] or int64 [N] (see
// CSVConfig.Classes). name (a file name) prefixes every error, which also
// gives the line and column: "data: iris.csv:12:9: field 3 ...". A gzip
// stream is decompressed. The dataset is named name and validated.
func ReadCSV(r io.Reader, name string, cfg CSVConfig) (*Dataset, error) {
	r, _, err := maybeGunzip(r, name, limitOf(cfg.MaxBytes))
	if err != nil {
		return nil, err
	}
	cr := csv.NewReader(r)
	cr.ReuseRecord, cr.TrimLeadingSpace = true, true
	if cfg.Comma != 0 {
		cr.Comma = cfg.Comma
	}
	cr.Comment = cfg.Comment
	t := &csvTable{name: name, cr: cr, target: -1}
	if err := t.read(cfg); err != nil {
		return nil, err
	}
	return t.dataset(cfg)
}

// LoadCSV reads the CSV file at path (gzipped or not) with ReadCSV.
func LoadCSV(path string, cfg CSVConfig) (*Dataset, error) {
	return loadWith(path, func(r io.Reader, name string) (*Dataset, error) { return ReadCSV(r, name, cfg) })
}

// csvTable accumulates the rows of a CSV file.
type csvTable struct {
	name    string
	cr      *csv.Reader
	header  []string
	target  int // column index of the target
	ncols   int
	x, y    []float64
	labels  []string // class labels, when CSVConfig.Classes
	classes []int64  // class indices of the sklearn layouts
	rows    int
}

// read reads every record of the file.
func (t *csvTable) read(cfg CSVConfig) error {
	err := t.eachRecord(func(rec []string) error {
		if t.target < 0 {
			if err := t.start(rec, cfg); err != nil || cfg.Header {
				return err
			}
		}
		return t.row(rec, cfg.Classes)
	})
	if err != nil {
		return err
	}
	if t.rows == 0 {
		return errors.Errorf("data: %s: no data rows", t.name)
	}
	return nil
}

// eachRecord calls f on every remaining record of the file, in order,
// until f fails.
func (t *csvTable) eachRecord(f func(rec []string) error) error {
	for {
		rec, err := t.cr.Read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return csvError(t.name, err)
		}
		if err := f(rec); err != nil {
			return err
		}
	}
}

// start handles the first record: the header, or the first data row.
func (t *csvTable) start(rec []string, cfg CSVConfig) error {
	t.ncols = len(rec)
	if t.ncols < 2 {
		return errors.Errorf("data: %s:1: %d column(s), want a target and at least one feature", t.name, t.ncols)
	}
	if cfg.Header {
		t.header = make([]string, len(rec))
		for i, h := range rec {
			t.header[i] = strings.TrimSpace(h)
		}
		t.header[0] = strings.TrimPrefix(t.header[0], "\ufeff")
	}
	target, err := cfg.Target.resolve(t.header, t.ncols)
	if err != nil {
		return errors.Wrapf(err, "data: %s", t.name)
	}
	t.target = target
	return nil
}

// row parses one data record.
func (t *csvTable) row(rec []string, classes bool) error {
	for j, f := range rec {
		f = strings.TrimSpace(f)
		if j == t.target && classes {
			if f == "" {
				return t.fieldError(j, f, "empty class label")
			}
			t.labels = append(t.labels, strings.Clone(f)) // not the whole line
			continue
		}
		v, err := parseFinite(f)
		if err != nil {
			return t.fieldError(j, f, err.Error())
		}
		if j == t.target {
			t.y = append(t.y, v)
		} else {
			t.x = append(t.x, v)
		}
	}
	t.rows++
	return nil
}

// parseFinite parses a numeric field, rejecting empty fields, NaN and ±Inf.
func parseFinite(f string) (float64, error) {
	if f == "" {
		return 0, errors.New("empty field (missing value)")
	}
	v, err := strconv.ParseFloat(f, 64)
	if err != nil || !isFinite(v) {
		return 0, errors.New("not a finite number")
	}
	return v, nil
}

// fieldError describes a bad field j of the current record.
func (t *csvTable) fieldError(j int, f, why string) error {
	line, col := t.cr.FieldPos(j)
	field := strconv.Itoa(j + 1)
	if t.header != nil {
		field += " (" + quoteShort(t.header[j]) + ")"
	}
	return errors.Errorf("data: %s:%d:%d: field %s: %s: %s", t.name, line, col, field, quoteShort(f), why)
}

// csvError prefixes an encoding/csv error with the file name.
func csvError(name string, err error) error {
	var big *TooLargeError
	if errors.As(err, &big) {
		return big
	}
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return errors.Errorf("data: %s:%d:%d: %v", name, pe.Line, pe.Column, pe.Err)
	}
	return errors.Wrapf(err, "data: %s", name)
}

// dataset builds and validates the Dataset.
func (t *csvTable) dataset(cfg CSVConfig) (*Dataset, error) {
	x := denseF64(t.x, t.rows, t.ncols-1)
	var d *Dataset
	var err error
	if cfg.Classes {
		idx, names := encodeLabels(t.labels)
		d, err = New(t.name, x, denseI64(idx))
		if d != nil {
			d.ClassNames = names
		}
	} else {
		d, err = New(t.name, x, denseF64(t.y, t.rows, 1))
	}
	if err != nil {
		return nil, err
	}
	if t.header != nil {
		d.FeatureNames = append(append([]string(nil), t.header[:t.target]...), t.header[t.target+1:]...)
	}
	return d, d.Validate()
}
