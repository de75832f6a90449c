package provisioning

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/billing"
	"github.com/billkit/billkit/catalog"
	"github.com/shopspring/decimal"
)

// An import file (ParseImportCSV) is CSV whose first line names the
// columns: those of ImportServiceParams by their JSON names, addons as
// "addon.<code>" and params as "param.<key>".
const (
	csvAddonPrefix = "addon."
	csvParamPrefix = "param."
)

// csvColumns are the columns of ImportServiceParams' fields an import file
// may have, in the order its errors list them.
var csvColumns = []string{
	"client_id", "tariff_id", "tariff_code", "period", "name", "status", "suspend_reason", "expires_on",
	"price", "auto_renew", "domain", "os_image", "server_id", "datacenter_id",
}

// csvRequired are the columns every import file has; it has tariff_id or
// tariff_code besides.
var csvRequired = []string{"client_id", "period", "name", "expires_on"}

// The reasons of an import file's own errors; a bad value has the reason
// its parser gives (date.malformed, money.malformed, ...).
const (
	ReasonCSVMalformed     = "provisioning.csv_malformed"
	ReasonCSVColumnUnknown = "provisioning.csv_column_unknown"
	ReasonCSVColumnMissing = "provisioning.csv_column_missing"
	ReasonCSVColumnTwice   = "provisioning.csv_column_duplicate"
	ReasonCSVFieldCount    = "provisioning.csv_field_count"
)

// utf8BOM starts the CSV files some spreadsheets save.
var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// quantityText is how a quantity is written in an addon column: a plain
// decimal, no exponent.
var quantityText = regexp.MustCompile(`^-?[0-9]+(\.[0-9]+)?$`)

// ParseImportCSV reads an import file into the rows of ImportServices,
// checking every value it can without the database. The file is CSV
// (comma-separated, fields quoted with '"' where they hold a comma, a quote
// or a line break), UTF-8 with or without a byte order mark, with LF or
// CRLF line ends. Its first line names the columns:
//
//   - client_id, period, name and expires_on (YYYY-MM-DD), required;
//   - tariff_id, or tariff_code (the tariff's code among the client's
//     provider's tariffs): one of them, in each row;
//   - status (active, the default, or suspended) and suspend_reason;
//   - price, one period's price as an amount and a currency code separated
//     by a space ("12.50 USD"); empty takes the tariff's;
//   - auto_renew: true or false (also yes/no, 1/0); empty is true;
//   - domain, os_image, server_id and datacenter_id;
//   - "addon.<code>" for each addon given a value: a number is the
//     quantity of a quantity or fixed addon, any other text the option of
//     an enum addon; empty leaves the addon at its default;
//   - "param.<key>" for each of the module's params; empty sets nothing.
//
// Column names ignore case and surrounding spaces, except the code and key
// after "addon." and "param.". Blank lines and rows whose cells are all
// empty are skipped. An empty file, a file with no row, or one with more
// rows than one import takes (1000) is refused.
//
// Every problem is reported at once in one invalid error, each named
// "rows[<line>].<column>" where line is the line of the file the row
// starts on, the header being line 1: "rows[3].expires_on" is the third
// line's expiry, "rows[1].colour" an unknown column of the header.
func ParseImportCSV(r io.Reader) ([]ImportServiceParams, error) {
	rows, _, err := parseImportCSV(r)
	return rows, err
}

// ImportServicesCSV imports the services of an import file
// (ParseImportCSV) with ImportServices: all or none. Its errors name the
// file's rows and columns as ParseImportCSV's do, those ImportServices
// finds included ("rows[3].tariff_code", "rows[4].addon.ram.quantity"). It
// needs provisioning.service:create, and is staff's.
func (m *Manager) ImportServicesCSV(ctx context.Context, actor billkit.Actor, r io.Reader) ([]Service, error) {
	if err := actor.Validate(); err != nil {
		return nil, err
	}
	// The rights come first: a caller who may not import learns nothing
	// of its file.
	if err := actor.Authorize(billkit.R(FunctionService, billkit.OpCreate)); err != nil {
		return nil, err
	}
	if err := staffOnly(actor, "import services"); err != nil {
		return nil, err
	}
	rows, lines, err := parseImportCSV(r)
	if err != nil {
		return nil, err
	}
	out, err := m.ImportServices(ctx, actor, rows)
	if err != nil {
		return nil, renameImportRows(err, lines)
	}
	return out, nil
}

// csvColumn is one column of an import file's header.
type csvColumn struct {
	// name is the column's name as errors show it: a field's lowercased,
	// or "addon.<code>" and "param.<key>" as the header spells them.
	name string
	// field is the field's JSON name; "" for an addon or a param.
	field string
	// addon and param are the code or key of an addon or param column.
	addon, param string
}

