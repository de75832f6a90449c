package catalog

import (
	"bytes"
	"encoding"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"reflect"
	"strings"

	"github.com/billkit/billkit"
	"go.yaml.in/yaml/v3"
)

// Format is the file format of a catalog document.
type Format string

// The formats a catalog document is read and written in.
const (
	FormatYAML Format = "yaml"
	FormatJSON Format = "json"
)

// Formats lists the formats, YAML (the default) first.
func Formats() []Format { return []Format{FormatYAML, FormatJSON} }

// Valid reports whether f is a known format.
func (f Format) Valid() bool { return f == FormatYAML || f == FormatJSON }

// ParseFormat reads a format name: "yaml" (or "yml") or "json", in any case.
func ParseFormat(s string) (Format, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "yaml", "yml":
		return FormatYAML, nil
	case "json":
		return FormatJSON, nil
	}
	return "", billkit.InvalidField("format", "catalog.format_unknown", "must be yaml or json")
}

// FormatOf returns the format a file name's extension names (.yaml, .yml,
// .json), and def for any other name.
func FormatOf(name string, def Format) Format {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".yaml", ".yml":
		return FormatYAML
	case ".json":
		return FormatJSON
	}
	return def
}

// maxDocument bounds the size of a catalog document read by ParseCatalog.
const maxDocument = 32 << 20

// decodeStrict decodes a document of format f into v, rejecting unknown
// fields, duplicate keys and trailing data. A YAML document is first turned
// into the JSON it stands for, scalar by scalar and without going through
// floating point, so the two formats share one set of field names (the
// json tags) and amounts keep every digit.
func decodeStrict(r io.Reader, f Format, v any) error {
	data, err := io.ReadAll(io.LimitReader(r, maxDocument+1))
	if err != nil {
		return fmt.Errorf("catalog: reading the document: %w", err)
	}
	if len(data) > maxDocument {
		return billkit.InvalidField("document", "catalog.too_large", fmt.Sprintf("is larger than %d bytes", maxDocument))
	}
	switch f {
	case FormatJSON:
	case FormatYAML:
		if data, err = yamlToJSON(data); err != nil {
			return err
		}
	default:
		return billkit.InvalidField("format", "catalog.format_unknown", "must be yaml or json")
	}
	if err := checkDuplicateKeys(data); err != nil {
		return err
	}
	if err := checkUnknownFields(data, reflect.TypeOf(v)); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return documentError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return billkit.InvalidField("document", "catalog.malformed", "holds data after the end of the document")
	}
	return nil
}

// documentError turns a decoding error into an invalid error naming the
// field where the decoder can tell it.
func documentError(err error) error {
	var be *billkit.Error
	if errors.As(err, &be) {
		return err
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) && te.Field != "" {
		return billkit.InvalidField(te.Field, "catalog.malformed", fmt.Sprintf("cannot be a %s", te.Value))
	}
	msg := err.Error()
	if rest, ok := strings.CutPrefix(msg, "json: unknown field "); ok {
		return billkit.InvalidField(strings.Trim(rest, `"`), "catalog.unknown_field", "is not a field of the catalog document")
	}
	msg = strings.TrimPrefix(msg, "json: ")
	return billkit.InvalidField("document", "catalog.malformed", "is not a valid catalog document: "+msg)
}

// checkDuplicateKeys rejects a JSON object that names a key twice: the
// standard decoder would silently keep the last one.
func checkDuplicateKeys(data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var walk func(path string) error
	walk = func(path string) error {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		d, ok := tok.(json.Delim)
		if !ok {
			return nil
		}
		switch d {
		case '{':
			seen := map[string]bool{}
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return err
				}
				k, _ := kt.(string)
				p := k
				if path != "" {
					p = path + "." + k
				}
				if seen[k] {
					return billkit.InvalidField(p, "catalog.duplicate_key", "is given twice")
				}
				seen[k] = true
				if err := walk(p); err != nil {
					return err
				}
			}
		case '[':
			for i := 0; dec.More(); i++ {
				if err := walk(fmt.Sprintf("%s[%d]", path, i)); err != nil {
					return err
				}
			}
		}
		_, err = dec.Token() // the closing delimiter
		return err
	}
	if err := walk(""); err != nil {
		var be *billkit.Error
		if errors.As(err, &be) {
			return err
		}
		return documentError(err)
	}
	return nil
}

