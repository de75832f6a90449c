package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Example runs the command line in-process, as tests and embedders can: here
// it migrates a new SQLite file, then checks that nothing is pending.
func Example() {
	dir, err := os.MkdirTemp("", "billkit-example")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	var out bytes.Buffer
	m := &Main{Stdout: &out, Environ: []string{"BILLKIT_DSN=file:" + filepath.Join(dir, "billing.db")}}
	m.Run(context.Background(), []string{"migrate", "up"})
	first, _, _ := strings.Cut(out.String(), "\n")
	fmt.Println(first)

	out.Reset()
	m.Run(context.Background(), []string{"migrate", "status"})
	fmt.Println("pending:", strings.Count(out.String(), "\tpending"))
	// Output:
	// applied 20261124000001_directory
	// pending: 0
}
