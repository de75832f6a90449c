package billing

import (
	"bytes"
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"sort"

	"github.com/billkit/billkit"
)

// Settings are named values that tune billing for a provider, a client group
// or a client. Keys are dotted lower-case names ("invoice.due_days"); values
// are JSON (a number, a string, a boolean, an object, or null). The keys
// themselves are defined by the features that read them.
//
// Settings overlay: a provider's settings are the defaults, a client group's
// override them, and a client's own override both (see Overlay and
// EffectiveSettings). In an override, a key that is absent inherits, and a
// key set to JSON null removes the setting, so the feature's own default
// applies.
//
// Settings encode as a JSON object in the API and in the database.
type Settings map[string]json.RawMessage

// Get decodes the value of key into v and reports whether the key was set.
func (s Settings) Get(key string, v any) (bool, error) {
	raw, ok := s[key]
	if !ok {
		return false, nil
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return true, billkit.WrapError(err, billkit.CodeInvalid, "settings.value_type",
			fmt.Sprintf("setting %s does not hold a %T", key, v))
	}
	return true, nil
}

// String returns the value of key when it is a JSON string, and "" otherwise.
func (s Settings) String(key string) string {
	var v string
	if ok, err := s.Get(key, &v); !ok || err != nil {
		return ""
	}
	return v
}

// Set sets key to the JSON encoding of v.
func (s Settings) Set(key string, v any) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return billkit.WrapError(err, billkit.CodeInvalid, "settings.value_malformed", "setting "+key+" cannot be encoded as JSON")
	}
	s[key] = raw
	return nil
}

// Keys returns the keys in order.
func (s Settings) Keys() []string {
	keys := make([]string, 0, len(s))
	for k := range s {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Validate checks the keys (dotted lower-case, at most 64 bytes) and that
// every value is JSON. Fields are named by key ("settings.invoice.due_days"
// when merged under "settings").
func (s Settings) Validate() error {
	var v billkit.FieldErrors
	for _, k := range s.Keys() {
		v.Check(validSettingKey(k), k, "settings.key_malformed", "must be dotted lower-case letters, digits and _")
		v.Check(json.Valid(s[k]), k, "settings.value_malformed", "must be a JSON value")
	}
	return v.Err()
}

func validSettingKey(k string) bool {
	if k == "" || len(k) > 64 || k[0] == '.' || k[len(k)-1] == '.' {
		return false
	}
	for i := 0; i < len(k); i++ {
		c := k[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '.') || (c == '.' && k[i-1] == '.') {
			return false
		}
	}
	return true
}

// normalize returns a copy with every value compacted, so that equal values
// compare equal whatever the database did to their spacing.
func (s Settings) normalize() Settings {
	if s == nil {
		return Settings{}
	}
	out := make(Settings, len(s))
	for k, v := range s {
		var b bytes.Buffer
		if json.Compact(&b, v) == nil {
			out[k] = json.RawMessage(b.Bytes())
		} else {
			out[k] = append(json.RawMessage(nil), v...)
		}
	}
	return out
}

// Overlay returns base with each override applied in order: a key an
// override sets replaces the value, a key it sets to null is removed, and
// the rest is inherited. It is a pure function and changes none of its
// arguments.
func Overlay(base Settings, overrides ...Settings) Settings {
	out := base.normalize()
	for _, o := range overrides {
		for k, v := range o.normalize() {
			if bytes.Equal(v, []byte("null")) {
				delete(out, k)
				continue
			}
			out[k] = v
		}
	}
	return out
}

// EffectiveSettings returns the settings that apply to a client: the
// provider's, overlaid by the client group's (when group is not nil), then
// by the client's own (when client is not nil). A nil provider contributes
// nothing.
func EffectiveSettings(provider *Provider, group *ClientGroup, client *Client) Settings {
	var base Settings
	if provider != nil {
		base = provider.Settings
	}
	var over []Settings
	if group != nil {
		over = append(over, group.Settings)
	}
	if client != nil {
		over = append(over, client.Settings)
	}
	return Overlay(base, over...)
}

// MarshalJSON encodes nil as {}.
func (s Settings) MarshalJSON() ([]byte, error) {
	if s == nil {
		return []byte("{}"), nil
	}
	return json.Marshal(map[string]json.RawMessage(s.normalize()))
}

// Value implements driver.Valuer: a JSON object.
func (s Settings) Value() (driver.Value, error) {
	b, err := s.MarshalJSON()
	if err != nil {
		return nil, err
	}
	return string(b), nil
}

// Scan implements sql.Scanner for the JSON text a store returns.
func (s *Settings) Scan(src any) error {
	var b []byte
	switch v := src.(type) {
	case nil:
		*s = Settings{}
		return nil
	case string:
		b = []byte(v)
	case []byte:
		b = v
	default:
		return fmt.Errorf("billing: cannot scan %T into Settings", src)
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		return fmt.Errorf("billing: scanning Settings: %w", err)
	}
	*s = Settings(m).normalize()
	return nil
}
