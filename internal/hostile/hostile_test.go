package hostile_test

import (
	"context"
	"fmt"
	"math"
	"strings"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/compiler"
	"github.com/symgrad/symgrad/data"
	"github.com/symgrad/symgrad/gradcheck"
	"github.com/symgrad/symgrad/internal/errtext"
	"github.com/symgrad/symgrad/models"
	"github.com/symgrad/symgrad/ops"
	"github.com/symgrad/symgrad/optimizers"
	"github.com/symgrad/symgrad/train"
)

// hostileCase is one hostile call: it must return an error containing
// every string of want.
type hostileCase struct {
	name string
	call func() error
	want []string
}

// runHostile runs each case, failing on a panic that escapes, on nil
// errors and on messages that show raw panic text.
func runHostile(t *testing.T, cases []hostileCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var err error
			func() {
				defer func() {
					if r := recover(); r != nil {
						t.Fatalf("panic escaped: %v", r)
					}
				}()
				err = c.call()
			}()
			if err == nil {
				t.Fatal("accepted: no error")
			}
			msg := err.Error()
			if strings.Contains(msg, "panic:") || strings.Contains(msg, "runtime error") {
				t.Errorf("raw panic text in %q", msg)
			}
			for _, w := range errtext.Missing(msg, c.want...) {
				t.Errorf("error %q lacks %q", msg, w)
			}
		})
	}
}

// small returns a compiled program of sum(w*x) on x [3] and w [3].
func small(t *testing.T) (*compiler.Program, *G.Node, *G.Node) {
	g := G.NewGraph()
	x, err := compiler.NewInput(g, "x", tensor.Float64, 3)
	if err != nil {
		t.Fatal(err)
	}
	w, err := compiler.NewParam(g, "w", tensor.New(tensor.WithShape(3), tensor.WithBacking([]float64{1, 2, 3})))
	if err != nil {
		t.Fatal(err)
	}
	loss := G.Must(G.Sum(G.Must(G.HadamardProd(w, x))))
	p, err := compiler.Compile(loss, []*G.Node{w}, compiler.WithOutputs(loss))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.Close() })
	return p, x, w
}

func vec(v ...float64) *tensor.Dense {
	return tensor.New(tensor.WithShape(len(v)), tensor.WithBacking(v))
}

func errOf[T any](_ T, err error) error { return err }

