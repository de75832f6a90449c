package provisioning

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/billing"
)

// sameAsJSON fails t unless fields are what encoding/json makes of v.
func sameAsJSON(t *testing.T, v any, fields map[string]json.RawMessage) {
	t.Helper()
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var want map[string]json.RawMessage
	if err := json.Unmarshal(raw, &want); err != nil {
		t.Fatal(err)
	}
	if len(fields) != len(want) {
		t.Fatalf("%d fields, want %d (%s)", len(fields), len(want), raw)
	}
	for k, w := range want {
		if !bytes.Equal(fields[k], w) {
			t.Errorf("%s = %s, want %s", k, fields[k], w)
		}
	}
}

// TestExpiryViewActionFieldsMatchJSON: the history of a renewal records
// what encoding/json would, zero dates included.
func TestExpiryViewActionFieldsMatchJSON(t *testing.T) {
	for _, v := range []expiryView{
		{AnchorOn: billkit.MustDate(2028, 2, 29), PeriodsPaid: 13, ExpiresOn: billkit.MustDate(2029, 3, 29)},
		{},
	} {
		got, err := v.ActionFields()
		if err != nil {
			t.Fatal(err)
		}
		sameAsJSON(t, v, got)
	}
}

// TestRenewedViewActionFieldsMatchJSON: the fast lane's renewal action
// names the amount and the expense as the slow lane's (encoding/json)
// does, and leaves out the expense of a free renewal.
func TestRenewedViewActionFieldsMatchJSON(t *testing.T) {
	exp := expiryView{AnchorOn: billkit.MustDate(2028, 2, 29), PeriodsPaid: 2, ExpiresOn: billkit.MustDate(2028, 4, 29)}
	for _, v := range []renewedView{
		{expiryView: exp, Amount: billkit.MustParseMoney("10.00", "USD"), ExpenseID: billkit.NewID[billing.Expense]()},
		{expiryView: exp, Amount: billkit.MustParseMoney("0", "USD")},
	} {
		got, err := v.ActionFields()
		if err != nil {
			t.Fatal(err)
		}
		sameAsJSON(t, v, got)
	}
}
