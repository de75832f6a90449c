package main

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"log/slog"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/access"
	"github.com/spf13/cobra"
)

func (m *Main) adminCommand(cfg *config) *cobra.Command {
	admin := &cobra.Command{
		Use:   "admin",
		Short: "Manage staff users from the command line",
		Args:  cobra.NoArgs,
	}
	var email, name, password string
	create := &cobra.Command{
		Use:   "create",
		Short: "Create a staff user with full rights (prints a generated password when none is given)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) (err error) {
			if email == "" {
				return usageError(fmt.Errorf("--email is required"))
			}
			log := cfg.logger(m.Stderr)
			st, err := openStore(cmd.Context(), cfg, log)
			if err != nil {
				return err
			}
			defer func() {
				if cerr := st.Close(); cerr != nil && err == nil {
					err = fmt.Errorf("closing the database: %w", cerr)
				}
			}()
			acc := access.NewService(st.Access(), access.Config{})
			generated := password == ""
			if generated {
				password = newPassword()
			}
			u, err := createAdmin(cmd.Context(), acc, systemCLI(), email, name, password)
			if err != nil {
				return err
			}
			fmt.Fprintf(m.Stdout, "created staff user %s (%s) with full rights\n", u.Email, u.ID)
			if generated {
				fmt.Fprintf(m.Stdout, "password: %s\n", password)
			}
			return nil
		},
	}
	create.Flags().StringVar(&email, "email", "", "the user's email, its login (required)")
	create.Flags().StringVar(&name, "name", "", "the user's name")
	create.Flags().StringVar(&password, "password", "", "the password; generated and printed when not given")
	admin.AddCommand(create)
	return admin
}

// createAdmin creates a staff user with full rights, acting as actor.
func createAdmin(ctx context.Context, acc *access.Service, actor billkit.Actor, email, name, password string) (*access.User, error) {
	u, err := acc.CreateUser(ctx, actor, access.CreateUserParams{Kind: access.UserKindStaff, Email: email, Name: name, Password: password})
	if err != nil {
		return nil, fmt.Errorf("creating the staff user: %w", err)
	}
	if err := acc.SetFullRights(ctx, actor, u.ID, true); err != nil {
		return nil, fmt.Errorf("giving %s full rights: %w", u.Email, err)
	}
	return u, nil
}

// newPassword returns a random password of 26 letters and digits (130
// bits), well past any password policy.
func newPassword() string { return rand.Text() }

// firstAdminEmail is the login of the staff user serve creates on a
// database without any.
const firstAdminEmail = "admin@localhost"

// ensureFirstAdmin creates admin@localhost with full rights and a random
// password when there is no staff user at all, and prints the password once,
// in a notice on w (the log's stream). On later starts there is a staff
// user and nothing is printed.
func ensureFirstAdmin(ctx context.Context, acc *access.Service, log *slog.Logger, w io.Writer) error {
	system := billkit.SystemActor("serve")
	staff, err := acc.ListUsers(ctx, system, access.UserFilter{Kind: access.UserKindStaff, PageParams: billkit.PageParams{Limit: 1}})
	if err != nil {
		return fmt.Errorf("looking for staff users: %w", err)
	}
	if len(staff.Items) > 0 {
		return nil
	}
	password := newPassword()
	u, err := createAdmin(ctx, acc, system, firstAdminEmail, "Administrator", password)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, `
=====================================================================
  billkit: first start, created the staff user %s
  with full rights and the one-time password:

      %s

  Sign in and change it now (POST /api/v1/me/password).
  It is not shown again.
=====================================================================

`, u.Email, password)
	log.Warn("created the first staff user; its one-time password is in the notice above", "email", u.Email, "user_id", u.ID.String())
	return err
}
