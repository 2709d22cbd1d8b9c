package gradcheck

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"
)

// WriteTable writes reports as an aligned table for people: one line per
// check (name, inputs, max abs err, max rel err, worst element, verdict,
// time), indented lines for its rows when it has more than one, notes and
// errors as numbered footnotes under the table, and a last line with the
// totals.
func WriteTable(w io.Writer, reports []*Report) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tINPUTS\tMAX ABS ERR\tMAX REL ERR\tWORST ELEMENT\tVERDICT\tTIME")
	counts := map[Verdict]int{}
	var total time.Duration
	var notes []string
	mark := func(label string, msgs ...string) string {
		for _, m := range msgs {
			if m != "" {
				notes = append(notes, fmt.Sprintf("[%d] %s: %s", len(notes)+1, label, m))
				return fmt.Sprintf(" [%d]", len(notes))
			}
		}
		return ""
	}
	for _, r := range reports {
		counts[r.Verdict]++
		total += r.Duration
		abs, rel, worst := summary(r.Results)
		label := fmt.Sprintf("%s %s", r.Kind, r.Name)
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s%s\t%s\n", label, inputsColumn(r), abs, rel, worst, r.Verdict, mark(label, r.Error), duration(r.Duration))
		if len(r.Results) > 1 || (len(r.Results) == 1 && r.Results[0].Note != "") {
			for _, row := range r.Results {
				fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\t%s%s\t%s\n", row.Name, rowInputs(row), fmtErr(row.MaxAbsErr, row.Checked), fmtErr(row.MaxRelErr, row.Checked),
					worstString(row.Worst), row.Verdict, mark(label+" "+row.Name, row.Note), duration(row.Duration))
			}
		}
		for _, n := range r.Notes {
			mark(label, n)
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, n := range notes {
		fmt.Fprintln(w, n)
	}
	var parts []string
	for _, v := range []Verdict{Pass, KinkOnly, NotTwiceDifferentiable, Fail, Error} {
		if counts[v] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", counts[v], v))
		}
	}
	_, err := fmt.Fprintf(w, "total: %d checks: %s in %s\n", len(reports), strings.Join(parts, ", "), duration(total))
	return err
}

// WriteJSON writes reports as an indented JSON array.
func WriteJSON(w io.Writer, reports []*Report) error {
	if reports == nil {
		reports = []*Report{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(reports)
}

func inputsColumn(r *Report) string {
	s := fmt.Sprintf("%d params", r.Params)
	if r.Twin {
		s += " (f64 twin)"
	}
	return s
}

func rowInputs(row Result) string {
	if row.Checked == 0 && len(row.Shape) == 0 {
		return "-"
	}
	unit := "el"
	if row.Mode == "fast" || row.Mode == "directions" {
		unit = "dir"
	}
	s := fmt.Sprintf("[%s] %d %s", shapeString(row.Shape), row.Checked, unit)
	if row.Kinks > 0 {
		s += fmt.Sprintf(", %d kinks", row.Kinks)
	}
	return s
}

// summary is the max errors over all rows and the worst row's worst element.
func summary(rows []Result) (abs, rel, worst string) {
	var a, r Float
	var w *Result
	n := 0
	for i, row := range rows {
		n += row.Checked
		if row.MaxAbsErr > a || row.MaxAbsErr != row.MaxAbsErr {
			a = row.MaxAbsErr
		}
		if row.MaxRelErr > r || row.MaxRelErr != row.MaxRelErr {
			r = row.MaxRelErr
		}
		if row.Worst != nil && (w == nil || row.Verdict.rank() > w.Verdict.rank() ||
			(row.Verdict == w.Verdict && row.MaxAbsErr > w.MaxAbsErr)) {
			w = &rows[i]
		}
	}
	worst = "-"
	if w != nil {
		worst = w.Name + " " + worstString(w.Worst)
	}
	return fmtErr(a, n), fmtErr(r, n), worst
}

func worstString(w *Worst) string {
	if w == nil {
		return "-"
	}
	var at []string
	if w.Direction > 0 {
		at = append(at, fmt.Sprintf("dir %d", w.Direction))
	}
	if len(w.Index) > 0 {
		at = append(at, strings.ReplaceAll(fmt.Sprint(w.Index), " ", ","))
	}
	at = append(at, fmt.Sprintf("a=%.6g n=%.6g", float64(w.Analytic), float64(w.Numeric)))
	return strings.Join(at, " ")
}

func fmtErr(e Float, checked int) string {
	if checked == 0 {
		return "-"
	}
	return fmt.Sprintf("%.2e", float64(e))
}

func duration(d time.Duration) string {
	switch {
	case d >= time.Second:
		return fmt.Sprintf("%.2fs", d.Seconds())
	case d >= time.Millisecond:
		return fmt.Sprintf("%.1fms", float64(d)/float64(time.Millisecond))
	}
	return fmt.Sprintf("%dµs", d.Microseconds())
}
