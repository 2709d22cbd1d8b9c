package data

import (
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gorgonia.org/tensor"
)

func TestReadCSV(t *testing.T) {
	const withHeader = "a,b,label,c\n1,2,x,3\n4, 5 ,y,6\n7,8,x,9\n"
	cases := []struct {
		name     string
		text     string
		cfg      CSVConfig
		x        []float64
		y        []float64 // float targets, or class indices
		classes  []string
		features []string
	}{
		{"default last column", "1,2,3\n4,5,6\n", CSVConfig{}, []float64{1, 2, 4, 5}, []float64{3, 6}, nil, nil},
		{"first column", "1,2,3\n4,5,6\n", CSVConfig{Target: ColumnAt(0)}, []float64{2, 3, 5, 6}, []float64{1, 4}, nil, nil},
		{"negative index", "1,2,3\n4,5,6\n", CSVConfig{Target: ColumnAt(-2)}, []float64{1, 3, 4, 6}, []float64{2, 5}, nil, nil},
		{"by name, string labels", withHeader, CSVConfig{Header: true, Target: ColumnNamed("label"), Classes: true},
			[]float64{1, 2, 3, 4, 5, 6, 7, 8, 9}, []float64{0, 1, 0}, []string{"x", "y"}, []string{"a", "b", "c"}},
		{"integer labels kept", "0.5,2\n1.5,0\n2.5,1\n", CSVConfig{Classes: true}, []float64{0.5, 1.5, 2.5}, []float64{2, 0, 1}, nil, nil},
		{"numeric labels sorted", "1,-1\n2,10\n3,2.5\n4,-1.0\n", CSVConfig{Classes: true}, []float64{1, 2, 3, 4}, []float64{0, 2, 1, 0}, []string{"-1", "2.5", "10"}, nil},
		{"semicolons, comments, CRLF", "# note\r\n1;2\r\n3;4\r\n", CSVConfig{Comma: ';', Comment: '#'}, []float64{1, 3}, []float64{2, 4}, nil, nil},
		{"BOM header", "\ufeffp,q\n1,2\n", CSVConfig{Header: true, Target: ColumnNamed("q")}, []float64{1}, []float64{2}, nil, []string{"p"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d, err := ReadCSV(strings.NewReader(c.text), "t.csv", c.cfg)
			if err != nil {
				t.Fatal(err)
			}
			assertClose(t, "X", d.X.Float64s(), c.x, 0)
			if c.cfg.Classes {
				assertClose(t, "Y", toF64(d.Y.Int64s()), c.y, 0)
			} else {
				assertClose(t, "Y", d.Y.Float64s(), c.y, 0)
				if !d.Y.Shape().Eq(tensor.Shape{len(c.y), 1}) {
					t.Fatalf("Y shape %v", d.Y.Shape())
				}
			}
			if !slices.Equal(d.ClassNames, c.classes) || !slices.Equal(d.FeatureNames, c.features) || d.Name != "t.csv" {
				t.Fatalf("classes %q features %q name %q", d.ClassNames, d.FeatureNames, d.Name)
			}
		})
	}
}

func TestReadCSVErrorsGiveLineAndColumn(t *testing.T) {
	cases := []struct {
		name, text string
		cfg        CSVConfig
		parts      []string
	}{
		{"not a number", "1,2,3\n4,x5,6\n", CSVConfig{}, []string{"f.csv:2:3", "field 2", `"x5"`, "not a finite number"}},
		{"named field", "a,b\n1,2\n3,\n", CSVConfig{Header: true}, []string{"f.csv:3:3", `field 2 ("b")`, "empty field (missing value)"}},
		{"NaN", "1,2\nNaN,3\n", CSVConfig{}, []string{"f.csv:2:1", "not a finite number"}},
		{"infinity", "1,inf\n", CSVConfig{}, []string{"f.csv:1:3"}},
		{"ragged", "1,2,3\n4,5\n", CSVConfig{}, []string{"f.csv:2:", "wrong number of fields"}},
		{"bad quote", "1,\"2\n", CSVConfig{}, []string{"f.csv:1:", "quote"}},
		{"empty", "", CSVConfig{}, []string{"f.csv: no data rows"}},
		{"header only", "a,b\n", CSVConfig{Header: true}, []string{"no data rows"}},
		{"one column", "1\n2\n", CSVConfig{}, []string{"f.csv:1: 1 column(s)"}},
		{"unknown name", "a,b\n1,2\n", CSVConfig{Header: true, Target: ColumnNamed("z")}, []string{`no column named "z"`}},
		{"name without header", "1,2\n", CSVConfig{Target: ColumnNamed("z")}, []string{"no header row"}},
		{"index out of range", "1,2\n", CSVConfig{Target: ColumnAt(2)}, []string{"target column 2 outside the 2 columns"}},
		{"empty label", "1,\n", CSVConfig{Classes: true}, []string{"f.csv:1:3", "empty class label"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ReadCSV(strings.NewReader(c.text), "f.csv", c.cfg)
			assertErrContains(t, err, append([]string{"data: "}, c.parts...)...)
		})
	}
}

func TestLoadCSVGzip(t *testing.T) {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write([]byte("x1,x2,y\n1,2,0.5\n3,4,1.5\n"))
	zw.Close()
	path := filepath.Join(t.TempDir(), "data.csv.gz")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	d, err := LoadCSV(path, CSVConfig{Header: true})
	if err != nil {
		t.Fatal(err)
	}
	assertClose(t, "Y", d.Y.Float64s(), []float64{0.5, 1.5}, 0)
	if d.Name != "data.csv.gz" {
		t.Fatalf("name %q", d.Name)
	}
	if _, err := LoadCSV(filepath.Join(t.TempDir(), "missing.csv"), CSVConfig{}); err == nil {
		t.Fatal("missing file accepted")
	}
	_, err = ReadCSV(bytes.NewReader([]byte{0x1f, 0x8b, 1, 2, 3}), "bad.gz", CSVConfig{})
	assertErrContains(t, err, "bad.gz")
}
