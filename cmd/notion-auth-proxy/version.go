package main

import (
	"fmt"
	"runtime"

	"github.com/spf13/cobra"
)

// Set at link time: -ldflags "-X main.version=... -X main.commit=...".
var (
	version = "dev"
	commit  = "unknown"
)

func newVersionCommand(s streams) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print version, commit and Go version",
		Args:  exactArgs(0),
		RunE: func(*cobra.Command, []string) error {
			_, err := fmt.Fprintf(s.out, "notion-auth-proxy %s (commit %s, %s)\n", version, commit, runtime.Version())
			return err
		},
	}
}