// yamlToJSON converts one YAML document into JSON. Numbers are copied as
// written, never parsed into floats; anchors and aliases are resolved;
// merge keys and non-string keys are refused.
func yamlToJSON(data []byte) ([]byte, error) {
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, billkit.InvalidField("document", "catalog.empty", "is empty")
		}
		return nil, billkit.InvalidField("document", "catalog.malformed", "is not valid YAML: "+strings.TrimPrefix(err.Error(), "yaml: "))
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return nil, billkit.InvalidField("document", "catalog.malformed", "holds more than one YAML document")
	}
	var buf bytes.Buffer
	if err := writeJSONNode(&buf, &doc, 0); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func yamlError(n *yaml.Node, msg string) error {
	return billkit.InvalidField("document", "catalog.malformed", fmt.Sprintf("line %d: %s", n.Line, msg))
}

func writeJSONNode(buf *bytes.Buffer, n *yaml.Node, depth int) error {
	if depth > 100 {
		return yamlError(n, "is nested too deeply")
	}
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) != 1 {
			return yamlError(n, "is not one document")
		}
		return writeJSONNode(buf, n.Content[0], depth+1)
	case yaml.AliasNode:
		return writeJSONNode(buf, n.Alias, depth+1)
	case yaml.MappingNode:
		buf.WriteByte('{')
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if k.ShortTag() == "!!merge" {
				return yamlError(k, "merge keys (<<) are not supported")
			}
			if k.Kind != yaml.ScalarNode || (k.ShortTag() != "!!str" && k.ShortTag() != "!!int") {
				return yamlError(k, "keys must be plain strings")
			}
			if i > 0 {
				buf.WriteByte(',')
			}
			kb, _ := json.Marshal(k.Value)
			buf.Write(kb)
			buf.WriteByte(':')
			if err := writeJSONNode(buf, v, depth+1); err != nil {
				return err
			}
		}
		buf.WriteByte('}')
	case yaml.SequenceNode:
		buf.WriteByte('[')
		for i, c := range n.Content {
			if i > 0 {
				buf.WriteByte(',')
			}
			if err := writeJSONNode(buf, c, depth+1); err != nil {
				return err
			}
		}
		buf.WriteByte(']')
	case yaml.ScalarNode:
		switch n.ShortTag() {
		case "!!null":
			buf.WriteString("null")
		case "!!bool":
			var b bool
			if err := n.Decode(&b); err != nil {
				return yamlError(n, err.Error())
			}
			fmt.Fprint(buf, b)
		case "!!int", "!!float":
			// Copied as written when it is a JSON number (1, -2, 3.50,
			// 1e3); YAML-only spellings (0x1F, .inf, 1_000) are refused
			// rather than guessed.
			if !json.Valid([]byte(n.Value)) || strings.ContainsAny(n.Value, `"[{`) {
				return yamlError(n, fmt.Sprintf("%q is not a plain decimal number; quote it if it is text", n.Value))
			}
			buf.WriteString(n.Value)
		case "!!str", "!!timestamp", "!!binary":
			sb, _ := json.Marshal(n.Value)
			buf.Write(sb)
		default:
			return yamlError(n, "unsupported tag "+n.Tag)
		}
	default:
		return yamlError(n, "unsupported YAML node")
	}
	return nil
}

// encodeDocument writes v in format f: JSON indented by two spaces, or the
// YAML that JSON stands for, with the same field order. Both end in a
// newline, so files are diff-friendly.
func encodeDocument(w io.Writer, f Format, v any) error {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("catalog: encoding the document: %w", err)
	}
	switch f {
	case FormatJSON:
		data = append(data, '\n')
		_, err = w.Write(data)
		return err
	case FormatYAML:
		n, err := jsonToYAMLNode(data)
		if err != nil {
			return err
		}
		enc := yaml.NewEncoder(w)
		enc.SetIndent(2)
		if err := enc.Encode(n); err != nil {
			return fmt.Errorf("catalog: encoding YAML: %w", err)
		}
		return enc.Close()
	}
	return billkit.InvalidField("format", "catalog.format_unknown", "must be yaml or json")
}

