package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os/exec"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/notion-auth-proxy/notion-auth-proxy/credstore"
	"github.com/notion-auth-proxy/notion-auth-proxy/internal/config"
	"github.com/notion-auth-proxy/notion-auth-proxy/internal/credset"
	"github.com/notion-auth-proxy/notion-auth-proxy/proxy"
)

// loginWait bounds how long login waits for the browser: a state expires
// after 10 minutes anyway.
const loginWait = 10 * time.Minute

// withStore loads the configuration, opens the store and builds the
// credentials, for commands that work on one credential. From then on the
// command's output redacts every secret the configuration holds.
func withStore(cmd *cobra.Command, g *globals, s streams, name string, fn func(*config.Config, credstore.Store, *credset.Set, config.Credential) error) error {
	cfg, err := loadConfig(g, nil, "")
	if err != nil {
		return err
	}
	var cred *config.Credential
	for i := range cfg.Credentials {
		if cfg.Credentials[i].Name == name {
			cred = &cfg.Credentials[i]
		}
	}
	if name != "" && cred == nil {
		return usage(fmt.Errorf("no credential named %q in the configuration", name))
	}
	store, _, err := openStore(cmd.Context(), cfg)
	if err != nil {
		return err
	}
	defer store.Close()
	set := credset.Build(cmd.Context(), cfg, store, credset.Hooks{}, nil)
	guardSecrets(s, set, nil, cfg) // these commands read no client key
	if cred == nil {
		return fn(cfg, store, set, config.Credential{})
	}
	return fn(cfg, store, set, *cred)
}

func newLoginCommand(g *globals, s streams) *cobra.Command {
	var open bool
	cmd := &cobra.Command{
		Use:   "login NAME",
		Short: "Authorize an OAuth credential in the browser and store its tokens",
		Long: `Run the OAuth authorization-code flow for credential NAME: print (with --open,
also open) Notion's authorize URL, wait for the callback on the credential's
redirect_url, exchange the code and store the token pair. When a proxy is
already serving redirect_url, the login goes through it.`,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return withStore(cmd, g, s, args[0], func(cfg *config.Config, store credstore.Store, set *credset.Set, c config.Credential) error {
				if c.Type != config.TypeOAuth {
					return usage(fmt.Errorf("credential %s is a %s credential; login is for oauth credentials", c.Name, c.Type))
				}
				if err := set.Get(c.Name).Problem; err != nil {
					return usage(fmt.Errorf("credential %s: %w", c.Name, err))
				}
				return login(cmd.Context(), cfg, store, set, c, open, s)
			})
		},
	}
	cmd.Flags().BoolVar(&open, "open", false, "open the authorize URL in a browser")
	return cmd
}

// login serves the callback on redirect_url itself, or, when a proxy already
// listens there, sends the person through that proxy and waits for the
// store to change.
func login(ctx context.Context, cfg *config.Config, store credstore.Store, set *credset.Set, c config.Credential, open bool, s streams) error {
	redirect, err := url.Parse(c.RedirectURL)
	if err != nil {
		return usage(fmt.Errorf("redirect_url: %w", err))
	}
	ctx, cancel := context.WithTimeout(ctx, loginWait)
	defer cancel()
	changes := store.Changes(ctx)
	done := make(chan string, 1)
	ln, err := net.Listen("tcp", redirect.Host)
	var authURL string
	if err == nil {
		defer ln.Close()
		l := credstore.NewLogin(credstore.LoginOptions{
			Clients: map[string]*credstore.OAuthClient{c.Name: set.Client(c.Name)}, Store: store,
			OnLogin: func(_ string, rec credstore.Record) { done <- rec.WorkspaceName },
		})
		// The same loopback-peer and Host rules as the proxy's own
		// /oauth/callback: whoever completes a login binds a workspace.
		srv := &http.Server{Handler: proxy.LoopbackOnly(l, cfg.AllowedHosts), ReadHeaderTimeout: readHeaderTimeout}
		go func() { _ = srv.Serve(ln) }()
		defer func() {
			// Let the callback finish writing its page.
			sctx, stop := context.WithTimeout(context.Background(), 5*time.Second)
			defer stop()
			_ = srv.Shutdown(sctx)
		}()
		if authURL, err = l.Start(c.Name); err != nil {
			return err
		}
	} else {
		// Someone serves redirect_url: the proxy, whose /oauth/start
		// begins the same flow and stores the pair where we watch.
		authURL = (&url.URL{Scheme: redirect.Scheme, Host: redirect.Host, Path: "/oauth/start/" + c.Name}).String()
		go waitForChange(ctx, store, changes, c.Name, done)
	}
	fmt.Fprintf(s.out, "Open this URL to authorize %q in Notion:\n\n  %s\n\nWaiting for the callback on %s ...\n", c.Name, authURL, c.RedirectURL)
	if open {
		openBrowser(authURL, s.err)
	}
	select {
	case workspace := <-done:
		fmt.Fprintf(s.out, "Logged in: credential %s is connected to workspace %q.\n", c.Name, workspace)
		return nil
	case <-ctx.Done():
		return fmt.Errorf("login %s: no callback arrived: %w", c.Name, ctx.Err())
	}
}

