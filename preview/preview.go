// Package preview will hold the 3D viewport: a Renderer that draws a model into an image, and the
// Fyne widget that shows its frames. The g3n (OpenGL) renderer and the widget are the subject of
// their own issue and are not written yet; this file fixes the contract they will meet, so that
// the views and the thumbnail cache can be written against it.
package preview

import (
	"context"
	"image"
)

// Renderer draws one model at a time, off the UI thread.
//
// Load, Render and Close are called from one goroutine (the renderer's own); a Renderer is not
// safe for concurrent use. Load checks the file's structure before any GL work, so a malformed
// model gets an error, never a crash.
type Renderer interface {
	// Load replaces the current model with the one at path (.glb, or .gltf with its files).
	Load(ctx context.Context, path string) error
	// Render draws the current model as a w×h image from the current camera.
	Render(w, h int) (image.Image, error)
	// Orbit turns the camera around the model by yaw and pitch, in radians.
	Orbit(yaw, pitch float64)
	// Zoom moves the camera toward (factor < 1) or away from (factor > 1) the model.
	Zoom(factor float64)
	// Close releases the model and the GPU resources.
	Close() error
}
