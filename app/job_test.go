package app

import (
	"testing"
	"time"
)

func TestStateMachine(t *testing.T) {
	allowed := map[[2]State]bool{
		{Queued, Submitting}: true, {Submitting, Running}: true, {Running, Downloading}: true,
		{Downloading, Done}: true, {Running, Done}: true, {Downloading, Running}: true,
		{Queued, Cancelled}: true, {Submitting, Failed}: true, {Running, Cancelled}: true,
		{Downloading, Failed}: true, {Failed, Queued}: true, {Cancelled, Queued}: true,
		{Running, Running}: true, {Submitting, Submitting}: true, {Queued, Running}: true,
	}
	denied := [][2]State{
		{Done, Queued}, {Done, Failed}, {Done, Done}, {Failed, Done}, {Cancelled, Running},
		{Queued, Done}, {Queued, Downloading}, {Submitting, Done}, {Failed, Failed}, {Running, Queued},
	}
	for pair := range allowed {
		if !pair[0].CanMoveTo(pair[1]) {
			t.Errorf("%s → %s should be allowed", pair[0], pair[1])
		}
	}
	for _, pair := range denied {
		if pair[0].CanMoveTo(pair[1]) {
			t.Errorf("%s → %s should be refused", pair[0], pair[1])
		}
	}
}

func TestMoveToRecordsFinishAndRefuses(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	j := Job{ID: "x", State: Running, Progress: 0.5, Message: "half"}
	if err := j.moveTo(Done, now); err != nil {
		t.Fatal(err)
	}
	if !j.Finished.Equal(now) || j.State != Done {
		t.Fatalf("after done: %+v", j)
	}
	if err := j.moveTo(Running, now); err == nil {
		t.Fatal("done → running was allowed")
	}
}

func TestElapsed(t *testing.T) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	j := Job{Started: start}
	if got := j.Elapsed(start.Add(3 * time.Second)); got != 3*time.Second {
		t.Fatalf("running elapsed = %v", got)
	}
	j.Finished = start.Add(time.Second)
	if got := j.Elapsed(start.Add(time.Hour)); got != time.Second {
		t.Fatalf("finished elapsed = %v", got)
	}
	if got := (Job{}).Elapsed(start); got != 0 {
		t.Fatalf("never started elapsed = %v", got)
	}
}
