// Package hostile holds no code: its test calls the public functions of
// compiler, models, optimizers, train, data and gradcheck with hostile
// arguments (nil, typed nil, negative sizes, NaN, out-of-range indices,
// zero values) and checks that each returns an error naming the argument,
// never a panic and never a raw "panic: runtime error" message.
package hostile
