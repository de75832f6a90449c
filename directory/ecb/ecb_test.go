package ecb_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/directory"
	"github.com/billkit/billkit/directory/ecb"
	"github.com/billkit/billkit/store/storetest"
	"github.com/shopspring/decimal"
)

func sample(t *testing.T) []byte {
	t.Helper()
	b, err := os.ReadFile("../testdata/eurofxref-daily.xml")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func serve(t *testing.T, h http.HandlerFunc) ecb.Source {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return ecb.Source{URL: srv.URL, Client: srv.Client()}
}

func TestFetchRates(t *testing.T) {
	body := sample(t)
	src := serve(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/xml")
		w.Write(body)
	})
	if src.Name() != "ecb" {
		t.Errorf("Name = %q", src.Name())
	}
	rs, err := src.FetchRates(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if rs.Base != "EUR" || rs.Date != billkit.MustDate(2022, 2, 25) || !rs.Rates["USD"].Equal(decimal.RequireFromString("1.1216")) {
		t.Errorf("got %+v", rs)
	}
}

func TestFetchRatesErrors(t *testing.T) {
	tests := []struct {
		name   string
		h      http.HandlerFunc
		code   billkit.Code
		reason string
	}{
		{"500", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "down", http.StatusInternalServerError) }, billkit.CodeUnavailable, "ecb.unavailable"},
		{"503", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusServiceUnavailable) }, billkit.CodeUnavailable, "ecb.unavailable"},
		{"429", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusTooManyRequests) }, billkit.CodeUnavailable, "ecb.unavailable"},
		{"404", func(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) }, billkit.CodeInternal, "ecb.status"},
		{"malformed", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("<html>maintenance</html>")) }, billkit.CodeInvalid, "ecb.malformed"},
		{"bad rate", func(w http.ResponseWriter, r *http.Request) {
			w.Write([]byte(`<Envelope><Cube><Cube time="2024-03-15"><Cube currency="USD" rate="abc"/></Cube></Cube></Envelope>`))
		}, billkit.CodeInvalid, "ecb.rate_malformed"},
		{"too large", func(w http.ResponseWriter, r *http.Request) {
			w.Write([]byte(strings.Repeat(" ", directory.MaxECBSize+10)))
		}, billkit.CodeInvalid, "ecb.too_large"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := serve(t, tt.h).FetchRates(context.Background())
			if billkit.ErrorCode(err) != tt.code || billkit.ErrorReason(err) != tt.reason {
				t.Fatalf("err = %v, want %s (%s)", err, tt.code, tt.reason)
			}
		})
	}
}

func TestFetchRatesCancelled(t *testing.T) {
	release := make(chan struct{})
	src := serve(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	defer close(release)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := src.FetchRates(ctx)
	if billkit.ErrorCode(err) != billkit.CodeUnavailable || !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want unavailable wrapping context.Canceled", err)
	}
}

func TestFetchRatesNetworkError(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close() // nothing listens there any more
	_, err := ecb.Source{URL: url}.FetchRates(context.Background())
	if billkit.ErrorCode(err) != billkit.CodeUnavailable {
		t.Fatalf("err = %v, want unavailable", err)
	}
}

// TestRefreshAndConvert runs the whole path: the ECB file served over HTTP,
// stored by RefreshRates, and used for a USD→RUB conversion through EUR.
func TestRefreshAndConvert(t *testing.T) {
	body := sample(t)
	src := serve(t, func(w http.ResponseWriter, r *http.Request) { w.Write(body) })
	st := storetest.NewMemory(t)
	svc := directory.NewService(st.Directory(), directory.Config{
		Clock: billkit.NewFakeClock(time.Date(2022, 2, 28, 9, 0, 0, 0, time.UTC)),
	})
	ctx := context.Background()
	actor := billkit.SystemActor("scheduler")
	if err := svc.Bootstrap(ctx, actor); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		n, err := svc.RefreshRates(ctx, actor, src)
		if err != nil || n != 2 { // USD and RUB: EUR, USD and RUB are enabled
			t.Fatalf("refresh %d = %d, %v", i, n, err)
		}
	}
	c, err := svc.Convert(ctx, billkit.MustParseMoney("100", "USD"), "RUB", billkit.Date{})
	if err != nil {
		t.Fatal(err)
	}
	// 93.5 / 1.1216 = 83.3630527817403709 RUB per USD.
	if c.Via != "EUR" || !c.To.Amount().Equal(decimal.RequireFromString("8336.31")) || len(c.RateIDs) != 2 ||
		c.RateDate != billkit.MustDate(2022, 2, 25) || !c.MarketRate.Equal(decimal.RequireFromString("83.3630527817403709")) {
		t.Fatalf("conversion = %+v", c)
	}
	page, err := svc.ListExchangeRates(ctx, directory.ExchangeRateFilter{})
	if err != nil || len(page.Items) != 2 || page.Items[0].Source != "ecb" {
		t.Fatalf("rates = %+v, %v", page.Items, err)
	}
}
