package ecb_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/billkit/billkit/directory/ecb"
)

// A Source reads the ECB's daily file from its URL; here a local server plays
// the ECB.
func ExampleSource_FetchRates() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `<?xml version="1.0" encoding="UTF-8"?>
<gesmes:Envelope xmlns:gesmes="http://www.gesmes.org/xml/2002-08-01" xmlns="http://www.ecb.int/vocabulary/2002-08-01/eurofxref">
	<gesmes:subject>Reference rates</gesmes:subject>
	<gesmes:Sender><gesmes:name>European Central Bank</gesmes:name></gesmes:Sender>
	<Cube><Cube time="2026-11-23">
		<Cube currency="USD" rate="1.0842"/>
		<Cube currency="JPY" rate="162.35"/>
	</Cube></Cube>
</gesmes:Envelope>`)
	}))
	defer srv.Close()

	set, err := ecb.Source{URL: srv.URL}.FetchRates(context.Background())
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(set.Base, set.Date, set.Rates["USD"], set.Rates["JPY"])
	// Output: EUR 2026-11-23 1.0842 162.35
}
