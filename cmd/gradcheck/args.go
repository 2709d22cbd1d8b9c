package main

import (
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/gradcheck"
)

// options are the parsed command line.
type options struct {
	cfg      gradcheck.Config
	modeSet  bool
	format   string
	showGrad bool
	passes   bool
	vars     varList
	input    string
	weights  string
	batch    string
	dump     string
	ref      string
	// maxElements caps every tensor drawn, read or built for (--max-elements).
	maxElements int
	args        []string // positional arguments
}

// varList collects repeated --var NAME=SHAPE flags.
type varList []string

func (v *varList) String() string     { return strings.Join(*v, ",") }
func (v *varList) Set(s string) error { *v = append(*v, s); return nil }

// usageError is bad usage or input: exit status 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return &usageError{fmt.Sprintf(format, args...)} }

// errHelp is returned by parseArgs for -h, -help and --help: print the
// usage on stdout and exit 0.
var errHelp = errors.New("help requested")

// parseArgs parses flags anywhere on the line: flag tokens are moved before
// the positional arguments and parsed by one flag.FlagSet; "--" ends flags.
func parseArgs(args []string, stderr io.Writer) (*options, error) {
	o := &options{}
	fs := flag.NewFlagSet("gradcheck", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Float64Var(&o.cfg.Eps, "eps", gradcheck.DefaultEps, "finite-difference step")
	fs.Float64Var(&o.cfg.Atol, "atol", gradcheck.DefaultAtol, "absolute tolerance")
	fs.Float64Var(&o.cfg.Rtol, "rtol", gradcheck.DefaultRtol, "relative tolerance")
	fs.Uint64Var(&o.cfg.Seed, "seed", 0, "seed of every random value")
	dtype := fs.String("dtype", "float64", "float64 or float32 (checked through a float64 twin)")
	mode := fs.String("mode", "", "full or fast (default full; fast for models over 20,000 params)")
	fs.IntVar(&o.cfg.Order, "order", 1, "1, or 2 to also check Hessian-vector products")
	fs.StringVar(&o.format, "format", "table", "table or json")
	fs.BoolVar(&o.showGrad, "show-grad", false, "print each variable's gradient as an expression (expr)")
	fs.BoolVar(&o.passes, "passes", false, "print the compiler passes that fired and the graph before and after them (expr)")
	fs.Var(&o.vars, "var", "NAME=SHAPE, e.g. W=3x2, b=2, s=scalar (expr; repeatable)")
	fs.StringVar(&o.input, "input", "", "safetensors file with the variables' values (expr)")
	fs.StringVar(&o.weights, "weights", "", "safetensors state dict to load into the model (model)")
	fs.StringVar(&o.batch, "batch", "", "safetensors file with the batch tensors x and y (model)")
	fs.StringVar(&o.dump, "dump", "", "write value/loss, output and grad.<name> to this safetensors file (expr, model)")
	fs.IntVar(&o.maxElements, "max-elements", defaultMaxElements, "refuse a tensor (drawn, read or built for) of more elements")
	fs.StringVar(&o.ref, "reference", "", "compare with value/loss, output and grad.<name> in this safetensors file (expr, model)")
	flagArgs, pos, err := split(fs, args)
	if err != nil {
		return nil, err
	}
	if err := fs.Parse(flagArgs); err != nil {
		return nil, usagef("%v", err)
	}
	o.args = pos
	return o, o.finish(fs, *dtype, *mode)
}

// split separates flag tokens (with their values) from positional ones.
func split(fs *flag.FlagSet, args []string) (flags, pos []string, err error) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			return flags, append(pos, args[i+1:]...), nil
		}
		if len(a) < 2 || a[0] != '-' {
			pos = append(pos, a)
			continue
		}
		name := strings.TrimLeft(a, "-")
		name, _, hasValue := strings.Cut(name, "=")
		if (name == "h" || name == "help") && !hasValue && !isExprSlot(a, pos) {
			return nil, nil, errHelp
		}
		f := fs.Lookup(name)
		if f == nil {
			if _, numErr := strconv.ParseFloat(a, 64); numErr == nil {
				pos = append(pos, a) // a negative number
				continue
			}
			if !isFlagName(name) || isExprSlot(a, pos) {
				pos = append(pos, a) // an expression such as -x^2 or -(x * y)
				continue
			}
			return nil, nil, usagef("unknown flag %s (flags: --eps --atol --rtol --seed --dtype --mode --order --format --show-grad --passes --var --input --weights --batch --dump --reference --max-elements)", a)
		}
		flags = append(flags, a)
		if b, ok := f.Value.(interface{ IsBoolFlag() bool }); ok && b.IsBoolFlag() || hasValue {
			continue
		}
		if i+1 >= len(args) {
			return nil, nil, usagef("flag %s needs a value", a)
		}
		i++
		flags = append(flags, args[i])
	}
	return flags, pos, nil
}

