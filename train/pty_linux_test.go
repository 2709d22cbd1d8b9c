//go:build linux

package train_test

import (
	"bytes"
	"io"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/symgrad/symgrad/train"
)

// openPTY opens a pseudo-terminal pair through /dev/ptmx, or skips the
// test when the system has none.
func openPTY(t *testing.T) (master, slave *os.File) {
	t.Helper()
	master, err := os.OpenFile("/dev/ptmx", os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	fd := int(master.Fd())
	if err := unix.IoctlSetPointerInt(fd, unix.TIOCSPTLCK, 0); err != nil {
		master.Close()
		t.Skipf("unlocking the pseudo-terminal: %v", err)
	}
	n, err := unix.IoctlGetUint32(fd, unix.TIOCGPTN)
	if err != nil {
		master.Close()
		t.Skipf("pseudo-terminal number: %v", err)
	}
	slave, err = os.OpenFile("/dev/pts/"+strconv.Itoa(int(n)), os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		master.Close()
		t.Skipf("opening the pseudo-terminal's slave: %v", err)
	}
	t.Cleanup(func() { slave.Close(); master.Close() })
	return master, slave
}

// On a real pseudo-terminal NewProgressBar goes live and draws with \r;
// on a pipe it does not.
func TestProgressBarRealTerminal(t *testing.T) {
	master, slave := openPTY(t)
	got := make(chan string)
	go func() {
		var b bytes.Buffer
		buf := make([]byte, 4096)
		for {
			master.SetReadDeadline(time.Now().Add(2 * time.Second))
			n, err := master.Read(buf)
			b.Write(buf[:n])
			if err != nil || strings.Count(b.String(), "Epoch 3/3 [") >= 2 && strings.HasSuffix(b.String(), "\n") {
				got <- b.String()
				return
			}
		}
	}()
	bar := train.NewProgressBar(slave)
	if !bar.Live || !train.IsTerminal(slave) {
		t.Fatal("NewProgressBar on a pseudo-terminal is not live")
	}
	bar.Every = -1
	runWithBar(t, bar)
	s := <-got
	if !liveStep.MatchString(s) {
		t.Errorf("no live bar in the terminal's output %q", s)
	}

	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	piped := train.NewProgressBar(w)
	if piped.Live {
		t.Error("NewProgressBar on a pipe is live")
	}
	runWithBar(t, piped)
	w.Close()
	out, _ := io.ReadAll(r)
	if strings.Contains(string(out), "\r") || strings.Count(string(out), "\n") != 3 {
		t.Errorf("piped output %q", out)
	}
}
