package train_test

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/symgrad/symgrad/optimizers"
	"github.com/symgrad/symgrad/train"
)

// runWithBar trains moonsNet for 3 epochs reporting through bar.
func runWithBar(t *testing.T, bar *train.ProgressBar, extra ...train.Callback) {
	t.Helper()
	tr, val := moons(t, 200, 0.1, 1)
	_, err := train.Fit(context.Background(), must(moonsNet(16)), train.Config{Epochs: 3, Train: tr, Validation: val,
		Rebuild: moonsNet, Optimizer: must(optimizers.NewSGD(optimizers.SGDConfig{LR: 0.1})),
		Metrics: []train.Metric{train.Accuracy()}, Callbacks: append([]train.Callback{bar}, extra...)})
	if err != nil {
		t.Fatalf("%+v", err)
	}
}

var (
	liveStep  = regexp.MustCompile(`\rEpoch 1/3 \[[=>.]{30}\] \d+/10 \d+\.\d steps/s ETA \d:\d\d:\d\d loss \S+\x1b\[K`)
	epochLine = regexp.MustCompile(`^Epoch (\d)/3 \[={30}\] 10/10 \d+\.\d\ds \d+\.\d steps/s ETA \d:\d\d:\d\d loss \S+ accuracy \S+ val_loss \S+ val_accuracy \S+ lr 0\.1$`)
)

// With the terminal flag set, the bar is redrawn in place with \r on every
// step (Every: 0 throttling off via a negative duration) and each epoch
// ends with its results line; without it, only the results lines, with no
// control characters.
func TestProgressBarLiveAndPlain(t *testing.T) {
	for _, live := range []bool{true, false} {
		var out bytes.Buffer
		bar := train.NewProgressBar(&out)
		if bar.Live {
			t.Fatal("a bytes.Buffer was taken for a terminal")
		}
		bar.Live, bar.Every = live, -1
		runWithBar(t, bar)
		s := out.String()
		if got := strings.Count(s, "\r"); live && got < 3*9 || !live && got != 0 {
			t.Errorf("live=%v: %d carriage returns\n%q", live, got, s)
		}
		if live && !liveStep.MatchString(s) {
			t.Errorf("live bar line not found in %q", s)
		}
		lines := strings.Split(strings.TrimSuffix(s, "\n"), "\n")
		if len(lines) != 3 {
			t.Fatalf("live=%v: %d lines, want 3: %q", live, len(lines), s)
		}
		for i, l := range lines {
			if live {
				l = l[strings.LastIndex(l, "\r")+1 : len(l)-len("\x1b[K")]
			}
			if m := epochLine.FindStringSubmatch(l); m == nil || m[1] != string(rune('1'+i)) {
				t.Errorf("live=%v: epoch line %d is %q", live, i, l)
			}
		}
	}
}

// An early stop is reported after the last epoch line.
func TestProgressBarReportsStop(t *testing.T) {
	var out bytes.Buffer
	bar := train.NewProgressBar(&out)
	runWithBar(t, bar, &stopAfter{epoch: 1})
	if !strings.HasSuffix(out.String(), "Stopped after epoch 2/3: enough\n") || strings.Count(out.String(), "\n") != 3 {
		t.Errorf("output %q", out.String())
	}
}

type stopAfter struct {
	train.Base
	epoch int
}

func (s *stopAfter) OnEpochEnd(t *train.Trainer, epoch int, _ train.Logs) error {
	if epoch == s.epoch {
		t.Stop("enough")
	}
	return nil
}
