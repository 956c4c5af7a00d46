package viewport

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"time"
)

// Watching a model: the artist exports from Blender beside Kiln and sees the result at once.
//
// The files are polled (size, modification time and identity) rather than watched with
// fsnotify: an exporter that writes a temporary file and renames it over the model replaces the
// file an inotify watch is attached to, so the folder would have to be watched and its events
// sorted by name; a few stats every 300 ms cost nothing, see a rename-over as a new identity,
// and work the same on every system and on network folders, where inotify sees nothing.

// watchInterval is how often a watched model's files are looked at.
const watchInterval = 300 * time.Millisecond

// maxWatchedFiles bounds the files beside a .gltf that are watched with it: a model naming
// thousands of files is hostile, not an artist's.
const maxWatchedFiles = 64

// watchState is the watch in progress; Viewport.mu guards it.
type watchState struct {
	path    string
	stop    context.CancelFunc
	stopped chan struct{} // closed when the watch's goroutine has ended
}

// Watch reloads the model at path (the one Load was just given) whenever its file changes, or
// for a .gltf one of the files it names: once a change has settled (two looks in a row see
// the same file), the model is loaded again with the camera and the animation left where they
// are. Outcomes arrive through OnReloaded; a refused file leaves the last good model on screen,
// and a later change is tried again. Load, StopWatching and Close end the watch.
func (v *Viewport) Watch(path string) {
	v.StopWatching()
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.closed {
		return
	}
	ctx, stop := context.WithCancel(v.ctx)
	stopped := make(chan struct{})
	v.watch = watchState{path: path, stop: stop, stopped: stopped}
	go v.watchLoop(ctx, path, v.watchEvery, stopped)
}

// StopWatching ends a Watch and waits for its goroutine to end.
func (v *Viewport) StopWatching() {
	v.mu.Lock()
	w := v.watch
	v.watch = watchState{}
	v.mu.Unlock()
	if w.stop != nil {
		w.stop()
		<-w.stopped
	}
}

// Watching returns the model being watched, "" when none is.
func (v *Viewport) Watching() string {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.watch.path
}

func (v *Viewport) watchLoop(ctx context.Context, path string, every time.Duration, stopped chan struct{}) {
	defer close(stopped)
	t := time.NewTicker(every)
	defer t.Stop()
	files := v.watchedFiles(path)
	loaded := stat(files) // what is on screen (or being loaded now)
	last := loaded
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if now := v.watchedFiles(path); !slices.Equal(now, files) {
			// A load has just told which files the model names: they are as it read them.
			files = now
			loaded = stat(files)
			last = loaded
			continue
		}
		now := stat(files)
		switch {
		case sameStamps(now, loaded):
		case !sameStamps(now, last) || now[0] == nil:
			// Still being written, or moved away for a moment: wait for it to settle.
		default:
			loaded = now
			v.load(path, true)
		}
		last = now
	}
}

// watchedFiles is the model's file and the files beside it that the loaded model names.
func (v *Viewport) watchedFiles(path string) []string {
	v.mu.Lock()
	named := v.watchFiles
	v.mu.Unlock()
	files := []string{path}
	dir := filepath.Dir(path)
	for _, f := range named {
		f = filepath.FromSlash(f)
		// Only files within the model's folder: a name like ../../x is the file's claim, not
		// something to go and look at.
		if filepath.IsLocal(f) && len(files) <= maxWatchedFiles {
			files = append(files, filepath.Join(dir, f))
		}
	}
	return files
}

// stat looks at each file; nil stands for one that is not there.
func stat(files []string) []os.FileInfo {
	out := make([]os.FileInfo, len(files))
	for i, f := range files {
		if st, err := os.Stat(f); err == nil {
			out[i] = st
		}
	}
	return out
}

// sameStamps says whether two looks at the same files saw the same files: same size and time,
// and the same file (a rename over the model makes a new one, whatever its size and time).
func sameStamps(a, b []os.FileInfo) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		switch {
		case a[i] == nil || b[i] == nil:
			if a[i] != b[i] {
				return false
			}
		case a[i].Size() != b[i].Size() || !a[i].ModTime().Equal(b[i].ModTime()) || !os.SameFile(a[i], b[i]):
			return false
		}
	}
	return true
}
