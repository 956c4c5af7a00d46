package app

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kiln3d/kiln/app/modelio"
)

// TestEngineNames: each engine's names are ASCII letters, digits and underscores in its style;
// Godot's import hints never end a name, Unreal's prefixes start it, and a name of nothing usable
// is named after its kind.
func TestEngineNames(t *testing.T) {
	for _, c := range []struct {
		naming Naming
		kind   modelio.Kind
		in     string
		want   string
	}{
		{NamingSnake, modelio.KindNode, "Old Café Table", "old_cafe_table"},
		{NamingSnake, modelio.KindNode, "wall-col", "wall_col_part"},
		{NamingSnake, modelio.KindMesh, "Door_noimp", "door_noimp_part"},
		{NamingSnake, modelio.KindNode, "BoxTextured", "box_textured"},
		{NamingPascal, modelio.KindNode, "red mug (2)", "RedMug2"},
		{NamingPascal, modelio.KindNode, "3 chairs", "_3Chairs"},
		{NamingUnreal, modelio.KindMesh, "red mug", "SM_RedMug"},
		{NamingUnreal, modelio.KindMaterial, "glaze", "M_Glaze"},
		{NamingUnreal, modelio.KindImage, "", "T_Image1"},
		{NamingUnreal, modelio.KindNode, "Rim", "Rim"},
		{NamingWords, modelio.KindNode, "Red mug. v2/final", "Red_mug_v2_final"},
		{NamingWords, modelio.KindMaterial, "日本", "material_1"},
	} {
		got := c.naming.Name(c.kind, 0, c.in)
		if got != c.want {
			t.Errorf("%s %s %q: %q, want %q", c.naming, c.kind, c.in, got, c.want)
		}
		if strings.Trim(got, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") != "" {
			t.Errorf("%q has a character an importer may reject", got)
		}
	}
	if got := NamingUnreal.FileStem("red mug"); got != "SM_RedMug" {
		t.Errorf("Unreal's file stem %q", got)
	}
}

// TestGuessPreset recognises each engine's project from a folder inside it.
func TestGuessPreset(t *testing.T) {
	write := func(path string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	root := t.TempDir()
	write(filepath.Join(root, "g", "project.godot"))
	write(filepath.Join(root, "u", "ProjectSettings", "ProjectVersion.txt"))
	write(filepath.Join(root, "r", "Game.uproject"))
	for dir, want := range map[string]string{"g/models/props": "godot", "u/Assets/Models": "unity", "r/Content": "unreal", ".": ""} {
		d := filepath.Join(root, dir)
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		if got := GuessPreset(d); got != want {
			t.Errorf("%s: %q, want %q", dir, got, want)
		}
	}
	unity, _ := FindPreset("Unity")
	c := folderCheck(CheckOptions{Preset: unity, Folder: filepath.Join(root, "u", "ProjectSettings")})
	if c.Verdict != Warn || !strings.Contains(c.Detail, "Assets") {
		t.Errorf("a Unity folder outside Assets: %+v", c)
	}
}

func TestPresetChoices(t *testing.T) {
	if _, err := FindPreset("maya"); err == nil || !strings.Contains(err.Error(), "godot, unity, unreal, blender") {
		t.Errorf("an unknown preset: %v", err)
	}
	if f, err := ParseFormat(".GLTF"); err != nil || f != FormatGLTF {
		t.Errorf("ParseFormat: %v %v", f, err)
	}
	unreal, _ := FindPreset("unreal")
	if _, _, err := (ExportOptions{Preset: "unreal", Format: FormatOBJ}).resolve(); err == nil {
		t.Error("Unreal took an OBJ")
	}
	if s := unreal.Summary(FormatGLB); !strings.Contains(s, "SM_") || !strings.Contains(s, "powers of two") {
		t.Errorf("Unreal's summary: %s", s)
	}
	unity, _ := FindPreset("unity")
	if s := unity.Summary(FormatOBJ); !strings.Contains(s, "+Y up in metres") || strings.Contains(s, "tangents") {
		t.Errorf("Unity's OBJ summary: %s", s)
	}
}
