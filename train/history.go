package train

import (
	"encoding/csv"
	"io"
	"math"
	"strconv"
	"time"

	"github.com/pkg/errors"
)

// History records every epoch of a training run, as the History object
// Keras's fit returns. Columns lists the value names in a fixed order:
// "loss", the metrics, then "val_loss" and the validation metrics.
type History struct {
	Columns []string
	Epochs  []EpochRecord
}

// EpochRecord is one epoch of a History.
type EpochRecord struct {
	Epoch  int           // from 0
	Steps  int           // optimizer steps taken in the epoch
	LR     float64       // the learning rate of the epoch's last step
	Time   time.Duration // wall time of the epoch, validation included
	Values Logs          // by column name
}

// Series returns the values of column name, one per epoch (NaN where an
// epoch lacks it), or nil if no epoch has it.
func (h *History) Series(name string) []float64 {
	var out []float64
	found := false
	for _, e := range h.Epochs {
		v, ok := e.Values[name]
		if !ok {
			v = math.NaN()
		}
		found = found || ok
		out = append(out, v)
	}
	if !found {
		return nil
	}
	return out
}

// Best returns the epoch with the lowest (mode "min") or highest ("max")
// finite value of column name, and that value; epoch -1 if there is none.
func (h *History) Best(name, mode string) (epoch int, value float64) {
	epoch = -1
	for _, e := range h.Epochs {
		v, ok := e.Values[name]
		if !ok || math.IsNaN(v) || math.IsInf(v, 0) {
			continue
		}
		if epoch < 0 || (mode == "max" && v > value) || (mode != "max" && v < value) {
			epoch, value = e.Epoch, v
		}
	}
	return epoch, value
}

// Last returns the values of the last epoch (nil before the first).
func (h *History) Last() Logs {
	if len(h.Epochs) == 0 {
		return nil
	}
	return h.Epochs[len(h.Epochs)-1].Values
}

// WriteCSV writes the history as CSV, one row per epoch, as Keras's
// CSVLogger does: a header "epoch,<columns...>,lr,time_s", then the epoch
// (from 0), every value with the shortest representation that reads back
// exactly (strconv 'g', -1), the learning rate, and the epoch's wall time
// in seconds (3 decimals). Missing values are empty.
func (h *History) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	header := append(append([]string{"epoch"}, h.Columns...), "lr", "time_s")
	if err := cw.Write(header); err != nil {
		return errors.Wrap(err, "train: writing history CSV")
	}
	for _, e := range h.Epochs {
		row := []string{strconv.Itoa(e.Epoch)}
		for _, c := range h.Columns {
			v, ok := e.Values[c]
			if !ok {
				row = append(row, "")
				continue
			}
			row = append(row, strconv.FormatFloat(v, 'g', -1, 64))
		}
		row = append(row, strconv.FormatFloat(e.LR, 'g', -1, 64), strconv.FormatFloat(e.Time.Seconds(), 'f', 3, 64))
		if err := cw.Write(row); err != nil {
			return errors.Wrap(err, "train: writing history CSV")
		}
	}
	cw.Flush()
	return errors.Wrap(cw.Error(), "train: writing history CSV")
}

// add appends an epoch, extending Columns with any new names in order.
func (h *History) add(r EpochRecord, order []string) {
	known := make(map[string]bool, len(h.Columns))
	for _, c := range h.Columns {
		known[c] = true
	}
	for _, c := range order {
		if _, ok := r.Values[c]; ok && !known[c] {
			h.Columns = append(h.Columns, c)
			known[c] = true
		}
	}
	h.Epochs = append(h.Epochs, r)
}

// HistoryCSV is a callback that rewrites the History as CSV (WriteCSV) to
// Path after every epoch, atomically, as Keras's CSVLogger: the file
// always holds every completed epoch, also after a failed one.
type HistoryCSV struct {
	Base
	Path string
}

// OnEpochEnd rewrites the file.
func (c *HistoryCSV) OnEpochEnd(t *Trainer, _ int, _ Logs) error {
	return writeAtomic(c.Path, func(f io.Writer) error { return t.History().WriteCSV(f) })
}