func TestHostileCompiler(t *testing.T) {
	p, _, w := small(t)
	var typedNil *tensor.Dense
	g := G.NewGraph()
	x2, _ := compiler.NewInput(g, "x", tensor.Float64, 2)
	cases := []hostileCase{
		{"Compile nil loss", func() error { return errOf(compiler.Compile(nil, nil)) }, []string{"loss"}},
		{"Compile nil param", func() error { return errOf(compiler.Compile(p.LossNode(), []*G.Node{nil})) }, []string{"param 0", "nil"}},
		{"HVP nil loss", func() error { return errOf(compiler.HVP(nil, nil)) }, []string{"loss"}},
		{"NewInput nil graph", func() error { return errOf(compiler.NewInput(nil, "x", tensor.Float64, 2)) }, []string{"graph"}},
		{"NewInput negative dim", func() error { return errOf(compiler.NewInput(G.NewGraph(), "x", tensor.Float64, -2)) }, []string{"x", "-2"}},
		{"NewInput 2^62x4", func() error { return errOf(compiler.NewInput(G.NewGraph(), "x", tensor.Float64, 1<<62, 4)) }, []string{`input "x"`, "elements"}},
		{"NewParam nil value", func() error { return errOf(compiler.NewParam(G.NewGraph(), "w", nil)) }, []string{"w"}},
		{"NewParam nil graph", func() error { return errOf(compiler.NewParam(nil, "w", vec(1))) }, []string{"graph"}},
		{"Constant nil graph", func() error { return errOf(compiler.Constant(nil, 1.0)) }, []string{"graph"}},
		{"Constant nil value", func() error { return errOf(compiler.Constant(G.NewGraph(), nil)) }, []string{"value"}},
		{"Bind typed nil", func() error { return p.Bind("x", typedNil) }, []string{"x", "nil"}},
		{"Bind nil", func() error { return p.Bind("x", nil) }, []string{"x", "nil"}},
		{"Bind unknown", func() error { return p.Bind("nope", vec(1, 2, 3)) }, []string{"nope"}},
		{"Bind wrong shape", func() error { return p.Bind("x", vec(1, 2)) }, []string{"x", "shape"}},
		{"Bind NaN", func() error { return p.Bind("x", vec(1, math.NaN(), 3)) }, []string{"x", "NaN"}},
		{"Grad nil", func() error { return errOf(p.Grad(nil)) }, []string{"nil"}},
		{"Grad of an input", func() error { return errOf(p.Grad(x2)) }, []string{"x"}},
		{"RunLoss Mode(99)", func() error { return p.RunLoss(compiler.Mode(99)) }, []string{"mode", "99"}},
		{"WithL2 NaN", func() error { return errOf(compiler.Compile(p.LossNode(), []*G.Node{w}, compiler.WithL2(math.NaN()))) }, []string{"L2", "NaN"}},
		{"WithL1 negative", func() error { return errOf(compiler.Compile(p.LossNode(), []*G.Node{w}, compiler.WithL1(-1))) }, []string{"L1", "-1"}},
		{"WithL2 Inf", func() error { return errOf(compiler.Compile(p.LossNode(), []*G.Node{w}, compiler.WithL2(math.Inf(1)))) }, []string{"L2"}},
		{"zero Program RunTrain", func() error { return (&compiler.Program{}).RunTrain() }, []string{"not made by Compile"}},
		{"zero Program Bind", func() error { return (&compiler.Program{}).Bind("x", vec(1)) }, []string{"not made by Compile"}},
		{"zero Program RunInference", func() error { return (&compiler.Program{}).RunInference() }, []string{"not made by Compile"}},
		{"zero Program RunLoss", func() error { return (&compiler.Program{}).RunLoss(compiler.Training) }, []string{"not made by Compile"}},
		{"nil Program RunTrain", func() error { var q *compiler.Program; return q.RunTrain() }, []string{"nil"}},
	}
	runHostile(t, cases)
}

func TestHostileModels(t *testing.T) {
	g := G.NewGraph()
	rng := models.NewRNG(1)
	cases := []hostileCase{
		{"NewLinear nil rng", func() error { return errOf(models.NewLinear(g, "fc", 2, 3, tensor.Float64, nil)) }, []string{"fc", "rng"}},
		{"NewLinear negative in", func() error { return errOf(models.NewLinear(g, "fc", -2, 3, tensor.Float64, rng)) }, []string{"fc", "-2"}},
		{"NewLinear nil graph", func() error { return errOf(models.NewLinear(nil, "fc", 2, 3, tensor.Float64, rng)) }, []string{"fc", "graph"}},
		{"NewConv2D nil rng", func() error {
			return errOf(models.NewConv2D(g, "conv", 1, 2, [2]int{3, 3}, [2]int{1, 1}, [2]int{0, 0}, tensor.Float64, nil))
		}, []string{"conv", "rng"}},
		{"NewConv2D zero kernel", func() error {
			return errOf(models.NewConv2D(g, "conv0", 1, 2, [2]int{0, 3}, [2]int{1, 1}, [2]int{0, 0}, tensor.Float64, rng))
		}, []string{"conv0", "kernel"}},
		{"NewEmbedding nil rng", func() error { return errOf(models.NewEmbedding(g, "emb", 10, 4, tensor.Float64, nil)) }, []string{"emb", "rng"}},
		{"NewEmbedding negative", func() error { return errOf(models.NewEmbedding(g, "emb2", -10, 4, tensor.Float64, rng)) }, []string{"emb2", "-10"}},
		{"NewLSTM nil rng", func() error { return errOf(models.NewLSTM(g, "lstm", 4, 8, false, tensor.Float64, nil)) }, []string{"lstm", "rng"}},
		{"NewLSTM zero hidden", func() error { return errOf(models.NewLSTM(g, "lstm2", 4, 0, false, tensor.Float64, rng)) }, []string{"lstm2", "0"}},
		{"NewBatchNorm negative", func() error { return errOf(models.NewBatchNorm(g, "bn", -1, tensor.Float64)) }, []string{"bn", "-1"}},
		{"NewDropout NaN", func() error { return errOf(models.NewDropout(math.NaN(), 1)) }, []string{"NaN"}},
		{"NewDropout 1", func() error { return errOf(models.NewDropout(1, 1)) }, []string{"1", "[0, 1)"}},
		{"NewDropout -0.1", func() error { return errOf(models.NewDropout(-0.1, 1)) }, []string{"-0.1"}},
		{"Linear Forward nil", func() error {
			l, _ := models.NewLinear(G.NewGraph(), "fcn", 2, 3, tensor.Float64, rng)
			return errOf(l.Forward(nil))
		}, []string{"fcn", "nil"}},
		{"Build unknown", func() error { return errOf(models.Build("nope", models.Config{})) }, []string{"nope"}},
		{"Build negative batch", func() error { return errOf(models.Build("simplenet", models.Config{Batch: -3})) }, []string{"-3"}},
		{"Build huge batch", func() error { return errOf(models.Build("simplenet", models.Config{Batch: 1 << 62})) }, []string{"simplenet", "4611686018427387904"}},
		{"SaveCheckpoint nil model", func() error { return models.SaveCheckpoint(t.TempDir()+"/a.st", nil, nil, nil) }, []string{"model"}},
		{"LoadCheckpoint nil model", func() error { return errOf(models.LoadCheckpoint(t.TempDir()+"/a.st", nil)) }, []string{"model"}},
		{"LoadStateDict nil tensor", func() error {
			m, _ := models.Build("simplenet", models.Config{})
			st := map[string]*tensor.Dense{}
			for _, e := range m.StateDict() {
				st[e.Name] = e.Tensor
			}
			st["fc1.bias"] = nil
			return m.LoadStateDict(st)
		}, []string{"fc1.bias", "nil"}},
		{"nil Model Compile", func() error { var m *models.Model; return errOf(m.Compile()) }, []string{"nil"}},
		{"zero Model Compile", func() error { return errOf((&models.Model{}).Compile()) }, []string{"model"}},
	}
	runHostile(t, cases)
}

