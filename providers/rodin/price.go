package rodin

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"strconv"

	"github.com/kiln3d/kiln/providers"
)

// The published prices, in credits. Rodin publishes Gen-2.5's (0.5 a task, 1 for Extreme-High)
// and HighPack's (+1); "as published" means they may change.
const (
	priceGen25       = 0.5
	priceExtremeHigh = 1.0
	priceHighPack    = 1.0
	// priceOther is the price of a Gen-1 or Gen-2 task. Unverified: Rodin's pages found give
	// Gen-2.5's only, and the older tiers are taken to cost what Gen-2.5's do.
	priceOther = 0.5
	// priceTexture is the price of a texturing task. Unverified, like priceOther.
	priceTexture = 0.5
)

// Price works out what req costs from Rodin's published prices (providers.Pricer); it does no I/O.
func (p *Provider) Price(req providers.Request) (providers.Price, error) {
	caps := p.Capabilities()
	if req.Model != "" {
		return providers.Price{Credits: priceTexture, Basis: "texturing 0.5 (unverified: Rodin publishes no price for it)"}, nil
	}
	tier := req.Option(caps, OptionTier)
	var pr providers.Price
	switch {
	case tier == TierExtremeHigh:
		pr = providers.Price{Credits: priceExtremeHigh, Basis: tier + " 1, as published"}
	case isGen25(tier):
		pr = providers.Price{Credits: priceGen25, Basis: tier + " 0.5, as published"}
	case isGen1(tier) || tier == TierGen2:
		pr = providers.Price{Credits: priceOther, Basis: tier + " 0.5 (unverified: Rodin publishes Gen-2.5's prices only)"}
	default:
		return providers.Price{}, &providers.InputError{Reason: fmt.Sprintf("Rodin has no tier %q", tier)}
	}
	if highPack(caps, req) {
		pr.Credits += priceHighPack
		pr.Basis += "; HighPack +1, as published"
	}
	return pr, nil
}

// Balance asks /check_balance how many credits the account has (providers.Pricer). Rodin's
// credits come in halves: the balance is a number, not a count.
func (p *Provider) Balance(ctx context.Context) (float64, error) {
	key, err := loadKey(ctx, p.secrets)
	if err != nil {
		return 0, err
	}
	b, err := p.balance(ctx, key, "check the balance")
	return b, scrub(err, key)
}

// balanceReply is Rodin's answer to /check_balance: {"balance": 12.5}.
type balanceReply struct {
	Error   json.RawMessage `json:"error"`
	Balance json.RawMessage `json:"balance"`
}

// balance asks /check_balance with key.
func (p *Provider) balance(ctx context.Context, key, op string) (float64, error) {
	var out balanceReply
	code, err := p.do(ctx, key, call{op: op, method: http.MethodGet, route: "check_balance"}, &out)
	if err != nil {
		return 0, err
	}
	raw := bytes.TrimSpace(out.Balance)
	if len(raw) == 0 || string(raw) == "null" {
		return 0, incomplete(op, code, out.Error, "the balance")
	}
	// A number, or a number in a string: either reads.
	var s string
	if json.Unmarshal(raw, &s) == nil {
		raw = []byte(s)
	}
	b, err := strconv.ParseFloat(string(bytes.TrimSpace(raw)), 64)
	if err != nil || math.IsNaN(b) || math.IsInf(b, 0) {
		return 0, service.Error(op, code, providers.ErrServer, fmt.Sprintf("Rodin sent a balance that is not a number: %q", string(raw)))
	}
	return b, nil
}
