package train

import (
	"encoding/hex"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/ops"
)

// Resumable is implemented by callbacks whose state the rest of a run
// depends on (EarlyStopping, Checkpoint): a checkpoint written by the
// Checkpoint callback stores the ResumeState of every Resumable callback
// of Config.Callbacks, and Trainer.Resume hands it back with RestoreState,
// so the next Fit continues from it (its OnTrainBegin does not start over)
// exactly as the uninterrupted run would have.
type Resumable interface {
	Callback
	// ResumeState returns the callback's state as text values by key
	// (keys without dots); "kind" is reserved.
	ResumeState() map[string]string
	// RestoreState restores a ResumeState (checking every value) for the
	// next Fit; on error the callback is unchanged.
	RestoreState(map[string]string) error
}

var (
	_ Resumable = (*EarlyStopping)(nil)
	_ Resumable = (*Checkpoint)(nil)
)

// Checkpoint metadata prefixes of the callbacks' states ("callback.<i>."
// with i the callback's index in Config.Callbacks, then "kind" and the
// callback's keys) and of the random streams of the model's ops
// ("rng.<key>", the stream's state in hex).
const (
	metaCallback = "callback."
	metaRNG      = "rng."
)

// callbackKind names a Resumable callback's type in a checkpoint.
func callbackKind(c Callback) string {
	switch c.(type) {
	case *EarlyStopping:
		return "EarlyStopping"
	case *Checkpoint:
		return "Checkpoint"
	}
	s := strings.TrimPrefix(fmt.Sprintf("%T", c), "*")
	if i := strings.LastIndex(s, "."); i >= 0 {
		s = s[i+1:]
	}
	return s
}

// callbackMeta stores the states of the Resumable callbacks in meta.
func (t *Trainer) callbackMeta(meta map[string]string) {
	for i, c := range t.cfg.Callbacks {
		r, ok := c.(Resumable)
		if !ok {
			continue
		}
		prefix := metaCallback + strconv.Itoa(i) + "."
		meta[prefix+"kind"] = callbackKind(c)
		for k, v := range r.ResumeState() {
			meta[prefix+k] = v
		}
	}
}

// parseCallbacks reads the callbacks' states from md: every Resumable
// callback of Config.Callbacks needs one, of its kind, at its index. A
// state for an index whose callback keeps none (a run resumed without its
// Checkpoint callback) is ignored.
func (t *Trainer) parseCallbacks(md map[string]string) (map[int]map[string]string, error) {
	all := map[int]map[string]string{}
	for key, v := range md {
		rest, ok := strings.CutPrefix(key, metaCallback)
		if !ok {
			continue
		}
		idx, field, ok := strings.Cut(rest, ".")
		i, err := strconv.Atoi(idx)
		if !ok || err != nil || i < 0 || strconv.Itoa(i) != idx {
			return nil, errors.Errorf("metadata %q: want callback.<index>.<key>", key)
		}
		if all[i] == nil {
			all[i] = map[string]string{}
		}
		all[i][field] = v
	}
	out := map[int]map[string]string{}
	for i, c := range t.cfg.Callbacks {
		if _, resumable := c.(Resumable); !resumable {
			continue
		}
		st, have := all[i]
		switch {
		case !have:
			return nil, errors.Errorf("Config.Callbacks[%d] (%s) keeps state, but the checkpoint holds none for it (it was written with other callbacks)", i, callbackKind(c))
		case st["kind"] != callbackKind(c):
			return nil, errors.Errorf("the checkpoint holds a %s state for Config.Callbacks[%d], which is a %s", st["kind"], i, callbackKind(c))
		}
		delete(st, "kind")
		out[i] = st
	}
	return out, nil
}

// rngOps lists the ops with a random stream of every program the trainer
// has built (one per batch size: a last partial batch and the validation
// batches run on programs of their own, whose dropout layers draw from
// streams of their own), one per stream (a dropout op and its gradient
// share theirs), keyed by batch size and stream.
func (t *Trainer) rngOps() map[string]ops.RNGStater {
	out := map[string]ops.RNGStater{}
	if t.cache == nil {
		return out
	}
	for size, bp := range t.cache.progs {
		if bp.prog == nil || bp.prog.Graph() == nil {
			continue
		}
		for _, n := range bp.prog.Graph().AllNodes() {
			if r, ok := ops.OpOf(n).(ops.RNGStater); ok {
				out[fmt.Sprintf("b%d.%s", size, r.RNGKey())] = r
			}
		}
	}
	return out
}

// rngMeta stores the random streams' states in meta.
func (t *Trainer) rngMeta(meta map[string]string) error {
	for key, r := range t.rngOps() {
		b, err := r.RNGState()
		if err != nil {
			return errors.Wrapf(err, "random stream %s", key)
		}
		meta[metaRNG+key] = hex.EncodeToString(b)
	}
	return nil
}