func TestHostileOptimizers(t *testing.T) {
	opt, _ := optimizers.NewAdam(optimizers.AdamConfig{})
	f := math.NaN()
	cases := []hostileCase{
		{"NewStepLR nil optimizer", func() error { return errOf(optimizers.NewStepLR(nil, 2, 0.5)) }, []string{"optimizer"}},
		{"NewStepLR zero step", func() error { return errOf(optimizers.NewStepLR(opt, 0, 0.5)) }, []string{"step", "0"}},
		{"NewStepLR NaN gamma", func() error { return errOf(optimizers.NewStepLR(opt, 2, math.NaN())) }, []string{"gamma", "NaN"}},
		{"NewMultiStepLR nil optimizer", func() error { return errOf(optimizers.NewMultiStepLR(nil, []int{1}, 0.5)) }, []string{"optimizer"}},
		{"NewExponentialLR nil optimizer", func() error { return errOf(optimizers.NewExponentialLR(nil, 0.5)) }, []string{"optimizer"}},
		{"NewExponentialLR NaN", func() error { return errOf(optimizers.NewExponentialLR(opt, math.NaN())) }, []string{"gamma", "NaN"}},
		{"NewCosineAnnealingLR nil optimizer", func() error { return errOf(optimizers.NewCosineAnnealingLR(nil, 10, 0)) }, []string{"optimizer"}},
		{"NewCosineAnnealingLR zero T", func() error { return errOf(optimizers.NewCosineAnnealingLR(opt, 0, 0)) }, []string{"0"}},
		{"NewReduceLROnPlateau nil optimizer", func() error {
			return errOf(optimizers.NewReduceLROnPlateau(nil, optimizers.PlateauConfig{Patience: 3}))
		}, []string{"optimizer"}},
		{"NewReduceLROnPlateau NaN factor", func() error {
			return errOf(optimizers.NewReduceLROnPlateau(opt, optimizers.PlateauConfig{Factor: &f}))
		}, []string{"factor", "NaN"}},
		{"NewSGD NaN lr", func() error { return errOf(optimizers.NewSGD(optimizers.SGDConfig{LR: math.NaN()})) }, []string{"NaN"}},
		{"NewAdam negative lr", func() error { return errOf(optimizers.NewAdam(optimizers.AdamConfig{LR: -1})) }, []string{"-1"}},
		{"ClipGradNorm NaN", func() error { return errOf(optimizers.ClipGradNorm(nil, math.NaN(), 2, false)) }, []string{"NaN"}},
		{"ClipGradValue NaN", func() error { return optimizers.ClipGradValue(nil, math.NaN()) }, []string{"NaN"}},
		{"Step nil value", func() error { return opt.Step([]optimizers.Param{{Name: "w", Grad: vec(1)}}) }, []string{"w"}},
		{"LoadState nil tensor", func() error { return opt.LoadState(map[string]*tensor.Dense{"w.exp_avg": nil}) }, []string{"w.exp_avg"}},
	}
	runHostile(t, cases)
}

