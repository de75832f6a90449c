package main

import (
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/caarlos0/env/v11"
	"github.com/spf13/pflag"
)

// config is the configuration of every command. Values come from the
// environment first; flags given on the command line override them.
type config struct {
	// DSN names the database. Default: the SQLite file billkit.db in the
	// working directory.
	DSN string `env:"BILLKIT_DSN" envDefault:"billkit.db"`
	// Addr is the address serve listens on.
	Addr string `env:"BILLKIT_ADDR" envDefault:"127.0.0.1:8080"`
	// LogLevel is debug, info, warn or error.
	LogLevel string `env:"BILLKIT_LOG_LEVEL" envDefault:"info"`
	// LogFormat is text or json.
	LogFormat string `env:"BILLKIT_LOG_FORMAT" envDefault:"text"`
	// RatesURL overrides the address of the exchange rate feed; "" uses the
	// source's own default.
	RatesURL string `env:"BILLKIT_RATES_URL"`
	// CookieSecure marks the session cookie Secure even on plain HTTP, for a
	// server behind a TLS-terminating proxy.
	CookieSecure bool `env:"BILLKIT_COOKIE_SECURE"`
	// SecretKey encrypts servers' credentials: 32 bytes, as 64 hex digits
	// or base64. It has no flag, since a command line shows in the process
	// list. Empty: servers cannot be given credentials.
	SecretKey string `env:"BILLKIT_SECRET_KEY"`
	// Modules is the path of the YAML file that lists the processing
	// modules (see modules.go); empty for the manual module alone.
	Modules string `env:"BILLKIT_MODULES"`
	// OrderTTL, NoticeDays, InvoiceDaysBefore and TaskAttempts are the
	// provisioning manager's settings (see provisioningSettings); empty
	// leaves provisioning's defaults.
	OrderTTL          string `env:"BILLKIT_ORDER_TTL"`
	NoticeDays        string `env:"BILLKIT_NOTICE_DAYS"`
	InvoiceDaysBefore string `env:"BILLKIT_INVOICE_DAYS_BEFORE"`
	TaskAttempts      string `env:"BILLKIT_TASK_ATTEMPTS"`
}

// loadConfig reads the configuration from environ, a list of "KEY=value"
// entries as os.Environ returns them.
func loadConfig(environ []string) (config, error) {
	m := make(map[string]string, len(environ))
	for _, kv := range environ {
		k, v, ok := strings.Cut(kv, "=")
		if ok {
			m[k] = v
		}
	}
	var c config
	if err := env.ParseWithOptions(&c, env.Options{Environment: m}); err != nil {
		return config{}, fmt.Errorf("reading the environment: %w", err)
	}
	return c, nil
}

// bindFlags defines the flags of every command on fs, with the values read
// from the environment as their defaults.
func (c *config) bindFlags(fs *pflag.FlagSet) {
	fs.StringVar(&c.DSN, "dsn", c.DSN, "database: a postgres:// URL, or a SQLite file path or file: URI (env BILLKIT_DSN)")
	fs.StringVar(&c.Addr, "addr", c.Addr, "address to listen on (env BILLKIT_ADDR)")
	fs.StringVar(&c.LogLevel, "log-level", c.LogLevel, "debug, info, warn or error (env BILLKIT_LOG_LEVEL)")
	fs.StringVar(&c.LogFormat, "log-format", c.LogFormat, "text or json (env BILLKIT_LOG_FORMAT)")
	fs.StringVar(&c.RatesURL, "rates-url", c.RatesURL, "address of the exchange rate feed (env BILLKIT_RATES_URL)")
	fs.StringVar(&c.Modules, "modules", c.Modules, "YAML file listing the processing modules (env BILLKIT_MODULES)")
	fs.BoolVar(&c.CookieSecure, "cookie-secure", c.CookieSecure, "mark the session cookie Secure on plain HTTP too, behind a TLS proxy (env BILLKIT_COOKIE_SECURE)")
	fs.StringVar(&c.OrderTTL, "order-ttl", c.OrderTTL, "how long an unpaid order waits before it is cancelled, a `duration` such as 48h (env BILLKIT_ORDER_TTL; default 72h)")
	fs.StringVar(&c.NoticeDays, "notice-days", c.NoticeDays, "the `days` before expiry clients are reminded, such as 7,1, or none (env BILLKIT_NOTICE_DAYS; default 10,5,3,1,0)")
	fs.StringVar(&c.InvoiceDaysBefore, "invoice-days-before", c.InvoiceDaysBefore, "how many `days` before expiry clients who pay by invoice get a renewal's invoice (env BILLKIT_INVOICE_DAYS_BEFORE; default 10)")
	fs.StringVar(&c.TaskAttempts, "task-attempts", c.TaskAttempts, "how many `times` a provisioning task runs before it fails for staff (env BILLKIT_TASK_ATTEMPTS; default 8)")
}

// validate checks the values that have a closed set.
func (c config) validate() error {
	if _, err := parseLevel(c.LogLevel); err != nil {
		return err
	}
	switch c.LogFormat {
	case "text", "json":
	default:
		return fmt.Errorf("--log-format: %q is not text or json", c.LogFormat)
	}
	if strings.TrimSpace(c.DSN) == "" {
		return fmt.Errorf("--dsn: must not be empty")
	}
	if _, err := parseSecretKey(c.SecretKey); err != nil {
		return err
	}
	if _, err := c.provisioningSettings(); err != nil {
		return err
	}
	return nil
}

func parseLevel(s string) (slog.Level, error) {
	switch strings.ToLower(s) {
	case "debug":
		return slog.LevelDebug, nil
	case "info", "":
		return slog.LevelInfo, nil
	case "warn", "warning":
		return slog.LevelWarn, nil
	case "error":
		return slog.LevelError, nil
	}
	return 0, fmt.Errorf("--log-level: %q is not debug, info, warn or error", s)
}

// logger returns the logger the configuration asks for, writing to w.
func (c config) logger(w io.Writer) *slog.Logger {
	level, _ := parseLevel(c.LogLevel) // validated before
	opts := &slog.HandlerOptions{Level: level}
	if c.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}