// parseRNG reads the random streams' states: exactly one for each stream
// of the program.
func (t *Trainer) parseRNG(md map[string]string) (map[string][]byte, error) {
	streams := t.rngOps()
	out := map[string][]byte{}
	for key, v := range md {
		name, ok := strings.CutPrefix(key, metaRNG)
		if !ok {
			continue
		}
		if _, known := streams[name]; !known {
			return nil, errors.Errorf("metadata %q: the model has no random stream %s (is it the same model, built with the same seed?)", key, name)
		}
		b, err := hex.DecodeString(v)
		if err != nil {
			return nil, errors.Wrapf(err, "metadata %q", key)
		}
		out[name] = b
	}
	for name := range streams {
		if _, ok := out[name]; !ok {
			return nil, errors.Errorf("the model draws from random stream %s (dropout), but the checkpoint holds no %q state", name, metaRNG+name)
		}
	}
	return out, nil
}

// metaIntIn reads an integer metadata value in [lo, hi].
func metaIntIn(md map[string]string, key string, lo, hi int) (int, error) {
	v, err := metaInt(md, key)
	if err != nil {
		return 0, err
	}
	if v < lo || v > hi {
		return 0, errors.Errorf("metadata %q is %d, want %d to %d", key, v, lo, hi)
	}
	return v, nil
}

// metaRate reads a learning rate: finite and not negative.
func metaRate(md map[string]string, key string) (float64, error) {
	v, err := metaFloat(md, key)
	if err != nil {
		return 0, err
	}
	if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
		return 0, errors.Errorf("metadata %q is %v, want a finite, non-negative learning rate", key, v)
	}
	return v, nil
}

// maxCount bounds the epoch and step counters read from a checkpoint, so
// that the next epoch numbers and Fit's end cannot overflow.
const maxCount = 1 << 40

// checkFiniteTensor refuses a float tensor holding NaN or ±Inf.
func checkFiniteTensor(name string, t *tensor.Dense) error {
	if t == nil {
		return errors.Errorf("tensor %q is nil", name)
	}
	bad := func(v float64) bool { return math.IsNaN(v) || math.IsInf(v, 0) }
	switch d := t.Data().(type) {
	case []float64:
		for i, v := range d {
			if bad(v) {
				return errors.Errorf("tensor %q holds %v at flat index %d", name, v, i)
			}
		}
	case []float32:
		for i, v := range d {
			if bad(float64(v)) {
				return errors.Errorf("tensor %q holds %v at flat index %d", name, v, i)
			}
		}
	case float64:
		if bad(d) {
			return errors.Errorf("tensor %q is %v", name, d)
		}
	case float32:
		if bad(float64(d)) {
			return errors.Errorf("tensor %q is %v", name, d)
		}
	}
	return nil
}

// parseBool reads "true" or "false".
func parseBool(st map[string]string, key string) (bool, error) {
	switch st[key] {
	case "true":
		return true, nil
	case "false":
		return false, nil
	}
	return false, errors.Errorf("%q is %q, want true or false", key, st[key])
}

// parseStateInt reads an integer state value in [lo, hi].
func parseStateInt(st map[string]string, key string, lo, hi int) (int, error) {
	v, err := strconv.Atoi(st[key])
	if err != nil || v < lo || v > hi {
		return 0, errors.Errorf("%q is %q, want an integer from %d to %d", key, st[key], lo, hi)
	}
	return v, nil
}

// parseStateFloat reads a float state value that is not NaN.
func parseStateFloat(st map[string]string, key string) (float64, error) {
	v, err := strconv.ParseFloat(st[key], 64)
	if err != nil || math.IsNaN(v) {
		return 0, errors.Errorf("%q is %q, want a number", key, st[key])
	}
	return v, nil
}

// monitorState is a monitor's part of a callback's state.
func (m *monitor) state(st map[string]string) {
	st["monitor"] = m.name
	st["mode"] = map[bool]string{true: "max", false: "min"}[m.max]
	st["seen"] = strconv.FormatBool(m.seen)
	st["best"] = formatFloat(m.best)
}

// restoreState reads a monitor's state into m (which already has its
// name and mode from the callback's settings: they must agree).
func (m *monitor) restoreState(st map[string]string) error {
	mode := map[bool]string{true: "max", false: "min"}[m.max]
	if st["monitor"] != m.name || st["mode"] != mode {
		return errors.Errorf("the checkpoint's state monitors %q (%s), this callback %q (%s)", st["monitor"], st["mode"], m.name, mode)
	}
	seen, err := parseBool(st, "seen")
	if err != nil {
		return err
	}
	best, err := parseStateFloat(st, "best")
	if err != nil {
		return err
	}
	m.seen, m.best = seen, best
	return nil
}
