package main

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/symgrad/symgrad/gradcheck"
	"github.com/symgrad/symgrad/models"
	"github.com/symgrad/symgrad/ops"
)

// fastAbove is the parameter count above which models are checked in fast
// mode unless --mode is given.
const fastAbove = 10000

// run is the whole command: it returns the exit status.
func run(args []string, stdout, stderr io.Writer) int {
	o, err := parseArgs(args, stderr)
	if errors.Is(err, errHelp) {
		fmt.Fprint(stdout, usage)
		return 0
	}
	if err != nil {
		return fail(stderr, err)
	}
	cmd, rest := "all", []string(nil)
	if len(o.args) > 0 {
		cmd, rest = o.args[0], o.args[1:]
	}
	var reports []*gradcheck.Report
	switch cmd {
	case "all":
		if len(rest) > 0 {
			return fail(stderr, usagef("all takes no arguments, got %q", rest))
		}
		reports, err = checkOps(o, []string{"all"})
		if err == nil {
			var more []*gradcheck.Report
			more, err = checkModels(o, []string{"all"})
			reports = append(reports, more...)
		}
	case "list":
		return list(stdout)
	case "op", "ops":
		reports, err = checkOps(o, rest)
	case "model", "models":
		reports, err = checkModels(o, rest)
	case "expr":
		reports, err = checkExpr(o, rest, stdout)
	case "help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		err = usagef("unknown command %q (commands: all, list, op, model, expr, help)", cmd)
	}
	if err != nil {
		return fail(stderr, err)
	}
	if o.format == "json" {
		err = gradcheck.WriteJSON(stdout, reports)
	} else {
		err = gradcheck.WriteTable(stdout, reports)
	}
	if err != nil {
		return fail(stderr, err)
	}
	for _, r := range reports {
		if !r.OK() {
			return 1
		}
	}
	return 0
}

const usage = `usage: gradcheck [command] [flags]

Checks symgrad's symbolic gradients against numeric ones (and against
another framework's with --reference).

commands:
  all (default)              every registered op and every zoo model
  list                       list the ops and the models
  op NAME... | op all        check ops from the registry
  model NAME... | model all  check zoo models
  expr 'EXPR' --var NAME=SHAPE...
                             check an expression, e.g. 'sum(tanh(x @ W + b))'
                             --var x=4x3 --var W=3x2 --var b=2
  help                       print this help (also -h, --help)

flags (anywhere on the line):
  --eps 1e-6 --atol 1e-5 --rtol 1e-3 --seed 0 --dtype float64|float32
  --mode full|fast --order 1|2 --format table|json --show-grad --passes
  expr:  --input I.safetensors --dump OUT.safetensors --reference R.safetensors
  model: --weights W.safetensors --batch B.safetensors --dump OUT.safetensors
         --reference R.safetensors

exit status: 0 all checks pass, 1 some check fails, 2 bad usage or input
`

// fail prints err (with the usage text for usage errors) and returns 2:
// every error that stops the command before a verdict is bad usage or
// input (an unreadable file, a --dump path that cannot be written); exit
// status 1 is kept for checks that ran and failed.
func fail(stderr io.Writer, err error) int {
	fmt.Fprintf(stderr, "gradcheck: %v\n", err)
	var u *usageError
	if errors.As(err, &u) {
		fmt.Fprint(stderr, usage)
	}
	return 2
}

// list prints the registered ops and the zoo models.
func list(w io.Writer) int {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "OP\tFAMILY\tFORWARD\tORDER 2")
	for _, s := range ops.All() {
		fwd := []rune(s.Forward)
		if len(fwd) > 72 {
			fwd = append(fwd[:71], '…')
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%v\n", s.Name, s.Family, string(fwd), s.TwiceDifferentiable)
	}
	if err := tw.Flush(); err != nil {
		return 2
	}
	fmt.Fprintln(w)
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "MODEL\tPARAMS")
	for _, name := range models.Names() {
		n := "?"
		if m, err := models.Build(name, models.Config{}); err == nil {
			n = fmt.Sprint(m.ParamCount())
		}
		fmt.Fprintf(tw, "%s\t%s\n", name, n)
	}
	if err := tw.Flush(); err != nil {
		return 2
	}
	return 0
}

// checkOps checks the named ops ("all" for every registered op).
func checkOps(o *options, names []string) ([]*gradcheck.Report, error) {
	if len(names) == 0 {
		return nil, usagef("op: name at least one op, or all")
	}
	var specs []*ops.Spec
	for _, n := range names {
		if n == "all" {
			specs = append(specs, ops.All()...)
			continue
		}
		s, ok := ops.Lookup(n)
		if !ok {
			return nil, usagef("unknown op %q (ops: %s)", n, strings.Join(opNames(), ", "))
		}
		specs = append(specs, s)
	}
	var out []*gradcheck.Report
	for _, s := range specs {
		r, err := gradcheck.CheckOp(s, o.cfg)
		if err != nil {
			return nil, usagef("op %s: %v", s.Name, err)
		}
		out = append(out, r)
	}
	return out, nil
}

func opNames() []string {
	var names []string
	for _, s := range ops.All() {
		names = append(names, s.Name)
	}
	return names
}

// checkModels checks the named zoo models ("all" for every one); models
// over fastAbove parameters are checked in fast mode unless --mode is set.
func checkModels(o *options, names []string) ([]*gradcheck.Report, error) {
	if len(names) == 0 {
		return nil, usagef("model: name at least one model, or all")
	}
	var list []string
	for _, n := range names {
		if n == "all" {
			list = append(list, models.Names()...)
			continue
		}
		known := false
		for _, m := range models.Names() {
			known = known || m == n
		}
		if !known {
			return nil, usagef("unknown model %q (models: %s)", n, strings.Join(models.Names(), ", "))
		}
		list = append(list, n)
	}
	if o.usesModelFiles() && len(list) != 1 {
		return nil, usagef("--weights, --batch, --dump and --reference take exactly one model, got %d", len(list))
	}
	var out []*gradcheck.Report
	for _, name := range list {
		cfg := o.cfg
		if !o.modeSet {
			if m, err := models.Build(name, models.Config{}); err == nil && m.ParamCount() > fastAbove {
				cfg.Mode = gradcheck.Fast
			}
		}
		if o.usesModelFiles() {
			r, err := checkModelFiles(o, name, cfg)
			if err != nil {
				return nil, err
			}
			out = append(out, r)
			continue
		}
		r, err := gradcheck.CheckModel(name, cfg)
		if err != nil {
			return nil, usagef("model %s: %v", name, err)
		}
		out = append(out, r)
	}
	return out, nil
}
