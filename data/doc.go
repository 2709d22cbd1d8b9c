// Package data holds in-memory datasets of tensors and everything that feeds
// them to training: seeded shuffling and mini-batches, train/validation/test
// splits, standardization, one-hot encoding, synthetic generators, file
// loaders and augmentation. It knows no models and no graphs, only
// gorgonia.org/tensor dense tensors.
//
// # Datasets
//
// A Dataset holds inputs X [N, ...] (float64 by default, float32 through
// AsType) and targets Y: float [N,K] for regression or binary 0/1 targets, or
// int64 class indices [N]. New checks the shapes and dtypes, Validate also
// rejects NaN, ±Inf and negative class indices, naming the dataset, row and
// column. FloatTargets, OneHotTargets, ReshapeX and Flatten adapt a dataset
// to what a model's loss and input layer expect.
//
// # Batches, splits and scaling
//
// A typical pipeline, as with scikit-learn and a PyTorch DataLoader:
//
//	d, _ := data.TwoMoons(1000, 0.1, 1)
//	sp, _ := data.Split(d, data.SplitConfig{Val: 0.1, Test: 0.2, Seed: 1, Stratify: true})
//	sp, scaler, _ := data.StandardizeSplits(sp, data.PerFeature) // fitted on sp.Train only
//	b, _ := data.NewBatcher(sp.Train, data.BatchConfig{Size: 64, Shuffle: true, Seed: 1})
//	for epoch := 0; epoch < 10; epoch++ {
//		for b.Next() {
//			x, y := b.X(), b.Y() // reused tensors: no allocation per batch
//		}
//	}
//
// # Randomness
//
// Everything random is seeded with a uint64 and drawn from math/rand/v2's PCG
// (NewRand(seed) is rand.New(rand.NewPCG(seed, 0))): the same seed gives the
// same data, order, split or augmentation. Nothing in the package reads a
// global generator or keeps package-level state.
//
// # Synthetic data
//
// TwoMoons, Circles, Blobs, LinearRegression and Friedman1 follow
// scikit-learn's make_moons, make_circles, make_blobs, make_regression and
// make_friedman1 (same formulas; numpy's random streams differ, so the noise
// differs). Spirals, XOR and SineRegression are small 2-D and 1-D tasks;
// RunningSum, SineContinuation and SequencePatterns are sequence tasks
// [N,T,F] for recurrent models; Shapes draws [N,1,28,28] images of outlined
// shapes for a CNN. Each doc comment gives its formula. For the model zoo's
// shapes: Friedman1(n, 100, ...) for simplenet and mlpbn, the breast-cancer
// CSV (LoadSklearnCSV, then FloatTargets) for binary, MNIST or
// Shapes(...).Flatten() for mlp, Shapes for lenet, RunningSum(n, 20, 32, ...)
// for lstm and SequencePatterns(n, 20, 32, 5, ...) for bilstm.
//
// # Files
//
// ReadCSV reads numeric CSV with a chosen target column; ReadSklearnCSV and
// ReadSklearnDigits read the files bundled with scikit-learn; ReadIDX and
// LoadMNIST read the IDX format of MNIST; LoadSafetensors reads named
// tensors from a safetensors file (what PyTorch's save_file writes).
// Gzipped input is detected by its magic bytes. Loaders validate what they
// return. Every loader reads at most DefaultMaxBytes (256 MiB) per file
// after decompression, so a gzip bomb is refused with a *TooLargeError
// naming the file; CSVConfig.MaxBytes and the MaxBytes option change the
// limit. Error messages quote at most 64 bytes of a field or name.
//
// # Errors
//
// Every function reports problems as errors (github.com/pkg/errors) and
// never panics on bad input or a malformed file; messages start with "data:"
// and name the dataset or file and the place: "data: iris.csv:12:9: field 3
// ...", "data: train-images-idx3-ubyte: byte offset 16: ...". A loader never
// allocates from a size declared in a file before the data backs it.
package data
