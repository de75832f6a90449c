package directory

import (
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/billkit/billkit"
	"golang.org/x/text/language"
)

// Text is a value translated per locale: a map from a BCP 47 locale code
// ("en", "ru") to the text in that language. Every name a client sees is a
// Text. It encodes as a JSON object in the API and in the database.
type Text map[string]string

// FallbackLocale is the locale Get falls back to when neither the requested
// locale nor its base language has a value.
const FallbackLocale = "en"

// Get returns the text for locale, falling back, in order, to the locale's
// parents ("zh-Hant-TW" → "zh-Hant"), its base language ("pt-BR" → "pt"),
// English, and finally the value of the alphabetically first locale that has a
// non-empty text, so that a name never comes out blank while any translation
// exists. Keys are matched in their canonical form, so "pt-br" finds "pt-BR".
func (t Text) Get(locale string) string {
	if v, ok := t.lookupChain(locale); ok {
		return v
	}
	return t.last()
}

// In returns the text for the first of prefs that has a translation (directly
// or through its parents and base language), else the English text, else the
// first non-empty one. It suits an Accept-Language list or a user's ordered
// preferences.
func (t Text) In(prefs ...string) string {
	for _, p := range prefs {
		if v, ok := t.lookupChain(p); ok {
			return v
		}
	}
	return t.last()
}

// lookupChain tries locale, its parents and its base language.
func (t Text) lookupChain(locale string) (string, bool) {
	if len(t) == 0 || strings.TrimSpace(locale) == "" {
		return "", false
	}
	if v, ok := t.lookup(locale); ok {
		return v, true
	}
	tag, err := language.Parse(locale)
	if err != nil {
		return "", false
	}
	for p := tag.Parent(); !p.IsRoot(); p = p.Parent() {
		if v, ok := t.lookup(p.String()); ok {
			return v, true
		}
	}
	if b, conf := tag.Base(); conf != language.No {
		if v, ok := t.lookup(b.String()); ok {
			return v, true
		}
	}
	return "", false
}

// last is the fallback after the requested chain: English, then the first
// non-empty value by key.
func (t Text) last() string {
	if v, ok := t.lookup(FallbackLocale); ok {
		return v
	}
	keys := make([]string, 0, len(t))
	for k := range t {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if strings.TrimSpace(t[k]) != "" {
			return t[k]
		}
	}
	return ""
}

// lookup finds a non-empty value under key, comparing keys in canonical form
// when the literal key is missing (stored Texts are normalized, but a caller's
// literal may not be).
func (t Text) lookup(key string) (string, bool) {
	if v, ok := t[key]; ok && strings.TrimSpace(v) != "" {
		return v, true
	}
	want := canonicalLocale(key)
	if want == "" {
		return "", false
	}
	for k, v := range t {
		if k != key && canonicalLocale(k) == want && strings.TrimSpace(v) != "" {
			return v, true
		}
	}
	return "", false
}

// canonicalLocale returns the canonical form of a BCP 47 tag, or "" when it
// does not parse.
func canonicalLocale(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	tag, err := language.Parse(s)
	if err != nil {
		return ""
	}
	return tag.String()
}

// Validate checks every entry: the key is a valid BCP 47 tag and the value is
// not blank. An empty Text is valid; use ValidateRequired where a text must
// exist. Field errors name the locale ("ru"), so a caller that merges them
// under its own field gets "name.ru".
func (t Text) Validate() error {
	var v billkit.FieldErrors
	t.validate(&v)
	return v.Err()
}

// ValidateRequired is Validate that also requires at least one entry; the
// missing-text error has an empty field, so it merges as the caller's field.
func (t Text) ValidateRequired() error {
	var v billkit.FieldErrors
	if len(t) == 0 {
		v.Add("", "required", "at least one translation is required")
	}
	t.validate(&v)
	return v.Err()
}

func (t Text) validate(v *billkit.FieldErrors) {
	seen := make(map[string]string, len(t))
	for k, val := range t {
		c := canonicalLocale(k)
		if c == "" {
			v.Add(k, "text.locale_invalid", fmt.Sprintf("%q is not a BCP 47 language tag", k))
			continue
		}
		if other, dup := seen[c]; dup {
			// Two spellings of one locale would make Get ambiguous.
			a, b := other, k
			if b < a {
				a, b = b, a
			}
			v.Add(b, "text.locale_duplicate", fmt.Sprintf("%q and %q are the same locale", a, b))
			continue
		}
		seen[c] = k
		if strings.TrimSpace(val) == "" {
			v.Add(k, "text.empty", "must not be blank")
		}
	}
}

// Normalize returns a copy with canonical keys ("pt-br" → "pt-BR", "iw" →
// "he") and trimmed values, dropping blank values. Keys that do not parse are
// kept as they are, so Validate still reports them. When two keys name the
// same locale, the one already in canonical form wins, else the first in key
// order.
func (t Text) Normalize() Text {
	if t == nil {
		return nil
	}
	keys := make([]string, 0, len(t))
	for k := range t {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make(Text, len(t))
	for _, k := range keys {
		val := strings.TrimSpace(t[k])
		if val == "" {
			continue
		}
		c := canonicalLocale(k)
		if c == "" {
			out[k] = val
			continue
		}
		if _, taken := out[c]; taken && k != c {
			continue
		}
		out[c] = val
	}
	return out
}

// Clone returns a copy that shares nothing with t.
func (t Text) Clone() Text {
	if t == nil {
		return nil
	}
	out := make(Text, len(t))
	for k, v := range t {
		out[k] = v
	}
	return out
}

// Locales returns the keys, sorted.
func (t Text) Locales() []string {
	keys := make([]string, 0, len(t))
	for k := range t {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Value implements driver.Valuer: the JSON object as a string, which a
// PostgreSQL jsonb column and a SQLite TEXT column both accept. A nil Text is
// stored as "{}" so that NOT NULL columns never see NULL.
func (t Text) Value() (driver.Value, error) {
	if t == nil {
		return "{}", nil
	}
	b, err := json.Marshal(map[string]string(t))
	if err != nil {
		return nil, err
	}
	return string(b), nil
}

// Scan implements sql.Scanner. It accepts the JSON object as a string or as
// bytes (drivers differ), and NULL as a nil Text.
func (t *Text) Scan(src any) error {
	var b []byte
	switch v := src.(type) {
	case nil:
		*t = nil
		return nil
	case string:
		b = []byte(v)
	case []byte:
		b = v
	default:
		return fmt.Errorf("directory: cannot scan %T into a Text", src)
	}
	m := map[string]string{}
	if err := json.Unmarshal(b, &m); err != nil {
		return fmt.Errorf("directory: scanning a Text: %w", err)
	}
	*t = Text(m)
	return nil
}
