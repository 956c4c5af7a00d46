package threedverse

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// The Asset API's wire format, in one place: what 3dverse writes and this client reads.

// The statuses of an upload task. Every status but the last three means "not done yet".
const (
	statusWaiting     = "waiting"
	statusDownloading = "downloading"
	statusPending     = "pending"
	statusConverting  = "converting"
	statusError       = "error"
	statusSuccess     = "success"
	statusRejected    = "rejected"
)

// userJSON is one of the app's users: GET /users, POST /users.
type userJSON struct {
	UserID   string `json:"user_id"`
	Username string `json:"username"`
}

// tokenJSON is a user token as POST /users/{id}/tokens makes it.
type tokenJSON struct {
	UserToken string `json:"user_token"`
	// ExpiresIn is the token's life in seconds, ExpiresOn its end as a Unix time.
	ExpiresIn int64 `json:"expires_in"`
	ExpiresOn int64 `json:"expires_on"`
}

// folderJSON is a folder: GET /folders, POST /folders, GET /folders/{id}.
type folderJSON struct {
	FolderID string `json:"folder_id"`
	Name     string `json:"name"`
}

// assetJSON is an asset as a folder's list, a source file's list and a description show it.
type assetJSON struct {
	AssetID      string `json:"asset_id"`
	AssetType    string `json:"asset_type"`
	Name         string `json:"name"`
	SourceFileID string `json:"source_file_id,omitempty"`
}

// uploadJSON is the answer to an upload.
type uploadJSON struct {
	UploadTaskID string `json:"upload_task_id"`
}

// taskJSON is an upload task as GET /upload-tasks/{id} shows it.
type taskJSON struct {
	UploadTaskID    string           `json:"upload_task_id"`
	FolderID        string           `json:"folder_id"`
	Progress        float64          `json:"progress"`
	Status          string           `json:"status"`
	Message         string           `json:"message"`
	ConversionTasks []conversionJSON `json:"conversion_tasks"`
}

// conversionJSON is one conversion of an upload task: one source file through one pipeline.
type conversionJSON struct {
	AssetID            string  `json:"asset_id"`
	SourceFileID       string  `json:"source_file_id"`
	SourceFileName     string  `json:"source_file_name"`
	ConversionPipeline string  `json:"conversion_pipeline"`
	Progress           float64 `json:"progress"`
	Status             string  `json:"status"`
	Message            string  `json:"message"`
}

// assetList reads a list of assets in either shape 3dverse writes: an array, or an object of
// arrays keyed by asset type ({"scenes": [...], "meshes": [...]}), whose assets then take their
// type from the key when they name none.
type assetList []assetJSON

// UnmarshalJSON reads either shape.
func (l *assetList) UnmarshalJSON(data []byte) error {
	data = bytes.TrimSpace(data)
	if bytes.Equal(data, []byte("null")) {
		*l = nil
		return nil
	}
	if len(data) > 0 && data[0] == '[' {
		var list []assetJSON
		if err := json.Unmarshal(data, &list); err != nil {
			return err
		}
		*l = list
		return nil
	}
	var byType map[string][]assetJSON
	if err := json.Unmarshal(data, &byType); err != nil {
		return fmt.Errorf("neither a list of assets nor lists by asset type: %w", err)
	}
	keys := make([]string, 0, len(byType))
	for k := range byType {
		keys = append(keys, k)
	}
	sort.Strings(keys) // the same answer always reads the same
	var list []assetJSON
	for _, k := range keys {
		for _, a := range byType[k] {
			if a.AssetType == "" {
				a.AssetType = singular(k)
			}
			list = append(list, a)
		}
	}
	*l = list
	return nil
}

// singular is an asset type from the key that lists its assets: "scenes" → "scene", "meshes" →
// "mesh", "animation_sets" → "animation_set".
func singular(key string) string {
	for _, end := range []string{"shes", "ches", "xes", "sses"} {
		if strings.HasSuffix(key, end) {
			return strings.TrimSuffix(key, "es")
		}
	}
	return strings.TrimSuffix(key, "s")
}