func TestHostileData(t *testing.T) {
	cases := []hostileCase{
		{"TwoMoons negative", func() error { return errOf(data.TwoMoons(-5, 0.1, 1)) }, []string{"-5"}},
		{"TwoMoons NaN noise", func() error { return errOf(data.TwoMoons(10, math.NaN(), 1)) }, []string{"noise", "NaN"}},
		{"Circles negative", func() error { return errOf(data.Circles(-1, 0.5, 0.1, 1)) }, []string{"-1"}},
		{"Spirals zero arms", func() error { return errOf(data.Spirals(10, 0, 0.1, 1)) }, []string{"arms"}},
		{"XOR negative", func() error { return errOf(data.XOR(-3, 0.1, 1)) }, []string{"-3"}},
		{"Blobs negative features", func() error { return errOf(data.Blobs(10, -2, 3, 1, 1)) }, []string{"-2"}},
		{"Blobs NaN std", func() error { return errOf(data.Blobs(10, 2, 3, math.NaN(), 1)) }, []string{"NaN"}},
		{"SineRegression negative", func() error { return errOf(data.SineRegression(-1, 0.1, 1)) }, []string{"-1"}},
		{"Friedman1 too few features", func() error { return errOf(data.Friedman1(10, 2, 0.1, 1)) }, []string{"2"}},
		{"RunningSum negative steps", func() error { return errOf(data.RunningSum(10, -1, 2, 0.1, 1)) }, []string{"-1"}},
		{"SineContinuation negative", func() error { return errOf(data.SineContinuation(-4, 10, 0.1, 1)) }, []string{"-4"}},
		{"SequencePatterns zero classes", func() error { return errOf(data.SequencePatterns(10, 5, 2, 0, 0.1, 1)) }, []string{"0"}},
		{"TwoMoons 2^62", func() error { return errOf(data.TwoMoons(1<<62, 0.1, 1)) }, []string{"4611686018427387904"}},
		{"New nil x", func() error { return errOf(data.New("d", nil, vec(1))) }, []string{"d"}},
		{"NewBatcher nil", func() error { return errOf(data.NewBatcher(nil, data.BatchConfig{Size: 2})) }, []string{"dataset"}},
		{"NewBatcher zero size", func() error {
			d, _ := data.TwoMoons(10, 0.1, 1)
			return errOf(data.NewBatcher(d, data.BatchConfig{Size: 0}))
		}, []string{"0"}},
		{"Split nil", func() error { return errOf(data.Split(nil, data.SplitConfig{Val: 0.2})) }, []string{"dataset"}},
		{"Split NaN", func() error {
			d, _ := data.TwoMoons(10, 0.1, 1)
			return errOf(data.Split(d, data.SplitConfig{Val: math.NaN()}))
		}, []string{"NaN"}},
		{"OneHot nil", func() error { return errOf(data.OneHot(nil, 3, tensor.Float64)) }, []string{"labels"}},
		{"AddGaussianNoise nil rng", func() error { return errOf(data.AddGaussianNoise(vec(1, 2), 0.1, nil)) }, []string{"rng"}},
		{"AddGaussianNoise NaN std", func() error { return errOf(data.AddGaussianNoise(vec(1, 2), math.NaN(), data.NewRand(1))) }, []string{"NaN"}},
		{"FitStandardizer nil", func() error { return errOf(data.FitStandardizer(nil, data.PerFeature)) }, []string{"FitStandardizer", "x must be"}},
		{"zero Dataset Subset", func() error { return errOf((&data.Dataset{}).Subset("s", []int{0})) }, []string{"dataset"}},
		{"nil Dataset Validate", func() error { var d *data.Dataset; return d.Validate() }, []string{"nil"}},
	}
	runHostile(t, cases)
}

