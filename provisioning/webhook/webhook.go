package webhook

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"time"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/provisioning"
)

// Defaults of Config.
const (
	// DefaultName is the module's name when Config.Name is empty.
	DefaultName = "webhook"
	// DefaultTimeout bounds a whole call made with the default client.
	DefaultTimeout = 60 * time.Second
	// DefaultMaxAnswer bounds an answer's body when Config.MaxAnswer is
	// zero.
	DefaultMaxAnswer = 1 << 20
	// MinSecret is the shortest secret New accepts, in bytes.
	MinSecret = 16
)

// bodyShown is how much of an answer's body an error quotes.
const bodyShown = 300

// defaultClient is shared so that connections are reused. It follows no
// redirect: a signed POST is not resent elsewhere, and a URL that moved is
// a configuration to fix, which the error says.
var defaultClient = &http.Client{
	Timeout: DefaultTimeout,
	CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	},
}

// Config configures a Module. URL and Secret are required.
type Config struct {
	// Name is the module's name, which product types and servers refer to.
	// Default: "webhook".
	Name string
	// URL receives the operations: an absolute http or https URL.
	URL string
	// Secret is the HMAC-SHA256 key that signs requests and callbacks,
	// shared with the remote system: at least MinSecret bytes; 32 random
	// bytes are best.
	Secret []byte
	// Client makes the requests. Default: a client with DefaultTimeout
	// that follows no redirects.
	Client *http.Client
	// Clock gives the signatures' timestamps. Default: the system clock.
	Clock billkit.Clock
	// MaxAnswer is the most bytes of an answer's body read; more is a
	// fault. Default: 1 MiB.
	MaxAnswer int64
}

// Module POSTs each operation to a URL; see the package documentation for
// the protocol. It is safe for concurrent use when its Client is.
type Module struct {
	name      string
	url       string
	shown     string
	secret    []byte
	client    *http.Client
	clock     billkit.Clock
	maxAnswer int64
}

// New returns a Module. A Config without an absolute http(s) URL, with a
// Secret shorter than MinSecret, or with a negative MaxAnswer is an
// invalid error naming the field.
func New(cfg Config) (*Module, error) {
	var v billkit.FieldErrors
	var u *url.URL
	if v.Require("url", cfg.URL) {
		var err error
		u, err = url.Parse(cfg.URL)
		v.Check(err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "",
			"url", "webhook.url_invalid", "must be an absolute http or https URL")
	}
	if v.Check(len(cfg.Secret) > 0, "secret", "required", "is required") {
		v.Check(len(cfg.Secret) >= MinSecret, "secret", "webhook.secret_short", fmt.Sprintf("must be at least %d bytes", MinSecret))
	}
	v.Check(cfg.MaxAnswer >= 0, "max_answer", "negative", "must not be negative")
	if err := v.Err(); err != nil {
		return nil, err
	}
	m := &Module{
		name:      cfg.Name,
		url:       cfg.URL,
		secret:    append([]byte(nil), cfg.Secret...),
		client:    cfg.Client,
		clock:     cfg.Clock,
		maxAnswer: cfg.MaxAnswer,
	}
	// Errors show the URL without its query, user or fragment, where a
	// token may hide.
	m.shown = (&url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path}).String()
	if m.name == "" {
		m.name = DefaultName
	}
	if m.client == nil {
		m.client = defaultClient
	}
	if m.clock == nil {
		m.clock = billkit.SystemClock()
	}
	if m.maxAnswer == 0 {
		m.maxAnswer = DefaultMaxAnswer
	}
	return m, nil
}

// Name is Config.Name.
func (m *Module) Name() string { return m.name }

// Run POSTs req, signed, and reads the answer.
func (m *Module) Run(ctx context.Context, req provisioning.Request) (provisioning.Result, error) {
	ans, err := m.post(ctx, req, req.TaskID.String())
	if err != nil {
		return provisioning.Result{}, err
	}
	switch code := ans.code; {
	case code == http.StatusAccepted:
		// Asynchronous: the answer comes later, by callback.
		msg := "accepted; the answer comes later by callback"
		if a, err := provisioning.ParseAnswer(ans.data); err == nil && a.Message != "" {
			msg = a.Message
		}
		return provisioning.Result{Pending: true, Message: msg}, nil
	case code >= 200 && code < 300:
		return m.answer(ans.status, ans.data)
	}
	return provisioning.Result{}, m.failure(ans)
}

// List POSTs a listing (operation "list"), signed, and reads the services
// answered, a provisioning.ListAnswer; see the package documentation. A
// listing is answered at once: 202 is a bad answer.
func (m *Module) List(ctx context.Context, req provisioning.ListRequest) ([]provisioning.ListedService, error) {
	req.Operation = provisioning.OpList
	// A listing changes nothing; each has a key of its own.
	ans, err := m.post(ctx, req, billkit.NewID[provisioning.ListRequest]().String())
	if err != nil {
		return nil, err
	}
	switch code := ans.code; {
	case code == http.StatusAccepted:
		return nil, m.fault("webhook.bad_answer", "answered "+ans.status+", and a listing is answered at once"+bodyText(ans.data), nil)
	case code >= 200 && code < 300:
		a, err := provisioning.ParseListAnswer(ans.data)
		if err != nil {
			return nil, m.fault("webhook.bad_answer", "answered "+ans.status+" but "+err.Error()+bodyText(ans.data), nil)
		}
		if a.Status == provisioning.AnswerError {
			return nil, m.answeredError(a.Message, a.Retry)
		}
		return a.Services, nil
	}
	return nil, m.failure(ans)
}

