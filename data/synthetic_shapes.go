package data

import (
	"cmp"
	"math"
	"math/rand/v2"

	"github.com/pkg/errors"
)

// shapeNames are the classes of Shapes, in label order.
var shapeNames = [...]string{"square", "circle", "triangle", "cross", "ex", "diamond"}

// ShapesConfig configures Shapes. Its zero value, apart from N, gives 28x28
// images of 4 classes without noise.
type ShapesConfig struct {
	// N is the number of images.
	N int
	// Size is the side of the square images in pixels; 0 means 28, and it
	// must be at least 8.
	Size int
	// Classes is how many of the shapes square, circle, triangle, cross (+),
	// ex (x) and diamond, in that order, to draw; 0 means 4.
	Classes int
	// Noise is the standard deviation of the Gaussian noise added to every
	// pixel before clipping to [0,1].
	Noise float64
	// Seed seeds NewRand.
	Seed uint64
}

// Shapes returns a small image-classification task for a CNN, X
// [N,1,Size,Size] with pixels in [0,1] and int64 labels [N]: each image shows
// one outlined shape (square, circle, triangle, cross, ex or diamond) of
// radius r ~ U(0.2,0.4)*Size (it fits in the circle of radius r) at a
// uniformly random position that keeps it two pixels off the border.
// A pixel's intensity is clamp(1.5 - d, 0, 1), d being the distance in pixels
// from its center to the shape's outline (an anti-aliased stroke about two
// pixels wide); then noise * N(0,1) is added and the result clipped to [0,1].
// The classes are balanced and shuffled. The name is "shapes".
func Shapes(cfg ShapesConfig) (*Dataset, error) {
	size, classes := cmp.Or(cfg.Size, 28), cmp.Or(cfg.Classes, 4)
	if err := checkGen("Shapes", cfg.N, cfg.Noise, size, size); err != nil {
		return nil, err
	}
	if size < 8 || classes < 2 || classes > len(shapeNames) {
		return nil, errors.Errorf("data: Shapes: size %d, %d classes; want size >= 8 and 2..%d classes", size, classes, len(shapeNames))
	}
	rng := NewRand(cfg.Seed)
	labels := balancedLabels(cfg.N, classes, rng)
	per := size * size
	x := make([]float64, cfg.N*per)
	for i, c := range labels {
		img := x[i*per : (i+1)*per]
		drawShape(img, size, int(c), rng)
		for k, v := range img {
			img[k] = min(max(v+cfg.Noise*rng.NormFloat64(), 0), 1)
		}
	}
	names := append([]string(nil), shapeNames[:classes]...)
	return classification("shapes", x, labels, names, cfg.N, 1, size, size)
}

// drawShape draws shape class c, at a random size and position, into img
// (size x size, row-major, y down).
func drawShape(img []float64, size, c int, rng *rand.Rand) {
	s := float64(size)
	r := s * (0.2 + 0.2*rng.Float64())
	cx := r + 2 + (s-4-2*r)*rng.Float64() // the stroke stays a pixel off the border
	cy := r + 2 + (s-4-2*r)*rng.Float64()
	segs := shapeSegments(c, r)
	for py := range size {
		for px := range size {
			dx, dy := float64(px)+0.5-cx, float64(py)+0.5-cy
			d := math.Abs(math.Hypot(dx, dy) - r) // the circle
			if segs != nil {
				d = math.Inf(1)
				for _, g := range segs {
					d = min(d, segmentDistance(dx, dy, g))
				}
			}
			img[py*size+px] = min(max(1.5-d, 0), 1)
		}
	}
}

// segment is a line segment from (x0,y0) to (x1,y1), relative to the center.
type segment [4]float64

// shapeSegments returns the outline of shape class c of radius r as segments
// around the origin (y down), or nil for the circle. Every shape fits in the
// circle of radius r.
func shapeSegments(c int, r float64) []segment {
	h := r / math.Sqrt2
	switch shapeNames[c] {
	case "square":
		return polygon(-h, -h, h, -h, h, h, -h, h)
	case "triangle":
		return polygon(0, -r, r*math.Sqrt(3)/2, r/2, -r*math.Sqrt(3)/2, r/2)
	case "cross":
		return []segment{{-r, 0, r, 0}, {0, -r, 0, r}}
	case "ex":
		return []segment{{-h, -h, h, h}, {-h, h, h, -h}}
	case "diamond":
		return polygon(0, -r, r, 0, 0, r, -r, 0)
	}
	return nil
}

// polygon returns the closed outline through the points (x0,y0), (x1,y1), ...
func polygon(xy ...float64) []segment {
	n := len(xy) / 2
	segs := make([]segment, n)
	for i := range n {
		j := (i + 1) % n
		segs[i] = segment{xy[2*i], xy[2*i+1], xy[2*j], xy[2*j+1]}
	}
	return segs
}

// segmentDistance returns the distance from (x,y) to segment g.
func segmentDistance(x, y float64, g segment) float64 {
	vx, vy := g[2]-g[0], g[3]-g[1]
	t := ((x-g[0])*vx + (y-g[1])*vy) / (vx*vx + vy*vy)
	t = min(max(t, 0), 1)
	return math.Hypot(x-g[0]-t*vx, y-g[1]-t*vy)
}
