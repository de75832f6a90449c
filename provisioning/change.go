package provisioning

import (
	"context"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/catalog"
)

// ChangeParams asks for another configuration of a service: another
// tariff, another period, other addon values. A zero field keeps what the
// service has; Addons lists only the addons that change.
type ChangeParams struct {
	TariffID catalog.TariffID              `json:"tariff_id,omitzero"`
	Period   catalog.Period                `json:"period,omitempty"`
	Addons   map[string]catalog.AddonValue `json:"addons,omitempty"`
	Memo     string                        `json:"memo,omitempty"`
}

// ChangeQuote is what a change costs, computed by the same code that
// applies it.
type ChangeQuote struct {
	ServiceID ServiceID `json:"service_id"`
}

// QuoteChange prices a change without making it.
func (m *Manager) QuoteChange(ctx context.Context, actor billkit.Actor, id ServiceID, p ChangeParams) (*ChangeQuote, error) {
	return nil, billkit.Errorf(billkit.CodeFailedPrecondition, "service.change_unavailable", "changes are not available yet")
}

// ChangeService changes a service's tariff, period or addons.
func (m *Manager) ChangeService(ctx context.Context, actor billkit.Actor, id ServiceID, p ChangeParams) (*Service, error) {
	return nil, billkit.Errorf(billkit.CodeFailedPrecondition, "service.change_unavailable", "changes are not available yet")
}

// CancelPendingChange drops a change waiting for the next renewal.
func (m *Manager) CancelPendingChange(ctx context.Context, actor billkit.Actor, id ServiceID) (*Service, error) {
	return nil, billkit.Errorf(billkit.CodeFailedPrecondition, "service.change_unavailable", "changes are not available yet")
}
