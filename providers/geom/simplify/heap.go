package simplify

// queue is an indexed 4-ary min-heap of positions keyed by the cost of their best collapse.
// It is indexed so that a position's cost can change in place after a neighbouring collapse,
// instead of piling up stale entries; four children per node halve the depth, and with it the
// cache misses of a heap far larger than the cache.
type queue struct {
	items []queueItem
	at    []int32 // per position: its index in items, -1 when absent
}

type queueItem struct {
	cost float64
	p    int32
}

func newQueue(n int) queue {
	at := make([]int32, n)
	for i := range at {
		at[i] = -1
	}
	return queue{items: make([]queueItem, 0, n), at: at}
}

func (h *queue) len() int { return len(h.items) }

func (h *queue) contains(p int32) bool { return h.at[p] >= 0 }

// top is the position with the cheapest collapse.
func (h *queue) top() (int32, bool) {
	if len(h.items) == 0 {
		return 0, false
	}
	return h.items[0].p, true
}

// set inserts p or changes its cost.
func (h *queue) set(p int32, cost float64) {
	i := h.at[p]
	if i < 0 {
		h.items = append(h.items, queueItem{cost, p})
		i = int32(len(h.items) - 1)
		h.at[p] = i
		h.up(i)
		return
	}
	old := h.items[i].cost
	h.items[i].cost = cost
	if cost < old {
		h.up(i)
	} else {
		h.down(i)
	}
}

func (h *queue) remove(p int32) {
	i := h.at[p]
	if i < 0 {
		return
	}
	last := int32(len(h.items) - 1)
	h.at[p] = -1
	if i != last {
		h.items[i] = h.items[last]
		h.at[h.items[i].p] = i
	}
	h.items = h.items[:last]
	if i != last {
		h.down(i)
		h.up(i)
	}
}

func (h *queue) up(i int32) {
	it := h.items[i]
	for i > 0 {
		parent := (i - 1) / 4
		if h.items[parent].cost <= it.cost {
			break
		}
		h.items[i] = h.items[parent]
		h.at[h.items[i].p] = i
		i = parent
	}
	h.items[i] = it
	h.at[it.p] = i
}

func (h *queue) down(i int32) {
	n := int32(len(h.items))
	it := h.items[i]
	for {
		first := 4*i + 1
		if first >= n {
			break
		}
		l := first
		for c := first + 1; c < min(first+4, n); c++ {
			if h.items[c].cost < h.items[l].cost {
				l = c
			}
		}
		if h.items[l].cost >= it.cost {
			break
		}
		h.items[i] = h.items[l]
		h.at[h.items[i].p] = i
		i = l
	}
	h.items[i] = it
	h.at[it.p] = i
}