func TestHostileGradcheck(t *testing.T) {
	spec, _ := ops.Lookup("tanh")
	cases := []hostileCase{
		{"CheckOp nil", func() error { return errOf(gradcheck.CheckOp(nil, gradcheck.Config{})) }, []string{"spec"}},
		{"CheckModel unknown", func() error { return errOf(gradcheck.CheckModel("nope", gradcheck.Config{})) }, []string{"nope"}},
		{"Check nil builder", func() error { return errOf(gradcheck.Check("x", gradcheck.KindExpr, nil, gradcheck.Config{})) }, []string{"builder"}},
		{"CheckProgram nil", func() error { return errOf(gradcheck.CheckProgram(nil, gradcheck.Config{})) }, []string{"program"}},
		{"Config NaN eps", func() error { return errOf(gradcheck.CheckOp(spec, gradcheck.Config{Eps: math.NaN()})) }, []string{"eps", "NaN"}},
		{"Config negative atol", func() error { return errOf(gradcheck.CheckOp(spec, gradcheck.Config{Atol: -1})) }, []string{"atol", "-1"}},
		{"Config Mode(9)", func() error { return errOf(gradcheck.CheckOp(spec, gradcheck.Config{Mode: gradcheck.Mode(9)})) }, []string{"mode 9"}},
		{"DrawDomain nil rng", func() error { return errOf(gradcheck.DrawDomain(nil, ops.Real, tensor.Float64, 3)) }, []string{"rng"}},
		{"DrawDomain 2^62x4", func() error {
			return errOf(gradcheck.DrawDomain(models.NewRNG(1), ops.Real, tensor.Float64, 1<<62, 4))
		}, []string{"shape"}},
		{"DrawDomain negative", func() error { return errOf(gradcheck.DrawDomain(models.NewRNG(1), ops.Real, tensor.Float64, -3)) }, []string{"-3"}},
		{"CompareTensor nil", func() error { return errOf(gradcheck.CompareTensor("a", "row", nil, vec(1), gradcheck.Config{})) }, []string{"nil"}},
		{"UpstreamSum nil", func() error { return errOf(gradcheck.UpstreamSum(nil, 1)) }, []string{"UpstreamSum", "node"}},
		{"ModelBuilder unknown", func() error { return errOf(gradcheck.ModelBuilder("nope", 2, 1)(tensor.Float64)) }, []string{"nope"}},
	}
	runHostile(t, cases)
}

