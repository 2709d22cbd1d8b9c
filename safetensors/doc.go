// Package safetensors reads and writes safetensors files of named tensors
// (every dtype PyTorch writes) and their string metadata, in terms of
// gorgonia tensors. It is the one place in symgrad that does: checkpoints
// (models.SaveCheckpoint, LoadCheckpoint), datasets (data.LoadSafetensors)
// and the gradcheck CLI's --weights, --batch, --input, --dump and
// --reference files all go through it. Import it as
// github.com/symgrad/symgrad/safetensors.
//
// # Format
//
// A safetensors file (https://huggingface.co/docs/safetensors) is an 8-byte
// little-endian header size N, N bytes of UTF-8 JSON, then the data:
//
//	{"__metadata__":{"format":"pt"},"w":{"dtype":"F32","shape":[2,3],"data_offsets":[0,24]}}
//
// Offsets are relative to the first byte after the header; elements are
// little-endian in row-major (C) order. Files written here follow the Rust
// crate's writer (the one behind Python's safetensors.torch.save_file) byte
// for byte: tensor order, compact JSON, string escapes, space padding. The
// tests check this against that crate's own test vectors and a hand-built
// file; with several metadata keys only the key order differs (the crate's
// is random, ours sorted). Such files load in PyTorch with load_file.
//
// # API
//
//	Read(path) (*File, error)            // validate and load a file
//	Decode(data) (*File, error)          // the same, from bytes
//	Write(path, tensors, metadata) error // atomic replace
//	Encode(w, tensors, metadata) error   // the same, to an io.Writer
//	AsFloat64(t) (*tensor.Dense, error)  // any dtype to a Float64 copy
//
// File holds the tensors by name, the metadata, the header order and each
// tensor's stored dtype; File.Tensor(name) looks one up with an error that
// names the file. Every error is an *Error carrying the operation, the file
// and the tensor at fault.
//
// # Dtypes
//
//	file        tensor.Dense   read  write
//	F64         Float64        yes   yes
//	F32         Float32        yes   yes
//	F16, BF16   Float32        yes   no (no such Dense dtype; converted exactly on read)
//	I64 ... I8  Int64 ... Int8 yes   yes
//	U64 ... U8  Uint64 ...     yes   yes
//	BOOL        Bool           yes   yes (bytes 0 and 1 only)
//
// Other dtypes (F8_*, C64, ...) are rejected on read; Dense dtypes Int, Uint,
// complex and the rest are rejected on write (convert Int to Int64 first).
// Floats round-trip bit for bit, NaN payloads, -0 and Inf included.
//
// # 0-d and empty tensors
//
// A 0-d tensor (shape [] in the file, one element; PyTorch's
// num_batches_tracked) is read as tensor.New(tensor.FromScalar(v)): Shape()
// is (), Dims() is 0, and Data() returns the element itself, not a slice.
// Writing such a tensor writes shape []. A tensor with a 0 in its shape
// (begin == end in the file) is read as tensor.New(tensor.WithShape(...),
// tensor.Of(dt)); note that tensor v0.9.24 panics on Data() of such a
// tensor, so check Shape().TotalSize() first.
//
// # Strictness
//
// Read and Decode never panic, and check every size in the header against
// the file's before allocating. They accept what the Rust safetensors crate accepts — tensors in any
// header order, "__metadata__": null, whitespace padding after the JSON —
// and reject everything else, naming the tensor at fault: a header above
// 100 MB or past the end of the file, JSON that is not one object, duplicate
// keys, unknown fields, non-string metadata values, unknown dtypes, sizes
// that are negative, fractional or overflow, more than 64 dimensions,
// offsets that are reversed, out of range or not dtype size × elements
// apart, and data with holes, overlaps or trailing bytes.
//
// # Writing
//
// Write replaces a file atomically (temporary file, fsync, rename, fsync of
// the directory): after a crash the old file is intact. Tensors are written
// in Python's order: by dtype, U64, I64, F64, F32, U32, I32, U16, I16, I8, U8,
// BOOL (widest first, so every tensor's data is aligned to its element size),
// then by name; for one dtype that is simply name order. Offsets are
// contiguous from 0. Views, transposes and
// column-major tensors are written in their logical row-major order.
package safetensors
