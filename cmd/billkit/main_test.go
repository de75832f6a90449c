package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/directory"
	"github.com/billkit/billkit/store/storetest"
)

// syncBuffer is a bytes.Buffer safe for the server's goroutines to log into
// while the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// runCLI runs the program with args and returns its exit status and output.
func runCLI(t *testing.T, environ []string, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr syncBuffer
	m := &Main{Stdout: &stdout, Stderr: &stderr, Environ: environ}
	code := m.Run(t.Context(), args)
	return code, stdout.String(), stderr.String()
}

func httpGet(t *testing.T, url string) (int, string) {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res.StatusCode, string(b)
}

func TestServe(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)

	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	addrs := make(chan net.Addr, 1)
	var stderr syncBuffer
	m := &Main{Stdout: io.Discard, Stderr: &stderr, Environ: []string{"BILLKIT_LOG_FORMAT=json"},
		OnListen: func(a net.Addr) { addrs <- a }}
	done := make(chan int, 1)
	go func() { done <- m.Run(ctx, []string{"serve", "--addr", "127.0.0.1:0"}) }()

	var base string
	select {
	case a := <-addrs:
		base = "http://" + a.String()
	case code := <-done:
		t.Fatalf("serve exited with %d before listening: %s", code, stderr.String())
	}

	if _, err := os.Stat(filepath.Join(dir, "billkit.db")); err != nil {
		t.Fatalf("billkit.db not created: %v", err)
	}
	if code, body := httpGet(t, base+"/healthz"); code != 200 || strings.TrimSpace(body) != `{"status":"ok"}` {
		t.Fatalf("/healthz: %d %s", code, body)
	}
	code, body := httpGet(t, base+"/api/v1/currencies?enabled=true")
	if code != 200 || !strings.Contains(body, `"code":"USD"`) {
		t.Fatalf("/api/v1/currencies: %d %s", code, body)
	}
	// Writes need credentials, even from loopback.
	res, err := http.Post(base+"/api/v1/currencies/JPY/enable", "application/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 401 {
		t.Fatalf("anonymous write: %d", res.StatusCode)
	}
	// The first start made admin@localhost and printed its password once.
	password := firstPassword(t, stderr.String())
	token := httpLogin(t, base, "admin@localhost", password)
	req, _ := http.NewRequest("POST", base+"/api/v1/currencies/JPY/enable", nil)
	req.AddCookie(&http.Cookie{Name: "billkit_session", Value: token})
	res, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Fatalf("signed-in write: %d", res.StatusCode)
	}
	if code, body := httpGet(t, base+"/nowhere"); code != 404 || !strings.Contains(body, `"code":"not_found"`) {
		t.Fatalf("/nowhere: %d %s", code, body)
	}
	code, body = httpGet(t, base+"/metrics")
	if code != 200 {
		t.Fatalf("/metrics: %d", code)
	}
	for _, want := range []string{
		`billkit_http_requests_total{method="GET",route="GET /api/v1/currencies",status="200"} 1`,
		`billkit_http_requests_total{method="POST",route="POST /api/v1/currencies/{code}/enable",status="200"} 1`,
		`billkit_http_requests_total{method="GET",route="unmatched",status="404"} 1`,
		`billkit_http_request_duration_seconds_bucket{method="GET",route="GET /healthz",status="200",le="+Inf"} 1`,
		"go_goroutines",
		"process_",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}

	cancel()
	if code := <-done; code != 0 {
		t.Fatalf("serve exited with %d: %s", code, stderr.String())
	}
	logs := stderr.String()
	for _, want := range []string{`"msg":"listening"`, `"msg":"request"`, `"route":"GET /api/v1/currencies"`, `"msg":"stopped"`,
		`"level":"WARN","msg":"BILLKIT_SECRET_KEY is not set`} {
		if !strings.Contains(logs, want) {
			t.Errorf("logs lack %s", want)
		}
	}
	// The password is in the first-start notice and nowhere else; the
	// session token is nowhere.
	if n := strings.Count(logs, password); n != 1 {
		t.Errorf("the password appears %d times in the log", n)
	}
	for _, line := range strings.Split(logs, "\n") {
		if strings.Contains(line, `"msg":"request"`) && (strings.Contains(line, password) || strings.Contains(line, token)) {
			t.Errorf("a request log line shows a secret: %s", line)
		}
	}
	if strings.Contains(logs, token) {
		t.Errorf("the session token is in the log")
	}
	before := len(logs)

	// A second run finds the database migrated and seeded, and keeps the change.
	ctx2, cancel2 := context.WithCancel(t.Context())
	defer cancel2()
	m.OnListen = func(a net.Addr) { addrs <- a }
	go func() { done <- m.Run(ctx2, []string{"serve", "--addr", "127.0.0.1:0"}) }()
	select {
	case a := <-addrs:
		base = "http://" + a.String()
	case code := <-done:
		t.Fatalf("second serve exited with %d: %s", code, stderr.String())
	}
	if _, body := httpGet(t, base+"/api/v1/currencies/JPY"); !strings.Contains(body, `"enabled":true`) {
		t.Fatalf("JPY after restart: %s", body)
	}
	cancel2()
	if code := <-done; code != 0 {
		t.Fatalf("second serve exited with %d", code)
	}
	// The notice is printed on the first start only.
	if later := stderr.String()[before:]; strings.Contains(later, "one-time password") || strings.Contains(later, password) {
		t.Fatalf("second start printed the notice again:\n%s", later)
	}
}