func TestHostileTrain(t *testing.T) {
	d, _ := data.TwoMoons(40, 0.1, 1)
	fd, _ := d.FloatTargets()
	opt := func() optimizers.Optimizer { o, _ := optimizers.NewAdam(optimizers.AdamConfig{}); return o }
	fit := func(cfg train.Config) error {
		m := tinyModel(t)
		_, err := train.Fit(context.Background(), m, cfg)
		return err
	}
	// withTrainer returns the error of f on a Trainer of tinyModel on fd
	// with optimizer o.
	withTrainer := func(o optimizers.Optimizer, f func(tn *train.Trainer) error) error {
		tn, err := train.NewTrainer(tinyModel(t), train.Config{Epochs: 1, Train: fd, Optimizer: o})
		if err != nil {
			return fmt.Errorf("setup: %w", err)
		}
		defer tn.Close()
		return f(tn)
	}
	cases := []hostileCase{
		{"NewTrainer nil model", func() error { return errOf(train.NewTrainer(nil, train.Config{})) }, []string{"model"}},
		{"Fit nil model", func() error { return errOf(train.Fit(context.Background(), nil, train.Config{})) }, []string{"model"}},
		{"Clip NaN", func() error { return fit(train.Config{Epochs: 1, Train: fd, Optimizer: opt(), Clip: clipNaN()}) }, []string{"Clip.", "NaN"}},
		{"Clip Value NaN", func() error {
			return fit(train.Config{Epochs: 1, Train: fd, Optimizer: opt(), Clip: train.Clip{Value: math.NaN()}})
		}, []string{"Clip.", "NaN"}},
		{"Clip NormType NaN", func() error {
			return fit(train.Config{Epochs: 1, Train: fd, Optimizer: opt(), Clip: train.Clip{NormType: math.NaN()}})
		}, []string{"NaN"}},
		{"Epochs overflow", func() error { return fit(train.Config{Epochs: 1 << 50, Train: fd, Optimizer: opt()}) }, []string{"Epochs"}},
		{"negative lr", func() error {
			o := opt()
			o.SetLR(-1)
			return fit(train.Config{Epochs: 1, Train: fd, Optimizer: o})
		}, []string{"-1"}},
		{"NaN lr", func() error {
			o := opt()
			o.SetLR(math.NaN())
			return fit(train.Config{Epochs: 1, Train: fd, Optimizer: o})
		}, []string{"NaN"}},
		{"nil callback", func() error {
			return fit(train.Config{Epochs: 1, Train: fd, Optimizer: opt(), Callbacks: []train.Callback{nil}})
		}, []string{"Callbacks[0]"}},
		{"nil metric", func() error {
			return fit(train.Config{Epochs: 1, Train: fd, Optimizer: opt(), Metrics: []train.Metric{nil}})
		}, []string{"Metrics[0]"}},
		{"EarlyStopping negative patience", func() error {
			return fit(train.Config{Epochs: 1, Train: fd, Optimizer: opt(), Callbacks: []train.Callback{&train.EarlyStopping{Patience: -1, Monitor: "loss"}}})
		}, []string{"Patience", "-1"}},
		{"lr set NaN after NewTrainer", func() error {
			o := opt()
			return withTrainer(o, func(tn *train.Trainer) error {
				o.SetLR(math.NaN())
				return errOf(tn.Fit(context.Background()))
			})
		}, []string{"learning rate", "NaN"}},
		{"PlotHistory nil", func() error { return train.PlotHistory(nil, t.TempDir()+"/a.png") }, []string{"history"}},
		{"Evaluate nil dataset", func() error {
			return withTrainer(opt(), func(tn *train.Trainer) error { return errOf(tn.Evaluate(context.Background(), nil)) })
		}, []string{"dataset"}},
		{"Predict nil", func() error {
			return withTrainer(opt(), func(tn *train.Trainer) error { return errOf(tn.Predict(context.Background(), nil)) })
		}, []string{"nil"}},
	}
	runHostile(t, cases)
}

// tinyModel is a 2-4-1 BCE model for batches of 4.
func tinyModel(t *testing.T) *models.Model {
	g := G.NewGraph()
	m := &models.Model{Name: "tiny", Graph: g, Config: models.Config{Batch: 4, Dtype: tensor.Float64, Seed: 1}}
	var err error
	m.X, _ = compiler.NewInput(g, "x", tensor.Float64, 4, 2)
	m.Y, _ = compiler.NewInput(g, "y", tensor.Float64, 4, 1)
	fc, err := models.NewLinear(g, "fc", 2, 1, tensor.Float64, models.NewRNG(1))
	if err != nil {
		t.Fatal(err)
	}
	m.Modules, m.Params = append(m.Modules, fc), fc.Params()
	if m.Output, err = fc.Forward(m.X); err != nil {
		t.Fatal(err)
	}
	if m.Loss, err = ops.BCEWithLogits(m.Output, m.Y); err != nil {
		t.Fatal(err)
	}
	return m
}

// TestHostileIndexAccessors: accessors without an error result return nil
// for an index out of range instead of panicking.
func TestHostileIndexAccessors(t *testing.T) {
	p, _, _ := small(t)
	var nilProg *compiler.Program
	checks := []struct {
		name  string
		isNil func() bool
	}{
		{"Output(-1)", func() bool { return p.Output(-1) == nil }},
		{"Output(5)", func() bool { return p.Output(5) == nil }},
		{"GradNode(-1)", func() bool { return p.GradNode(-1) == nil }},
		{"GradNode(1)", func() bool { return p.GradNode(1) == nil }},
		{"nil Program Output(0)", func() bool { return nilProg.Output(0) == nil }},
	}
	for _, c := range checks {
		func() {
			defer func() {
				if r := recover(); r != nil {
					t.Errorf("%s panicked: %v", c.name, r)
				}
			}()
			if !c.isNil() {
				t.Errorf("%s is not nil", c.name)
			}
		}()
	}
	if p.GradNode(0) == nil {
		t.Error("GradNode(0) is nil: the accessors return nothing at all")
	}
}
