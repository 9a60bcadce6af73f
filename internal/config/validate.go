package config

import (
	"errors"
	"fmt"
	"net"
	"strconv"

	"github.com/notion-auth-proxy/notion-auth-proxy/credstore"
	"github.com/notion-auth-proxy/notion-auth-proxy/policy"
)

// Validate reports every problem in c, joined with errors.Join; each is a
// *Problem whose text starts with its key path, e.g.
// `credentials[1].name: duplicate name "wiki"`. It returns nil for a valid
// configuration.
//
// Validate reads no environment variables and no files: a secret that is
// missing at run time is a credential state, not a configuration error.
func (c *Config) Validate() error {
	ps := c.problems()
	errs := make([]error, len(ps))
	for i, p := range ps {
		errs[i] = p
	}
	return errors.Join(errs...)
}

// checker collects problems.
type checker struct {
	problems []*Problem
}

func (ch *checker) add(key, format string, args ...any) {
	ch.problems = append(ch.problems, &Problem{Key: key, Msg: fmt.Sprintf(format, args...)})
}

// oneOf adds a problem unless value is one of allowed.
func (ch *checker) oneOf(key, value string, allowed ...string) {
	for _, a := range allowed {
		if value == a {
			return
		}
	}
	ch.add(key, "%q is not one of %s", value, quoteList(allowed))
}

func (c *Config) problems() []*Problem {
	ch := &checker{}
	c.checkServer(ch)
	c.checkStore(ch)
	creds := c.checkCredentials(ch)
	c.checkWorkspaces(ch, creds)
	c.checkRoutes(ch, creds)
	if c.DefaultCredential != "" && !creds[c.DefaultCredential] {
		ch.add("default_credential", "unknown credential %q", c.DefaultCredential)
	}
	c.checkLimits(ch)
	c.checkAccess(ch, creds)
	if (c.ForwardProxy.CACertFile == "") != (c.ForwardProxy.CAKeyFile == "") {
		if c.ForwardProxy.CACertFile == "" {
			ch.add("forward_proxy.ca_cert_file", "required when ca_key_file is set (set both or neither)")
		} else {
			ch.add("forward_proxy.ca_key_file", "required when ca_cert_file is set (set both or neither)")
		}
	}
	return ch.problems
}

func (c *Config) checkServer(ch *checker) {
	if msg := checkListen(c.Listen, len(c.ClientKeys) > 0); msg != "" {
		ch.add("listen", "%s", msg)
	}
	if msg := checkHTTPURL(c.Upstream); msg != "" {
		ch.add("upstream", "%s", msg)
	}
	if c.NotionVersion == "" {
		ch.add("notion_version", "required, e.g. %q", Defaults().NotionVersion)
	}
	ch.oneOf("notion_version_policy", c.NotionVersionPolicy, "default", "force", "minimum")
	if !versionDate(c.NotionVersion) && c.NotionVersion != "" {
		ch.add("notion_version", "%q is not a Notion API version (a date, YYYY-MM-DD)", c.NotionVersion)
	}
	if c.MaxBodyBytes <= 0 {
		ch.add("max_body_bytes", "must be greater than 0, got %d", c.MaxBodyBytes)
	}
	if c.UpstreamTimeout <= 0 {
		ch.add("upstream_timeout", "must be greater than 0, got %s", c.UpstreamTimeout)
	}
	ch.oneOf("log.format", c.Log.Format, "json", "console")
	ch.oneOf("log.level", c.Log.Level, "debug", "info", "warn", "error")
}

// checkListen returns what is wrong with a listen address, or "".
func checkListen(addr string, haveClientKeys bool) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Sprintf("%q is not host:port", addr)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return fmt.Sprintf("%q has no valid port", addr)
	}
	if !isLoopback(host) && !haveClientKeys {
		return fmt.Sprintf("%q is not a loopback address; listening beyond this machine requires "+
			"at least one client_keys entry", addr)
	}
	return ""
}

func (c *Config) checkStore(ch *checker) {
	ch.oneOf("store.backend", c.Store.Backend, "auto", "file", "keychain", "redis")
	if c.Store.Backend == "redis" && c.Store.Redis.Addr == "" {
		ch.add("store.redis.addr", "required when store.backend is redis")
	}
	checkEnvName(ch, "store.encryption_key_env", c.Store.EncryptionKeyEnv)
	checkEnvName(ch, "store.redis.password_env", c.Store.Redis.PasswordEnv)
	if c.Store.Redis.DB < 0 {
		ch.add("store.redis.db", "must be 0 or more, got %d", c.Store.Redis.DB)
	}
}

// checkCredentials checks every credential and returns the set of names.
func (c *Config) checkCredentials(ch *checker) map[string]bool {
	names := make(map[string]bool)
	if len(c.Credentials) == 0 {
		ch.add("credentials", "at least one credential is required")
	}
	for i, cr := range c.Credentials {
		key := fmt.Sprintf("credentials[%d]", i)
		checkName(ch, key+".name", cr.Name, names)
		switch cr.Type {
		case TypeToken:
			checkTokenCredential(ch, key, cr)
		case TypeOAuth:
			checkOAuthCredential(ch, key, cr)
		default:
			ch.add(key+".type", "%q is not one of %s", cr.Type, quoteList([]string{TypeToken, TypeOAuth}))
		}
	}
	return names
}

