package main

import (
	"context"
	"os"
	"path/filepath"
)

// Example runs the command line in-process, as tests and embedders can: here
// it migrates a new SQLite file and lists the migrations applied.
func Example() {
	dir, err := os.MkdirTemp("", "billkit-example")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	m := &Main{Stdout: os.Stdout, Environ: []string{"BILLKIT_DSN=file:" + filepath.Join(dir, "billing.db")}}
	m.Run(context.Background(), []string{"migrate", "up"})
	m.Run(context.Background(), []string{"migrate", "status"})
	// Output:
	// applied 20261124000001_directory
	// 20261124000001_directory	applied
}
