package directory

import (
	"testing"

	"github.com/billkit/billkit"
	"github.com/google/go-cmp/cmp"
)

func TestTextGet(t *testing.T) {
	name := Text{"en": "Russia", "ru": "Россия", "pt": "Rússia", "zh-Hant": "俄羅斯"}
	tests := []struct {
		text   Text
		locale string
		want   string
	}{
		{name, "ru", "Россия"},
		{name, "RU", "Россия"},
		{name, "pt-BR", "Rússia"},
		{name, "pt-br", "Rússia"},
		{name, "zh-Hant-TW", "俄羅斯"},
		{name, "de", "Russia"},
		{name, "", "Russia"},
		{name, "not a tag!", "Russia"},
		{Text{"ru": "Россия", "de": "Russland"}, "fr", "Russland"},
		{Text{"ru": "Россия", "de": " "}, "fr", "Россия"},
		{Text{"en": "", "ru": "Россия"}, "en", "Россия"},
		{Text{"pt-BR": "Brasil"}, "pt-br", "Brasil"},
		{Text{}, "en", ""},
		{nil, "en", ""},
	}
	for _, tt := range tests {
		if got := tt.text.Get(tt.locale); got != tt.want {
			t.Errorf("%v.Get(%q) = %q, want %q", tt.text, tt.locale, got, tt.want)
		}
	}
}

func TestTextIn(t *testing.T) {
	name := Text{"en": "Germany", "ru": "Германия", "de": "Deutschland"}
	tests := []struct {
		prefs []string
		want  string
	}{
		{[]string{"fr", "de", "ru"}, "Deutschland"},
		{[]string{"ru-RU", "en"}, "Германия"},
		{[]string{"fr", "es"}, "Germany"},
		{nil, "Germany"},
	}
	for _, tt := range tests {
		if got := name.In(tt.prefs...); got != tt.want {
			t.Errorf("In(%v) = %q, want %q", tt.prefs, got, tt.want)
		}
	}
}

func TestTextValidate(t *testing.T) {
	tests := []struct {
		name     string
		text     Text
		required bool
		fields   []string
	}{
		{"ok", Text{"en": "x", "pt-BR": "y"}, true, nil},
		{"empty optional", Text{}, false, nil},
		{"empty required", Text{}, true, []string{""}},
		{"nil required", nil, true, []string{""}},
		{"bad key", Text{"en": "x", "english!": "y"}, false, []string{"english!"}},
		{"blank value", Text{"en": "x", "ru": "  "}, false, []string{"ru"}},
		{"same locale twice", Text{"pt-BR": "a", "pt-br": "b"}, false, []string{"pt-br"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var err error
			if tt.required {
				err = tt.text.ValidateRequired()
			} else {
				err = tt.text.Validate()
			}
			var got []string
			if err != nil {
				if billkit.ErrorCode(err) != billkit.CodeInvalid {
					t.Fatalf("code = %v", billkit.ErrorCode(err))
				}
				for _, f := range err.(*billkit.Error).Fields {
					got = append(got, f.Field)
				}
			}
			if diff := cmp.Diff(tt.fields, got); diff != "" {
				t.Errorf("fields (-want +got):\n%s", diff)
			}
		})
	}
}

func TestTextValidateMergesUnderField(t *testing.T) {
	var v billkit.FieldErrors
	v.Merge("name", Text{"en": "x", "ru": ""}.ValidateRequired())
	v.Merge("title", Text{}.ValidateRequired())
	e := v.Err().(*billkit.Error)
	if _, ok := e.Field("name.ru"); !ok {
		t.Errorf("no name.ru in %v", e)
	}
	if _, ok := e.Field("title"); !ok {
		t.Errorf("no title in %v", e)
	}
}

func TestTextNormalize(t *testing.T) {
	got := Text{"EN": " English ", "pt-br": "Brasil", "iw": "עברית", "ru": " ", "bad!": "x", "en": "english"}.Normalize()
	want := Text{"en": "english", "pt-BR": "Brasil", "he": "עברית", "bad!": "x"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Normalize (-want +got):\n%s", diff)
	}
	if Text(nil).Normalize() != nil {
		t.Error("nil.Normalize() is not nil")
	}
}

func TestTextClone(t *testing.T) {
	a := Text{"en": "a"}
	b := a.Clone()
	b["en"] = "b"
	if a["en"] != "a" {
		t.Error("Clone shares the map")
	}
	if Text(nil).Clone() != nil {
		t.Error("nil.Clone() is not nil")
	}
}

func TestTextSQL(t *testing.T) {
	in := Text{"en": "Russia", "ru": "Россия"}
	v, err := in.Value()
	if err != nil {
		t.Fatal(err)
	}
	s, ok := v.(string)
	if !ok || s != `{"en":"Russia","ru":"Россия"}` {
		t.Fatalf("Value = %#v", v)
	}
	for _, src := range []any{s, []byte(s)} {
		var out Text
		if err := out.Scan(src); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(in, out); diff != "" {
			t.Errorf("Scan(%T) (-want +got):\n%s", src, diff)
		}
	}
	if v, _ := Text(nil).Value(); v != "{}" {
		t.Errorf("nil Value = %#v, want {}", v)
	}
	var out Text = Text{"x": "y"}
	if err := out.Scan(nil); err != nil || out != nil {
		t.Errorf("Scan(nil) = %v, %v", out, err)
	}
	for _, bad := range []any{42, "not json", []byte(`["a"]`)} {
		if err := out.Scan(bad); err == nil {
			t.Errorf("Scan(%#v) succeeded", bad)
		}
	}
}
