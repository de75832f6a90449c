package script_test

import (
	"context"
	"fmt"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/provisioning"
	"github.com/billkit/billkit/provisioning/script"
)

// A module written as a shell script: it reads the request on stdin and
// answers with JSON on stdout. The interpreter is the Command and the
// script its argument, so no shell parses the configuration.
func ExampleModule_Run() {
	m, err := script.New(script.Config{
		Name:    "panel",
		Command: "/bin/sh",
		Args:    []string{"testdata/module.sh", "pending"},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	res, err := m.Run(context.Background(), provisioning.Request{
		TaskID:    billkit.NewID[provisioning.Task](),
		Operation: provisioning.OpOpen,
		Attempt:   1,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(m.Name(), res.Pending, res.Message)
	// Output: panel true queued at the panel
}

// A script lists the accounts on its panel, for staff to bring under
// billing.
func ExampleModule_List() {
	m, err := script.New(script.Config{
		Name:    "panel",
		Command: "/bin/sh",
		Args:    []string{"testdata/module.sh", "list"},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	listed, err := m.List(context.Background(), provisioning.ListRequest{
		Server: &provisioning.ServerInfo{Name: "node-1", Credentials: map[string]string{"token": "s3cr3t"}},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, s := range listed {
		fmt.Println(s.RemoteID, s.Plan, s.Status)
	}
	// Output:
	// u1042 vps-s active
	// u1043  suspended
}
