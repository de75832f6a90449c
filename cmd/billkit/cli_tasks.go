package main

import (
	"context"
	"fmt"
	"io"
	"strconv"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/provisioning"
	"github.com/spf13/cobra"
)

// taskStatuses are the statuses --status takes.
var taskStatuses = provisioning.TaskStatuses()

// taskRun is what `billkit tasks run-due` did.
type taskRun struct {
	Ran int `json:"ran"`
}

func (m *Main) tasksCommand(cfg *config) *cobra.Command {
	edit := editor[provisioning.Task](m, cfg, "task", printTask)
	var (
		failMessage string
		rawParams   []string
		done        provisioning.CompleteTaskParams
	)
	fail := edit(lifeSpec{use: "fail ID", short: "Answer a waiting task with an error: it fails, for staff to retry, skip or cancel",
		parse: func([]string) error {
			if failMessage == "" {
				return fmt.Errorf("--message: the error is required")
			}
			return nil
		}},
		callWith((*provisioning.Manager).FailTask, &failMessage))
	fail.Flags().StringVar(&failMessage, "message", "", "what went wrong (required)")
	complete := edit(lifeSpec{use: "complete ID", short: "Mark a waiting or failed task done, as if its module had answered: the service takes its new status",
		parse: func([]string) (err error) {
			done.Params, err = parsePairs("param", rawParams)
			return err
		}},
		callWith((*provisioning.Manager).CompleteTask, &done))
	complete.Flags().StringArrayVar(&rawParams, "param", nil, "a value to keep on the service, key=value (repeat for each)")
	complete.Flags().StringVar(&done.Message, "message", "", "a note for the service's history")

	return group("tasks", "Provisioning tasks: the operations modules do on real systems",
		m.tasksList(cfg),
		idCommand(m, cfg, "task", lifeSpec{use: "show ID", short: "Show a task"}, call((*provisioning.Manager).GetTask), printTask),
		m.tasksAttempts(cfg),
		edit(lifeSpec{use: "retry ID", short: "Queue a failed or waiting task to run now, with a fresh budget of attempts"},
			call((*provisioning.Manager).RetryTask)),
		withMemo(edit, lifeSpec{use: "skip ID", short: "Apply a task's success without its module (staff did the work): the service takes its new status"},
			(*provisioning.Manager).SkipTask),
		withMemo(edit, lifeSpec{use: "cancel ID", short: "Give a task up: the service returns to the status it had before the operation"},
			(*provisioning.Manager).CancelTask),
		complete, fail,
		m.tasksRunDue(cfg),
	)
}

func (m *Main) tasksList(cfg *config) *cobra.Command {
	var (
		service, client string
		f               provisioning.TaskFilter
		status          func() error
	)
	cmd := listCommand(m, cfg, lifeSpec{use: "list", short: "List tasks, oldest first",
		parse: func([]string) error {
			if err := flagID(&f.ServiceID, "service", service, "service", false); err != nil {
				return err
			}
			var c billkit.ClientID
			if err := flagID(&c, "client", client, "client", false); err != nil {
				return err
			}
			if !c.IsZero() {
				f.ClientIDs = []billkit.ClientID{c}
			}
			return status()
		}},
		func(ctx context.Context, p provisioningStack, pp billkit.PageParams) (billkit.Page[provisioning.Task], error) {
			f.PageParams = pp
			return p.mgr.ListTasks(ctx, systemCLI(), f)
		},
		[]string{"ID", "SERVICE", "OPERATION", "MODULE", "STATUS", "ATTEMPTS", "NEXT RUN", "LAST ERROR"}, func(t provisioning.Task) []string {
			return []string{t.ID.String(), t.ServiceID.String(), string(t.Operation), t.Module, string(t.Status),
				fmt.Sprintf("%d/%d", t.Attempts, t.MaxAttempts), nextRun(&t), t.LastError}
		})
	cmd.Flags().StringVar(&service, "service", "", "only the tasks of this service (ID)")
	cmd.Flags().StringVar(&client, "client", "", "only the tasks of this client's services (ID)")
	status = statusFlag(cmd, "tasks", taskStatuses, &f.Statuses)
	return cmd
}

func (m *Main) tasksAttempts(cfg *config) *cobra.Command {
	return idListCommand(m, cfg, "task", lifeSpec{use: "attempts ID", short: "A task's attempts, in order: when each ran and how it ended"},
		func(ctx context.Context, p provisioningStack, id provisioning.TaskID, pp billkit.PageParams) (billkit.Page[provisioning.TaskAttempt], error) {
			return p.mgr.ListTaskAttempts(ctx, systemCLI(), provisioning.TaskAttemptFilter{TaskID: id, PageParams: pp})
		},
		[]string{"ATTEMPT", "STARTED", "FINISHED", "OUTCOME", "ERROR"}, func(a provisioning.TaskAttempt) []string {
			return []string{strconv.Itoa(a.Attempt), showTime(a.StartedAt), showTime(a.FinishedAt), a.Outcome, a.Error}
		})
}

func (m *Main) tasksRunDue(cfg *config) *cobra.Command {
	var limit int
	cmd := lifeCommand(m, cfg, lifeSpec{use: "run-due", writes: true,
		short: "Run the tasks that are due now, once, as serve does every minute",
		long: "Run the tasks that are due now (queued ones whose time has come, running ones whose worker\n" +
			"is presumed gone), at most --limit of them, one after the other, and print how many ran.\n" +
			"A task whose module fails is retried later or fails for staff, as under serve; the exit\n" +
			"status is 1 only when the database fails. Running it beside serve runs no task twice.",
		parse: func([]string) error { return inRange("limit", limit, 1, billkit.MaxPageLimit) }},
		func(ctx context.Context, p provisioningStack) (taskRun, error) {
			n, err := p.mgr.RunDueTasks(ctx, limit)
			return taskRun{Ran: n}, err
		},
		func(w io.Writer, r taskRun) error {
			_, err := fmt.Fprintf(w, "ran %s\n", count(r.Ran, "task"))
			return err
		})
	cmd.Flags().IntVar(&limit, "limit", 100, fmt.Sprintf("the most tasks to run (1 to %d)", billkit.MaxPageLimit))
	return cmd
}

// nextRun is when a queued task runs next; "" otherwise.
func nextRun(t *provisioning.Task) string {
	if t.Status != provisioning.TaskQueued {
		return ""
	}
	return showTime(t.NextRunAt)
}

// printTask writes a task for people.
func printTask(w io.Writer, t *provisioning.Task) error {
	return printFields(w, fmt.Sprintf("task %s  %s %s", t.ID, t.Operation, t.Status), []field{
		{"service", t.ServiceID.String()},
		{"client", t.ClientID.String()},
		{"module", t.Module},
		{"department", t.Department},
		{"attempts", fmt.Sprintf("%d of %d", t.Attempts, t.MaxAttempts)},
		{"next run", nextRun(t)},
		{"lease until", showTime(t.LeaseUntil)},
		{"last error", t.LastError},
		{"input", string(t.Input)},
		{"created", showTime(t.CreatedAt)},
		{"finished", showTime(t.FinishedAt)},
	})
}
