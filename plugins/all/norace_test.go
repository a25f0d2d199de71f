//go:build !race

package all

// idleConns is how many idle connections TestTcpInputIdleConnectionsHeap
// opens: fewer under the race detector, which slows the engine tenfold.
const idleConns = 1000
