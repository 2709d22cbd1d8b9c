// Command rss trains a zoo model for many steps and prints the process's
// resident set size and Go heap as it goes, to check that memory stays
// flat in steady state (docs/performance.md).
//
//	go run ./bench/rss -model simplenet -steps 100000
package main

import (
	"flag"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"

	"github.com/symgrad/symgrad/models"
	"github.com/symgrad/symgrad/optimizers"
)

func main() {
	model := flag.String("model", "simplenet", "zoo model")
	batch := flag.Int("batch", 64, "batch size")
	steps := flag.Int("steps", 100000, "training steps")
	every := flag.Int("every", 10000, "print every this many steps")
	flag.Parse()
	if err := run(*model, *batch, *steps, *every); err != nil {
		fmt.Fprintln(os.Stderr, "rss:", err)
		os.Exit(1)
	}
}

func run(name string, batch, steps, every int) error {
	m, err := models.Build(name, models.Config{Batch: batch, Seed: 1})
	if err != nil {
		return err
	}
	p, err := m.Compile()
	if err != nil {
		return err
	}
	defer p.Close()
	x, y := m.SampleBatch(2)
	opt, err := optimizers.NewAdam(optimizers.AdamConfig{})
	if err != nil {
		return err
	}
	params := optimizers.ParamsOf(p)
	fmt.Printf("%8s %10s %12s %12s\n", "step", "RSS KiB", "heap KiB", "mallocs")
	var ms runtime.MemStats
	for i := 1; i <= steps; i++ {
		if err := p.Bind("x", x); err != nil {
			return err
		}
		if err := p.Bind("y", y); err != nil {
			return err
		}
		if err := p.RunTrain(); err != nil {
			return err
		}
		if err := opt.Step(params); err != nil {
			return err
		}
		if i%every == 0 || i == 1 {
			runtime.ReadMemStats(&ms)
			fmt.Printf("%8d %10d %12d %12d\n", i, rssKiB(), ms.HeapAlloc/1024, ms.Mallocs)
		}
	}
	return nil
}

// rssKiB reads the resident set size from /proc/self/statm (Linux), 0
// elsewhere.
func rssKiB() int {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b))
	if len(f) < 2 {
		return 0
	}
	pages, _ := strconv.Atoi(f[1])
	return pages * os.Getpagesize() / 1024
}
