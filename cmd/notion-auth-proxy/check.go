package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/spf13/cobra"

	"github.com/notion-auth-proxy/notion-auth-proxy/internal/config"
	"github.com/notion-auth-proxy/notion-auth-proxy/proxy"
)

func newCheckCommand(g *globals, s streams) *cobra.Command {
	var online bool
	cmd := &cobra.Command{
		Use:   "check",
		Short: "Validate the configuration",
		Long: `Load and validate the configuration and print every problem. With --online,
also call GET /v1/users/me with each credential and print its bot and workspace.`,
		Args: exactArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := loadConfig(g, nil)
			if err != nil {
				return err
			}
			store, err := openStore(cfg)
			if err != nil {
				return err
			}
			defer store.Close()
			creds := buildCredentials(cmd.Context(), cfg, store, hooks{}, nil)
			if _, err := mapConfig(cfg, creds); err != nil {
				return err
			}
			forward := ""
			if cfg.ForwardProxy.Enabled {
				// Checked, not created: check changes nothing.
				if forward, err = checkCA(cfg.ForwardProxy); err != nil {
					return err
				}
			}
			fmt.Fprintln(s.out, "configuration is valid")
			if forward != "" {
				fmt.Fprintln(s.out, forward)
			}
			for _, c := range cfg.Credentials {
				if err := creds.problems[c.Name]; err != nil {
					fmt.Fprintf(s.out, "warning: credential %s: %v\n", c.Name, err)
				}
			}
			if !online {
				return nil
			}
			return checkOnline(cmd.Context(), cfg, creds, s.out)
		},
	}
	cmd.Flags().BoolVar(&online, "online", false, "also call the Notion API with each credential")
	return cmd
}

// botUser is the part of GET /v1/users/me that check prints.
type botUser struct {
	Name string `json:"name"`
	Bot  struct {
		WorkspaceName string `json:"workspace_name"`
	} `json:"bot"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

// checkOnline asks Notion who each credential is. It fails if any credential
// does not work.
func checkOnline(ctx context.Context, cfg *config.Config, creds *credentialSet, out io.Writer) error {
	client := &http.Client{
		Transport: proxy.NewTransport(proxy.TransportOptions{ResponseHeaderTimeout: cfg.UpstreamTimeout}),
		Timeout:   cfg.UpstreamTimeout + 10*time.Second,
		// Never follow a redirect with a token attached.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	endpoint, err := url.JoinPath(cfg.Upstream, "/v1/users/me")
	if err != nil {
		return usage(fmt.Errorf("upstream: %w", err))
	}
	failed := 0
	for _, c := range creds.list {
		if err := whoAmI(ctx, client, endpoint, cfg.NotionVersion, c, out); err != nil {
			failed++
			fmt.Fprintf(out, "%s: FAILED: %v\n", c.Name, err)
		}
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d credentials failed", failed, len(creds.list))
	}
	return nil
}

func whoAmI(ctx context.Context, client *http.Client, endpoint, version string, c proxy.Credential, out io.Writer) error {
	token, err := c.Source.Token(ctx)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, endpoint, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Notion-Version", version)
	resp, err := client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // the URL is known; keep the cause
		}
		return fmt.Errorf("GET /v1/users/me: %w", err)
	}
	defer resp.Body.Close()
	var u botUser
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&u); err != nil {
		return fmt.Errorf("GET /v1/users/me: status %d, unreadable body", resp.StatusCode)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET /v1/users/me: status %d %s: %s", resp.StatusCode, u.Code, u.Message)
	}
	fmt.Fprintf(out, "%s: ok: bot %q in workspace %q\n", c.Name, u.Name, u.Bot.WorkspaceName)
	return nil
}
