package billkit_test

import (
	"encoding/json"
	"testing"

	"github.com/billkit/billkit"
)

func TestPageParams(t *testing.T) {
	tests := []struct {
		limit, effective int
		valid            bool
	}{
		{0, billkit.DefaultPageLimit, true},
		{1, 1, true},
		{50, 50, true},
		{billkit.MaxPageLimit, billkit.MaxPageLimit, true},
		{billkit.MaxPageLimit + 1, billkit.MaxPageLimit, false},
		{-1, billkit.DefaultPageLimit, false},
	}
	for _, tt := range tests {
		p := billkit.PageParams{Limit: tt.limit}
		if got := p.EffectiveLimit(); got != tt.effective {
			t.Errorf("EffectiveLimit(%d) = %d, want %d", tt.limit, got, tt.effective)
		}
		err := p.Validate()
		if tt.valid && err != nil {
			t.Errorf("Validate(%d): %v", tt.limit, err)
		}
		if !tt.valid {
			wantInvalid(t, err, "limit", "page.limit_out_of_range")
		}
	}
}

func TestPageJSON(t *testing.T) {
	b, err := json.Marshal(billkit.Page[string]{Items: []string{"a"}})
	if err != nil || string(b) != `{"items":["a"]}` {
		t.Errorf("last page = %s, %v", b, err)
	}
	b, _ = json.Marshal(billkit.Page[int]{Items: []int{1}, NextCursor: "c1"})
	if string(b) != `{"items":[1],"next_cursor":"c1"}` {
		t.Errorf("page = %s", b)
	}
	var p billkit.PageParams
	if err := json.Unmarshal([]byte(`{"limit":10,"cursor":"abc"}`), &p); err != nil || p.Limit != 10 || p.Cursor != "abc" {
		t.Errorf("PageParams = %+v, %v", p, err)
	}
}
