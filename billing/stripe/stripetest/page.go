package stripetest

import (
	"html/template"
	"net/http"
	"strconv"
	"strings"
)

var pageTemplate = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Test payment</title></head>
<body>
<h1>Test payment</h1>
{{range .Lines}}<p class="line">{{.Name}} × {{.Quantity}}</p>{{end}}
<p class="amount">{{.Amount}} {{.Currency}}</p>
{{if eq .Status "open"}}
<form method="post">
<label>Card <select name="card">
<option value="4242424242424242">Visa 4242 (paid)</option>
<option value="5555555555554444">Mastercard 4444 (paid)</option>
<option value="4000000000000002">Visa 0002 (declined)</option>
</select></label>
<button type="submit" name="action" value="pay">Pay</button>
<button type="submit" name="action" value="cancel">Cancel</button>
</form>
{{else}}<p class="status">This session is {{.Status}}.</p>{{end}}
{{if .Error}}<p class="error">{{.Error}}</p>{{end}}
</body></html>
`))

// servePage is the hosted payment page a session's URL opens: a form that
// pays the session with a test card (POST action=pay) or goes back to the
// cancel URL (action=cancel). Paying delivers the event to the webhook URL
// before the browser is sent to the success URL, with {CHECKOUT_SESSION_ID}
// replaced as Stripe does.
func (s *Server) servePage(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	var errMsg string
	if r.Method == http.MethodPost {
		switch r.FormValue("action") {
		case "pay":
			_, err := s.PaySession(id, Pay{Card: Card(r.FormValue("card"))})
			if err == nil {
				x, _ := s.Session(id)
				http.Redirect(w, r, strings.ReplaceAll(x.SuccessURL, "{CHECKOUT_SESSION_ID}", id), http.StatusSeeOther)
				return
			}
			errMsg = err.Error()
		case "cancel":
			if x, ok := s.Session(id); ok && x.CancelURL != "" {
				http.Redirect(w, r, x.CancelURL, http.StatusSeeOther)
				return
			}
		}
	}
	x, ok := s.Session(id)
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_ = pageTemplate.Execute(w, map[string]any{
		"Lines": x.Lines, "Amount": strconv.FormatInt(x.AmountTotal, 10) + " (minor units)",
		"Currency": strings.ToUpper(x.Currency), "Status": x.Status, "Error": errMsg,
	})
}
