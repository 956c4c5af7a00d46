package app

import (
	"context"
	"fmt"
	"math"
	"strconv"

	"github.com/kiln3d/kiln/providers"
)

// Plan is a job as it will be sent, worked out before it is submitted: the request with its
// polycount brought into the range its options allow, what was changed and why, and for a
// provider that charges credits what the job costs against what the account has. Create shows it
// beside the Submit button; kiln generate prints it on stderr.
type Plan struct {
	Provider string `json:"provider"`
	// Credential is the credential the job would run with ("" for a provider that needs none).
	Credential string `json:"credential,omitempty"`
	// Request is the request as it will go.
	Request providers.Request `json:"-"`
	// Polycount is the range that applies to the request (a tier's and mesh mode's).
	Polycount providers.PolycountRange `json:"-"`
	// Notes say what was changed and why ("polycount 80,000 is above Gen-2.5 Quad's 50,000:
	// 50,000 will be asked for").
	Notes []string `json:"notes,omitempty"`
	// Models is how many models a batch makes (PlanEach), each of them like the one planned;
	// 0 for a single job.
	Models int `json:"models,omitempty"`
	// Price is what the job costs, when the provider charges credits; for a batch, what each of
	// its models costs.
	Price *providers.Price `json:"price,omitempty"`
	// Foresight is what the provider says the job will make (the local provider: the shape and
	// its size), when it can say; nil otherwise.
	Foresight *providers.Foresight `json:"foresight,omitempty"`
	// Balance is the account's credits, when they could be asked; BalanceError says why not.
	Balance      *float64 `json:"balance,omitempty"`
	BalanceError string   `json:"balance_error,omitempty"`
}

// Short reports whether the account's balance is known to be below the job's cost (a batch's:
// all its models').
func (p Plan) Short() bool {
	return p.Price != nil && p.Balance != nil && *p.Balance < p.Total()
}

// Total is what the plan costs in all, in credits: the job's price, or a batch's models' prices
// together; 0 for a provider that charges nothing.
func (p Plan) Total() float64 {
	if p.Price == nil {
		return 0
	}
	return p.Price.Credits * float64(max(1, p.Models))
}

// Summary says the plan's cost in one line: "Cost 1.5 credits; balance 12 credits", with a
// warning when the balance is short. It is empty for a provider that charges nothing.
func (p Plan) Summary() string {
	if p.Price == nil {
		return ""
	}
	s := "Cost " + credits(p.Price.Credits)
	if p.Models > 1 {
		s = fmt.Sprintf("Cost %s (%d models at %s each)", credits(p.Total()), p.Models, credits(p.Price.Credits))
	}
	switch {
	case p.Balance != nil && p.Short():
		s += fmt.Sprintf("; the balance is only %s: top up before submitting", credits(*p.Balance))
	case p.Balance != nil:
		s += "; balance " + credits(*p.Balance)
	case p.BalanceError != "":
		s += "; the balance could not be checked (" + p.BalanceError + ")"
	}
	return s
}

// Outlook says what the plan's model will be, one line each, as Create and kiln generate show
// it: its size ("Size: 33 × 100 × 31 cm (W × H × D), 100 cm tall by default: change it in
// Settings"), then what the provider decided and why. It is empty when the provider cannot
// foresee its model.
func (p Plan) Outlook() []string {
	f := p.Foresight
	if f == nil {
		return nil
	}
	s := f.Size
	line := fmt.Sprintf("Size: %s × %s × %s cm (W × H × D)", Centimetres(s.WidthCM), Centimetres(s.HeightCM), Centimetres(s.DepthCM))
	if p.Request.Size.Default {
		line += fmt.Sprintf(", %s cm tall by default: change it in Settings", Centimetres(p.Request.Size.HeightCM))
	}
	return append([]string{line}, f.Notes...)
}

