package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/spf13/cobra"

	"github.com/notion-auth-proxy/notion-auth-proxy/internal/config"
	"github.com/notion-auth-proxy/notion-auth-proxy/internal/credset"
	"github.com/notion-auth-proxy/notion-auth-proxy/policy"
	"github.com/notion-auth-proxy/notion-auth-proxy/proxy"
	"github.com/notion-auth-proxy/notion-auth-proxy/ratelimit"
	"github.com/notion-auth-proxy/notion-auth-proxy/scope"
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
			return check(cmd.Context(), g, s, online)
		},
	}
	cmd.Flags().BoolVar(&online, "online", false, "also call the Notion API with each credential")
	return cmd
}

// check validates the configuration as serve would: the proxy compiles it,
// so check refuses what serve refuses. It changes nothing: the CA is
// checked, not created, and no lookup is made.
func check(ctx context.Context, g *globals, s streams, online bool) error {
	cfg, err := loadConfig(g, nil, "")
	if err != nil {
		return err
	}
	store, chosen, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer store.Close()
	set := credset.Build(ctx, cfg, store, credset.Hooks{}, nil)
	pc, err := mapConfig(cfg, set, scope.New(scope.Options{}))
	if err != nil {
		return err
	}
	guardSecrets(s, set, pc.ClientKeys, cfg)
	handler, err := proxy.New(pc, proxy.Options{
		Transport: proxy.NewTransport(proxy.TransportOptions{ResponseHeaderTimeout: cfg.UpstreamTimeout}),
		Pacer:     ratelimit.NewLocal(nil),
	})
	if err != nil {
		return usage(err)
	}
	forward := ""
	if cfg.ForwardProxy.Enabled {
		if forward, err = checkCA(cfg.ForwardProxy); err != nil {
			return err
		}
	}
	fmt.Fprintln(s.out, "configuration is valid")
	if chosen != "" {
		fmt.Fprintf(s.out, "credential store: %s (%s)\n", describeStore(store), chosen)
	}
	if forward != "" {
		fmt.Fprintln(s.out, forward)
	}
	for _, k := range cfg.ClientKeys {
		fmt.Fprintf(s.out, "client key %s: %s\n", k.Name, describeKey(k))
	}
	for _, e := range set.Entries() {
		if e.Problem != nil {
			fmt.Fprintf(s.out, "warning: credential %s: %v\n", e.Name, e.Problem)
		}
	}
	if !online {
		return nil
	}
	return checkOnline(ctx, cfg, handler, set, s.out)
}

// describeKey says what a client key may do: its credentials, its
// effective capabilities, and whether its limits are enforced.
func describeKey(k config.ClientKey) string {
	creds := "every credential"
	if len(k.Credentials) > 0 {
		creds = "credentials " + strings.Join(k.Credentials, ", ")
	}
	caps := "every capability"
	if k.Allow != nil {
		set, _ := policy.ParseSet(k.Allow) // validated at load
		caps = "capabilities " + set.String()
	}
	objects := ""
	if len(k.Objects) > 0 {
		objects = fmt.Sprintf("; objects under %s", strings.Join(k.Objects, ", "))
	}
	mode := ""
	if !k.Enforced() && (k.Allow != nil || len(k.Objects) > 0) {
		mode = " (shadow mode: violations are logged, not refused)"
	}
	return creds + "; " + caps + objects + mode
}

// botUser is the part of GET /v1/users/me that check prints.
type botUser struct {
	Name string `json:"name"`
	Bot  struct {
		WorkspaceName string `json:"workspace_name"`
		WorkspaceID   string `json:"workspace_id"`
	} `json:"bot"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

// checkOnline asks Notion who each credential is, through the proxy's own
// stages: the same injection, refresh on 401 and retries as serve. It
// fails if any credential does not work.
func checkOnline(ctx context.Context, cfg *config.Config, h *proxy.Handler, set *credset.Set, out io.Writer) error {
	failed := 0
	for _, e := range set.Entries() {
		if err := whoAmI(ctx, h, e.Name, expectedWorkspaces(cfg, e.Name), out); err != nil {
			failed++
			fmt.Fprintf(out, "%s: FAILED: %v\n", e.Name, err)
		}
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d credentials failed", failed, len(set.Entries()))
	}
	return nil
}

// expectedWorkspaces are the workspace ids the configuration (or
// NOTION_WORKSPACE_ID) says the credential's token belongs to.
func expectedWorkspaces(cfg *config.Config, credential string) []string {
	var ids []string
	for _, w := range cfg.Workspaces {
		if w.Credential == credential && w.ID != "" {
			ids = append(ids, w.ID)
		}
	}
	return ids
}

func whoAmI(ctx context.Context, h *proxy.Handler, credential string, expected []string, out io.Writer) error {
	resp, err := h.Probe(ctx, "", credential, http.MethodGet, "/v1/users/me")
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	var u botUser
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&u); err != nil {
		return fmt.Errorf("GET /v1/users/me: status %d, unreadable body", resp.StatusCode)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET /v1/users/me: status %d %s: %s", resp.StatusCode, u.Code, u.Message)
	}
	got := strings.ToLower(strings.ReplaceAll(u.Bot.WorkspaceID, "-", ""))
	for _, want := range expected {
		if got != "" && got != strings.ReplaceAll(want, "-", "") {
			return fmt.Errorf("the token belongs to workspace %q (%s), but the configuration says %s", u.Bot.WorkspaceName, u.Bot.WorkspaceID, want)
		}
	}
	fmt.Fprintf(out, "%s: ok: bot %q in workspace %q\n", credential, u.Name, u.Bot.WorkspaceName)
	return nil
}
