package rodintest

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"time"
)

// The job statuses the documentation lists, and Canceled, which Deemos's own client also treats
// as a failure.
const (
	StatusWaiting    = "Waiting"
	StatusGenerating = "Generating"
	StatusDone       = "Done"
	StatusFailed     = "Failed"
	StatusCanceled   = "Canceled"
)

// The kinds of task, as Task.Kind names them: the route that created it.
const (
	KindGenerate    = RouteSubmit
	KindTextureOnly = RouteTextureOnly
)

// Messages of refusals the documentation shows no words for: the fake's choice.
const (
	MsgNoSubscription = "Subscription not found" // 404 from /status
	MsgNoTask         = "Task not found"         // 404 from /download, for a job uuid too
)

// task is one submission and its jobs.
type task struct {
	uuid, kind, subKey, prompt string
	jobs                       []string
	submitted                  time.Time
	generation                 time.Duration
	outcome                    string // "" (Done), StatusFailed or StatusCanceled: how the last job ends
	fields                     url.Values
	tier, meshMode, quality    string
	material, format           string
	resolution                 string // texture-only tasks
	qualityOverride            int
	addons                     []string
	images                     []string // the images' file names, in order
	texture                    []byte   // the first image, the model's texture source
	extent                     [3]float32
	cost                       float64
	objects                    map[string][]byte // built on first download
}

// jobStatus walks job i through Waiting, Generating and Done: the task's generation time is cut
// into one slot per job, each job waiting until a third of its slot has passed (the fake's
// choice). The last job ends with the task's outcome. The caller holds s.mu.
func (t *task) jobStatus(i int, now time.Time) string {
	n := time.Duration(len(t.jobs))
	slot := t.generation / n
	start := t.submitted.Add(slot * time.Duration(i))
	end := start.Add(slot)
	last := i == len(t.jobs)-1
	if last {
		end = t.submitted.Add(t.generation)
	}
	switch {
	case !now.Before(end) && last && t.outcome != "":
		return t.outcome
	case !now.Before(end):
		return StatusDone
	case !now.Before(start.Add(slot / 3)):
		return StatusGenerating
	}
	return StatusWaiting
}

// done counts the task's jobs that are Done.
func (t *task) done(now time.Time) int {
	n := 0
	for i := range t.jobs {
		if t.jobStatus(i, now) == StatusDone {
			n++
		}
	}
	return n
}

// Task describes a task the fake holds, for tests to assert on.
type Task struct {
	// UUID is the top-level task uuid that /download takes.
	UUID string
	// Kind is KindGenerate or KindTextureOnly.
	Kind string
	// SubscriptionKey is the key /status takes for the task.
	SubscriptionKey string
	// Prompt is the prompt sent, or the one the fake derived from the images.
	Prompt string
	// Tier, MeshMode, Quality, Material and Format are the values in effect, defaults included
	// (Quality is forced to medium for Gen-1 Raw).
	Tier, MeshMode, Quality, Material, Format string
	// Resolution is a texture-only task's resolution (Basic or High).
	Resolution string
	// QualityOverride is the face count asked for; 0 when none was.
	QualityOverride int
	// Addons are the add-ons in effect (none for Gen-1 Raw).
	Addons []string
	// Images are the uploaded images' file names, in the order sent.
	Images []string
	// Cost is what the task was charged, in credits.
	Cost float64
	// Submitted is the fake's time when the task was created.
	Submitted time.Time
	// Jobs are the task's jobs in order (geometry, then texture; one for texture-only tasks).
	Jobs []Job
	// Fields are the text fields sent.
	Fields url.Values
}

// Job is one job of a task and its status now.
type Job struct {
	// UUID is the job's uuid, as /rodin's jobs.uuids lists it.
	UUID string
	// Status is StatusWaiting, StatusGenerating, StatusDone, StatusFailed or StatusCanceled.
	Status string
}

// Tasks lists the tasks the fake holds, oldest first.
func (s *Server) Tasks() []Task {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Task, 0, len(s.order))
	for _, id := range s.order {
		out = append(out, s.describe(s.tasks[id]))
	}
	return out
}

// Task describes the task uuid.
func (s *Server) Task(uuid string) (Task, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.tasks[uuid]
	if t == nil {
		return Task{}, false
	}
	return s.describe(t), true
}

// describe copies t for a test. The caller holds s.mu.
func (s *Server) describe(t *task) Task {
	now := s.now()
	d := Task{UUID: t.uuid, Kind: t.kind, SubscriptionKey: t.subKey, Prompt: t.prompt, Tier: t.tier, MeshMode: t.meshMode,
		Quality: t.quality, Material: t.material, Format: t.format, Resolution: t.resolution, QualityOverride: t.qualityOverride,
		Addons: slices.Clone(t.addons), Images: slices.Clone(t.images), Cost: t.cost, Submitted: t.submitted,
		Fields: cloneValues(t.fields)}
	for i, j := range t.jobs {
		d.Jobs = append(d.Jobs, Job{UUID: j, Status: t.jobStatus(i, now)})
	}
	return d
}

func cloneValues(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = slices.Clone(vs)
	}
	return out
}

// checkOutcome accepts the outcomes a task can be scripted to end with.
func checkOutcome(status string) error {
	switch status {
	case "", StatusDone, StatusFailed, StatusCanceled:
		return nil
	}
	return fmt.Errorf("rodintest: a task can end %s, %s or %s, not %q", StatusDone, StatusFailed, StatusCanceled, status)
}

