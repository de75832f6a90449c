package ecb

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/directory"
)

// DefaultURL is the ECB's daily reference-rate file.
const DefaultURL = "https://www.ecb.europa.eu/stats/eurofxref/eurofxref-daily.xml"

// DefaultTimeout bounds a whole fetch made with the default client.
const DefaultTimeout = 30 * time.Second

// Name is the Source name stored with the rates this package fetches.
const Name = "ecb"

// Source fetches the ECB's reference rates. The zero value is ready to use.
// It is safe for concurrent use when its Client is.
type Source struct {
	// URL of the XML file. Default: DefaultURL.
	URL string
	// Client makes the request. Default: a client with DefaultTimeout.
	Client *http.Client
}

// defaultClient is shared so that connections are reused between refreshes.
var defaultClient = &http.Client{Timeout: DefaultTimeout}

// Name returns "ecb".
func (s Source) Name() string { return Name }

// FetchRates downloads and parses the reference rates, returning those of
// the latest date in the file with base EUR.
func (s Source) FetchRates(ctx context.Context) (directory.RateSet, error) {
	url := s.URL
	if url == "" {
		url = DefaultURL
	}
	client := s.Client
	if client == nil {
		client = defaultClient
	}
	if ctx == nil {
		return directory.RateSet{}, billkit.Errorf(billkit.CodeInvalid, "ecb.context_missing", "a context is required")
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return directory.RateSet{}, &billkit.Error{Code: billkit.CodeInvalid, Reason: "ecb.url_invalid",
			Message: fmt.Sprintf("bad ECB URL %q", url), Fields: []billkit.FieldError{{Field: "url", Reason: "ecb.url_invalid", Message: err.Error()}}, Err: err}
	}
	req.Header.Set("Accept", "application/xml, text/xml")
	resp, err := client.Do(req)
	if err != nil {
		return directory.RateSet{}, billkit.WrapError(err, billkit.CodeUnavailable, "ecb.unavailable", "fetching ECB rates")
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusOK:
	case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500:
		return directory.RateSet{}, billkit.Errorf(billkit.CodeUnavailable, "ecb.unavailable", "the ECB answered %s", resp.Status)
	default:
		return directory.RateSet{}, billkit.Errorf(billkit.CodeInternal, "ecb.status", "the ECB answered %s", resp.Status)
	}
	if resp.ContentLength > directory.MaxECBSize {
		return directory.RateSet{}, billkit.InvalidField("Envelope", "ecb.too_large",
			fmt.Sprintf("the document is larger than %d bytes", directory.MaxECBSize))
	}
	rs, err := directory.ParseECBRates(resp.Body)
	if err != nil {
		// A body cut off by a cancelled context or a dropped connection is a
		// transient failure, not a malformed document.
		if ctxErr := ctx.Err(); ctxErr != nil {
			return directory.RateSet{}, billkit.WrapError(errors.Join(ctxErr, err), billkit.CodeUnavailable, "ecb.unavailable", "reading ECB rates")
		}
		return directory.RateSet{}, err
	}
	return rs, nil
}

var _ directory.RateSource = Source{}
