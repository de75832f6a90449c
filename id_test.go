package billkit_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/billkit/billkit"
	"github.com/google/uuid"
)

type widget struct{}

type widgetID = billkit.ID[widget]

func TestNewID(t *testing.T) {
	seen := map[string]bool{}
	var ids []string
	for range 100 {
		id := billkit.NewID[widget]()
		s := id.String()
		if id.IsZero() || len(s) != 36 || seen[s] {
			t.Fatalf("NewID = %q", s)
		}
		if id.UUID().Version() != 7 {
			t.Fatalf("NewID version = %d", id.UUID().Version())
		}
		seen[s] = true
		ids = append(ids, s)
	}
	// UUIDv7 made in one process sort in creation order.
	if !slices.IsSorted(ids) {
		t.Error("IDs do not sort in creation order")
	}
}

func TestParseID(t *testing.T) {
	const s = "01890a5d-ac96-774b-bcce-b302099a8057"
	id, err := billkit.ParseID[widget](s)
	if err != nil || id.String() != s {
		t.Fatalf("ParseID = %v, %v", id, err)
	}
	if upper, err := billkit.ParseID[widget](strings.ToUpper(s)); err != nil || upper != id {
		t.Errorf("upper case: %v, %v", upper, err)
	}
	for _, bad := range []string{"", "x", s[:35], s + "0", "{" + s + "}", "urn:uuid:" + s, strings.ReplaceAll(s, "-", ""), "01890a5d-ac96-774b-bcce-b302099a805g"} {
		_, err := billkit.ParseID[widget](bad)
		if billkit.ErrorCode(err) != billkit.CodeInvalid || billkit.ErrorReason(err) != "id.malformed" {
			t.Errorf("ParseID(%q) = %v", bad, err)
		}
	}
	if billkit.MustParseID[widget](s) != id {
		t.Error("MustParseID")
	}
	defer func() {
		if recover() == nil {
			t.Error("MustParseID of a bad ID did not panic")
		}
	}()
	billkit.MustParseID[widget]("nope")
}

func TestIDZero(t *testing.T) {
	var id widgetID
	if !id.IsZero() || id.String() != "" || id.UUID() != uuid.Nil {
		t.Errorf("zero ID = %q", id)
	}
	if v, err := id.Value(); v != nil || err != nil {
		t.Errorf("zero Value = %v, %v", v, err)
	}
}

func TestIDEncodings(t *testing.T) {
	id := billkit.NewID[widget]()
	type doc struct {
		ID    widgetID `json:"id"`
		Other widgetID `json:"other"`
	}
	b, err := json.Marshal(doc{ID: id})
	if err != nil || string(b) != `{"id":"`+id.String()+`","other":""}` {
		t.Fatalf("JSON = %s, %v", b, err)
	}
	var back doc
	if err := json.Unmarshal(b, &back); err != nil || back.ID != id || !back.Other.IsZero() {
		t.Errorf("JSON back = %+v, %v", back, err)
	}
	if err := json.Unmarshal([]byte(`{"id":"nope"}`), &back); billkit.ErrorReason(err) != "id.malformed" {
		t.Errorf("bad JSON ID: %v", err)
	}

	v, err := id.Value()
	if err != nil || v != id.String() {
		t.Errorf("Value = %v, %v", v, err)
	}
	u := id.UUID()
	for _, src := range []any{id.String(), []byte(id.String()), u[:]} {
		var got widgetID
		if err := got.Scan(src); err != nil || got != id {
			t.Errorf("Scan(%T) = %v, %v", src, got, err)
		}
	}
	var got = id
	if err := got.Scan(nil); err != nil || !got.IsZero() {
		t.Errorf("Scan(nil) = %v, %v", got, err)
	}
	for _, src := range []any{42, "nope", []byte("short")} {
		if err := got.Scan(src); err == nil {
			t.Errorf("Scan(%v): no error", src)
		}
	}
}
