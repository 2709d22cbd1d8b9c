// Package graphindex keeps Gorgonia's node-by-ID cache filled, so that
// building and sorting a large graph stays linear.
//
// Gorgonia finds a node by ID through a cache (ExprGraph.byID, gorgonia
// v0.9.18 graph.go node) that is filled only on a miss, by a linear scan
// of every node from the first. Adding a node looks up the node itself and
// its children (NewUniqueNode -> fixEdges -> SetEdge -> Has), and a node
// just made is always a miss, so building a graph of n nodes costs O(n^2):
// a 16,000-term sum spent most of its compile time scanning.
//
// In a graph no node was ever removed from, a node's ID is its index
// (addToAll gives the ID counter and appends; both advance by one), so
// the cache can be filled ahead: Ahead maps the next IDs to their
// future indices, and the scan never happens. An entry for an ID not yet
// given out answers "no such node", as the scan would. It touches two
// unexported fields, so it checks their types once and does nothing if the
// pinned Gorgonia version ever changes them, and nothing in a graph whose
// counter has run ahead of its node list (a node was removed).
package graphindex