// checkName checks a list item's name and records it in seen.
func checkName(ch *checker, key, name string, seen map[string]bool) {
	switch {
	case name == "":
		ch.add(key, "required")
	case credstore.ValidName(name) != nil:
		ch.add(key, "must be 1 to 200 characters, start with a letter or digit and contain only letters, digits, '_', '.' and '-'")
	case seen[name]:
		ch.add(key, "duplicate name %q", name)
	}
	seen[name] = true
}

func checkTokenCredential(ch *checker, key string, cr Credential) {
	checkEnvName(ch, key+".token_env", cr.TokenEnv)
	checkFileName(ch, key+".token_file", cr.TokenFile)
	if cr.TokenEnv != "" && cr.TokenFile != "" {
		ch.add(key+".token_file", "set token_env or token_file, not both")
	}
	oauthOnly := []struct{ name, value string }{
		{"client_id", cr.ClientID},
		{"client_secret_env", cr.ClientSecretEnv},
		{"client_secret_file", cr.ClientSecretFile},
		{"redirect_url", cr.RedirectURL},
		{"refresh_token_env", cr.RefreshTokenEnv},
	}
	for _, f := range oauthOnly {
		if f.value != "" {
			ch.add(key+"."+f.name, "only for oauth credentials; this one has type token")
		}
	}
}

func checkOAuthCredential(ch *checker, key string, cr Credential) {
	if cr.ClientID == "" {
		ch.add(key+".client_id", "required for an oauth credential")
	}
	checkEnvName(ch, key+".client_secret_env", cr.ClientSecretEnv)
	checkFileName(ch, key+".client_secret_file", cr.ClientSecretFile)
	checkEnvName(ch, key+".refresh_token_env", cr.RefreshTokenEnv)
	switch {
	case cr.ClientSecretEnv == "" && cr.ClientSecretFile == "":
		ch.add(key+".client_secret_env", "an oauth credential needs client_secret_env or client_secret_file")
	case cr.ClientSecretEnv != "" && cr.ClientSecretFile != "":
		ch.add(key+".client_secret_file", "set client_secret_env or client_secret_file, not both")
	}
	if cr.RedirectURL == "" {
		ch.add(key+".redirect_url", "required for an oauth credential, e.g. http://127.0.0.1:8700/oauth/callback")
	} else if msg := checkHTTPURL(cr.RedirectURL); msg != "" {
		ch.add(key+".redirect_url", "%s", msg)
	}
	if cr.TokenEnv != "" {
		ch.add(key+".token_env", "not allowed on an oauth credential; its tokens live in the store")
	}
	if cr.TokenFile != "" {
		ch.add(key+".token_file", "not allowed on an oauth credential; its tokens live in the store")
	}
}

// checkWorkspaces checks the workspaces. Names and ids select a workspace in
// the same places (/w/{workspace}/, X-Notion-Workspace), so they share one
// namespace: a name that is another workspace's id is a duplicate.
func (c *Config) checkWorkspaces(ch *checker, creds map[string]bool) {
	names := make(map[string]bool)
	ids := make(map[string]int) // canonical id to the workspace index that has it
	for i, w := range c.Workspaces {
		if id, ok := canonicalID(w.ID); ok {
			if _, dup := ids[id]; !dup {
				ids[id] = i
			}
		}
	}
	seenIDs := make(map[string]bool)
	for i, w := range c.Workspaces {
		key := fmt.Sprintf("workspaces[%d]", i)
		checkName(ch, key+".name", w.Name, names)
		if id, ok := canonicalID(w.Name); ok {
			if j, taken := ids[id]; taken && j != i {
				ch.add(key+".name", "%q is the id of workspaces[%d]; a name and an id select in the same places", w.Name, j)
			}
		}
		if w.ID != "" {
			id, ok := canonicalID(w.ID)
			switch {
			case !ok:
				ch.add(key+".id", "%q is not a Notion workspace UUID (32 hex digits, dashes optional)", w.ID)
			case seenIDs[id]:
				ch.add(key+".id", "duplicate id %q", w.ID)
			}
			seenIDs[id] = true
		}
		checkCredentialRef(ch, key+".credential", w.Credential, creds)
	}
}

// checkEnvName checks that an optional *_env value names an environment
// variable. A common mistake is pasting the secret itself there, so the
// value is never repeated in the message.
func checkEnvName(ch *checker, key, value string) {
	if value != "" && (!isEnvName(value) || looksLikeNotionToken(value)) {
		ch.add(key, "must name an environment variable (letters, digits and '_', not starting with a digit) "+
			"that holds the secret, not the secret itself")
	}
}