// isFlagName says whether s could name a flag: letters, digits, '-' and
// '_'. Anything else after a leading '-' ("-x^2", "-(x * y)", "-2*x") is
// an expression, not a misspelt flag.
func isFlagName(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

// isExprSlot says whether a single-dash token that names no flag ("-x",
// "-W") stands where expr's expression goes: right after "expr", before
// any other positional argument. A double-dash token is always a flag.
func isExprSlot(a string, pos []string) bool {
	return !strings.HasPrefix(a, "--") && len(pos) == 1 && pos[0] == "expr"
}

// finish validates flag values.
func (o *options) finish(fs *flag.FlagSet, dtype, mode string) error {
	switch dtype {
	case "float64":
		o.cfg.Dtype = tensor.Float64
	case "float32":
		o.cfg.Dtype = tensor.Float32
	default:
		return usagef("bad --dtype %q: want float64 or float32", dtype)
	}
	if mode != "" {
		m, err := gradcheck.ParseMode(mode)
		if err != nil {
			return usagef("bad --mode %q: want full or fast", mode)
		}
		o.cfg.Mode, o.modeSet = m, true
	}
	if o.cfg.Order != 1 && o.cfg.Order != 2 {
		return usagef("bad --order %d: want 1 or 2", o.cfg.Order)
	}
	if o.maxElements < 1 {
		return usagef("bad --max-elements %d: want a positive number", o.maxElements)
	}
	if o.format != "table" && o.format != "json" {
		return usagef("bad --format %q: want table or json", o.format)
	}
	for _, f := range []struct {
		name string
		v    float64
	}{{"eps", o.cfg.Eps}, {"atol", o.cfg.Atol}, {"rtol", o.cfg.Rtol}} {
		if !(f.v > 0) || f.v > 1e300 {
			return usagef("bad --%s %g: want a positive number", f.name, f.v)
		}
	}
	return nil
}

// parseShape parses 4x3, 5 or scalar.
func parseShape(s string) ([]int, error) {
	if s == "scalar" {
		return nil, nil
	}
	if s == "" {
		return nil, errors.New("empty shape")
	}
	var shape []int
	for _, p := range strings.Split(s, "x") {
		d, err := strconv.Atoi(p)
		if err != nil || d <= 0 {
			return nil, errors.Errorf("bad shape %q: want dimensions like 4x3, 5 or scalar", s)
		}
		shape = append(shape, d)
	}
	if _, err := shapeSize(shape); err != nil {
		return nil, errors.Wrapf(err, "bad shape %q", s)
	}
	return shape, nil
}

// parseVars parses the --var flags into shapes by name.
func parseVars(vars []string) (map[string][]int, error) {
	out := map[string][]int{}
	for _, v := range vars {
		name, shape, ok := strings.Cut(v, "=")
		if !ok || name == "" {
			return nil, usagef("bad --var %q: want NAME=SHAPE, e.g. W=3x2", v)
		}
		s, err := parseShape(shape)
		if err != nil {
			return nil, usagef("--var %s: %v", name, err)
		}
		if _, dup := out[name]; dup {
			return nil, usagef("--var %s given twice", name)
		}
		out[name] = s
	}
	return out, nil
}
