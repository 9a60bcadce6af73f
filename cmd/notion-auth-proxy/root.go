package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/notion-auth-proxy/notion-auth-proxy/credstore"
)

// Exit codes (SPEC §3).
const (
	exitOK      = 0
	exitFailure = 1
	exitUsage   = 2 // bad usage or invalid configuration
)

// usageError marks an error as bad usage or invalid configuration: exit 2.
type usageError struct{ err error }

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

func usage(err error) error { return &usageError{err: err} }

// streams are a command's standard input and outputs. Both outputs pass
// through redact, which a command gives the secrets it loads (see
// guardSecrets), so no error text an upstream sent back can print one.
type streams struct {
	in       io.Reader
	out, err io.Writer
	redact   *credstore.Redactor
}

// globals are the flags every command takes.
type globals struct {
	configPath string
	logLevel   string
	logFormat  string
}

// run executes the command line args and returns the exit code.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	redact := &credstore.Redactor{}
	stdout, stderr = redact.Writer(stdout), redact.Writer(stderr)
	root := newRootCommand(streams{in: stdin, out: stdout, err: stderr, redact: redact})
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return exitOK
	}
	fmt.Fprintln(stderr, "notion-auth-proxy:", err)
	var ue *usageError
	if errors.As(err, &ue) {
		return exitUsage
	}
	return exitFailure
}

func newRootCommand(s streams) *cobra.Command {
	g := &globals{}
	root := &cobra.Command{
		Use:   "notion-auth-proxy",
		Short: "A local credential sidecar for the Notion API",
		Long: `notion-auth-proxy forwards credential-less requests from local tools to the
Notion API, adding the right Authorization and Notion-Version headers.`,
		SilenceUsage:  true,
		SilenceErrors: true,
		Args:          cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usage(fmt.Errorf("unknown command %q; see notion-auth-proxy --help", args[0]))
			}
			return cmd.Help()
		},
	}
	root.SetIn(s.in)
	root.SetOut(s.out)
	root.SetErr(s.err)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usage(err) })
	f := root.PersistentFlags()
	f.StringVar(&g.configPath, "config", "", "configuration file (default: $NOTION_PROXY_CONFIG, ./notion-auth-proxy.yaml, $XDG_CONFIG_HOME/notion-auth-proxy/config.yaml)")
	f.StringVar(&g.logLevel, "log-level", "", "log level: debug, info, warn or error (default from config: info)")
	f.StringVar(&g.logFormat, "log-format", "", "log format: json or console (default from config: json)")
	root.AddCommand(
		newServeCommand(g, s),
		newCheckCommand(g, s),
		newLoginCommand(g, s),
		newCredentialsCommand(g, s),
		newRefreshCommand(g, s),
		newSetTokenCommand(g, s),
		newCACommand(g, s),
		newVersionCommand(s),
	)
	return root
}

// exactArgs is cobra.ExactArgs reporting bad usage.
func exactArgs(n int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if err := cobra.ExactArgs(n)(cmd, args); err != nil {
			return usage(err)
		}
		return nil
	}
}
