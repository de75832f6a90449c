package billkit_test

import (
	"encoding/json"
	"errors"
	"fmt"
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

func TestCollectPagesReadsEveryPage(t *testing.T) {
	pages := map[string]billkit.Page[int]{
		"":  {Items: []int{1, 2}, NextCursor: "b"},
		"b": {Items: []int{3}, NextCursor: "c"},
		"c": {Items: []int{4}},
	}
	var asked []string
	got, err := billkit.CollectPages(func(cursor string) (billkit.Page[int], error) {
		asked = append(asked, cursor)
		return pages[cursor], nil
	})
	if err != nil || fmt.Sprint(got) != "[1 2 3 4]" || fmt.Sprint(asked) != "[ b c]" {
		t.Fatalf("CollectPages = %v, %v after cursors %q", got, err, asked)
	}
	boom := errors.New("boom")
	if _, err := billkit.CollectPages(func(string) (billkit.Page[int], error) { return billkit.Page[int]{}, boom }); !errors.Is(err, boom) {
		t.Fatalf("CollectPages error = %v", err)
	}
}
