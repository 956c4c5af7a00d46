package cutout

import "context"

// graph is a flow network over pixels for the Boykov–Kolmogorov max-flow algorithm ("An
// Experimental Comparison of Min-Cut/Max-Flow Algorithms for Energy Minimization in Vision",
// 2004): two search trees, one grown from the source (the object) and one from the sink (the
// background), that reuse their branches between augmenting paths. On the short, dense paths of
// a pixel grid it is several times faster than push-relabel or Dinic. No maintained Go module
// offers a max-flow, so it is written here.
//
// Arcs are stored by node (node i's arcs are first[i]..first[i+1]), each with its reverse arc
// (sister), and every node keeps its terminal capacity as one signed residual: positive towards
// the source, negative towards the sink.
type graph struct {
	// per node
	first  []int32
	parent []int32 // the arc to the node's parent in its tree, or one of the marks below
	ts     []int32 // when dist was last known right
	dist   []int32 // distance to the terminal along the tree
	sink   []bool  // which tree the node is in, when parent != unlinked
	active []bool
	trCap  []float32
	// per arc
	head   []int32
	sister []int32
	rCap   []float32
	capRst []float32 // the arcs' capacities before any flow, to run again with new terminals

	queue   []int32 // active nodes, FIFO
	qHead   int
	orphans []int32
	time    int32
}

// Marks held in parent instead of an arc.
const (
	unlinked = -1 // in neither tree
	terminal = -2 // a child of its terminal
	orphan   = -3 // cut from its tree, looking for a new parent
)

// edge is an undirected pair of arcs between two nodes, with one capacity each way.
type edge struct {
	a, b int32
	cap  float32
}

// newGraph lays out n nodes joined by edges (capacity the same both ways). Terminal capacities
// are set afterwards with setTerminals.
func newGraph(n int, edges []edge) *graph {
	g := &graph{
		first:  make([]int32, n+1),
		parent: make([]int32, n),
		ts:     make([]int32, n),
		dist:   make([]int32, n),
		sink:   make([]bool, n),
		active: make([]bool, n),
		trCap:  make([]float32, n),
	}
	for _, e := range edges {
		g.first[e.a+1]++
		g.first[e.b+1]++
	}
	for i := 1; i <= n; i++ {
		g.first[i] += g.first[i-1]
	}
	m := 2 * len(edges)
	g.head = make([]int32, m)
	g.sister = make([]int32, m)
	g.rCap = make([]float32, m)
	g.capRst = make([]float32, m)
	fill := make([]int32, n)
	copy(fill, g.first[:n])
	for _, e := range edges {
		ab, ba := fill[e.a], fill[e.b]
		fill[e.a]++
		fill[e.b]++
		g.head[ab], g.head[ba] = e.b, e.a
		g.sister[ab], g.sister[ba] = ba, ab
		g.capRst[ab], g.capRst[ba] = e.cap, e.cap
	}
	return g
}

// run computes the minimum cut for terminal capacities src (the cost of a node going to the sink)
// and snk (the cost of it going to the source), restoring the arcs first so that the graph can be
// cut again with new terminals. Afterwards inSource tells each node's side.
func (g *graph) run(ctx context.Context, src, snk []float32) error {
	copy(g.rCap, g.capRst)
	g.queue, g.qHead, g.orphans, g.time = g.queue[:0], 0, g.orphans[:0], 0
	for i := range g.trCap {
		g.trCap[i] = src[i] - snk[i]
		g.ts[i], g.dist[i], g.active[i] = 0, 0, false
		switch {
		case g.trCap[i] > 0:
			g.sink[i], g.parent[i], g.dist[i] = false, terminal, 1
			g.setActive(int32(i))
		case g.trCap[i] < 0:
			g.sink[i], g.parent[i], g.dist[i] = true, terminal, 1
			g.setActive(int32(i))
		default:
			g.parent[i] = unlinked
		}
	}
	current := int32(-1)
	for step := 0; ; step++ {
		if step%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		i := current
		if i >= 0 {
			g.active[i] = false
			if g.parent[i] == unlinked {
				i = -1
			}
		}
		if i < 0 {
			if i = g.nextActive(); i < 0 {
				return nil
			}
		}
		a := g.grow(i)
		g.time++
		if a < 0 {
			current = -1
			continue
		}
		// Keep working from i: its tree has just met the other one, and its other arcs may
		// meet it again once this path is saturated.
		g.active[i] = true
		current = i
		g.augment(a)
		g.adopt()
	}
}

// inSource reports whether node i ended on the source's side of the cut. Nodes in neither tree
// could go either way at no cost; they go to the sink.
func (g *graph) inSource(i int) bool { return g.parent[i] != unlinked && !g.sink[i] }

func (g *graph) setActive(i int32) {
	if !g.active[i] {
		g.active[i] = true
		g.queue = append(g.queue, i)
	}
}

// nextActive takes the first active node still in a tree, or -1 when none is left.
func (g *graph) nextActive() int32 {
	for g.qHead < len(g.queue) {
		i := g.queue[g.qHead]
		g.qHead++
		if g.qHead > 1<<16 && 2*g.qHead > len(g.queue) {
			g.queue = append(g.queue[:0], g.queue[g.qHead:]...)
			g.qHead = 0
		}
		g.active[i] = false
		if g.parent[i] != unlinked {
			return i
		}
	}
	return -1
}

