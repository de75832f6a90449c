package provisioning_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/catalog"
	"github.com/billkit/billkit/provisioning"
	"github.com/google/go-cmp/cmp"
)

// csvIDs are IDs for files that are only parsed.
var (
	csvClient = mustClientID("0190a000-0000-7000-8000-000000000001")
	csvTariff = billkit.MustParseID[catalog.Tariff]("0190a000-0000-7000-8000-000000000002")
	csvServer = billkit.MustParseID[provisioning.Server]("0190a000-0000-7000-8000-000000000003")
)

func mustClientID(s string) billkit.ClientID {
	id, err := billkit.ParseClientID(s)
	if err != nil {
		panic(err)
	}
	return id
}

// TestParseImportCSV reads a file as a spreadsheet saves it: a byte order
// mark, CRLF, a quoted name with a comma and a line break, column names in
// another case, addons, params, and empty rows under the data.
func TestParseImportCSV(t *testing.T) {
	file := "\ufeffClient_ID, tariff_id ,period,name,expires_on,price,auto_renew,status,suspend_reason,server_id,addon.ram,addon.os,param.login,param.ip\r\n" +
		csvClient.String() + "," + csvTariff.String() + ",month,\"web, the big one\nsecond line\",2026-05-01,12.50 USD,no,,," + csvServer.String() + ",4,debian,u1042,\r\n" +
		csvClient.String() + "," + csvTariff.String() + ",year,db,2026-06-30,,,suspended,abuse,,,,,192.0.2.1\r\n" +
		",,,,,,,,,,,,,\r\n\r\n"
	rows, err := provisioning.ParseImportCSV(strings.NewReader(file))
	if err != nil {
		t.Fatal(err)
	}
	no := false
	want := []provisioning.ImportServiceParams{
		{
			ClientID: csvClient, TariffID: csvTariff, Period: catalog.PeriodMonth, Name: "web, the big one\nsecond line",
			ExpiresOn: billkit.MustDate(2026, 5, 1), Price: usd("12.50"), AutoRenew: &no, ServerID: csvServer,
			Addons: map[string]catalog.AddonValue{"ram": {Quantity: dec("4")}, "os": {Option: "debian"}},
			Params: map[string]string{"login": "u1042"},
		},
		{
			ClientID: csvClient, TariffID: csvTariff, Period: catalog.PeriodYear, Name: "db", ExpiresOn: billkit.MustDate(2026, 6, 30),
			Status: provisioning.StatusSuspended, SuspendReason: provisioning.SuspendAbuse, Params: map[string]string{"ip": "192.0.2.1"},
		},
	}
	if diff := cmp.Diff(jsonOf(t, want), jsonOf(t, rows)); diff != "" {
		t.Fatalf("rows (-want +got):\n%s", diff)
	}

	// tariff_code instead of tariff_id.
	rows, err = provisioning.ParseImportCSV(strings.NewReader("client_id,tariff_code,period,name,expires_on\n" +
		csvClient.String() + ",vps-1,month,web,2026-05-01\n"))
	if err != nil || len(rows) != 1 || rows[0].TariffCode != "vps-1" || !rows[0].TariffID.IsZero() {
		t.Fatalf("tariff_code: %+v, %v", rows, err)
	}
}

