package app

import (
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/kiln3d/kiln/providers/process"
)

// newOwner names this process in the leases it takes: a random id, the process id and the
// computer's name, so that another Kiln on the same computer can tell at once that the process
// holding a lease has died (killed, crashed, powered off), without waiting for the lease to run out.
func newOwner() string {
	host, _ := os.Hostname()
	return fmt.Sprintf("%s/%d/%s", newID("p"), os.Getpid(), host)
}

// ownerDead reports whether the process named by owner is known to be gone: it ran on this
// computer and no process has its id any more. An owner from another computer, or an old
// Kiln's bare id, is never taken for dead: its lease alone decides.
func ownerDead(owner string) bool {
	parts := strings.SplitN(owner, "/", 3)
	if len(parts) != 3 {
		return false
	}
	pid, err := strconv.Atoi(parts[1])
	host, _ := os.Hostname()
	if err != nil || pid <= 0 || parts[2] != host || pid == os.Getpid() {
		return false
	}
	alive, known := process.Alive(pid)
	return known && !alive
}