// parseImportCSV is ParseImportCSV, also returning the line each row
// starts on.
func parseImportCSV(r io.Reader) ([]ImportServiceParams, []int, error) {
	if r == nil {
		return nil, nil, billkit.InvalidField("rows", "required", "is required")
	}
	br := bufio.NewReader(r)
	if b, err := br.Peek(len(utf8BOM)); err == nil && bytes.Equal(b, utf8BOM) {
		_, _ = br.Discard(len(utf8BOM))
	}
	cr := csv.NewReader(br)
	// Rows of the wrong width are reported with the others, not as the
	// reader's error that ends the file.
	cr.FieldsPerRecord = -1
	var v billkit.FieldErrors
	header, err := cr.Read()
	switch {
	case errors.Is(err, io.EOF):
		return nil, nil, billkit.InvalidField("rows", "required", "the file is empty: its first line names the columns")
	case err != nil:
		return nil, nil, csvReadError(err)
	}
	headerLine, _ := cr.FieldPos(0)
	cols := parseHeader(&v, header, headerLine)
	var (
		rows  []ImportServiceParams
		lines []int
	)
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if !errors.As(err, &pe) {
				return nil, nil, csvReadError(err)
			}
			// After a quoting error the reader cannot tell where the next
			// row starts: the rest of the file is not read.
			v.Add(fmt.Sprintf("rows[%d]", pe.StartLine), ReasonCSVMalformed, pe.Err.Error())
			break
		}
		if blankRecord(rec) {
			continue
		}
		line, _ := cr.FieldPos(0)
		if len(rows) == maxImport {
			v.Add("rows", "provisioning.import_too_large", fmt.Sprintf("must be at most %d rows", maxImport))
			break
		}
		rows = append(rows, parseRow(&v, cols, rec, line))
		lines = append(lines, line)
	}
	if len(rows) == 0 && v.Len() == 0 {
		v.Add("rows", "required", "the file has no row under its header")
	}
	if err := v.Err(); err != nil {
		return nil, nil, err
	}
	return rows, lines, nil
}

// csvReadError is the error of a file that could not be read.
func csvReadError(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return billkit.InvalidField(fmt.Sprintf("rows[%d]", pe.StartLine), ReasonCSVMalformed, pe.Err.Error())
	}
	return billkit.WrapError(err, billkit.CodeInvalid, "provisioning.csv_unreadable", "the file could not be read")
}

// parseHeader reads the header, on line (1 unless blank lines come
// first): every column known and named once, the required ones there. Its
// errors name "rows[<line>].<column>".
func parseHeader(v *billkit.FieldErrors, header []string, line int) []csvColumn {
	prefix := fmt.Sprintf("rows[%d]", line)
	cols := make([]csvColumn, len(header))
	seen := map[string]bool{}
	for i, raw := range header {
		name := strings.TrimSpace(raw)
		lower := strings.ToLower(name)
		var c csvColumn
		switch {
		case strings.HasPrefix(lower, csvAddonPrefix) && len(name) > len(csvAddonPrefix):
			c.addon = name[len(csvAddonPrefix):]
			c.name = csvAddonPrefix + c.addon
		case strings.HasPrefix(lower, csvParamPrefix) && len(name) > len(csvParamPrefix):
			c.param = name[len(csvParamPrefix):]
			c.name = csvParamPrefix + c.param
		default:
			c.name, c.field = lower, lower
		}
		cols[i] = c
		field := prefix + "." + c.name
		switch {
		case name == "":
			v.Add(fmt.Sprintf("%s.columns[%d]", prefix, i+1), ReasonCSVColumnUnknown, fmt.Sprintf("column %d has no name", i+1))
			cols[i] = csvColumn{}
			continue
		case c.field != "" && !knownColumn(c.field):
			v.Add(field, ReasonCSVColumnUnknown, "is not a column of an import: "+strings.Join(csvColumns, ", ")+", addon.<code> or param.<key>")
			cols[i] = csvColumn{}
			continue
		case seen[c.name]:
			v.Add(field, ReasonCSVColumnTwice, "is named twice")
			cols[i] = csvColumn{}
			continue
		}
		seen[c.name] = true
	}
	for _, req := range csvRequired {
		v.Check(seen[req], prefix+"."+req, ReasonCSVColumnMissing, "is a required column")
	}
	v.Check(seen["tariff_id"] || seen["tariff_code"], prefix+".tariff_id", ReasonCSVColumnMissing, "is required, or tariff_code")
	return cols
}

func knownColumn(name string) bool {
	for _, c := range csvColumns {
		if c == name {
			return true
		}
	}
	return false
}

