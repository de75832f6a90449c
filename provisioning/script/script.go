package script

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/provisioning"
)

// Defaults of Config.
const (
	// DefaultName is the module's name when Config.Name is empty.
	DefaultName = "script"
	// DefaultTimeout bounds one run when Config.Timeout is zero.
	DefaultTimeout = 60 * time.Second
	// DefaultMaxOutput bounds stdout when Config.MaxOutput is zero.
	DefaultMaxOutput = 1 << 20
)

// stderrKept is how much of stderr is kept; stderrShown how much of it an
// error quotes. The rest is read and dropped so the program never blocks on
// a full pipe.
const (
	stderrKept  = 4 << 10
	stderrShown = 512
	stdoutShown = 200
)

// waitDelay is how long Run waits for the program's pipes to close after it
// exited or was killed: a child that left the process group and holds
// stdout open must not hold the task.
const waitDelay = 2 * time.Second

// Config configures a Module. Only Command is required.
type Config struct {
	// Name is the module's name, which product types and servers refer to.
	// Default: "script".
	Name string
	// Command is the program to run: a path, or a name looked up in PATH.
	// It is run directly, never through a shell.
	Command string
	// Args are the program's arguments, passed as they are.
	Args []string
	// Env is the program's environment, "KEY=value" entries. billkit's
	// own environment is not passed on, except PATH when Env has none.
	Env []string
	// Dir is the program's working directory. Default: billkit's own.
	Dir string
	// Timeout bounds one run; the context's deadline, when sooner, wins.
	// Default: 60 seconds.
	Timeout time.Duration
	// MaxOutput is the most bytes of stdout read; more is a fault.
	// Default: 1 MiB.
	MaxOutput int64
}

// Module runs a program for each operation; see the package documentation
// for the protocol. It is safe for concurrent use: each Run starts its own
// process.
type Module struct {
	cfg Config
}