// firstPassword picks the one-time password out of serve's first-start
// notice.
func firstPassword(t *testing.T, logs string) string {
	t.Helper()
	_, after, ok := strings.Cut(logs, "the one-time password:")
	if !ok {
		t.Fatalf("no first-start notice in the log:\n%s", logs)
	}
	fields := strings.Fields(after)
	if len(fields) == 0 {
		t.Fatalf("notice without a password")
	}
	return fields[0]
}

// httpLogin signs in over HTTP and returns the session token of the cookie.
func httpLogin(t *testing.T, base, email, password string) string {
	t.Helper()
	res, err := http.Post(base+"/api/v1/auth/login", "application/json",
		strings.NewReader(`{"email":"`+email+`","password":"`+password+`"}`))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != 200 {
		b, _ := io.ReadAll(res.Body)
		t.Fatalf("login of %s: %d %s", email, res.StatusCode, b)
	}
	for _, c := range res.Cookies() {
		if c.Name == "billkit_session" {
			return c.Value
		}
	}
	t.Fatalf("login set no session cookie")
	return ""
}

func TestAdminCreate(t *testing.T) {
	dsn := filepath.Join(t.TempDir(), "a.db")
	env := []string{"BILLKIT_DSN=" + dsn}

	code, out, errOut := runCLI(t, env, "admin", "create", "--email", "Boss@Example.com", "--name", "Boss")
	if code != 0 || !strings.Contains(out, "created staff user boss@example.com") || !strings.Contains(out, "with full rights") {
		t.Fatalf("admin create: %d %q %s", code, out, errOut)
	}
	_, generated, ok := strings.Cut(out, "password: ")
	generated = strings.TrimSpace(generated)
	if !ok || len(generated) < 20 {
		t.Fatalf("no generated password in %q", out)
	}
	code, out, _ = runCLI(t, env, "admin", "create", "--email", "ops@example.com", "--password", "given password 1")
	if code != 0 || strings.Contains(out, "password:") {
		t.Fatalf("admin create with a password: %d %q", code, out)
	}
	// Bad input changes nothing and says why.
	if code, _, errOut := runCLI(t, env, "admin", "create", "--email", "boss@example.com"); code != 1 || !strings.Contains(errOut, "email") {
		t.Fatalf("duplicate email: %d %s", code, errOut)
	}
	if code, _, errOut := runCLI(t, env, "admin", "create", "--email", "weak@example.com", "--password", "short"); code != 1 || !strings.Contains(errOut, "password") {
		t.Fatalf("weak password: %d %s", code, errOut)
	}
	if code, _, _ := runCLI(t, env, "admin", "create"); code != 2 {
		t.Fatalf("missing --email: exit %d", code)
	}

	// serve finds staff users and creates no admin@localhost; the users
	// created sign in with full rights.
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	addrs := make(chan net.Addr, 1)
	var stderr syncBuffer
	m := &Main{Stdout: io.Discard, Stderr: &stderr, Environ: env, OnListen: func(a net.Addr) { addrs <- a }}
	done := make(chan int, 1)
	go func() { done <- m.Run(ctx, []string{"serve", "--addr", "127.0.0.1:0"}) }()
	var base string
	select {
	case a := <-addrs:
		base = "http://" + a.String()
	case code := <-done:
		t.Fatalf("serve exited with %d: %s", code, stderr.String())
	}
	token := httpLogin(t, base, "boss@example.com", generated)
	req, _ := http.NewRequest("GET", base+"/api/v1/staff", nil)
	req.AddCookie(&http.Cookie{Name: "billkit_session", Value: token})
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || !strings.Contains(string(b), "ops@example.com") || strings.Contains(string(b), "admin@localhost") {
		t.Fatalf("/staff: %d %s", res.StatusCode, b)
	}
	cancel()
	if code := <-done; code != 0 {
		t.Fatalf("serve exited with %d", code)
	}
	if strings.Contains(stderr.String(), "one-time password") {
		t.Fatalf("serve made a first admin although staff users exist")
	}
}