// blankRecord reports whether every cell of a record is empty: the rows
// spreadsheets leave under the data.
func blankRecord(rec []string) bool {
	for _, s := range rec {
		if strings.TrimSpace(s) != "" {
			return false
		}
	}
	return true
}

// parseRow reads one row, starting on line, into v's errors and the row.
func parseRow(v *billkit.FieldErrors, cols []csvColumn, rec []string, line int) ImportServiceParams {
	var p ImportServiceParams
	prefix := fmt.Sprintf("rows[%d]", line)
	if len(rec) != len(cols) {
		v.Add(prefix, ReasonCSVFieldCount, fmt.Sprintf("has %d fields, and the header names %d columns", len(rec), len(cols)))
		return p
	}
	given := map[string]bool{}
	for i, c := range cols {
		s := strings.TrimSpace(rec[i])
		if c.name == "" || s == "" {
			continue
		}
		given[c.name] = true
		f := prefix + "." + c.name
		switch {
		case c.addon != "":
			if p.Addons == nil {
				p.Addons = map[string]catalog.AddonValue{}
			}
			p.Addons[c.addon] = ParseAddonValue(s)
		case c.param != "":
			if p.Params == nil {
				p.Params = map[string]string{}
			}
			p.Params[c.param] = s
		default:
			cellError(v, f, setField(&p, c.field, s))
		}
	}
	for _, req := range csvRequired {
		v.Check(given[req] || !hasColumn(cols, req), prefix+"."+req, "required", "is required")
	}
	switch {
	case given["tariff_id"] && given["tariff_code"]:
		v.Add(prefix+".tariff_code", "provisioning.tariff_twice", "give tariff_id or tariff_code, not both")
	case !given["tariff_id"] && !given["tariff_code"] && (hasColumn(cols, "tariff_id") || hasColumn(cols, "tariff_code")):
		v.Add(prefix+".tariff_id", "required", "is required, or tariff_code")
	}
	return p
}

func hasColumn(cols []csvColumn, name string) bool {
	for _, c := range cols {
		if c.name == name {
			return true
		}
	}
	return false
}

// ParseAddonValue reads an addon's value as a person writes it (a CSV
// cell, a command-line flag): a plain decimal is the quantity of a
// quantity or fixed addon, other text the option of an enum addon. The
// value is checked against the tariff where it is used (an order, a
// change, an import), which names what is wrong with it.
func ParseAddonValue(s string) catalog.AddonValue {
	if quantityText.MatchString(s) {
		if d, err := decimal.NewFromString(s); err == nil {
			return catalog.AddonValue{Quantity: d}
		}
	}
	return catalog.AddonValue{Option: s}
}

// setField sets the field named by its JSON name from a cell that is not
// empty.
func setField(p *ImportServiceParams, field, s string) error {
	var err error
	switch field {
	case "client_id":
		p.ClientID, err = billkit.ParseClientID(s)
	case "tariff_id":
		p.TariffID, err = billkit.ParseID[catalog.Tariff](s)
	case "tariff_code":
		p.TariffCode = s
	case "period":
		p.Period, err = catalog.ParsePeriod(s)
	case "name":
		p.Name = s
	case "status":
		p.Status = Status(strings.ToLower(s))
		if p.Status != StatusActive && p.Status != StatusSuspended {
			return billkit.InvalidField("", "provisioning.import_status", "must be active or suspended")
		}
	case "suspend_reason":
		p.SuspendReason = SuspendReason(strings.ToLower(s))
		if !p.SuspendReason.Valid() {
			return billkit.InvalidField("", "provisioning.suspend_reason_unknown", "must be non_payment, staff, abuse, client or temporary")
		}
	case "expires_on":
		p.ExpiresOn, err = billkit.ParseDate(s)
	case "price":
		err = p.Price.UnmarshalText([]byte(s))
	case "auto_renew":
		var on bool
		on, err = parseBool(s)
		p.AutoRenew = &on
	case "domain":
		p.Domain = s
	case "os_image":
		p.OSImage = s
	case "server_id":
		p.ServerID, err = billkit.ParseID[Server](s)
	case "datacenter_id":
		p.DatacenterID, err = billkit.ParseID[Datacenter](s)
	}
	return err
}

// parseBool reads a yes-or-no cell.
func parseBool(s string) (bool, error) {
	switch strings.ToLower(s) {
	case "true", "yes", "1":
		return true, nil
	case "false", "no", "0":
		return false, nil
	}
	return false, billkit.InvalidField("", "provisioning.csv_bool", "must be true or false")
}