// New returns a Module. A Config without a Command, with an Env entry that
// is not "KEY=value", or with a negative Timeout or MaxOutput is an invalid
// error naming the field.
func New(cfg Config) (*Module, error) {
	var v billkit.FieldErrors
	v.Require("command", cfg.Command)
	for i, e := range cfg.Env {
		k, _, ok := strings.Cut(e, "=")
		v.Check(ok && k != "", fmt.Sprintf("env[%d]", i), "script.env_malformed", `must be "KEY=value"`)
	}
	v.Check(cfg.Timeout >= 0, "timeout", "negative", "must not be negative")
	v.Check(cfg.MaxOutput >= 0, "max_output", "negative", "must not be negative")
	if err := v.Err(); err != nil {
		return nil, err
	}
	if cfg.Name == "" {
		cfg.Name = DefaultName
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.MaxOutput == 0 {
		cfg.MaxOutput = DefaultMaxOutput
	}
	cfg.Args = append([]string(nil), cfg.Args...)
	cfg.Env = append([]string(nil), cfg.Env...)
	return &Module{cfg: cfg}, nil
}

// Name is Config.Name.
func (m *Module) Name() string { return m.cfg.Name }

// Run starts the program with req on stdin and reads its answer.
func (m *Module) Run(ctx context.Context, req provisioning.Request) (provisioning.Result, error) {
	out, errOut, err := m.exec(ctx, req, req.Operation,
		"BILLKIT_TASK_ID="+req.TaskID.String(), "BILLKIT_ATTEMPT="+strconv.Itoa(req.Attempt))
	if err != nil {
		return provisioning.Result{}, err
	}
	a, err := provisioning.ParseAnswer(out)
	if err != nil {
		return provisioning.Result{}, m.badAnswer(err, out, errOut)
	}
	if a.Status == provisioning.AnswerError {
		return provisioning.Result{}, m.answeredError(a.Message, a.Retry, errOut)
	}
	return a.Result(), nil
}

// List runs the program for operation "list" with req on stdin and reads
// the services it answers, a provisioning.ListAnswer; see the package
// documentation.
func (m *Module) List(ctx context.Context, req provisioning.ListRequest) ([]provisioning.ListedService, error) {
	req.Operation = provisioning.OpList
	out, errOut, err := m.exec(ctx, req, req.Operation)
	if err != nil {
		return nil, err
	}
	a, err := provisioning.ParseListAnswer(out)
	if err != nil {
		return nil, m.badAnswer(err, out, errOut)
	}
	if a.Status == provisioning.AnswerError {
		return nil, m.answeredError(a.Message, a.Retry, errOut)
	}
	return a.Services, nil
}

// exec runs the program once with req as JSON on stdin and the
// environment of operation op (plus env), and returns its stdout and
// stderr when it exited with code 0; any other end is the error, a
// refusal for exit code 2.
func (m *Module) exec(ctx context.Context, req any, op provisioning.Operation, env ...string) (out, errOut []byte, err error) {
	if m == nil || m.cfg.Command == "" {
		return nil, nil, billkit.Errorf(billkit.CodeInternal, "script.unconfigured", "a script module must be made with script.New")
	}
	input, err := json.Marshal(req)
	if err != nil {
		return nil, nil, billkit.WrapError(err, billkit.CodeInternal, "script.request", "the request cannot be encoded")
	}

	runCtx, cancel := context.WithTimeout(ctx, m.cfg.Timeout)
	defer cancel()
	cmd := exec.CommandContext(runCtx, m.cfg.Command, m.cfg.Args...)
	cmd.Dir = m.cfg.Dir
	cmd.Env = m.env(append([]string{"BILLKIT_OPERATION=" + string(op)}, env...))
	cmd.Stdin = bytes.NewReader(input)
	stdout := &limitedBuffer{limit: m.cfg.MaxOutput, overflow: cancel}
	stderr := &limitedBuffer{limit: stderrKept}
	cmd.Stdout, cmd.Stderr = stdout, stderr
	cmd.WaitDelay = waitDelay
	killGroupOnCancel(cmd)

	runErr := cmd.Run()
	out, errOut = stdout.bytes(), stderr.bytes()

	switch {
	case stdout.overflowed():
		return nil, nil, m.fault("script.output_too_large",
			fmt.Sprintf("wrote more than %d bytes on stdout and was killed", m.cfg.MaxOutput), errOut, nil)
	case runErr != nil && !errors.Is(runErr, exec.ErrWaitDelay):
		if ctxErr := runCtx.Err(); ctxErr != nil {
			return nil, nil, m.stopped(ctx, ctxErr, errOut)
		}
		var exit *exec.ExitError
		if !errors.As(runErr, &exit) {
			return nil, nil, m.fault("script.start", "could not be run", errOut, runErr)
		}
		if exit.ExitCode() == 2 {
			return nil, nil, m.refusal(out, errOut)
		}
		return nil, nil, m.fault("script.exit", exitText(exit), errOut, nil)
	}
	return out, errOut, nil
}

// badAnswer is the error of stdout that is not the protocol's answer.
func (m *Module) badAnswer(err error, out, errOut []byte) error {
	what := "stdout: " + err.Error()
	if len(bytes.TrimSpace(out)) > 0 {
		what += fmt.Sprintf("; stdout begins %q", provisioning.Clip(out, stdoutShown))
	}
	return m.fault("script.bad_answer", what, errOut, nil)
}

// answeredError is the error of an "error" answer: a refusal with "retry":
// false, else retryable.
func (m *Module) answeredError(msg string, retry *bool, errOut []byte) error {
	if retry != nil && !*retry {
		return m.refuse(msg, errOut)
	}
	if msg == "" {
		msg = "answered an error without a message"
	} else {
		msg = "answered an error: " + msg
	}
	return m.fault("script.error", msg, errOut, nil)
}

// env is the program's environment: Config.Env, PATH if Env lacks it, and
// the request's identity (ids). Setting it always (never nil) keeps
// billkit's own environment out.
func (m *Module) env(ids []string) []string {
	env := make([]string, 0, len(m.cfg.Env)+1+len(ids))
	env = append(env, m.cfg.Env...)
	hasPath := false
	for _, e := range m.cfg.Env {
		if strings.HasPrefix(e, "PATH=") {
			hasPath = true
		}
	}
	if p, ok := os.LookupEnv("PATH"); ok && !hasPath {
		env = append(env, "PATH="+p)
	}
	return append(env, ids...)
}

// stopped is the error of a run its context ended: our timeout or the
// caller's deadline (timed out), or the caller's cancellation.
func (m *Module) stopped(parent context.Context, ctxErr error, errOut []byte) error {
	if errors.Is(ctxErr, context.DeadlineExceeded) {
		what := fmt.Sprintf("timed out after %s and was killed", m.cfg.Timeout)
		if parent.Err() != nil {
			what = "timed out (the caller's deadline passed) and was killed"
		}
		return m.fault("script.timeout", what, errOut, ctxErr)
	}
	return m.fault("script.cancelled", "was cancelled", errOut, ctxErr)
}

// fault returns a retryable error naming the module, what went wrong and
// the first bytes of stderr.
func (m *Module) fault(reason, what string, errOut []byte, cause error) error {
	msg := fmt.Sprintf("%s module (%s): %s", m.cfg.Name, m.cfg.Command, what)
	if len(bytes.TrimSpace(errOut)) > 0 {
		msg += fmt.Sprintf("; stderr: %q", provisioning.Clip(errOut, stderrShown))
	}
	return &billkit.Error{Code: billkit.CodeUnavailable, Reason: reason, Message: msg, Err: cause}
}

// refusal is the error of exit code 2: the answer's message if stdout holds
// one, else stderr.
func (m *Module) refusal(out, errOut []byte) error {
	msg := ""
	if a, err := provisioning.ParseAnswer(out); err == nil {
		msg = a.Message
	}
	return m.refuse(msg, errOut)
}

// refuse returns the permanent error of a refusal with msg, falling back on
// stderr when the program gave no message.
func (m *Module) refuse(msg string, errOut []byte) error {
	if msg == "" {
		msg = provisioning.Clip(errOut, stderrShown)
	}
	if msg == "" {
		msg = "no reason given"
	}
	return &provisioning.PermanentError{Message: m.cfg.Name + " module refused: " + msg}
}

// exitText says how the program ended.
func exitText(exit *exec.ExitError) string {
	if code := exit.ExitCode(); code >= 0 {
		return fmt.Sprintf("exited with code %d", code)
	}
	return "ended: " + exit.String()
}

// limitedBuffer keeps the first limit bytes written to it. Past the limit
// it either drops the rest silently (stderr) or, when overflow is set,
// calls it and fails the write (stdout), which closes the pipe and stops
// the program.
type limitedBuffer struct {
	mu       sync.Mutex
	buf      bytes.Buffer
	limit    int64
	over     bool
	overflow func()
}

var errTooLarge = errors.New("output too large")

func (b *limitedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	room := b.limit - int64(b.buf.Len())
	if int64(len(p)) <= room {
		return b.buf.Write(p)
	}
	if room > 0 {
		b.buf.Write(p[:room])
	}
	if b.overflow == nil {
		return len(p), nil
	}
	if !b.over {
		b.over = true
		b.overflow()
	}
	return 0, errTooLarge
}

func (b *limitedBuffer) bytes() []byte {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Bytes()
}

func (b *limitedBuffer) overflowed() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.over
}
