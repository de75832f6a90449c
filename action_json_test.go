package billkit_test

import (
	"encoding/json"
	"testing"

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
