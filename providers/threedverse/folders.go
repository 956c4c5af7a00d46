package threedverse

import (
	"context"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/kiln3d/kiln/providers"
)

// maxFolderName bounds a folder's name, in runes.
const maxFolderName = 200

// Folders lists the folders a model can be published into (providers.Target), a page of 100 at a
// time: with an API key every folder of the app (Kiln gives its user write access to the one
// picked), with a pasted user token those its user has access to.
func (t *Target) Folders(ctx context.Context) ([]providers.Folder, error) {
	op := "list the folders"
	if err := ctxErr(ctx, op); err != nil {
		return nil, err
	}
	c, err := loadCreds(ctx, t.secrets)
	if err != nil {
		return nil, err
	}
	ss := t.session(c)
	list, err := pages(ctx, "folders", func(f folderJSON) string { return f.FolderID }, func(route string, out *[]folderJSON) error {
		_, err := ss.either(ctx, call{op: op, method: http.MethodGet, route: route}, out)
		return err
	})
	if err != nil {
		return nil, ss.scrub(err)
	}
	folders := make([]providers.Folder, 0, len(list))
	for _, f := range list {
		if f.FolderID == "" {
			continue
		}
		folders = append(folders, providers.Folder{ID: f.FolderID, Name: providers.Printable(f.Name)})
	}
	return folders, nil
}

// CreateFolder makes a folder called name at the top of the app's folders and returns it
// (providers.Target). It is made with a user token, so that its user (Kiln's, with an API key)
// may manage it.
func (t *Target) CreateFolder(ctx context.Context, name string) (providers.Folder, error) {
	op := "create a folder"
	if err := ctxErr(ctx, op); err != nil {
		return providers.Folder{}, err
	}
	name = strings.TrimSpace(name)
	switch {
	case name == "":
		return providers.Folder{}, &providers.InputError{Reason: "name the folder"}
	case !utf8.ValidString(name) || strings.ContainsFunc(name, func(r rune) bool { return r < ' ' || r == 0x7f }):
		return providers.Folder{}, &providers.InputError{Reason: "the folder's name contains characters that are not text"}
	case utf8.RuneCountInString(name) > maxFolderName:
		return providers.Folder{}, &providers.InputError{Reason: "the folder's name is too long"}
	}
	c, err := loadCreds(ctx, t.secrets)
	if err != nil {
		return providers.Folder{}, err
	}
	ss := t.session(c)
	var out folderJSON
	status, err := ss.asUser(ctx, call{op: op, method: http.MethodPost, route: "folders",
		json: map[string]any{"name": name, "subfolders": []any{}}}, &out)
	if err != nil {
		return providers.Folder{}, ss.scrub(err)
	}
	if out.FolderID == "" {
		return providers.Folder{}, service.Error(op, status, providers.ErrServer, "3dverse made the folder but sent no folder id")
	}
	if out.Name == "" {
		out.Name = name
	}
	return providers.Folder{ID: out.FolderID, Name: providers.Printable(out.Name)}, nil
}
