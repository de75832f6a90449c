package billkit_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/billkit/billkit"
)

// TestAppendJSONStringMatchesEncodingJSON: the action log's fast string
// encoder writes exactly what encoding/json does.
func TestAppendJSONStringMatchesEncodingJSON(t *testing.T) {
	for _, s := range []string{"", "plain", "0193a2b4-5c6d-7e8f-9a0b-1c2d3e4f5a6b", `quo"te`, `back\slash`, "<b>&amp;</b>",
		"tab\there", "new\nline", "ünïcödé ₽", "\u2028sep", "\x7f", "bad\xffutf8"} {
		want, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		if got := billkit.AppendJSONString([]byte("x"), s); string(got) != "x"+string(want) {
			t.Errorf("AppendJSONString(%q) = %s, want x%s", s, got, want)
		}
	}
}

func FuzzAppendJSONString(f *testing.F) {
	f.Add("hello")
	f.Add("<\"\\\n>")
	f.Fuzz(func(t *testing.T, s string) {
		want, _ := json.Marshal(s)
		if got := billkit.AppendJSONString(nil, s); string(got) != string(want) {
			t.Fatalf("AppendJSONString(%q) = %s, want %s", s, got, want)
		}
	})
}

// TestActionOfMatchesNewAction: an action made from changes computed
// beforehand is the one NewAction makes from the values.
func TestActionOfMatchesNewAction(t *testing.T) {
	type view struct {
		Name  string `json:"name"`
		Count int    `json:"count"`
	}
	actor := billkit.Actor{Kind: billkit.ActorStaff, ID: "alice", Name: "Alice", IP: "192.0.2.1", UserAgent: "test"}
	at := time.Date(2027, 3, 1, 10, 0, 0, 123456789, time.UTC)
	before, after := view{"a", 1}, view{"b", 1}
	want, err := billkit.NewAction(actor, at, "x.edit", "x", "42", before, after)
	if err != nil {
		t.Fatal(err)
	}
	changes, err := billkit.Diff(before, after)
	if err != nil {
		t.Fatal(err)
	}
	got := billkit.ActionOf(actor, at, "x.edit", "x", "42", changes)
	if got.ID == want.ID || got.ID.IsZero() {
		t.Fatalf("ActionOf's ID = %s, want a new one", got.ID)
	}
	got.ID = want.ID
	g, _ := json.Marshal(got)
	w, _ := json.Marshal(want)
	if string(g) != string(w) {
		t.Fatalf("ActionOf = %s\nNewAction = %s", g, w)
	}
	if len(got.Changes) != 1 || got.Changes[0].Field != "name" || !got.At.Equal(billkit.Instant(at)) {
		t.Fatalf("ActionOf changes %+v at %s", got.Changes, got.At)
	}
}