// cellError records a parser's error against the cell's field: the
// parsers name their own field ("date", "amount"), which the cell's
// replaces.
func cellError(v *billkit.FieldErrors, field string, err error) {
	if err == nil {
		return
	}
	var e *billkit.Error
	if errors.As(err, &e) && len(e.Fields) > 0 {
		for _, f := range e.Fields {
			v.Add(field, f.Reason, f.Message)
		}
		return
	}
	reason := billkit.ErrorReason(err)
	if reason == "" {
		reason = "invalid"
	}
	msg := err.Error()
	if e != nil && e.Message != "" {
		msg = e.Message
	}
	v.Add(field, reason, msg)
}

// renameImportRows renames the fields of ImportServices' invalid error
// after the file: "services[<i>]" becomes "rows[<line>]", "addons[<code>]"
// "addon.<code>" and "params[<key>]" "param.<key>", as the columns are
// named.
func renameImportRows(err error, lines []int) error {
	var e *billkit.Error
	if !errors.As(err, &e) || e.Code != billkit.CodeInvalid || len(e.Fields) == 0 {
		return err
	}
	out := *e
	out.Fields = make([]billkit.FieldError, len(e.Fields))
	for i, f := range e.Fields {
		f.Field = renameImportField(f.Field, lines)
		out.Fields[i] = f
	}
	return &out
}

func renameImportField(field string, lines []int) string {
	if field == "services" {
		return "rows"
	}
	rest, ok := strings.CutPrefix(field, "services[")
	if !ok {
		return field
	}
	num, rest, ok := strings.Cut(rest, "]")
	i, err := strconv.Atoi(num)
	if !ok || err != nil || i < 0 || i >= len(lines) {
		return field
	}
	for _, c := range []struct{ from, to string }{{".addons[", ".addon."}, {".params[", ".param."}} {
		if after, ok := strings.CutPrefix(rest, c.from); ok {
			if key, tail, ok := strings.Cut(after, "]"); ok {
				rest = c.to + key + tail
			}
		}
	}
	return fmt.Sprintf("rows[%d]%s", lines[i], rest)
}

// tariffCodeKey is a tariff code of a provider.
type tariffCodeKey struct {
	provider billkit.ProviderID
	code     string
}

// readTariffCodes reads the tariffs rows name by code, with their product
// types, into c, before an import's transaction: each code is looked up
// among the tariffs of its row's client's provider. Rows naming a missing
// client are left for importRow to report.
func (m *Manager) readTariffCodes(ctx context.Context, rows []ImportServiceParams, c *importCatalog) error {
	if c.codes == nil {
		c.codes = map[tariffCodeKey]*catalog.Tariff{}
	}
	clients := map[billkit.ClientID]*billing.Client{}
	for _, p := range rows {
		code := strings.TrimSpace(p.TariffCode)
		if code == "" || !p.TariffID.IsZero() || p.ClientID.IsZero() {
			continue
		}
		client, seen := clients[p.ClientID]
		if !seen {
			cl, err := m.store.Billing().GetClient(ctx, p.ClientID)
			if err != nil && !billkit.IsCode(err, billkit.CodeNotFound) {
				return err
			}
			client, clients[p.ClientID] = cl, cl
		}
		if client == nil {
			continue
		}
		key := tariffCodeKey{client.ProviderID, code}
		if _, seen := c.codes[key]; seen {
			continue
		}
		t, err := m.cfg.Catalog.GetTariffByCode(ctx, selfActor, client.ProviderID, code)
		if billkit.IsCode(err, billkit.CodeNotFound) || billkit.IsCode(err, billkit.CodeInvalid) {
			c.codes[key] = nil
			continue
		}
		if err != nil {
			return err
		}
		c.codes[key] = t
		if err := m.keepTariff(ctx, c, t); err != nil {
			return err
		}
	}
	return nil
}

// tariffOf is the tariff an import row names: by ID (nil when there is no
// such tariff, for the caller to report), or by code among its client's
// provider's. ok is false when the row names none usable, which v says,
// or names it by code and its client is unknown (its own error).
func (c importCatalog) tariffOf(v *billkit.FieldErrors, f func(string) string, client *billing.Client, p ImportServiceParams) (*catalog.Tariff, bool) {
	code := strings.TrimSpace(p.TariffCode)
	switch {
	case !p.TariffID.IsZero() && code != "":
		v.Add(f("tariff_code"), "provisioning.tariff_twice", "give tariff_id or tariff_code, not both")
		return nil, false
	case code != "":
		if client == nil {
			return nil, false
		}
		t := c.codes[tariffCodeKey{client.ProviderID, code}]
		if t == nil {
			v.Add(f("tariff_code"), "tariff.not_found", "is not the code of a tariff of the client's provider")
			return nil, false
		}
		return t, true
	case !v.Check(!p.TariffID.IsZero(), f("tariff_id"), "required", "is required"):
		return nil, false
	}
	return c.tariffs[p.TariffID], true
}