func waitForChange(ctx context.Context, store credstore.Store, changes <-chan string, name string, done chan<- string) {
	for changed := range changes {
		if changed != name {
			continue
		}
		if rec, err := store.Get(ctx, name); err == nil {
			done <- rec.WorkspaceName
			return
		}
	}
}

func openBrowser(u string, errOut io.Writer) {
	for _, opener := range []string{"xdg-open", "open"} {
		if path, err := exec.LookPath(opener); err == nil {
			if err := exec.Command(path, u).Start(); err == nil {
				return
			}
		}
	}
	fmt.Fprintln(errOut, "could not open a browser; open the URL above yourself")
}

func newRefreshCommand(g *globals, s streams) *cobra.Command {
	return &cobra.Command{
		Use:   "refresh NAME",
		Short: "Refresh an OAuth credential now and store the new pair",
		Long: `Refresh OAuth credential NAME now and store the new token pair. Running
proxies that share the store use it from their next request.`,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return withStore(cmd, g, s, args[0], func(_ *config.Config, _ credstore.Store, set *credset.Set, c config.Credential) error {
				src := set.Get(c.Name).OAuth()
				if src == nil {
					if err := set.Get(c.Name).Problem; err != nil {
						return usage(fmt.Errorf("credential %s: %w", c.Name, err))
					}
					return usage(fmt.Errorf("credential %s is a %s credential; refresh is for oauth credentials", c.Name, c.Type))
				}
				rec, err := src.RefreshNow(cmd.Context())
				if err != nil {
					return err
				}
				fmt.Fprintf(s.out, "refreshed %s (workspace %q)%s\n", c.Name, rec.WorkspaceName, expiresIn(rec))
				return nil
			})
		},
	}
}

func expiresIn(rec credstore.Record) string {
	if rec.Expiry.IsZero() {
		return ""
	}
	return "; expires " + rec.Expiry.UTC().Format(time.RFC3339)
}

func newSetTokenCommand(g *globals, s streams) *cobra.Command {
	var fromEnv, fromFile string
	cmd := &cobra.Command{
		Use:   "set-token NAME",
		Short: "Store a static token for a token credential (read from --from-env, --from-file or stdin)",
		Long: `Store a static token for token credential NAME, one configured without
token_env or token_file. The token is read from --from-env VAR, --from-file
PATH or standard input, never from a flag value. Running proxies that share
the store use it from their next request.`,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return withStore(cmd, g, s, args[0], func(_ *config.Config, store credstore.Store, _ *credset.Set, c config.Credential) error {
				if c.Type != config.TypeToken || c.TokenEnv != "" || c.TokenFile != "" {
					return usage(fmt.Errorf("credential %s takes its token from its configuration (token_env, token_file or OAuth); set-token is for token credentials without either", c.Name))
				}
				token, err := readToken(fromEnv, fromFile, s.in)
				if err != nil {
					return usage(err)
				}
				if err := credstore.SetToken(cmd.Context(), store, c.Name, token, time.Now()); err != nil {
					return err
				}
				fmt.Fprintf(s.out, "stored a token for %s\n", c.Name)
				return nil
			})
		},
	}
	cmd.Flags().StringVar(&fromEnv, "from-env", "", "read the token from this environment variable")
	cmd.Flags().StringVar(&fromFile, "from-file", "", "read the token from this file")
	cmd.MarkFlagsMutuallyExclusive("from-env", "from-file")
	return cmd
}

