package billkit

import "strconv"

// Default and largest page sizes for list calls.
const (
	DefaultPageLimit = 50
	MaxPageLimit     = 1000
)

// PageParams asks for one page of a list. Pages are keyset pages: Cursor is the
// opaque NextCursor of the previous page, so a page stays correct while rows are
// inserted before it, and deep pages cost the same as the first.
type PageParams struct {
	// Limit is the most items to return; 0 means DefaultPageLimit.
	Limit int `json:"limit,omitempty"`
	// Cursor continues after the previous page; "" starts at the beginning.
	Cursor string `json:"cursor,omitempty"`
}

// Validate checks the limit.
func (p PageParams) Validate() error {
	var v FieldErrors
	v.Check(p.Limit >= 0 && p.Limit <= MaxPageLimit, "limit", "page.limit_out_of_range",
		"must be between 0 and "+strconv.Itoa(MaxPageLimit))
	return v.Err()
}

// EffectiveLimit returns Limit, or DefaultPageLimit when it is 0.
func (p PageParams) EffectiveLimit() int {
	if p.Limit <= 0 {
		return DefaultPageLimit
	}
	return min(p.Limit, MaxPageLimit)
}

// Page is one page of a list.
type Page[T any] struct {
	Items []T `json:"items"`
	// NextCursor continues the list; "" when this is the last page.
	NextCursor string `json:"next_cursor,omitempty"`
}

// CollectPages reads every page of a list and returns all their items:
// list is called with "" first, then with each page's NextCursor until one
// has none. Callers pass a closure that sets the cursor on their filter
// (with a Limit of MaxPageLimit to read few pages).
func CollectPages[T any](list func(cursor string) (Page[T], error)) ([]T, error) {
	var out []T
	cursor := ""
	for {
		page, err := list(cursor)
		if err != nil {
			return nil, err
		}
		out = append(out, page.Items...)
		if page.NextCursor == "" {
			return out, nil
		}
		cursor = page.NextCursor
	}
}
