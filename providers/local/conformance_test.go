package local

import (
	"path/filepath"
	"testing"

	"github.com/kiln3d/kiln/providers/providertest"
)

func TestConformance(t *testing.T) {
	providertest.Run(t, New(), filepath.Join("..", "..", "assets", "samples", "mushroom.png"))
}