// jsonOf is v as indented JSON, to compare values whose fields are
// unexported (IDs, Money, decimals).
func jsonOf(t *testing.T, v any) string {
	t.Helper()
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// csvFields returns the fields and reasons of an invalid error.
func csvFields(t *testing.T, err error) map[string]string {
	t.Helper()
	var e *billkit.Error
	if !errors.As(err, &e) || e.Code != billkit.CodeInvalid {
		t.Fatalf("err = %v, want invalid", err)
	}
	out := map[string]string{}
	for _, f := range e.Fields {
		out[f.Field] = f.Reason
	}
	return out
}

// TestParseImportCSVErrors reports every problem of a file at once, named
// by the line and the column.
func TestParseImportCSVErrors(t *testing.T) {
	header := "client_id,tariff_id,period,name,expires_on,price,auto_renew,status\n"
	row := func(cells ...string) string { return strings.Join(cells, ",") + "\n" }
	c, tr := csvClient.String(), csvTariff.String()
	for _, tc := range []struct {
		name, file string
		want       map[string]string
	}{
		{"empty", "", map[string]string{"rows": "required"}},
		{"blank lines only", "\n\r\n\n", map[string]string{"rows": "required"}},
		{"header only", header, map[string]string{"rows": "required"}},
		{"header and an empty row", header + ",,,,,,,\n", map[string]string{"rows": "required"}},
		{"header", "client_id,Colour,period,period,name,,addon.,param.login\n" + row(c, "red", "month", "month", "x", "", "", "u1"), map[string]string{
			"rows[1].colour":     provisioning.ReasonCSVColumnUnknown,
			"rows[1].period":     provisioning.ReasonCSVColumnTwice,
			"rows[1].columns[6]": provisioning.ReasonCSVColumnUnknown,
			"rows[1].addon.":     provisioning.ReasonCSVColumnUnknown,
			"rows[1].expires_on": provisioning.ReasonCSVColumnMissing,
			"rows[1].tariff_id":  provisioning.ReasonCSVColumnMissing,
		}},
		{"values", header +
			row(c, tr, "month", "", "2026-02-30", "12.50", "maybe", "gone") +
			row("C-42", tr, "fortnight", "web", "2026-05-01", "12.50 usd", "true", "active") +
			row(c, tr, "month", "web", "2026-05-01", "", "", "", "extra") +
			row(c, "", "month", "web", "2026-05-01", "", "", ""), map[string]string{
			"rows[2].name":       "required",
			"rows[2].expires_on": "date.malformed",
			"rows[2].price":      "money.malformed",
			"rows[2].auto_renew": "provisioning.csv_bool",
			"rows[2].status":     "provisioning.import_status",
			"rows[3].client_id":  "id.malformed",
			"rows[3].period":     "catalog.period_unknown",
			"rows[3].price":      "money.currency_malformed",
			"rows[4]":            provisioning.ReasonCSVFieldCount,
			"rows[5].tariff_id":  "required",
		}},
		{"both tariffs", "client_id,tariff_id,tariff_code,period,name,expires_on\n" + row(c, tr, "vps-1", "month", "web", "2026-05-01"),
			map[string]string{"rows[2].tariff_code": "provisioning.tariff_twice"}},
		// The row after a name over two lines starts on line 4.
		{"lines", header + row(c, tr, "month", "\"two\nlines\"", "2026-05-01", "", "", "") + row(c, tr, "month", "web", "2026-13-01", "", "", ""),
			map[string]string{"rows[4].expires_on": "date.malformed"}},
		{"quotes", header + row(c, tr, "month", "web", "2026-05-01", "", "", "") + row(c, tr, "month", "we\"b", "2026-05-01", "", "", ""),
			map[string]string{"rows[3]": provisioning.ReasonCSVMalformed}},
		{"too many", header + strings.Repeat(row(c, tr, "month", "web", "2026-05-01", "", "", ""), 1001),
			map[string]string{"rows": "provisioning.import_too_large"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rows, err := provisioning.ParseImportCSV(strings.NewReader(tc.file))
			if rows != nil {
				t.Fatalf("rows %v with an error", rows)
			}
			got := csvFields(t, err)
			for field, reason := range tc.want {
				r, ok := got[field]
				if !ok || reason != "" && r != reason {
					t.Errorf("field %s: reason %q, want %q (all: %v)", field, r, reason, got)
				}
			}
			for field := range got {
				if _, ok := tc.want[field]; !ok {
					t.Errorf("unexpected field %s (%s)", field, got[field])
				}
			}
		})
	}
	if _, err := provisioning.ParseImportCSV(nil); billkit.ErrorCode(err) != billkit.CodeInvalid {
		t.Fatalf("nil reader: %v", err)
	}
	// A thousand rows are one import.
	rows, err := provisioning.ParseImportCSV(strings.NewReader(header + strings.Repeat(row(c, tr, "month", "web", "2026-05-01", "", "", ""), 1000)))
	if err != nil || len(rows) != 1000 {
		t.Fatalf("1000 rows: %d, %v", len(rows), err)
	}
}

// FuzzParseImportCSV checks that ParseImportCSV never panics, answers rows
// or an invalid error, never both, and never more rows than an import
// takes.
func FuzzParseImportCSV(f *testing.F) {
	header := "client_id,tariff_id,period,name,expires_on,price,auto_renew,status,addon.ram,param.ip\n"
	for _, seed := range []string{
		"", "\ufeff", header,
		header + csvClient.String() + "," + csvTariff.String() + ",month,web,2026-05-01,12.50 USD,yes,active,4,192.0.2.1\n",
		header + "a,b,c,d,e,f,g,h,i,j\r\n\"x\ny\",,,\n",
		"\ufeffclient_id,tariff_code\r\n\"unterminated",
		"addon.,param.,,addon.x,ADDON.Y\n1,2,3,4,5\n",
		header + "\"\"\"\",,,,,,,,,\n",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, file string) {
		rows, err := provisioning.ParseImportCSV(strings.NewReader(file))
		switch {
		case err != nil && rows != nil:
			t.Fatalf("rows and an error %v", err)
		case err != nil && billkit.ErrorCode(err) != billkit.CodeInvalid:
			t.Fatalf("error %v is not invalid", err)
		case err == nil && (len(rows) == 0 || len(rows) > 1000):
			t.Fatalf("%d rows and no error", len(rows))
		}
	})
}

