package provisioning

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/billkit/billkit"
)

// TestExpiryViewActionFieldsMatchJSON: the history of a renewal records
// what encoding/json would, zero dates included.
func TestExpiryViewActionFieldsMatchJSON(t *testing.T) {
	for _, v := range []expiryView{
		{AnchorOn: billkit.MustDate(2028, 2, 29), PeriodsPaid: 13, ExpiresOn: billkit.MustDate(2029, 3, 29)},
		{},
	} {
		raw, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		var want map[string]json.RawMessage
		if err := json.Unmarshal(raw, &want); err != nil {
			t.Fatal(err)
		}
		got, err := v.ActionFields()
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(want) {
			t.Fatalf("%d fields, want %d", len(got), len(want))
		}
		for k, w := range want {
			if !bytes.Equal(got[k], w) {
				t.Errorf("%s = %s, want %s", k, got[k], w)
			}
		}
	}
}
