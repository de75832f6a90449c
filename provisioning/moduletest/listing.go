package moduletest

import (
	"context"
	"slices"
	"sync"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/provisioning"
)

// Listing is a fake provisioning.Lister for tests: it wraps a module,
// whose Name and Run it keeps, and lists the services a test sets, or
// fails as the test says. It records every listing it is asked for. It is
// safe for concurrent use.
type Listing struct {
	provisioning.Module

	mu       sync.Mutex
	services []provisioning.ListedService
	err      error
	requests []provisioning.ListRequest
}

var _ provisioning.Lister = (*Listing)(nil)

// NewListing returns a Listing of module m that lists services. A nil
// module is an invalid error on field "module".
func NewListing(m provisioning.Module, services ...provisioning.ListedService) (*Listing, error) {
	if m == nil {
		return nil, billkit.InvalidField("module", "required", "is required")
	}
	return &Listing{Module: m, services: slices.Clone(services)}, nil
}

// List records req and answers the services set, or the error set.
func (l *Listing) List(ctx context.Context, req provisioning.ListRequest) ([]provisioning.ListedService, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.requests = append(l.requests, req)
	if l.err != nil {
		return nil, l.err
	}
	return slices.Clone(l.services), nil
}

// SetServices replaces what later listings answer, and clears an error
// set by Fail.
func (l *Listing) SetServices(services ...provisioning.ListedService) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.services, l.err = slices.Clone(services), nil
}

// Fail makes later listings fail with err (nil: answer the services
// again).
func (l *Listing) Fail(err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.err = err
}

// Requests returns the listings asked for so far.
func (l *Listing) Requests() []provisioning.ListRequest {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.requests)
}
