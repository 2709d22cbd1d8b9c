package data

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestSklearnFilesMatchSklearn loads the files bundled with scikit-learn
// 1.2.1 and compares with what its loaders return (golden/sklearn.json).
func TestSklearnFilesMatchSklearn(t *testing.T) {
	var ref map[string]struct {
		Shape       []int
		ColumnSums  []float64 `json:"column_sums"`
		FirstRow    []float64 `json:"first_row"`
		ClassCounts []int     `json:"class_counts"`
		ClassNames  []string  `json:"class_names"`
	}
	readGolden(t, "sklearn.json", &ref)
	for file, want := range ref {
		t.Run(file, func(t *testing.T) {
			path := filepath.Join("testdata", "sklearn", file)
			load := LoadSklearnCSV
			if strings.HasPrefix(file, "digits") {
				load = LoadSklearnDigits
			}
			d, err := load(path)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal([]int(d.X.Shape()), want.Shape) || d.Name != file {
				t.Fatalf("X %v name %q, want %v", d.X.Shape(), d.Name, want.Shape)
			}
			sums := make([]float64, want.Shape[1])
			for i, v := range d.X.Float64s() {
				sums[i%want.Shape[1]] += v
			}
			assertClose(t, "column sums", sums, want.ColumnSums, 1e-12)
			assertClose(t, "first row", sampleOf(d, 0), want.FirstRow, 0)
			if !slices.Equal(d.ClassCounts(), want.ClassCounts) || !slices.Equal(d.ClassNames, want.ClassNames) {
				t.Fatalf("classes %v %q, want %v %q", d.ClassCounts(), d.ClassNames, want.ClassCounts, want.ClassNames)
			}
		})
	}
}

func TestSklearnCSVErrors(t *testing.T) {
	cases := []struct {
		name, text string
		parts      []string
	}{
		{"empty", "", []string{"s.csv: empty file"}},
		{"bad header", "x,2,a\n", []string{"s.csv:1:", "positive integers"}},
		{"short header", "3\n", []string{"s.csv:1:"}},
		{"zero features", "1,0,a\n1\n", []string{"positive integers"}},
		{"fewer rows", "3,2,a,b\n1,2,0\n3,4,1\n", []string{"declares 3 samples, the file has 2 rows"}},
		{"more rows", "1,2,a,b\n1,2,0\n3,4,1\n", []string{"s.csv:3:", "more rows than the 1 samples"}},
		{"wide row", "2,2,a,b\n1,2,0\n3,4,5,1\n", []string{"s.csv:3:", "4 fields, want 2 features"}},
		{"bad value", "1,2,a,b\n1,zz,0\n", []string{"s.csv:2:3", "field 2", "not a finite number"}},
		{"class beyond names", "1,2,a,b\n1,2,2\n", []string{"s.csv:2:5", "not a class index in [0,2)"}},
		{"fractional class", "1,2\n1,2,0.5\n", []string{"s.csv:2:5", "not a class index"}},
		{"absurd n_samples", "999999999999999,2,a\n1,2,0\n", []string{"declares 999999999999999 samples, the file has 1 rows"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ReadSklearnCSV(strings.NewReader(c.text), "s.csv")
			assertErrContains(t, err, c.parts...)
		})
	}
	_, err := ReadSklearnDigits(strings.NewReader("1,2,3\n4,5\n"), "d.csv")
	assertErrContains(t, err, "d.csv:2:", "wrong number of fields")
	_, err = ReadSklearnDigits(strings.NewReader(""), "d.csv")
	assertErrContains(t, err, "no data rows")
	_, err = ReadSklearnDigits(strings.NewReader("1,-2\n"), "d.csv")
	assertErrContains(t, err, "d.csv:1:3", "not a class index")
}

func TestBreastCancerForBinaryModel(t *testing.T) {
	d, err := LoadSklearnCSV(filepath.Join("testdata", "sklearn", "breast_cancer.csv"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := d.FloatTargets()
	if err != nil {
		t.Fatal(err)
	}
	if b.X.Shape()[1] != 30 || b.Y.Shape()[1] != 1 {
		t.Fatalf("binary layout %v", b)
	}
}