// TestServeWithModulesAndKey starts serve with a secret key and a modules
// file: it starts without the key's warning, and serves.
func TestServeWithModulesAndKey(t *testing.T) {
	dir := t.TempDir()
	mods := filepath.Join(dir, "modules.yaml")
	if err := os.WriteFile(mods, []byte("modules:\n  - name: panel\n    kind: webhook\n    url: https://panel.example.com/hook\n    secret_env: PANEL_SECRET\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := []string{"BILLKIT_DSN=" + filepath.Join(dir, "k.db"), "BILLKIT_MODULES=" + mods,
		"BILLKIT_SECRET_KEY=3031323334353637383961626364656630313233343536373839616263646566",
		"PANEL_SECRET=0123456789abcdef0123"}
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	addrs := make(chan net.Addr, 1)
	var stderr syncBuffer
	m := &Main{Stdout: io.Discard, Stderr: &stderr, Environ: env, OnListen: func(a net.Addr) { addrs <- a }}
	done := make(chan int, 1)
	go func() { done <- m.Run(ctx, []string{"serve", "--addr", "127.0.0.1:0"}) }()
	select {
	case a := <-addrs:
		if code, body := httpGet(t, "http://"+a.String()+"/healthz"); code != 200 {
			t.Fatalf("/healthz: %d %s", code, body)
		}
	case code := <-done:
		t.Fatalf("serve exited with %d: %s", code, stderr.String())
	}
	cancel()
	if code := <-done; code != 0 {
		t.Fatalf("serve exited with %d: %s", code, stderr.String())
	}
	if logs := stderr.String(); strings.Contains(logs, "BILLKIT_SECRET_KEY") || strings.Contains(logs, "0123456789abcdef0123") {
		t.Fatalf("the log speaks of the key or shows the webhook's secret:\n%s", logs)
	}
}

func TestServeAddressInUse(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	dsn := filepath.Join(t.TempDir(), "x.db")
	code, _, stderr := runCLI(t, nil, "serve", "--dsn", dsn, "--addr", ln.Addr().String())
	if code != 1 || !strings.Contains(stderr, "listening on") {
		t.Fatalf("exit %d: %s", code, stderr)
	}
}

func TestMigrate(t *testing.T) {
	dsn := filepath.Join(t.TempDir(), "m.db")
	env := []string{"BILLKIT_DSN=" + dsn}

	code, out, errOut := runCLI(t, env, "migrate", "status")
	if code != 0 || !strings.Contains(out, "\tpending") || strings.Contains(out, "\tapplied") {
		t.Fatalf("status before: %d %q %s", code, out, errOut)
	}
	lines := strings.Count(out, "\n")

	code, out, errOut = runCLI(t, env, "migrate", "up")
	if code != 0 || strings.Count(out, "applied ") != lines {
		t.Fatalf("up: %d %q %s", code, out, errOut)
	}
	code, out, _ = runCLI(t, env, "migrate", "up")
	if code != 0 || !strings.Contains(out, "no pending migrations") {
		t.Fatalf("second up: %d %q", code, out)
	}
	code, out, _ = runCLI(t, env, "migrate", "status")
	if code != 0 || strings.Contains(out, "\tpending") || strings.Count(out, "\tapplied") != lines {
		t.Fatalf("status after: %d %q", code, out)
	}
}

func TestVersion(t *testing.T) {
	code, out, _ := runCLI(t, nil, "version")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	for _, want := range []string{"billkit ", "commit: ", "go: go1."} {
		if !strings.Contains(out, want) {
			t.Errorf("version output %q lacks %q", out, want)
		}
	}
	version = "1.2.3"
	defer func() { version = "" }()
	if _, out, _ := runCLI(t, nil, "version"); !strings.HasPrefix(out, "billkit 1.2.3\n") {
		t.Errorf("ldflags version ignored: %q", out)
	}
}

func TestConfig(t *testing.T) {
	cfg, err := loadConfig([]string{"BILLKIT_ADDR=0.0.0.0:9000", "BILLKIT_LOG_LEVEL=debug", "OTHER=x=y"})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Addr != "0.0.0.0:9000" || cfg.DSN != "billkit.db" || cfg.LogLevel != "debug" || cfg.LogFormat != "text" || cfg.RatesURL != "" {
		t.Fatalf("config = %+v", cfg)
	}
	// Flags override the environment.
	m := &Main{Stdout: io.Discard, Stderr: io.Discard}
	root := m.rootCommand(&cfg)
	if err := root.ParseFlags([]string{"--addr", "127.0.0.1:1", "--rates-url", "http://x"}); err != nil {
		t.Fatal(err)
	}
	if cfg.Addr != "127.0.0.1:1" || cfg.RatesURL != "http://x" {
		t.Fatalf("after flags: %+v", cfg)
	}

	for _, args := range [][]string{
		{"migrate", "status", "--log-format", "xml"},
		{"migrate", "status", "--log-level", "loud"},
		{"migrate", "status", "--no-such-flag"},
	} {
		if code, _, stderr := runCLI(t, nil, args...); code != 2 {
			t.Errorf("%v: exit %d, want 2 (%s)", args, code, stderr)
		}
	}
	if code, _, _ := runCLI(t, []string{"BILLKIT_LOG_FORMAT=xml"}, "migrate", "status"); code != 2 {
		t.Errorf("bad env log format: exit %d", code)
	}
}

func TestHealthzUnavailable(t *testing.T) {
	st := storetest.NewMemory(t)
	svc := directory.NewService(st.Directory(), directory.Config{})
	if err := svc.Bootstrap(t.Context(), billkit.SystemActor("test")); err != nil {
		t.Fatal(err)
	}
	var logs syncBuffer
	h, err := newHandler(handlerConfig{
		Directory: svc,
		Ping:      func(context.Context) error { return errors.New("connection refused to secret-host") },
		Logger:    (&config{LogLevel: "info", LogFormat: "text"}).logger(&logs),
	})
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/healthz", nil))
	if rec.Code != 503 || !strings.Contains(rec.Body.String(), `"code":"unavailable"`) || strings.Contains(rec.Body.String(), "secret-host") {
		t.Fatalf("/healthz: %d %s", rec.Code, rec.Body.String())
	}
	if !strings.Contains(logs.String(), "secret-host") {
		t.Fatalf("cause not logged: %s", logs.String())
	}
}

const ecbXML = `<?xml version="1.0" encoding="UTF-8"?>
<gesmes:Envelope xmlns:gesmes="http://www.gesmes.org/xml/2002-08-01" xmlns="http://www.ecb.int/vocabulary/2002-08-01/eurofxref">
	<gesmes:subject>Reference rates</gesmes:subject>
	<Cube>
		<Cube time="2025-03-07">
			<Cube currency="USD" rate="1.0807"/>
			<Cube currency="JPY" rate="159.96"/>
			<Cube currency="RUB" rate="96.5"/>
		</Cube>
	</Cube>
</gesmes:Envelope>`

func TestRatesRefresh(t *testing.T) {
	feed := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/xml")
		io.WriteString(w, ecbXML)
	}))
	defer feed.Close()
	dsn := filepath.Join(t.TempDir(), "r.db")
	code, out, errOut := runCLI(t, []string{"BILLKIT_DSN=" + dsn}, "rates", "refresh", "--rates-url", feed.URL)
	if code != 0 || !strings.Contains(out, "stored 2 rates") {
		t.Fatalf("rates refresh: %d %q %s", code, out, errOut)
	}
	feed.Close()
	code, _, errOut = runCLI(t, []string{"BILLKIT_DSN=" + dsn}, "rates", "refresh", "--rates-url", feed.URL)
	if code != 1 || !strings.Contains(errOut, "refreshing rates") {
		t.Fatalf("refresh from a closed feed: %d %s", code, errOut)
	}
}
