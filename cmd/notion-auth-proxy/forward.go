package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/notion-auth-proxy/notion-auth-proxy/credstore"
	"github.com/notion-auth-proxy/notion-auth-proxy/internal/ca"
	"github.com/notion-auth-proxy/notion-auth-proxy/internal/config"
)

// caFiles returns where the forward-proxy CA is kept: the configured files,
// or the generated CA's files in the state directory. given reports the
// former.
func caFiles(fp config.ForwardProxy) (files ca.Files, given bool, err error) {
	if fp.CACertFile != "" {
		return ca.Files{Cert: fp.CACertFile, Key: fp.CAKeyFile}, true, nil
	}
	dir, err := credstore.StateDir()
	if err != nil {
		return ca.Files{}, false, err
	}
	return ca.DefaultFiles(dir), false, nil
}

// loadCA returns the forward-proxy CA. Configured files must hold a valid
// pair (a usage error otherwise); the state directory's CA is generated
// when missing.
func loadCA(fp config.ForwardProxy) (*ca.Authority, ca.Files, error) {
	files, given, err := caFiles(fp)
	if err != nil {
		return nil, files, err
	}
	if given {
		a, err := ca.Load(files, time.Now())
		if err != nil {
			return nil, files, usage(fmt.Errorf("forward_proxy: %w", err))
		}
		return a, files, nil
	}
	a, _, err := ca.LoadOrCreate(files, time.Now())
	if err != nil {
		return nil, files, fmt.Errorf("forward_proxy: %w", err)
	}
	return a, files, nil
}

// checkCA reports what serve would do with the forward-proxy CA, without
// creating it: the certificate it would use, or the problem with the files.
func checkCA(fp config.ForwardProxy) (string, error) {
	files, given, err := caFiles(fp)
	if err != nil {
		return "", err
	}
	if !given && !exists(files.Cert) && !exists(files.Key) {
		return fmt.Sprintf("forward proxy: a CA will be generated in %s on first use; `notion-auth-proxy ca` prints it",
			filepath.Dir(files.Cert)), nil
	}
	if _, err := ca.Load(files, time.Now()); err != nil {
		return "", usage(fmt.Errorf("forward_proxy: %w", err))
	}
	return "forward proxy: CA certificate " + files.Cert, nil
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return !errors.Is(err, fs.ErrNotExist)
}

func newCACommand(g *globals, s streams) *cobra.Command {
	return &cobra.Command{
		Use:   "ca",
		Short: "Print the forward-proxy CA certificate, creating it if missing",
		Long: `Print, as PEM, the certificate of the CA that forward-proxy mode signs
api.notion.com's certificate with, for clients to trust:

  notion-auth-proxy ca > notion-proxy-ca.pem

The CA is forward_proxy.ca_cert_file when that is set; otherwise the one kept
in the state directory, generated now if missing. The key is never printed.`,
		Args: exactArgs(0),
		RunE: func(*cobra.Command, []string) error {
			fp, err := forwardSettings(g)
			if err != nil {
				return err
			}
			a, files, err := loadCA(fp)
			if err != nil {
				return err
			}
			if _, err := s.out.Write(a.CertPEM()); err != nil {
				return err
			}
			fmt.Fprintf(s.err, "CA certificate %s\n", files.Cert)
			if !fp.Enabled {
				fmt.Fprintln(s.err, "note: forward_proxy.enabled is false: serve refuses CONNECT until it is set")
			}
			return nil
		},
	}
}

// forwardSettings returns the forward_proxy configuration. Without any
// configuration (no file, no NOTION_API_TOKEN) the defaults apply: ca works
// before anything else is set up.
func forwardSettings(g *globals) (config.ForwardProxy, error) {
	cfg, err := loadConfig(g, nil, "")
	if errors.Is(err, config.ErrNoConfig) {
		return config.Defaults().ForwardProxy, nil
	}
	if err != nil {
		return config.ForwardProxy{}, err
	}
	return cfg.ForwardProxy, nil
}
