package stripetest

import (
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// params is a request's form, flattened: Stripe's bracketed keys
// ("line_items[0][price_data][currency]") become dotted paths
// ("line_items.0.price_data.currency"), and "expand[]" lists get indexes.
type params map[string]string

// parseParams flattens a form. A key with unbalanced brackets is an error
// naming the key, as Stripe answers "Invalid array" or similar.
func parseParams(form url.Values) (params, string, bool) {
	p := params{}
	keys := make([]string, 0, len(form))
	for k := range form {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		path, ok := flattenKey(k)
		if !ok {
			return nil, k, false
		}
		vals := form[k]
		if strings.HasSuffix(path, ".") {
			// "expand[]": an appended list.
			base := strings.TrimSuffix(path, ".")
			n := p.count(base)
			for i, v := range vals {
				p[base+"."+strconv.Itoa(n+i)] = v
			}
			continue
		}
		p[path] = vals[len(vals)-1]
	}
	return p, "", true
}

// flattenKey turns "a[b][0]" into "a.b.0" and "a[]" into "a.".
func flattenKey(k string) (string, bool) {
	head, rest, found := strings.Cut(k, "[")
	if head == "" {
		return "", false
	}
	if !found {
		return head, true
	}
	var b strings.Builder
	b.WriteString(head)
	rest = "[" + rest
	for rest != "" {
		if rest[0] != '[' {
			return "", false
		}
		end := strings.IndexByte(rest, ']')
		if end < 0 {
			return "", false
		}
		b.WriteByte('.')
		b.WriteString(rest[1:end])
		rest = rest[end+1:]
	}
	return b.String(), true
}

// get returns the value at path and whether it was sent.
func (p params) get(path string) (string, bool) {
	v, ok := p[path]
	return v, ok
}

// str returns the value at path, "" when absent.
func (p params) str(path string) string { return p[path] }

// has reports whether path or anything under it was sent.
func (p params) has(path string) bool {
	if _, ok := p[path]; ok {
		return true
	}
	prefix := path + "."
	for k := range p {
		if strings.HasPrefix(k, prefix) {
			return true
		}
	}
	return false
}

// sub returns the keys under prefix with the prefix removed: the fields of
// a nested hash such as metadata.
func (p params) sub(prefix string) map[string]string {
	out := map[string]string{}
	prefix += "."
	for k, v := range p {
		if strings.HasPrefix(k, prefix) {
			out[strings.TrimPrefix(k, prefix)] = v
		}
	}
	return out
}

// count returns how many list items are under base (base.0, base.1, ...).
func (p params) count(base string) int {
	n := 0
	for {
		if !p.has(base + "." + strconv.Itoa(n)) {
			return n
		}
		n++
	}
}

// list returns the values of a list of strings (expand[0], expand[1]).
func (p params) list(base string) []string {
	var out []string
	for i := 0; ; i++ {
		v, ok := p[base+"."+strconv.Itoa(i)]
		if !ok {
			return out
		}
		out = append(out, v)
	}
}

// unknown returns the first parameter whose top-level name is not among
// allowed, in sorted order, or "".
func (p params) unknown(allowed ...string) string {
	keys := make([]string, 0, len(p))
	for k := range p {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		top, _, _ := strings.Cut(k, ".")
		found := false
		for _, a := range allowed {
			if a == top {
				found = true
				break
			}
		}
		if !found {
			return top
		}
	}
	return ""
}

// unknownUnder is unknown for the fields of the nested hash at prefix; it
// returns the full dotted name of the first field not allowed.
func (p params) unknownUnder(prefix string, allowed ...string) string {
	fields := p.sub(prefix)
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		top, _, _ := strings.Cut(k, ".")
		ok := false
		for _, a := range allowed {
			if a == top {
				ok = true
				break
			}
		}
		if !ok {
			return prefix + "." + top
		}
	}
	return ""
}

// fingerprint is a canonical form of the request's parameters, to tell an
// idempotent replay from a different request under the same key.
func fingerprint(form url.Values) string {
	return form.Encode() // Encode sorts by key
}

// bracketed turns a dotted path back into Stripe's spelling of a parameter
// ("payment_intent_data.metadata.x" → "payment_intent_data[metadata][x]"),
// for error messages.
func bracketed(path string) string {
	parts := strings.Split(path, ".")
	if len(parts) == 1 {
		return path
	}
	return parts[0] + "[" + strings.Join(parts[1:], "][") + "]"
}