// httpAnswer is what the remote system answered a POST.
type httpAnswer struct {
	status   string
	code     int
	location string
	data     []byte
}

// post sends req as the signed JSON body with the idempotency key and
// reads the answer, at most MaxAnswer bytes of it; an error is a call that
// got no complete answer.
func (m *Module) post(ctx context.Context, req any, key string) (httpAnswer, error) {
	if m == nil || m.url == "" {
		return httpAnswer{}, billkit.Errorf(billkit.CodeInternal, "webhook.unconfigured", "a webhook module must be made with webhook.New")
	}
	body, err := json.Marshal(req)
	if err != nil {
		return httpAnswer{}, billkit.WrapError(err, billkit.CodeInternal, "webhook.request", "the request cannot be encoded")
	}
	hreq, err := http.NewRequestWithContext(ctx, http.MethodPost, m.url, bytes.NewReader(body))
	if err != nil {
		return httpAnswer{}, billkit.WrapError(err, billkit.CodeInternal, "webhook.request", "the request cannot be made")
	}
	hreq.Header.Set("Content-Type", "application/json")
	hreq.Header.Set("Accept", "application/json")
	hreq.Header.Set(SignatureHeader, Sign(m.secret, m.clock.Now(), body))
	hreq.Header.Set(IdempotencyHeader, key)

	resp, err := m.client.Do(hreq)
	if err != nil {
		return httpAnswer{}, m.transportFault(ctx, "could not be called", err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, m.maxAnswer+1))
	if err != nil {
		return httpAnswer{}, m.transportFault(ctx, fmt.Sprintf("answered %s, and reading the body failed", resp.Status), err)
	}
	if int64(len(data)) > m.maxAnswer {
		return httpAnswer{}, m.fault("webhook.answer_too_large",
			fmt.Sprintf("answered %s with a body larger than %d bytes", resp.Status, m.maxAnswer), nil)
	}
	return httpAnswer{status: resp.Status, code: resp.StatusCode, location: resp.Header.Get("Location"), data: data}, nil
}

// failure is the error of an answer that is not a 2xx: a refusal for a
// 4xx but 408 and 429, else retryable.
func (m *Module) failure(ans httpAnswer) error {
	code := ans.code
	switch {
	case code == http.StatusRequestTimeout || code == http.StatusTooManyRequests || code >= 500:
		return m.fault("webhook.status", "answered "+ans.status+bodyText(ans.data), nil)
	case code >= 400:
		msg := ""
		if a, err := provisioning.ParseAnswer(ans.data); err == nil {
			msg = a.Message
		}
		if msg == "" {
			msg = provisioning.Clip(ans.data, bodyShown)
		}
		if msg == "" {
			msg = "no reason given"
		}
		return &provisioning.PermanentError{Message: fmt.Sprintf("%s module refused (%s): %s", m.name, ans.status, msg)}
	case code >= 300:
		return m.fault("webhook.status",
			"answered "+ans.status+" to "+ans.location+"; redirects are not followed: set the URL to the final address", nil)
	default:
		return m.fault("webhook.status", "answered the unexpected "+ans.status, nil)
	}
}

// answer reads the body of a 2xx answer other than 202.
func (m *Module) answer(status string, data []byte) (provisioning.Result, error) {
	a, err := provisioning.ParseAnswer(data)
	if err != nil {
		return provisioning.Result{}, m.fault("webhook.bad_answer", "answered "+status+" but "+err.Error()+bodyText(data), nil)
	}
	if a.Status == provisioning.AnswerError {
		return provisioning.Result{}, m.answeredError(a.Message, a.Retry)
	}
	return a.Result(), nil
}

// answeredError is the error of an "error" answer: a refusal with "retry":
// false, else retryable.
func (m *Module) answeredError(msg string, retry *bool) error {
	if msg == "" {
		msg = "no reason given"
	}
	if retry != nil && !*retry {
		return &provisioning.PermanentError{Message: m.name + " module refused: " + msg}
	}
	return m.fault("webhook.error", "answered an error: "+msg, nil)
}

// transportFault is the error of a call that got no complete answer: a
// timeout (the context's deadline or the client's), a cancellation, or a
// network failure.
func (m *Module) transportFault(ctx context.Context, what string, err error) error {
	// url.Error repeats the whole URL, query and all: its cause is enough.
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	var ne net.Error
	switch {
	case errors.Is(ctx.Err(), context.Canceled):
		return m.fault("webhook.cancelled", what+": cancelled", err)
	case errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout():
		return m.fault("webhook.timeout", what+": timed out", err)
	default:
		return m.fault("webhook.unreachable", what, err)
	}
}

// fault returns a retryable error naming the module, its URL and what went
// wrong.
func (m *Module) fault(reason, what string, cause error) error {
	return &billkit.Error{Code: billkit.CodeUnavailable, Reason: reason,
		Message: fmt.Sprintf("%s module (POST %s): %s", m.name, m.shown, what), Err: cause}
}

// bodyText quotes the start of a body for an error, or says nothing of an
// empty one.
func bodyText(data []byte) string {
	if len(bytes.TrimSpace(data)) == 0 {
		return ""
	}
	return fmt.Sprintf("; body begins %q", provisioning.Clip(data, bodyShown))
}
