package local

import (
	"context"
	"image"
	"math"

	"github.com/kiln3d/kiln/providers/local/field"
	"github.com/kiln3d/kiln/providers/local/mesh"
	"github.com/kiln3d/kiln/providers/local/texture"
)

// viewTextures makes the texture of a model shaped from views along one axis: the first view's
// crop, and the opposite view's when given, packed in one atlas. It returns the JPEG and the maps
// from a point of the first image to the texture, for the near side and for the far side (the
// back photo mirrored to match, or with one image the front itself: its back is the front
// mirrored through the mid-plane). f is the first view's field: its Nearest pads the crop.
func viewTextures(ctx context.Context, views []*view, f *field.Field) (jpg []byte, near, far uvMap, err error) {
	front := views[0]
	rect := front.textureRect()
	crop, err := texture.Padded(ctx, front.img, f, rect)
	if err != nil {
		return nil, nil, nil, err
	}
	crops, rects := []*image.RGBA{crop}, []image.Rectangle{rect}
	if len(views) > 1 {
		back := views[1]
		nf, err := field.NewNearest(ctx, back.mask, fieldPad)
		if err != nil {
			return nil, nil, nil, err
		}
		brect := back.textureRect()
		bcrop, err := texture.Padded(ctx, back.img, nf, brect)
		if err != nil {
			return nil, nil, nil, err
		}
		crops, rects = append(crops, bcrop), append(rects, brect)
	}
	atlas, places, err := texture.Atlas(ctx, crops, rects, maxSide)
	if err != nil {
		return nil, nil, nil, err
	}
	near = places[0].UV
	far = near
	if len(views) > 1 {
		far = mirrored(front.box, views[1].box, places[1])
	}
	if jpg, err = texture.JPEG(atlas); err != nil {
		return nil, nil, nil, err
	}
	return jpg, near, far, nil
}

// creaseAngle is the angle between neighbouring triangles from which their edge is shaded sharp
// (a cylinder's rim, a Flat model's face meeting a square side) rather than smoothed over; a
// turned profile's bends are spread over rings closer than this.
const creaseAngle = 50 * math.Pi / 180

// placeSolid turns a solid built in the first image's pixels into the model in glTF's frame, as
// place does a relief: +Y up, the front facing +Z, image right along +X, 1 unit tall on y = 0
// and centred in x (stand scales it to size). Each vertex's UV comes from the image point it
// looks at, through near or far.
//
// Normals are shaded across the seam between the near and far textures (its copies of a vertex
// are welded) and sharp at creases (see mesh.CreaseNormals), where a vertex may be split. It also
// returns, for each vertex of the model, the first vertex of the solid at its position, which
// tells the model's parts apart.
func placeSolid(s *mesh.Solid, near, far uvMap) (*mesh.Mesh, []uint32) {
	world := toModel(s.Pos)
	first := make(map[[3]float64]uint32, len(world))
	weld := make([]uint32, len(world))
	for i, p := range world {
		w, ok := first[p]
		if !ok {
			w = uint32(i)
			first[p] = w
		}
		weld[i] = w
	}
	normals, source, indices := mesh.CreaseNormals(world, s.Indices, weld, math.Cos(creaseAngle))

	m := &mesh.Mesh{
		Positions: make([][3]float32, len(source)),
		Normals:   normals,
		UVs:       make([][2]float32, len(source)),
		Indices:   indices,
	}
	welded := make([]uint32, len(source))
	for i, v := range source {
		p := world[v]
		m.Positions[i] = [3]float32{float32(p[0]), float32(p[1]), float32(p[2])}
		look := s.Look[v]
		if s.Back[v] {
			m.UVs[i] = far(look[0], look[1])
		} else {
			m.UVs[i] = near(look[0], look[1])
		}
		welded[i] = weld[v]
	}
	return m, welded
}
