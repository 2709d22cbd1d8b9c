package graphindex

import (
	"reflect"
	"unsafe"

	G "gorgonia.org/gorgonia"
)

var graphFields = func() (byID, counter uintptr, ok bool) {
	t := reflect.TypeOf(G.ExprGraph{})
	b, okB := t.FieldByName("byID")
	c, okC := t.FieldByName("counter")
	if !okB || !okC || b.Type != reflect.TypeOf(map[int64]int(nil)) || c.Type.Kind() != reflect.Uint {
		return 0, 0, false
	}
	return b.Offset, c.Offset, true
}

var byIDOffset, counterOffset, canIndex = graphFields()

// indexAheadBy is how many future IDs one fill covers (amortizing it).
const indexAheadBy = 256

// Ahead makes sure that the next nodes added to g are found in its ID
// cache without a scan.
func Ahead(g *G.ExprGraph) {
	if !canIndex || g == nil {
		return
	}
	n := len(g.AllNodes())
	if *(*uint)(unsafe.Add(unsafe.Pointer(g), counterOffset)) != uint(n) {
		return // a node was removed: IDs are no longer indices
	}
	m := *(*map[int64]int)(unsafe.Add(unsafe.Pointer(g), byIDOffset))
	if m == nil {
		return
	}
	if _, ok := m[int64(n)+1]; ok {
		return
	}
	for id := n; id < n+indexAheadBy; id++ {
		m[int64(id)] = id
	}
}

// indexAll fills g's ID cache for every node g holds (the index is the
// node's position, whatever its ID: this holds for subgraphs too, whose
// nodes keep the IDs of their parent graph).
func indexAll(g *G.ExprGraph) {
	if !canIndex || g == nil {
		return
	}
	m := *(*map[int64]int)(unsafe.Add(unsafe.Pointer(g), byIDOffset))
	if m == nil {
		return
	}
	for i, n := range g.AllNodes() {
		m[n.ID()] = i
	}
}

// Sort is G.Sort (roots first, Gorgonia's stable order) without the
// quadratic ID lookups.
func Sort(g *G.ExprGraph) (G.Nodes, error) {
	indexAll(g)
	return G.Sort(g)
}