// SetOutcome scripts how task uuid ends: with StatusFailed or StatusCanceled its last job ends so
// when its time comes (the jobs before it finish), and /download never lists the models; "" or
// StatusDone lets it succeed.
func (s *Server) SetOutcome(uuid, status string) error {
	if err := checkOutcome(status); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.tasks[uuid]
	if t == nil {
		return fmt.Errorf("rodintest: no task %s", uuid)
	}
	t.outcome = status
	if status == StatusDone {
		t.outcome = ""
	}
	return nil
}

// FailNext scripts the next task submitted (by /rodin or /rodin_texture_only) to end with status,
// StatusFailed or StatusCanceled, as SetOutcome does.
func (s *Server) FailNext(status string) error {
	if err := checkOutcome(status); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.outcome = status
	if status == StatusDone {
		s.outcome = ""
	}
	return nil
}

// Balance is the account's credit now.
func (s *Server) Balance() float64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.balance
}

// SetBalance sets the account's credit.
func (s *Server) SetBalance(credits float64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.balance = credits
}

// addTask files t with n jobs, a subscription key and the scripted outcome. The caller holds s.mu.
func (s *Server) addTask(t *task, jobs int) {
	t.uuid = newUUID()
	t.submitted = s.now()
	t.generation = s.opts.Generation
	for range jobs {
		t.jobs = append(t.jobs, newUUID())
	}
	t.subKey = s.subscriptionKey(t)
	t.outcome, s.outcome = s.outcome, ""
	s.balance -= t.cost
	s.tasks[t.uuid] = t
	s.subs[t.subKey] = t
	s.order = append(s.order, t.uuid)
}

// submitted answers a new task as the documentation's sample shows.
func (s *Server) submitted(w http.ResponseWriter, t *task) {
	writeJSON(w, http.StatusCreated, map[string]any{
		"error":       s.ok(),
		"message":     "Submitted.",
		"uuid":        t.uuid,
		"prompt":      t.prompt,
		"submit_time": t.submitted.UTC().Format(time.RFC3339),
		"jobs":        map[string]any{"uuids": t.jobs, "subscription_key": t.subKey},
	})
}

// subscriptionKey is a JWT (HS256) naming the task, as the documentation says the key is.
func (s *Server) subscriptionKey(t *task) string {
	enc := base64.RawURLEncoding
	claims, _ := json.Marshal(map[string]any{"sub": t.uuid, "jobs": t.jobs, "iat": t.submitted.Unix()})
	head := enc.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`)) + "." + enc.EncodeToString(claims)
	mac := hmac.New(sha256.New, s.jwtKey)
	mac.Write([]byte(head))
	return head + "." + enc.EncodeToString(mac.Sum(nil))
}

// field authorizes a JSON or form request read into fields (err, when reading failed) and returns
// its required field name, or answers the refusal and returns false. The caller holds s.mu.
func (s *Server) field(w http.ResponseWriter, r *http.Request, fields url.Values, err error, name string) (string, bool) {
	if !s.authorize(w, r) {
		return "", false
	}
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return "", false
	}
	v := fields.Get(name)
	if v == "" {
		writeError(w, http.StatusBadRequest, name+" is required")
		return "", false
	}
	return v, true
}

// status: POST {"subscription_key": ...} (JSON or form-encoded). 201 with every job's status.
func (s *Server) status(w http.ResponseWriter, r *http.Request, rec *Received) {
	fields, err := readFields(w, r, rec)
	s.mu.Lock()
	defer s.mu.Unlock()
	key, ok := s.field(w, r, fields, err, "subscription_key")
	if !ok {
		return
	}
	t := s.subs[key]
	if t == nil {
		writeError(w, http.StatusNotFound, MsgNoSubscription)
		return
	}
	now := s.now()
	jobs := make([]map[string]string, 0, len(t.jobs))
	for i, j := range t.jobs {
		jobs = append(jobs, map[string]string{"uuid": j, "status": t.jobStatus(i, now)})
	}
	writeJSON(w, http.StatusCreated, map[string]any{"error": s.ok(), "jobs": jobs})
}

// download: POST {"task_uuid": ...} (JSON; form-encoded is accepted too, the fake's choice). 201
// with a fresh signed link for every file the finished jobs made: nothing before the first job
// is Done, preview.webp after it, the models once every job is Done.
func (s *Server) download(w http.ResponseWriter, r *http.Request, rec *Received) {
	o := faultOf(r).list
	fields, err := readFields(w, r, rec)
	s.mu.Lock()
	defer s.mu.Unlock()
	id, ok := s.field(w, r, fields, err, "task_uuid")
	if !ok {
		return
	}
	t := s.tasks[id]
	if t == nil {
		writeError(w, http.StatusNotFound, MsgNoTask)
		return
	}
	now := s.now()
	expires := now.Add(s.opts.LinkLifetime)
	if o.expired {
		expires = now.Add(-time.Second)
	}
	files := t.listed(now)
	if o.hostile {
		files = hostileList(files)
	}
	list := make([]map[string]string, 0, len(files))
	for _, f := range files {
		list = append(list, map[string]string{"url": s.link("/"+t.uuid+"/"+f.object, expires), "name": f.name})
	}
	writeJSON(w, http.StatusCreated, map[string]any{"error": s.ok(), "list": list})
}

// checkBalance: GET. The documentation gives the body, {"balance": 12.5}, and, for the API as a
// whole, 201; the fake answers 201 here too, so that a client that wants 200 from a GET is caught.
func (s *Server) checkBalance(w http.ResponseWriter, r *http.Request, _ *Received) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.authorize(w, r) {
		return
	}
	writeJSON(w, http.StatusCreated, map[string]float64{"balance": s.balance})
}
