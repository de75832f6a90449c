package billing_test

import (
	"encoding/json"
	"testing"

	"github.com/billkit/billkit/billing"
)

func TestOverlay(t *testing.T) {
	raw := func(s string) json.RawMessage { return json.RawMessage(s) }
	for _, tc := range []struct {
		name      string
		base      billing.Settings
		overrides []billing.Settings
		want      string
	}{
		{"nothing", nil, nil, `{}`},
		{"base only", billing.Settings{"a": raw("1")}, nil, `{"a":1}`},
		{"override replaces", billing.Settings{"a": raw("1"), "b": raw(`"x"`)}, []billing.Settings{{"a": raw("2")}}, `{"a":2,"b":"x"}`},
		{"absent inherits", billing.Settings{"a": raw("1")}, []billing.Settings{{}, nil}, `{"a":1}`},
		{"null removes", billing.Settings{"a": raw("1"), "b": raw("2")}, []billing.Settings{{"a": raw("null")}}, `{"b":2}`},
		{"later wins", billing.Settings{"a": raw("1")}, []billing.Settings{{"a": raw("2")}, {"a": raw("3")}}, `{"a":3}`},
		{"re-add after removal", billing.Settings{"a": raw("1")}, []billing.Settings{{"a": raw("null")}, {"a": raw(`{ "k" : [1, 2] }`)}}, `{"a":{"k":[1,2]}}`},
		{"override adds", nil, []billing.Settings{{"new.key": raw("true")}}, `{"new.key":true}`},
	} {
		got, err := json.Marshal(billing.Overlay(tc.base, tc.overrides...))
		if err != nil || string(got) != tc.want {
			t.Errorf("%s: Overlay = %s, %v; want %s", tc.name, got, err, tc.want)
		}
	}
	base := billing.Settings{"a": raw("1")}
	billing.Overlay(base, billing.Settings{"a": raw("null")})
	if string(base["a"]) != "1" {
		t.Error("Overlay changed its argument")
	}
}

func TestEffectiveSettings(t *testing.T) {
	p := &billing.Provider{Settings: billing.Settings{"due": json.RawMessage("10"), "lang": json.RawMessage(`"en"`)}}
	g := &billing.ClientGroup{Settings: billing.Settings{"due": json.RawMessage("30")}}
	c := &billing.Client{Settings: billing.Settings{"lang": json.RawMessage(`"ru"`)}}
	for _, tc := range []struct {
		g    *billing.ClientGroup
		c    *billing.Client
		want string
	}{
		{nil, nil, `{"due":10,"lang":"en"}`},
		{g, nil, `{"due":30,"lang":"en"}`},
		{nil, c, `{"due":10,"lang":"ru"}`},
		{g, c, `{"due":30,"lang":"ru"}`},
	} {
		got, _ := json.Marshal(billing.EffectiveSettings(p, tc.g, tc.c))
		if string(got) != tc.want {
			t.Errorf("EffectiveSettings = %s, want %s", got, tc.want)
		}
	}
	if got := billing.EffectiveSettings(nil, nil, nil); len(got) != 0 {
		t.Errorf("EffectiveSettings(nil...) = %v", got)
	}
}

func TestSettingsValidate(t *testing.T) {
	ok := billing.Settings{"invoice.due_days": json.RawMessage("10"), "a_b.c2": json.RawMessage(`"x"`)}
	if err := ok.Validate(); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"", "A", ".a", "a.", "a..b", "a-b", "a b"} {
		if err := (billing.Settings{k: json.RawMessage("1")}).Validate(); err == nil {
			t.Errorf("key %q accepted", k)
		}
	}
	s := billing.Settings{}
	if err := s.Set("n", 5); err != nil {
		t.Fatal(err)
	}
	var n int
	if found, err := s.Get("n", &n); !found || err != nil || n != 5 {
		t.Fatalf("Get = %d, %v, %v", n, found, err)
	}
	var str string
	if _, err := s.Get("n", &str); err == nil {
		t.Fatal("Get decoded a number into a string")
	}
	if s.String("n") != "" || s.String("missing") != "" {
		t.Fatal("String of a non-string")
	}
}