// TestImportServicesCSV imports a file on SQLite.
func TestImportServicesCSV(t *testing.T) { testImportServicesCSV(t, newEnv(t)) }

// TestImportServicesCSVPostgres imports a file on PostgreSQL.
func TestImportServicesCSVPostgres(t *testing.T) { testImportServicesCSV(t, newPostgresEnv(t)) }

func testImportServicesCSV(t *testing.T, e *env) {
	srv := e.server(t, "node1", 0)
	c := e.client.ID.String()
	header := "client_id,tariff_code,tariff_id,period,name,expires_on,server_id,addon.ram,param.remote_id\n"

	// What ImportServices finds is named after the file too.
	bad := header +
		c + ",vps-9,,month,web,2026-05-01,,,u1\n" +
		c + ",vps-1,,month,db,2026-05-01,,64,u2\n" +
		billkit.NewClientID().String() + ",vps-1,,month,x,2026-05-01,,,u3\n" +
		c + ",," + e.bigger.ID.String() + ",year,y,2026-05-01,,,u4\n"
	_, err := e.mgr.ImportServicesCSV(ctx, admin(), strings.NewReader(bad))
	got := csvFields(t, err)
	want := map[string]string{
		"rows[2].tariff_code":        "tariff.not_found",
		"rows[3].addon.ram.quantity": catalog.ReasonAboveMax,
		"rows[4].client_id":          "client.not_found",
		"rows[5].period":             "provisioning.period_not_priced",
		"rows[5].price":              "provisioning.price_required",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("fields (-want +got):\n%s", diff)
	}
	if n := len(must[billkit.Page[provisioning.Service]](t)(e.mgr.ListServices(ctx, admin(), provisioning.ServiceFilter{})).Items); n != 0 {
		t.Fatalf("%d services after a bad file", n)
	}

	good := header +
		c + ",vps-1,,month,web,2026-05-01," + srv.ID.String() + ",4,u1\n" +
		c + ",," + e.bigger.ID.String() + ",month,db,2026-06-01,,,u2\n"
	out, err := e.mgr.ImportServicesCSV(ctx, admin(), strings.NewReader(good))
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != 2 || out[0].TariffID != e.tariff.ID || out[0].ServerID != srv.ID || !out[0].Addons["ram"].Quantity.Equal(dec("4")) ||
		out[0].Params["remote_id"] != "u1" || out[0].ExpiresOn != billkit.MustDate(2026, 5, 1) || out[1].TariffID != e.bigger.ID ||
		!out[1].Price.Equal(usd("20.00")) {
		t.Fatalf("imported %+v", out)
	}
	if n := e.actions(t, "provisioning.service.import", out[1].ID.String()); n != 1 {
		t.Fatalf("%d import actions", n)
	}

	// The rights come before the file is read.
	_, err = e.mgr.ImportServicesCSV(ctx, customer(e.client.ID), strings.NewReader(""))
	wantCode(t, err, billkit.CodeForbidden, "access.denied")
	_, err = e.mgr.ImportServicesCSV(ctx, staff(billkit.R(provisioning.FunctionService, billkit.OpRead)), strings.NewReader(""))
	wantCode(t, err, billkit.CodeForbidden, "access.denied")
	_, err = e.mgr.ImportServicesCSV(ctx, admin(), strings.NewReader(""))
	wantField(t, err, "rows", "required")
}

