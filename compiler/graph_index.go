package compiler

import (
	"reflect"
	"unsafe"

	G "gorgonia.org/gorgonia"
)

// Gorgonia finds a node by ID through a cache (ExprGraph.byID, gorgonia
// v0.9.18 graph.go node) that is filled only on a miss, by a linear scan
// of every node from the first. Adding a node looks up the node itself and
// its children (NewUniqueNode -> fixEdges -> SetEdge -> Has), and a node
// just made is always a miss, so building a graph of n nodes costs O(n^2):
// a 16,000-term sum spent most of its compile time scanning.
//
// In a graph no node was ever removed from, a node's ID is its index
// (addToAll gives the ID counter and appends; both advance by one), so
// the cache can be filled ahead: indexAhead maps the next IDs to their
// future indices, and the scan never happens. An entry for an ID not yet
// given out answers "no such node", as the scan would. It touches two
// unexported fields, so it checks their types once and does nothing if the
// pinned Gorgonia version ever changes them, and nothing in a graph whose
// counter has run ahead of its node list (a node was removed).

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

// indexAhead makes sure that the next nodes added to g are found in its
// ID cache without a scan.
func indexAhead(g *G.ExprGraph) {
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

// sortGraph is G.Sort (roots first, Gorgonia's stable order) without the
// quadratic ID lookups.
func sortGraph(g *G.ExprGraph) (G.Nodes, error) {
	indexAll(g)
	return G.Sort(g)
}