// jsonToYAMLNode turns JSON into a YAML node tree, keeping the order of
// keys and the text of numbers.
func jsonToYAMLNode(data []byte) (*yaml.Node, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var read func() (*yaml.Node, error)
	read = func() (*yaml.Node, error) {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case json.Delim:
			switch t {
			case '{':
				n := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
				for dec.More() {
					kt, err := dec.Token()
					if err != nil {
						return nil, err
					}
					v, err := read()
					if err != nil {
						return nil, err
					}
					n.Content = append(n.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: kt.(string)}, v)
				}
				_, err := dec.Token()
				return n, err
			case '[':
				n := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
				for dec.More() {
					v, err := read()
					if err != nil {
						return nil, err
					}
					n.Content = append(n.Content, v)
				}
				_, err := dec.Token()
				return n, err
			}
		case string:
			n := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: t}
			switch {
			case strings.Contains(t, "\n"):
				n.Style = yaml.LiteralStyle
			case yaml11Special(t):
				// Plain to YAML 1.2, a boolean or null to YAML 1.1 readers.
				n.Style = yaml.DoubleQuotedStyle
			}
			return n, nil
		case json.Number:
			tag := "!!int"
			if strings.ContainsAny(string(t), ".eE") {
				tag = "!!float"
			}
			return &yaml.Node{Kind: yaml.ScalarNode, Tag: tag, Value: string(t)}, nil
		case bool:
			return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: fmt.Sprint(t)}, nil
		case nil:
			return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: "null"}, nil
		}
		return nil, fmt.Errorf("catalog: unexpected JSON token %v", tok)
	}
	n, err := read()
	if err != nil {
		return nil, fmt.Errorf("catalog: encoding YAML: %w", err)
	}
	return n, nil
}

// yaml11Special reports whether s, written plain, would be read as a boolean
// or null by a YAML 1.1 parser.
func yaml11Special(s string) bool {
	switch strings.ToLower(s) {
	case "y", "n", "yes", "no", "on", "off", "true", "false", "null", "~":
		return true
	}
	return false
}

// checkUnknownFields reports every object key of the JSON document that
// names no field of t, by its path ("tariffs[2].colour"), so a typo in a
// large document is found at once. Types that decode themselves (amounts,
// dates, IDs) are leaves; maps accept any key.
func checkUnknownFields(data []byte, t reflect.Type) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		return documentError(err)
	}
	var v billkit.FieldErrors
	walkFields(&v, doc, t, "")
	return v.Err()
}

var (
	jsonUnmarshaler = reflect.TypeFor[json.Unmarshaler]()
	textUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()
)

func walkFields(v *billkit.FieldErrors, doc any, t reflect.Type, path string) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if pt := reflect.PointerTo(t); pt.Implements(jsonUnmarshaler) || pt.Implements(textUnmarshaler) {
		return
	}
	switch t.Kind() {
	case reflect.Struct:
		obj, ok := doc.(map[string]any)
		if !ok {
			return // the decoder reports the type
		}
		fields := jsonFields(t)
		for k, val := range obj {
			p := k
			if path != "" {
				p = path + "." + k
			}
			ft, ok := fields[k]
			if !ok {
				v.Add(p, "catalog.unknown_field", "is not a field of the catalog document")
				continue
			}
			walkFields(v, val, ft, p)
		}
	case reflect.Slice, reflect.Array:
		arr, ok := doc.([]any)
		if !ok {
			return
		}
		for i, val := range arr {
			walkFields(v, val, t.Elem(), fmt.Sprintf("%s[%d]", path, i))
		}
	case reflect.Map:
		obj, ok := doc.(map[string]any)
		if !ok {
			return
		}
		for k, val := range obj {
			walkFields(v, val, t.Elem(), path+"."+k)
		}
	}
}

// jsonFields maps the JSON names of a struct's fields (embedded structs
// flattened) to their types.
func jsonFields(t reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" {
			ft := f.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				for k, v := range jsonFields(ft) {
					out[k] = v
				}
				continue
			}
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		out[name] = f.Type
	}
	return out
}