// TestImportTariffCode names tariffs by code in ImportServices itself: a
// code of another provider's tariff is not found, and a row may not name
// its tariff twice.
func TestImportTariffCode(t *testing.T) {
	e := newEnv(t)
	expires := billkit.MustDate(2026, 5, 1)
	_, err := e.mgr.ImportServices(ctx, admin(), []provisioning.ImportServiceParams{
		{ClientID: e.client.ID, TariffCode: "vps-1", TariffID: e.tariff.ID, Period: catalog.PeriodMonth, Name: "a", ExpiresOn: expires},
		{ClientID: e.client.ID, TariffCode: "nope", Period: catalog.PeriodMonth, Name: "b", ExpiresOn: expires},
		{ClientID: e.client.ID, Period: catalog.PeriodMonth, Name: "c", ExpiresOn: expires},
	})
	want := map[string]string{
		"services[0].tariff_code": "provisioning.tariff_twice",
		"services[1].tariff_code": "tariff.not_found",
		"services[2].tariff_id":   "required",
	}
	if diff := cmp.Diff(want, csvFields(t, err)); diff != "" {
		t.Fatalf("fields (-want +got):\n%s", diff)
	}
	out := must[[]provisioning.Service](t)(e.mgr.ImportServices(ctx, admin(), []provisioning.ImportServiceParams{
		{ClientID: e.client.ID, TariffCode: " vps-2 ", Period: catalog.PeriodMonth, Name: "d", ExpiresOn: expires},
	}))
	if out[0].TariffID != e.bigger.ID || out[0].ProductTypeID != e.vps.ID {
		t.Fatalf("imported %+v", out[0])
	}
}

// ExampleParseImportCSV reads an import file as a spreadsheet exports it,
// then one with mistakes, each named by its line and column.
func ExampleParseImportCSV() {
	file := "client_id,tariff_code,period,name,expires_on,price,addon.ram,param.remote_id\r\n" +
		"0190a000-0000-7000-8000-000000000001,vps-1,month,web1,2026-05-01,12.50 USD,4,u1042\r\n"
	rows, err := provisioning.ParseImportCSV(strings.NewReader(file))
	if err != nil {
		fmt.Println(err)
		return
	}
	r := rows[0]
	fmt.Println(r.TariffCode, r.Period, r.Name, r.ExpiresOn, r.Price, r.Addons["ram"].Quantity, r.Params["remote_id"])

	_, err = provisioning.ParseImportCSV(strings.NewReader("client_id,tariff_code,period,name,expires_on,colour\n" +
		"0190a000-0000-7000-8000-000000000001,vps-1,month,web1,2026-04-31,red\n"))
	var e *billkit.Error
	if errors.As(err, &e) {
		for _, f := range e.Fields {
			fmt.Println(f.Field, f.Reason)
		}
	}
	// Output:
	// vps-1 month web1 2026-05-01 12.50 USD 4 u1042
	// rows[1].colour provisioning.csv_column_unknown
	// rows[2].expires_on date.malformed
}