// checkKeyLimits checks a client key's allow and objects.
func checkKeyLimits(ch *checker, key string, k ClientKey) {
	if k.Allow != nil && len(k.Allow) == 0 {
		ch.add(key+".allow", "empty: list capabilities (e.g. [read_only]), or leave allow out to allow everything")
	}
	if _, err := policy.ParseSet(k.Allow); err != nil {
		var unknown *policy.UnknownCapabilityError
		for _, e := range unwrapAll(err) {
			if errors.As(e, &unknown) {
				ch.add(key+".allow", "unknown capability %q; known: %s", unknown.Name, capabilityNames)
			}
		}
	}
	for j, id := range k.Objects {
		if _, ok := canonicalID(id); !ok {
			ch.add(fmt.Sprintf("%s.objects[%d]", key, j), "%q is not a Notion id (32 hex digits, dashes optional)", id)
		}
	}
}

// capabilityNames lists what allow takes, for messages.
const capabilityNames = "read, insert, update, delete, comment_read, comment_insert, user_read, read_only, read_write"

// unwrapAll returns the errors joined in err, or err itself.
func unwrapAll(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

// checkFileName checks that an optional *_file value is a path. A secret
// pasted in its place is refused without repeating it: the error reading
// such a "file" would print the secret.
func checkFileName(ch *checker, key, value string) {
	if value != "" && looksLikeSecret(value) {
		ch.add(key, "must be the path of a file that holds the secret, not the secret itself")
	}
}

// checkCredentialRef checks a required reference to a credential.
func checkCredentialRef(ch *checker, key, name string, creds map[string]bool) {
	switch {
	case name == "":
		ch.add(key, "required")
	case !creds[name]:
		ch.add(key, "unknown credential %q", name)
	}
}

func (c *Config) checkRoutes(ch *checker, creds map[string]bool) {
	for i, r := range c.Routes {
		key := fmt.Sprintf("routes[%d]", i)
		switch {
		case r.PathPrefix == "":
			ch.add(key+".path_prefix", "required, e.g. /v1/search")
		case r.PathPrefix[0] != '/':
			ch.add(key+".path_prefix", "%q must start with /", r.PathPrefix)
		}
		for j, m := range r.Methods {
			if !isToken(m) {
				ch.add(fmt.Sprintf("%s.methods[%d]", key, j), "%q is not an HTTP method", m)
			}
		}
		checkCredentialRef(ch, key+".credential", r.Credential, creds)
	}
}

func (c *Config) checkLimits(ch *checker) {
	rl := c.RateLimit
	if !(rl.RequestsPerSecond >= 0) { // also catches NaN
		ch.add("rate_limit.requests_per_second", "must be 0 (no pacing) or more, got %v", rl.RequestsPerSecond)
	}
	if rl.RequestsPerSecond > 0 && rl.Burst < 1 {
		ch.add("rate_limit.burst", "must be at least 1 when requests_per_second is set, got %d", rl.Burst)
	}
	if rl.MaxWait < 0 {
		ch.add("rate_limit.max_wait", "must not be negative, got %s", rl.MaxWait)
	}
	if rl.Replicas < 1 {
		ch.add("rate_limit.replicas", "must be at least 1, got %d", rl.Replicas)
	}
	if c.Retry.MaxAttempts < 1 {
		ch.add("retry.max_attempts", "must be at least 1 (1 means no retries), got %d", c.Retry.MaxAttempts)
	}
	if c.Retry.MaxRetryAfter < 0 {
		ch.add("retry.max_retry_after", "must not be negative, got %s", c.Retry.MaxRetryAfter)
	}
}

func (c *Config) checkAccess(ch *checker, creds map[string]bool) {
	for i, h := range c.AllowedHosts {
		if msg := checkHost(h); msg != "" {
			ch.add(fmt.Sprintf("allowed_hosts[%d]", i), "%s", msg)
		}
	}
	for i, o := range c.AllowedOrigins {
		if msg := checkOrigin(o); msg != "" {
			ch.add(fmt.Sprintf("allowed_origins[%d]", i), "%s", msg)
		}
	}
	names := make(map[string]bool)
	for i, k := range c.ClientKeys {
		key := fmt.Sprintf("client_keys[%d]", i)
		switch {
		case k.Name == "":
			ch.add(key+".name", "required")
		case names[k.Name]:
			ch.add(key+".name", "duplicate name %q", k.Name)
		}
		names[k.Name] = true
		checkEnvName(ch, key+".key_env", k.KeyEnv)
		checkFileName(ch, key+".key_file", k.KeyFile)
		switch {
		case k.KeyEnv == "" && k.KeyFile == "":
			ch.add(key+".key_env", "a client key needs key_env or key_file")
		case k.KeyEnv != "" && k.KeyFile != "":
			ch.add(key+".key_file", "set key_env or key_file, not both")
		}
		for j, name := range k.Credentials {
			if !creds[name] {
				ch.add(fmt.Sprintf("%s.credentials[%d]", key, j), "unknown credential %q", name)
			}
		}
		checkKeyLimits(ch, key, k)
	}
}
