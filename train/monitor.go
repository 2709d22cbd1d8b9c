package train

import (
	"math"
	"strings"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// monitor tracks the best value of a logged quantity, as Keras's
// EarlyStopping and ModelCheckpoint do.
type monitor struct {
	name     string
	max      bool
	minDelta float64
	best     float64
	seen     bool
}

// newMonitor returns a monitor of name ("" means "val_loss") in mode
// "min", "max" or "" / "auto" (max for names containing "acc", else min).
func newMonitor(name, mode string, minDelta float64) (monitor, error) {
	if name == "" {
		name = "val_loss"
	}
	m := monitor{name: name, minDelta: math.Abs(minDelta)}
	switch mode {
	case "min":
	case "max":
		m.max = true
	case "", "auto":
		m.max = strings.Contains(name, "acc")
	default:
		return m, errors.Errorf("train: mode %q is unknown (min, max or auto)", mode)
	}
	return m, nil
}

// value reads the monitored value from logs.
func (m *monitor) value(logs Logs) (float64, error) {
	v, ok := logs[m.name]
	if !ok {
		return 0, errors.Errorf("monitored value %q is not in the logs (have %v)", m.name, keys(logs))
	}
	return v, nil
}

// improve reports whether v improves on the best by more than minDelta
// (min: v < best - minDelta; max: v > best + minDelta; the first finite
// value always does; NaN never does) and records it if so.
func (m *monitor) improve(v float64) bool {
	if math.IsNaN(v) {
		return false
	}
	better := !m.seen || (m.max && v > m.best+m.minDelta) || (!m.max && v < m.best-m.minDelta)
	if better {
		m.best, m.seen = v, true
	}
	return better
}

// snapshot returns copies of the model's parameters and buffers.
func snapshot(t *Trainer) map[string]*tensor.Dense {
	out := make(map[string]*tensor.Dense)
	for _, e := range t.Model().StateDict() {
		out[e.Name] = e.Tensor.Clone().(*tensor.Dense)
	}
	return out
}
