package train

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"golang.org/x/term"
)

// ProgressBar reports training progress on a writer, as Keras's verbose=1.
//
// On a terminal (Live) it redraws one line per epoch in place with a
// carriage return as the steps run — a bar, the step count, the rate in
// steps/s, the epoch's ETA and the running loss — and leaves it with the
// epoch's results:
//
//	Epoch 3/10 [==============>...............] 12/25 410.2 steps/s ETA 0:00:00 loss 0.2319
//	Epoch 3/10 [==============================] 25/25 0.06s 412.5 steps/s ETA 0:00:01 loss 0.2113 accuracy 0.9 val_loss 0.2 val_accuracy 0.91 lr 0.01
//
// Otherwise (a file, a pipe) it writes only the second kind of line, once
// per epoch, with no control characters. ETA is the remaining time of the
// epoch while it runs, of the whole run at its end (from the mean epoch
// time).
type ProgressBar struct {
	Base
	// Out receives the report; nil means os.Stdout.
	Out io.Writer
	// Live selects the redrawn bar. NewProgressBar sets it when the writer
	// is a terminal.
	Live bool
	// Width is the bar's width in characters; 0 means 30.
	Width int
	// Every is the least time between two redraws of the live bar; 0 means
	// 100 ms, a negative value every step. The last step of an epoch is
	// always drawn.
	Every time.Duration

	trainStart time.Time
	firstEpoch int // the epoch this Fit started at
	epochStart time.Time
	lastDraw   time.Time
	drawn      bool // a live line is on screen, unfinished
	loss       meanAccumulator
}

// NewProgressBar returns a ProgressBar on w, live when w is a terminal
// (IsTerminal).
func NewProgressBar(w io.Writer) *ProgressBar {
	return &ProgressBar{Out: w, Live: IsTerminal(w)}
}

// IsTerminal reports whether w is an *os.File open on a terminal.
func IsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// OnTrainBegin starts the clock.
func (p *ProgressBar) OnTrainBegin(t *Trainer) error {
	p.trainStart, p.firstEpoch = time.Now(), t.Epoch()
	return nil
}

// OnEpochBegin starts the epoch's clock and running loss.
func (p *ProgressBar) OnEpochBegin(*Trainer, int) error {
	p.epochStart, p.lastDraw = time.Now(), time.Time{}
	p.loss = meanAccumulator{}
	return nil
}

// OnBatchEnd redraws the live bar.
func (p *ProgressBar) OnBatchEnd(t *Trainer, b Batch) error {
	p.loss.add(b.Loss, b.Size)
	if !p.Live {
		return nil
	}
	now := time.Now()
	every := p.Every
	if every == 0 {
		every = 100 * time.Millisecond
	}
	if b.Index+1 < b.Batches && now.Sub(p.lastDraw) < every {
		return nil
	}
	p.lastDraw = now
	elapsed := now.Sub(p.epochStart)
	rate := float64(b.Index+1) / max(elapsed.Seconds(), 1e-9)
	eta := time.Duration(float64(b.Batches-b.Index-1) / rate * float64(time.Second))
	_, err := fmt.Fprintf(p.writer(), "\r%s %d/%d %s ETA %s loss %.4g\x1b[K",
		p.head(t.Epoch(), p.firstEpoch+t.Epochs(), b.Index+1, b.Batches), b.Index+1, b.Batches, rateText(rate), clock(eta), p.loss.value())
	p.drawn = true
	return err
}

// OnEpochEnd writes the epoch's line.
func (p *ProgressBar) OnEpochEnd(t *Trainer, epoch int, logs Logs) error {
	h := t.History()
	rec := h.Epochs[len(h.Epochs)-1]
	since := time.Since(p.trainStart)
	done := epoch + 1 - p.firstEpoch
	eta := time.Duration(float64(since) / float64(done) * float64(max(t.Epochs()-done, 0)))
	var b strings.Builder
	if p.Live {
		b.WriteString("\r")
	}
	fmt.Fprintf(&b, "%s %d/%d %s %s ETA %s", p.head(epoch, p.firstEpoch+t.Epochs(), rec.Steps, rec.Steps), rec.Steps, rec.Steps,
		seconds(rec.Time), rateText(float64(rec.Steps)/max(rec.Time.Seconds(), 1e-9)), clock(eta))
	for _, c := range h.Columns {
		if v, ok := logs[c]; ok {
			fmt.Fprintf(&b, " %s %.4g", c, v)
		}
	}
	fmt.Fprintf(&b, " lr %.4g", rec.LR)
	if p.Live {
		b.WriteString("\x1b[K")
	}
	b.WriteString("\n")
	p.drawn = false
	_, err := io.WriteString(p.writer(), b.String())
	return err
}

// OnTrainEnd ends an unfinished live line and reports an early stop or an
// error.
func (p *ProgressBar) OnTrainEnd(t *Trainer, err error) error {
	var b strings.Builder
	if p.drawn {
		b.WriteString("\n")
		p.drawn = false
	}
	if err != nil {
		fmt.Fprintf(&b, "Training stopped by an error after %d epochs: %v\n", len(t.History().Epochs), err)
	} else if r := t.StopReason(); r != "" {
		fmt.Fprintf(&b, "Stopped after epoch %d/%d: %s\n", t.Epoch(), p.firstEpoch+t.Epochs(), r)
	}
	_, werr := io.WriteString(p.writer(), b.String())
	return werr
}

func (p *ProgressBar) writer() io.Writer {
	if p.Out == nil {
		return os.Stdout
	}
	return p.Out
}

// head is "Epoch e/E [====>....]" for step done of total (epochs shown
// from 1, as Keras does).
func (p *ProgressBar) head(epoch, epochs, done, total int) string {
	width := p.Width
	if width <= 0 {
		width = 30
	}
	bar := []byte(strings.Repeat(".", width))
	fill := width * done / max(total, 1)
	for i := range fill {
		bar[i] = '='
	}
	if fill < width && fill > 0 {
		bar[fill] = '>'
	}
	return fmt.Sprintf("Epoch %d/%d [%s]", epoch+1, epochs, bar)
}

func rateText(stepsPerSecond float64) string {
	return fmt.Sprintf("%.1f steps/s", stepsPerSecond)
}

func seconds(d time.Duration) string { return fmt.Sprintf("%.2fs", d.Seconds()) }

// clock formats d as h:mm:ss.
func clock(d time.Duration) string {
	s := int(d.Round(time.Second).Seconds())
	return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
}
