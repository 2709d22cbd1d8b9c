#!/usr/bin/python3
"""Cross-checks symgrad's external contracts against PyTorch (see README.md).

    /usr/bin/python3 scripts/crosscheck/crosscheck.py [models|checkpoints|exprs|layers|robust|attention|all] [-v] [-k SUBSTR]

Run from the repository root. Builds ./cmd/gradcheck and ./scripts/crosscheck
into a temporary directory, then compares their output with PyTorch's on
seeded random cases. Exit status 0 when everything matches, 1 otherwise.
"""
import os
import subprocess
import sys
import tempfile

import torch

sys.dont_write_bytecode = True  # no __pycache__ in the repository

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import stio  # noqa: E402

RTOL64 = 1e-10
RTOL32 = 1e-4


class Harness:
    def __init__(self, verbose=False, pattern=""):
        self.tmp = tempfile.mkdtemp(prefix="crosscheck-")
        self.verbose = verbose
        self.pattern = pattern
        self.counts = {}
        self.failures = []
        self.notes = []
        for pkg, exe in (("./cmd/gradcheck", "gradcheck"), ("./scripts/crosscheck", "cc")):
            subprocess.run(["go", "build", "-o", self.path(exe), pkg], check=True)

    def path(self, name):
        return os.path.join(self.tmp, name)

    def gradcheck(self, *args):
        """Runs the gradcheck CLI; returns (exit status, stdout, stderr)."""
        p = subprocess.run([self.path("gradcheck")] + [str(a) for a in args], capture_output=True, text=True)
        return p.returncode, p.stdout, p.stderr

    def go(self, *args):
        p = subprocess.run([self.path("cc")] + [str(a) for a in args], capture_output=True, text=True)
        if p.returncode != 0:
            raise RuntimeError("crosscheck %s: %s" % (" ".join(map(str, args)), p.stderr.strip()))

    def wanted(self, case):
        return self.pattern in case

    def record(self, section, case, ok, detail=""):
        c = self.counts.setdefault(section, [0, 0])
        c[0] += 1
        if not ok:
            c[1] += 1
            self.failures.append("%s: %s: %s" % (section, case, detail))
            print("FAIL %s: %s: %s" % (section, case, detail), flush=True)
        elif self.verbose:
            print("ok   %s: %s %s" % (section, case, detail), flush=True)

    def note(self, msg):
        self.notes.append(msg)

    def summary(self):
        print("\n%-12s %6s %6s" % ("SECTION", "CASES", "FAIL"))
        for s, (n, f) in self.counts.items():
            print("%-12s %6d %6d" % (s, n, f))
        for n in self.notes:
            print("note:", n)
        if self.failures:
            print("\n%d mismatch(es):" % len(self.failures))
            for f in self.failures:
                print("  " + f)
            return 1
        print("\nall cases match")
        return 0


def rel_err(ours, want, floor=1e-300):
    """max |ours - want| / max(max |want|, floor); inf on a shape mismatch."""
    ours, want = ours.double(), want.double()
    if tuple(ours.shape) != tuple(want.shape):
        return float("inf"), "shape %s, want %s" % (list(ours.shape), list(want.shape))
    if want.numel() == 0:
        return 0.0, ""
    d = (ours - want).abs().max().item()
    scale = max(want.abs().max().item(), floor)
    return d / scale, ""


def compare(h, section, case, ours, want, rtol, names=None):
    """Compares the tensors named in want (all of them unless names) between
    two dicts; records one result for the case."""
    worst, bad = 0.0, []
    # A tensor that is mathematically zero (a bias before a training-mode
    # BatchNorm) is compared relative to a fraction of the case's largest
    # tensor, so round-off (~1e-17) does not count as a relative error.
    case_scale = max([want[n].double().abs().max().item() for n in want if want[n].numel()] + [1e-300])
    floor = case_scale * (1e-4 if rtol <= 1e-9 else 1e-2)
    for n in sorted(names or want):
        if n not in ours:
            bad.append("%s missing in ours (ours has %s)" % (n, sorted(ours)))
            continue
        if ours[n].dtype != want[n].dtype:
            bad.append("%s dtype %s, want %s" % (n, ours[n].dtype, want[n].dtype))
        zero = case_scale * (1e-12 if rtol <= 1e-9 else 1e-5)
        if want[n].numel() and want[n].double().abs().max().item() <= zero and tuple(ours[n].shape) == tuple(want[n].shape):
            # mathematically zero (round-off in both): ours must be as small
            e, why = ours[n].double().abs().max().item() / (10 * zero), "(a zero tensor)"
            e = e * rtol
        else:
            e, why = rel_err(ours[n], want[n], floor)
        worst = max(worst, e)
        if not e <= rtol:
            bad.append("%s rel err %.3g %s" % (n, e, why))
    extra = sorted(set(ours) - set(want))
    if names is None and extra:
        bad.append("unexpected tensors in ours: %s" % extra)
    h.record(section, case, not bad, "; ".join(bad) if bad else "max rel err %.2g" % worst)
    return not bad


def main():
    args = sys.argv[1:]
    verbose = "-v" in args
    pattern = ""
    if "-k" in args:
        pattern = args[args.index("-k") + 1]
        args = [a for a in args if a not in ("-k", pattern)]
    args = [a for a in args if a != "-v"]
    what = args[0] if args else "all"
    h = Harness(verbose, pattern)
    import checks_models, checks_exprs, checks_layers, checks_robust, checks_attention  # noqa: E401
    sections = {
        "models": checks_models.run_models,
        "checkpoints": checks_models.run_checkpoints,
        "exprs": checks_exprs.run,
        "layers": checks_layers.run,
        "robust": checks_robust.run,
        "attention": checks_attention.run,
    }
    for name, fn in sections.items():
        if what in ("all", name):
            fn(h)
    sys.exit(h.summary())


if __name__ == "__main__":
    main()
