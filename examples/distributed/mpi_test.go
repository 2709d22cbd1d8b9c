//go:build mpi

package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/symgrad/symgrad/models"
)

// mpirunPath finds mpirun. Built with -tags mpi the MPI tests must run, so
// a missing mpirun is a failure, not a skip.
func mpirunPath(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("mpirun")
	if err != nil {
		t.Fatal("mpirun not found on PATH: built with -tags mpi, these tests need OpenMPI (apt-get install openmpi-bin libopenmpi-dev)")
	}
	return p
}

// mpiCommand runs this test binary as the distributed program under
// mpirun -np np with args.
func mpiCommand(t *testing.T, np int, pidDir string, args ...string) *exec.Cmd {
	flags := []string{"--bind-to", "none", "--oversubscribe", "-np", fmt.Sprint(np), "-x", childEnv, "-x", pidDirEnv}
	if os.Geteuid() == 0 {
		flags = append([]string{"--allow-run-as-root"}, flags...)
	}
	cmd := exec.Command(mpirunPath(t), append(flags, os.Args[0])...)
	cmd.Env = append(os.Environ(), childEnv+"="+strings.Join(args, argSep), pidDirEnv+"="+pidDir)
	return cmd
}

// TestMPIRanksGiveTheWeightsOfOne: 2 ranks with 1 and 2 replicas each write
// the weights of one process with one replica (to 1e-9) after 12 Adam
// steps.
func TestMPIRanksGiveTheWeightsOfOne(t *testing.T) {
	checkWeightsOfOne(t, "ranks=2/replicas=", []int{1, 2}, func(t *testing.T, name string, r int, path string) {
		out, err := mpiCommand(t, 2, "", trainArgs(name, 12, 8, r, path)...).CombinedOutput()
		if err != nil {
			t.Fatalf("mpirun: %v\n%s", err, out)
		}
		if !strings.Contains(string(out), "model "+name+": 2 rank(s)") || !strings.Contains(string(out), "samples/s ") {
			t.Fatalf("rank 0's report is missing:\n%s", out)
		}
	})
}

// TestMPIBadBatch: every rank refuses a batch that 2 ranks x 2 replicas do
// not divide, and the job exits 2.
func TestMPIBadBatch(t *testing.T) {
	out, err := mpiCommand(t, 2, "", "-model", "mlp", "-batch", "6", "-replicas", "2").CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 2 {
		t.Fatalf("mpirun: %v, want exit status 2\n%s", err, out)
	}
	if !strings.Contains(string(out), "not divisible by 2 ranks x 2 replicas") {
		t.Fatalf("no message about the batch:\n%s", out)
	}
}

// TestMPIKilledRankEndsTheJob: killing either rank mid-run (rank 0 writes a
// checkpoint every step) ends the whole job non-zero within 60 s, leaves no
// process behind and leaves a checkpoint that loads whole; so does a rank
// that hangs (stopped: the other rank's watchdog aborts the job after the
// 5 s timeout). mlpbn with 2 replicas per rank also meets the other rank in
// its synchronized batch norm's allreduces, mid-pass.
func TestMPIKilledRankEndsTheJob(t *testing.T) {
	for _, c := range []struct {
		model    string
		replicas int
		victim   int
		sig      syscall.Signal
	}{{"mlp", 1, 1, syscall.SIGKILL}, {"mlp", 1, 0, syscall.SIGKILL}, {"mlp", 1, 1, syscall.SIGSTOP},
		{"mlpbn", 2, 1, syscall.SIGKILL}, {"mlpbn", 2, 1, syscall.SIGSTOP}} {
		victim := c.victim
		t.Run(fmt.Sprintf("%s/%v/rank%d", c.model, c.sig, victim), func(t *testing.T) {
			dir := t.TempDir()
			ck := filepath.Join(dir, "ck.safetensors")
			cmd := mpiCommand(t, 2, dir, append(trainArgs(c.model, 1<<30, 8, c.replicas, ""), "-checkpoint", ck, "-every", "1", "-timeout", "5s")...)
			var out strings.Builder
			cmd.Stdout, cmd.Stderr = &out, &out
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			pids := waitForRun(t, dir, ck, done, &out)
			time.Sleep(300 * time.Millisecond)
			killed := time.Now()
			if err := syscall.Kill(pids[victim], c.sig); err != nil {
				t.Fatal(err)
			}
			select {
			case err := <-done:
				if err == nil {
					t.Fatalf("the job exited 0 after rank %d got %v\n%s", victim, c.sig, out.String())
				}
				t.Logf("job ended %v after the signal: %v", time.Since(killed).Round(time.Millisecond), err)
			case <-time.After(60 * time.Second):
				_ = cmd.Process.Kill()
				t.Fatalf("the job still runs 60 s after rank %d got %v\n%s", victim, c.sig, out.String())
			}
			for r, pid := range pids {
				if alive(pid) {
					t.Errorf("rank %d (pid %d) survived the job", r, pid)
					_ = syscall.Kill(pid, syscall.SIGKILL)
				}
			}
			m, err := models.Build(c.model, models.Config{Batch: 8})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := models.LoadCheckpoint(ck, m); err != nil {
				t.Fatalf("the checkpoint left behind does not load: %v", err)
			}
		})
	}
}

// waitForRun waits until both ranks have written their pids and rank 0 a
// checkpoint, and returns the pids by rank.
func waitForRun(t *testing.T, dir, ck string, done chan error, out *strings.Builder) [2]int {
	t.Helper()
	var pids [2]int
	deadline := time.Now().Add(90 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case err := <-done:
			t.Fatalf("the job ended before the kill: %v\n%s", err, out.String())
		case <-time.After(100 * time.Millisecond):
		}
		ok := true
		for r := range pids {
			b, err := os.ReadFile(filepath.Join(dir, fmt.Sprint("rank", r)))
			if err != nil || len(b) == 0 {
				ok = false
				break
			}
			fmt.Sscan(string(b), &pids[r])
		}
		if _, err := os.Stat(ck); ok && err == nil {
			return pids
		}
	}
	t.Fatalf("the job did not start within 90 s\n%s", out.String())
	return pids
}

// alive reports whether a process with this pid exists (and is not a
// zombie waiting for its parent).
func alive(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	f := strings.Fields(string(b))
	return len(f) > 2 && f[2] != "Z"
}