// grow extends i's tree over its unlinked neighbours and returns an arc from the source's tree to
// the sink's (oriented source to sink) when i's neighbour belongs to the other tree, else -1.
func (g *graph) grow(i int32) int32 {
	for a := g.first[i]; a < g.first[i+1]; a++ {
		j := g.head[a]
		if !g.sink[i] {
			if g.rCap[a] <= 0 {
				continue
			}
			switch {
			case g.parent[j] == unlinked:
				g.sink[j], g.parent[j] = false, g.sister[a]
				g.ts[j], g.dist[j] = g.ts[i], g.dist[i]+1
				g.setActive(j)
			case g.sink[j]:
				return a
			case g.ts[j] <= g.ts[i] && g.dist[j] > g.dist[i]:
				// A shorter way to the source: keep the trees shallow.
				g.parent[j], g.ts[j], g.dist[j] = g.sister[a], g.ts[i], g.dist[i]+1
			}
		} else {
			if g.rCap[g.sister[a]] <= 0 {
				continue
			}
			switch {
			case g.parent[j] == unlinked:
				g.sink[j], g.parent[j] = true, g.sister[a]
				g.ts[j], g.dist[j] = g.ts[i], g.dist[i]+1
				g.setActive(j)
			case !g.sink[j]:
				return g.sister[a]
			case g.ts[j] <= g.ts[i] && g.dist[j] > g.dist[i]:
				g.parent[j], g.ts[j], g.dist[j] = g.sister[a], g.ts[i], g.dist[i]+1
			}
		}
	}
	return -1
}

// augment pushes the bottleneck flow along the path through the middle arc a (source tree to
// sink tree) and makes orphans of the nodes whose arc to their parent it saturates.
func (g *graph) augment(a int32) {
	b := g.rCap[a]
	i := g.head[g.sister[a]]
	for ; g.parent[i] != terminal; i = g.head[g.parent[i]] {
		b = min(b, g.rCap[g.sister[g.parent[i]]])
	}
	b = min(b, g.trCap[i])
	i = g.head[a]
	for ; g.parent[i] != terminal; i = g.head[g.parent[i]] {
		b = min(b, g.rCap[g.parent[i]])
	}
	b = min(b, -g.trCap[i])

	g.rCap[g.sister[a]] += b
	g.rCap[a] -= b
	for i = g.head[g.sister[a]]; ; {
		p := g.parent[i]
		if p == terminal {
			break
		}
		g.rCap[p] += b
		g.rCap[g.sister[p]] -= b
		if g.rCap[g.sister[p]] <= 0 {
			g.makeOrphan(i)
		}
		i = g.head[p]
	}
	g.trCap[i] -= b
	if g.trCap[i] <= 0 {
		g.makeOrphan(i)
	}
	for i = g.head[a]; ; {
		p := g.parent[i]
		if p == terminal {
			break
		}
		g.rCap[g.sister[p]] += b
		g.rCap[p] -= b
		if g.rCap[p] <= 0 {
			g.makeOrphan(i)
		}
		i = g.head[p]
	}
	g.trCap[i] += b
	if g.trCap[i] >= 0 {
		g.makeOrphan(i)
	}
}

func (g *graph) makeOrphan(i int32) {
	g.parent[i] = orphan
	g.orphans = append(g.orphans, i)
}

// adopt finds each orphan a new parent in its own tree, one whose way to the terminal does not
// pass through an orphan, preferring the shortest; an orphan without one leaves the tree and its
// children become orphans in turn.
func (g *graph) adopt() {
	for k := 0; k < len(g.orphans); k++ {
		i := g.orphans[k]
		sink := g.sink[i]
		best, bestD := int32(unlinked), int32(1<<30)
		for a := g.first[i]; a < g.first[i+1]; a++ {
			// A parent must be able to send flow to i (source tree) or take it from i (sink tree).
			if (!sink && g.rCap[g.sister[a]] <= 0) || (sink && g.rCap[a] <= 0) {
				continue
			}
			j := g.head[a]
			if g.sink[j] != sink || g.parent[j] == unlinked {
				continue
			}
			d := g.origin(j)
			if d < 0 {
				continue
			}
			if d < bestD {
				best, bestD = a, d
			}
			// Remember the distances found along the way for the next orphans' walks.
			for n := j; g.ts[n] != g.time; n = g.head[g.parent[n]] {
				g.ts[n], g.dist[n] = g.time, d
				d--
			}
		}
		g.parent[i] = best
		if best != unlinked {
			g.ts[i], g.dist[i] = g.time, bestD+1
			continue
		}
		for a := g.first[i]; a < g.first[i+1]; a++ {
			j := g.head[a]
			p := g.parent[j]
			if g.sink[j] != sink || p == unlinked {
				continue
			}
			if (!sink && g.rCap[g.sister[a]] > 0) || (sink && g.rCap[a] > 0) {
				g.setActive(j)
			}
			if p != terminal && p != orphan && g.head[p] == i {
				g.makeOrphan(j)
			}
		}
	}
	g.orphans = g.orphans[:0]
}

// origin walks from j towards its terminal and returns the distance, or -1 when the walk meets
// an orphan. A node whose distance is already known at this time ends the walk early.
func (g *graph) origin(j int32) int32 {
	d := int32(0)
	for n := j; ; {
		if g.ts[n] == g.time {
			return d + g.dist[n]
		}
		p := g.parent[n]
		d++
		if p == terminal {
			g.ts[n], g.dist[n] = g.time, 1
			return d
		}
		if p == orphan {
			return -1
		}
		n = g.head[p]
	}
}