func readToken(fromEnv, fromFile string, stdin io.Reader) (credstore.Secret, error) {
	if fromEnv != "" || fromFile != "" {
		return credstore.ReadSecret(fromEnv, fromFile)
	}
	b, err := io.ReadAll(io.LimitReader(stdin, 64<<10))
	if err != nil {
		return "", fmt.Errorf("read token from stdin: %w", err)
	}
	token, err := credstore.ParseSecret(string(b))
	if errors.Is(err, credstore.ErrMissingSecret) {
		return "", errors.New("no token on standard input; use --from-env, --from-file or pipe the token in")
	}
	return token, err
}

// credentialRow is one line of `credentials`. It never holds a secret.
type credentialRow struct {
	Name          string `json:"name"`
	Type          string `json:"type"`
	WorkspaceName string `json:"workspace_name,omitempty"`
	WorkspaceID   string `json:"workspace_id,omitempty"`
	State         string `json:"state"`
	// Store says where the credential's secret is kept: "env VAR", "file
	// PATH", or the credential store ("file PATH", "the keychain (service
	// notion-auth-proxy)", "redis ADDR db N").
	Store       string     `json:"store"`
	ObtainedAt  *time.Time `json:"obtained_at,omitempty"`
	RefreshedAt *time.Time `json:"refreshed_at,omitempty"`
	LastError   string     `json:"last_error,omitempty"`
}

func newCredentialsCommand(g *globals, s streams) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "credentials",
		Short: "List credentials and their state (never a secret)",
		Args:  exactArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withStore(cmd, g, s, "", func(cfg *config.Config, store credstore.Store, set *credset.Set, _ config.Credential) error {
				rows := make([]credentialRow, 0, len(cfg.Credentials))
				for _, c := range cfg.Credentials {
					rows = append(rows, describe(cmd.Context(), cfg, c, store, set))
				}
				if asJSON {
					enc := json.NewEncoder(s.out)
					enc.SetIndent("", "  ")
					return enc.Encode(rows)
				}
				return printRows(s.out, rows)
			})
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

// describe reports a credential's state as this process sees it: its
// secrets' presence and what the store holds.
func describe(ctx context.Context, cfg *config.Config, c config.Credential, store credstore.Store, set *credset.Set) credentialRow {
	e := set.Get(c.Name)
	row := credentialRow{Name: c.Name, Type: c.Type, State: e.Source.State(), Store: describeStore(store)}
	if err := e.Problem; err != nil {
		row.State, row.LastError = string(credstore.StateMissingSecret), err.Error()
	}
	switch {
	case c.TokenEnv != "":
		row.Store = "env " + c.TokenEnv
	case c.TokenFile != "":
		row.Store = "file " + c.TokenFile
	}
	if c.Type == config.TypeToken && (c.TokenEnv != "" || c.TokenFile != "") {
		if ids := expectedWorkspaces(cfg, c.Name); len(ids) > 0 {
			row.WorkspaceID = ids[0] // as configured, e.g. NOTION_WORKSPACE_ID
		}
		return row
	}
	rec, err := store.Get(ctx, c.Name)
	switch {
	case errors.Is(err, credstore.ErrNotFound) && c.Type == config.TypeOAuth && row.LastError == "":
		row.State = string(credstore.StateNeedsLogin)
	case errors.Is(err, credstore.ErrNotFound):
	case err != nil:
		row.LastError = err.Error()
	default:
		row.WorkspaceName, row.WorkspaceID = rec.WorkspaceName, rec.WorkspaceID
		if !rec.ObtainedAt.IsZero() {
			row.ObtainedAt = &rec.ObtainedAt
		}
		if !rec.RefreshedAt.IsZero() {
			row.RefreshedAt = &rec.RefreshedAt
		}
	}
	return row
}

func printRows(out io.Writer, rows []credentialRow) error {
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tTYPE\tWORKSPACE\tSTATE\tSTORE\tOBTAINED\tREFRESHED\tLAST ERROR")
	for _, r := range rows {
		ws := r.WorkspaceName
		if r.WorkspaceID != "" {
			ws = strings.TrimSpace(ws + " (" + r.WorkspaceID + ")")
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.Name, r.Type, dash(ws), r.State, r.Store,
			when(r.ObtainedAt), when(r.RefreshedAt), dash(r.LastError))
	}
	return tw.Flush()
}

func when(t *time.Time) string {
	if t == nil {
		return "-"
	}
	return t.UTC().Format(time.RFC3339)
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
