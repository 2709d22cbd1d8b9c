//go:build !race

package safetensors

// raceDetector says the race detector slows every step several times.
const raceDetector = false
