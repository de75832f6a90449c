package provisioning

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/catalog"
)

// A tariff's stock (catalog.Tariff.Stock) counts the services that may
// still be sold. It moves in the transaction of what sells or unsells
// them, through the catalog's store bound to it (Store.Catalog), so that a
// sale and its unit commit together, and of two buyers of the last unit
// exactly one gets it:
//
//   - an order takes each item's quantity when it is created; cancelling
//     it while it is new (by hand or when it expires) gives them back, and
//     a paid order keeps them;
//   - a change of a service to another tariff takes one unit of it, made
//     now or kept for the renewal; a kept change that is withdrawn,
//     replaced or dropped gives its unit back;
//   - a clone takes one unit of its tariff.
//
// Imported services exist already and take none; a deleted service gives
// none back: stock counts sales, and a hoster whose hardware comes back
// raises it by hand.

// takeOrderStock takes, in tx, each item's quantity from its tariff's
// stock. The checks before the transaction saw enough; a take that finds
// too little lost the units to another order meanwhile and is the error
// those checks give, on the item's quantity.
func takeOrderStock(ctx context.Context, tx Store, o *Order, plan *orderPlan) error {
	for _, i := range byTariff(o.Items) {
		it := o.Items[i]
		ok, err := tx.Catalog().TakeTariffStock(ctx, it.TariffID, it.Quantity)
		if err != nil {
			return err
		}
		if !ok {
			return billkit.InvalidField(fmt.Sprintf("items[%d].quantity", i), ReasonOutOfStock,
				fmt.Sprintf("fewer than %d left of tariff %s", it.Quantity, plan.lines[i].tariff.Code))
		}
	}
	return nil
}

// returnOrderStock gives, in tx, the units a new order took back to its
// items' tariffs as it is cancelled.
func returnOrderStock(ctx context.Context, tx Store, o *Order) error {
	for _, i := range byTariff(o.Items) {
		if err := returnStock(ctx, tx, o.Items[i].TariffID, o.Items[i].Quantity); err != nil {
			return err
		}
	}
	return nil
}

// byTariff returns the indexes of items in the order of their tariffs'
// IDs, those of one tariff as listed. A take holds its tariff's row until
// the transaction ends: orders that take in one order cannot deadlock, and
// the item named when a tariff runs out is the one the checks name.
func byTariff(items []OrderItem) []int {
	idx := make([]int, len(items))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		return strings.Compare(items[a].TariffID.String(), items[b].TariffID.String())
	})
	return idx
}

// returnStock gives n units back to a tariff. A tariff deleted meanwhile
// has no stock left to give them to: a cancellation must not fail on it.
func returnStock(ctx context.Context, tx Store, id catalog.TariffID, n int) error {
	err := tx.Catalog().ReturnTariffStock(ctx, id, n)
	if billkit.IsCode(err, billkit.CodeNotFound) {
		return nil
	}
	return err
}

// checkChangeStock checks, before the transaction, that tariff to has a
// unit left for a change of svc onto it. The unit svc's pending change
// holds of it comes back as the change replaces it, and counts.
func checkChangeStock(v *billkit.FieldErrors, svc *Service, to *catalog.Tariff) {
	if to.ID == svc.TariffID || to.Stock == nil || pendingTariff(svc) == to.ID {
		return
	}
	v.Check(*to.Stock >= 1, "tariff_id", ReasonOutOfStock, fmt.Sprintf("none left of tariff %s", to.Code))
}

// takeChangeStock moves, in tx, the stock of a change of svc (locked) to
// tariff to, made now or kept for the renewal: the unit a pending change
// holds goes back, since either replaces it, then one unit of to is taken
// when the service moves to it. None left is the invalid error
// checkChangeStock gives.
func takeChangeStock(ctx context.Context, tx Store, svc *Service, to *catalog.Tariff) error {
	if err := returnPendingStock(ctx, tx, svc); err != nil {
		return err
	}
	if to.ID == svc.TariffID {
		return nil
	}
	ok, err := tx.Catalog().TakeTariffStock(ctx, to.ID, 1)
	if err != nil {
		return err
	}
	if !ok {
		return billkit.InvalidField("tariff_id", ReasonOutOfStock, fmt.Sprintf("none left of tariff %s", to.Code))
	}
	return nil
}

// returnPendingStock gives back, in tx, the unit svc's pending change
// took: one of its tariff when it moves the service to another. Call it
// when the pending change is withdrawn, replaced or dropped.
func returnPendingStock(ctx context.Context, tx Store, svc *Service) error {
	id := pendingTariff(svc)
	if id.IsZero() {
		return nil
	}
	return returnStock(ctx, tx, id, 1)
}

// pendingTariff is the tariff of which svc's pending change holds a unit:
// its tariff when it moves the service to another, else zero.
func pendingTariff(svc *Service) catalog.TariffID {
	if pc := svc.PendingChange; pc != nil && pc.TariffID != svc.TariffID {
		return pc.TariffID
	}
	return catalog.TariffID{}
}

// takeCloneStock takes, in tx, the unit of its tariff a clone sells. None
// left is failed_precondition ReasonOutOfStock: the clone names no tariff
// of its own to correct.
func takeCloneStock(ctx context.Context, tx Store, s *Service) error {
	ok, err := tx.Catalog().TakeTariffStock(ctx, s.TariffID, 1)
	if err != nil {
		return err
	}
	if !ok {
		return billkit.Errorf(billkit.CodeFailedPrecondition, ReasonOutOfStock, "none left of tariff %s to clone the service", s.TariffID)
	}
	return nil
}