// Centimetres writes a length in centimetres as an artist reads a size: whole from 10 cm, to a
// tenth below.
func Centimetres(cm float64) string {
	if cm >= 10 {
		return strconv.FormatFloat(math.Round(cm), 'f', -1, 64)
	}
	return strconv.FormatFloat(math.Round(cm*10)/10, 'f', -1, 64)
}

// credits says an amount of credits: "1 credit", "0.5 credits".
func credits(v float64) string {
	if v == 1 {
		return "1 credit"
	}
	return fmt.Sprintf("%g credits", v)
}

// Plan works out the job req would become on provider with the named credential ("" for the
// default). It clamps the polycount to the range the request's options allow and says so; for a
// provider that charges credits it prices the job and, when withBalance is set, asks the account's
// balance (a network call: the views call Plan off the UI thread). A request without a size, for a
// provider that makes models to size, gets the default height from Settings. A provider that can
// foresee what it will make (the local provider reads the images) says so in Foresight, or refuses
// the request with the *providers.InputError its job would fail with. Other problems with the
// request that clamping cannot fix are left for Submit to report.
func (k *Kiln) Plan(ctx context.Context, provider, credential string, req providers.Request, withBalance bool) (Plan, error) {
	p, err := k.Providers.Get(provider)
	if err != nil {
		return Plan{}, err
	}
	caps := p.Capabilities()
	plan := Plan{Provider: provider, Request: req}
	if req.Model == "" {
		r := caps.PolycountFor(req)
		plan.Polycount = r
		if c := r.Clamp(req.Polycount); c != req.Polycount {
			where := caps.Title
			if r.Note != "" {
				where = r.Note
			}
			if req.Polycount == 0 {
				c = r.Default
			} else {
				plan.Notes = append(plan.Notes, fmt.Sprintf("Polycount %d is outside %d to %d (%s): %d will be asked for",
					req.Polycount, r.Min, r.Max, where, c))
			}
			plan.Request.Polycount = c
		}
	}
	if caps.Dimensions && req.Model == "" && req.Size == (providers.Dimensions{}) {
		// The size is recorded with the model, so the default is written into the request
		// rather than left to the provider.
		plan.Request.Size = providers.Dimensions{HeightCM: k.Settings.HeightCM(), Default: true}
	}
	if f, ok := p.(providers.Foreseer); ok && req.Model == "" && len(req.Images) > 0 {
		fs, err := f.Foresee(ctx, plan.Request)
		if err != nil {
			return plan, err
		}
		plan.Foresight = &fs
	}
	if caps.NeedsKey {
		if plan.Credential, err = k.Keys.Resolve(ctx, provider, credential); err != nil {
			return plan, err
		}
	}
	pricer, ok := p.(providers.Pricer)
	if !ok {
		return plan, nil
	}
	price, err := pricer.Price(plan.Request)
	if err != nil {
		return plan, err
	}
	plan.Price = &price
	if !withBalance {
		return plan, nil
	}
	bound, err := k.Keys.Bind(ctx, provider, plan.Credential)
	if err == nil {
		if bp, ok := bound.(providers.Pricer); ok {
			var b float64
			if b, err = bp.Balance(ctx); err == nil {
				plan.Balance = &b
			}
		}
	}
	if err != nil {
		plan.BalanceError = providers.Printable(err.Error())
	}
	return plan, nil
}

// RetextureRequest is the request that paints the model of library asset id from one reference
// image: submit it with OnAsset(id), so that the new asset records what it came from. The asset
// must be sound and downloaded.
func (k *Kiln) RetextureRequest(id, image, prompt string, options map[string]string) (providers.Request, error) {
	a, err := k.Library.Get(id)
	if err != nil {
		return providers.Request{}, err
	}
	if err := a.Err(); err != nil {
		return providers.Request{}, err
	}
	if !a.Downloaded() {
		return providers.Request{}, fmt.Errorf("%s has no model downloaded yet: download it first", a.Name)
	}
	return providers.Request{Model: a.ModelPath(), Images: []providers.Image{{Path: image}}, Prompt: prompt, Options: options}, nil
}
