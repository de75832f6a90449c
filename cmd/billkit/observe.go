package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/cmd/billkit/internal/api"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metrics are the server's Prometheus metrics, on a registry of their own so
// that nothing registered elsewhere in the process leaks into /metrics.
type metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

func newMetrics() *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "billkit_http_requests_total",
			Help: "HTTP requests served, by route pattern, method and status.",
		}, []string{"route", "method", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "billkit_http_request_duration_seconds",
			Help:    "Time to serve HTTP requests, by route pattern, method and status.",
			Buckets: prometheus.DefBuckets,
		}, []string{"route", "method", "status"}),
	}
	m.reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		m.requests,
		m.duration,
	)
	return m
}

func (m *metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// unmatchedRoute labels requests no route matched, so that arbitrary paths
// cannot grow the number of time series.
const unmatchedRoute = "unmatched"

// observe logs every request and counts it in the metrics, labelled by the
// route pattern that served it (never the raw path).
func observe(next http.Handler, m *metrics, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		r, info := api.WithInfo(r)
		rw := &responseWriter{ResponseWriter: w, status: http.StatusOK}
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				info.Err = fmt.Errorf("panic: %v", v)
				if !rw.wrote {
					api.WriteError(rw, r, info.Err)
				}
			}
			route := info.Route
			if route == "" {
				route = r.Pattern // set by the mux on this same request
			}
			if route == "" || route == "/" {
				route = unmatchedRoute
			}
			status := strconv.Itoa(rw.status)
			elapsed := time.Since(start)
			m.requests.WithLabelValues(route, r.Method, status).Inc()
			m.duration.WithLabelValues(route, r.Method, status).Observe(elapsed.Seconds())
			level := slog.LevelInfo
			attrs := []slog.Attr{
				slog.String("method", r.Method),
				slog.String("path", r.URL.Path),
				slog.String("route", route),
				slog.Int("status", rw.status),
				slog.Int64("bytes", rw.bytes),
				slog.Duration("duration", elapsed),
				slog.String("remote", r.RemoteAddr),
			}
			if info.Err != nil {
				level = slog.LevelError
				attrs = append(attrs, slog.String("err", info.Err.Error()))
			}
			log.LogAttrs(r.Context(), level, "request", attrs...)
		}()
		next.ServeHTTP(rw, r)
	})
}

// responseWriter records the status and size of a response.
type responseWriter struct {
	http.ResponseWriter
	status int
	bytes  int64
	wrote  bool
}

func (w *responseWriter) WriteHeader(code int) {
	if !w.wrote {
		w.status = code
		w.wrote = true
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *responseWriter) Write(b []byte) (int, error) {
	w.wrote = true
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

func (w *responseWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// healthHandler answers 200 {"status":"ok"} when the database answers a
// ping, and 503 in the API's error shape when it does not.
func healthHandler(ping func(context.Context) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
		defer cancel()
		if err := ping(ctx); err != nil {
			api.WriteError(w, r, billkit.WrapError(err, billkit.CodeUnavailable, "health.database_unavailable", "the database does not answer"))
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		_ = json.NewEncoder(w).Encode(map[string]string{"status": "ok"})
	})
}

func notFound(r *http.Request) error {
	return billkit.Errorf(billkit.CodeNotFound, "api.route_not_found", "no route for %s %s", r.Method, r.URL.Path)
}
