package app_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/kiln3d/kiln/app"
	"github.com/kiln3d/kiln/app/librarytest"
)

// BenchmarkLibraryIndex10k measures the index under the Library tab with 10,000 assets: listing
// everything, a search, and the check of unchanged folders on disk that opening the tab runs.
func BenchmarkLibraryIndex10k(b *testing.B) {
	dir := b.TempDir()
	if _, err := librarytest.Fill(filepath.Join(dir, "library"), 10000, librarytest.Options{Remote: 0.05, Damaged: 0.01}); err != nil {
		b.Fatal(err)
	}
	db, err := app.OpenDatabase(filepath.Join(dir, "kiln.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	lib, err := app.OpenLibrary(filepath.Join(dir, "library"), db)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	settle()
	start := time.Now()
	if err := lib.Refresh(ctx); err != nil {
		b.Fatal(err)
	}
	indexed := time.Since(start)
	// A new process finds the index filled: its first listing checks the folders first.
	again, err := app.OpenLibrary(filepath.Join(dir, "library"), db)
	if err != nil {
		b.Fatal(err)
	}
	start = time.Now()
	if _, err := again.Find(ctx, app.LibraryQuery{}); err != nil {
		b.Fatal(err)
	}
	firstFind := time.Since(start)
	b.Run("first-index", func(b *testing.B) {
		for b.Loop() {
		}
		b.ReportMetric(float64(indexed.Milliseconds()), "first-index-ms")
		b.ReportMetric(float64(firstFind.Milliseconds()), "first-find-new-process-ms")
	})
	for _, c := range []struct {
		name string
		q    app.LibraryQuery
	}{
		{"all", app.LibraryQuery{}},
		{"all-by-name", app.LibraryQuery{Sort: app.SortName}},
		{"search", app.LibraryQuery{Search: "mossy la"}},
		{"search-common", app.LibraryQuery{Search: "r"}},
		{"tag", app.LibraryQuery{Tag: "hero"}},
	} {
		b.Run("find-"+c.name, func(b *testing.B) {
			n := 0
			for b.Loop() {
				got, err := lib.Find(ctx, c.q)
				if err != nil {
					b.Fatal(err)
				}
				n = len(got)
			}
			b.ReportMetric(float64(n), "entries")
		})
	}
	b.Run("refresh-unchanged", func(b *testing.B) {
		for b.Loop() {
			if err := lib.Refresh(ctx); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// settle waits until the files just made count as settled (see the library's racy signatures), as
// an artist's library of older files does: otherwise every check reads them all again.
func settle() { time.Sleep(2100 * time.Millisecond) }
