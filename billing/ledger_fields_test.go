package billing

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/catalog"
	"github.com/shopspring/decimal"
)

// TestLedgerEntryActionFieldsMatchJSON proves the action log's fast path
// records what encoding the entry whole would, less the fields the action
// row holds itself: the same compact values, with and without the optional
// ones.
func TestLedgerEntryActionFieldsMatchJSON(t *testing.T) {
	rate := decimal.RequireFromString("91.2345")
	full := LedgerEntry{
		ID: billkit.NewID[LedgerEntry](), ClientID: billkit.NewClientID(),
		Amount: billkit.MustParseMoney("-12.50", "EUR"), Kind: LedgerRefund,
		CauseType: "payment", CauseID: "p-1", Memo: "a \"quoted\" <memo> é", Rate: &rate,
		ActorKind: billkit.ActorStaff, ActorID: "u-1", CreatedAt: time.Date(2026, 2, 29, 23, 59, 59, 123456000, time.UTC),
		BalanceAfter: billkit.MustParseMoney("100.00", "EUR"),
	}
	bare := full
	bare.CauseType, bare.CauseID, bare.Memo, bare.Rate = "", "", "", nil
	for name, e := range map[string]LedgerEntry{"full": full, "bare": bare} {
		checkActionFields(t, name, &e)
	}
}

// TestExpenseActionFieldsMatchJSON is TestLedgerEntryActionFieldsMatchJSON
// for expenses, which the billing cycle records by the thousand.
func TestExpenseActionFieldsMatchJSON(t *testing.T) {
	full := Expense{
		ID: billkit.NewID[Expense](), ClientID: billkit.NewClientID(), Kind: ExpensePeriod,
		Amount: billkit.MustParseMoney("12.50", "EUR"), Covered: billkit.MustParseMoney("2.00", "EUR"),
		Description: "VPS \"1\": 2027-03-01 – 2027-03-31", CauseType: "service", CauseID: "s-1",
		PeriodStart: billkit.MustDate(2027, 3, 1), PeriodEnd: billkit.MustDate(2027, 4, 1),
		TariffID: billkit.NewID[catalog.Tariff](), Period: catalog.PeriodMonth, Quantity: decimal.RequireFromString("1.5"),
		PriceDate: billkit.MustDate(2027, 1, 31), LedgerEntryID: billkit.NewID[LedgerEntry](),
		ActorKind: billkit.ActorSystem, ActorID: "cycle", CreatedAt: time.Date(2027, 3, 1, 2, 0, 0, 1000, time.UTC),
	}
	bare := full
	bare.Description, bare.CauseType, bare.CauseID, bare.PeriodStart, bare.PeriodEnd = "", "", "", billkit.Date{}, billkit.Date{}
	bare.TariffID, bare.Period, bare.Quantity, bare.PriceDate = catalog.TariffID{}, "", decimal.Zero, billkit.Date{}
	for name, x := range map[string]Expense{"full": full, "bare": bare} {
		checkActionFields(t, name, &x)
	}
}

// checkActionFields checks that v's ActionFields are its JSON fields less
// the action row's own.
func checkActionFields(t *testing.T, name string, v billkit.ActionFielder) {
	t.Helper()
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var want map[string]json.RawMessage
	if err := json.Unmarshal(raw, &want); err != nil {
		t.Fatal(err)
	}
	for _, inAction := range []string{"id", "client_id", "actor_kind", "actor_id", "created_at"} {
		if _, ok := want[inAction]; !ok {
			t.Fatalf("%s: the JSON has no %s", name, inAction)
		}
		delete(want, inAction)
	}
	got, err := v.ActionFields()
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Errorf("%s: %d fields, want %d: %v", name, len(got), len(want), got)
	}
	for k, w := range want {
		var buf bytes.Buffer
		if err := json.Compact(&buf, w); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got[k], buf.Bytes()) {
			t.Errorf("%s: field %s = %s, want %s", name, k, got[k], buf.Bytes())
		}
	}
}
