package server

import (
	"context"
	"sync"

	"github.com/kiln3d/kiln/app"
)

// live keeps the latest snapshot of every unfinished job, from the queue's events, so that a poll
// reads the job's progress as it is now (the ledger saves progress alone only every half second)
// without a database read. A finished job is saved before its event, so it is read from the ledger.
type live struct {
	mu   sync.RWMutex
	jobs map[string]app.Job
	// owners caches which key made each job; bounded, as it only saves a read.
	owners map[string]string
}

// maxOwners bounds the owners cache; past it the cache starts again.
const maxOwners = 100000

func newLive() *live { return &live{jobs: map[string]app.Job{}, owners: map[string]string{}} }

// update takes an event's snapshot.
func (l *live) update(j app.Job) {
	l.mu.Lock()
	if j.State.Finished() {
		delete(l.jobs, j.ID)
	} else {
		l.jobs[j.ID] = j
	}
	l.mu.Unlock()
}

func (l *live) job(id string) (app.Job, bool) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	j, ok := l.jobs[id]
	return j, ok
}

func (l *live) owner(id string) (string, bool) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	k, ok := l.owners[id]
	return k, ok
}

func (l *live) setOwner(id, key string) {
	l.mu.Lock()
	if len(l.owners) >= maxOwners {
		clear(l.owners)
	}
	l.owners[id] = key
	l.mu.Unlock()
}

// job returns job id as it is now: the live snapshot of an unfinished job, else the ledger's.
func (s *Server) job(ctx context.Context, id string) (app.Job, error) {
	if j, ok := s.live.job(id); ok {
		return j, nil
	}
	return s.k.Jobs.Job(ctx, id)
}
