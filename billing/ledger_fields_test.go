package billing

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/billkit/billkit"
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
		raw, err := json.Marshal(&e)
		if err != nil {
			t.Fatal(err)
		}
		var want map[string]json.RawMessage
		if err := json.Unmarshal(raw, &want); err != nil {
			t.Fatal(err)
		}
		for _, inAction := range []string{"id", "client_id", "actor_kind", "actor_id", "created_at"} {
			if _, ok := want[inAction]; !ok {
				t.Fatalf("the entry's JSON has no %s", inAction)
			}
			delete(want, inAction)
		}
		got, err := e.ActionFields()
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
}
