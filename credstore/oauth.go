package credstore

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"golang.org/x/oauth2"
)

// maxTokenResponse bounds the token-endpoint bodies read; Notion's are a few
// hundred bytes.
const maxTokenResponse = 1 << 20

// maxExpiresIn bounds expires_in (a hundred years) so that it cannot
// overflow a time.Duration.
const maxExpiresIn = 100 * 365 * 24 * 3600

// defaultOAuthTimeout bounds a token call made with the default HTTP client.
const defaultOAuthTimeout = 30 * time.Second

// OAuthOptions configure an OAuthClient for one public integration.
type OAuthOptions struct {
	// Upstream is the Notion API's base URL, e.g. https://api.notion.com.
	// A trailing slash is ignored.
	Upstream string
	// ClientID and ClientSecret are the integration's OAuth credentials.
	ClientID     string
	ClientSecret Secret
	// RedirectURL is the integration's registered redirect URI.
	RedirectURL string
	// NotionVersion is sent as Notion-Version on token calls.
	NotionVersion string
	// HTTPClient makes the token calls. Default: a client with a 30s
	// timeout that never follows redirects.
	HTTPClient *http.Client
	// Now is the clock that turns expires_in into an expiry. Default:
	// time.Now.
	Now func() time.Time
}

// OAuthClient performs Notion's OAuth exchange for one public integration:
// the authorize URL, the code exchange and the refresh. It keeps no tokens;
// callers persist what it returns. It is safe for concurrent use.
type OAuthClient struct {
	config   oauth2.Config // for AuthCodeURL; it never holds the secret
	secret   Secret
	version  string
	http     *http.Client
	now      func() time.Time
	tokenURL string
}

// NewOAuthClient returns an OAuthClient configured by o.
func NewOAuthClient(o OAuthOptions) *OAuthClient {
	upstream := strings.TrimRight(o.Upstream, "/")
	c := &OAuthClient{
		config: oauth2.Config{
			ClientID:    o.ClientID,
			RedirectURL: o.RedirectURL,
			Endpoint: oauth2.Endpoint{
				AuthURL:   upstream + "/v1/oauth/authorize",
				TokenURL:  upstream + "/v1/oauth/token",
				AuthStyle: oauth2.AuthStyleInHeader,
			},
		},
		secret:   o.ClientSecret,
		version:  o.NotionVersion,
		http:     o.HTTPClient,
		now:      o.Now,
		tokenURL: upstream + "/v1/oauth/token",
	}
	if c.http == nil {
		c.http = &http.Client{
			Timeout: defaultOAuthTimeout,
			// A token endpoint that redirects is misconfigured; following
			// would resend the client secret to wherever it points.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		}
	}
	if c.now == nil {
		c.now = time.Now
	}
	return c
}

// AuthCodeURL returns the URL to send the user's browser to: Notion's
// authorize page with client_id, response_type=code, owner=user,
// redirect_uri and state.
func (c *OAuthClient) AuthCodeURL(state string) string {
	return c.config.AuthCodeURL(state, oauth2.SetAuthURLParam("owner", "user"))
}

// Exchange trades the code from the redirect for a token pair. Errors are
// an *OAuthError for an error answer, or a network error (see IsTemporary).
func (c *OAuthClient) Exchange(ctx context.Context, code string) (Grant, error) {
	if code == "" {
		return Grant{}, errors.New("notion oauth exchange: empty code")
	}
	return c.token(ctx, "exchange", map[string]string{
		"grant_type":   "authorization_code",
		"code":         code,
		"redirect_uri": c.config.RedirectURL,
	})
}

// Refresh trades refreshToken for a new pair. Notion rotates refresh tokens:
// once this succeeds, refreshToken no longer works, so the caller must
// persist the new pair before using it. Should a response carry no refresh
// token, the Grant keeps refreshToken.
func (c *OAuthClient) Refresh(ctx context.Context, refreshToken Secret) (Grant, error) {
	if refreshToken == "" {
		return Grant{}, errors.New("notion oauth refresh: empty refresh token")
	}
	g, err := c.token(ctx, "refresh", map[string]string{
		"grant_type":    "refresh_token",
		"refresh_token": refreshToken.Reveal(),
	})
	if err == nil && g.RefreshToken == "" {
		g.RefreshToken = refreshToken
	}
	return g, err
}

// Grant is a token response.
type Grant struct {
	AccessToken  Secret
	RefreshToken Secret
	// Expiry is when AccessToken stops working: the clock's time when the
	// response arrived plus expires_in; zero when Notion gave no (or a
	// zero) expires_in.
	Expiry time.Time

	BotID         string
	WorkspaceID   string
	WorkspaceName string
}

// Token returns g as x/oauth2 sees it, with token type Bearer.
func (g Grant) Token() *oauth2.Token {
	return &oauth2.Token{
		AccessToken:  g.AccessToken.Reveal(),
		TokenType:    "Bearer",
		RefreshToken: g.RefreshToken.Reveal(),
		Expiry:       g.Expiry,
	}
}

// tokenResponse is the part of Notion's token response a Grant keeps.
type tokenResponse struct {
	AccessToken   string          `json:"access_token"`
	RefreshToken  string          `json:"refresh_token"`
	ExpiresIn     json.RawMessage `json:"expires_in"`
	BotID         string          `json:"bot_id"`
	WorkspaceID   string          `json:"workspace_id"`
	WorkspaceName string          `json:"workspace_name"`
}

// token posts body to the token endpoint and parses the answer. op names
// the call in errors, which never hold the body's values.
func (c *OAuthClient) token(ctx context.Context, op string, body map[string]string) (Grant, error) {
	payload, err := json.Marshal(body)
	if err != nil {
		return Grant{}, fmt.Errorf("notion oauth %s: %w", op, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.tokenURL, bytes.NewReader(payload))
	if err != nil {
		return Grant{}, fmt.Errorf("notion oauth %s: %w", op, err)
	}
	// Notion expects the raw id and secret in Basic auth, not the
	// form-encoded pair of RFC 6749 §2.3.1.
	req.SetBasicAuth(c.config.ClientID, c.secret.Reveal())
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Notion-Version", c.version)

	resp, err := c.http.Do(req)
	if err != nil {
		return Grant{}, fmt.Errorf("notion oauth %s: %w", op, &netError{err})
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxTokenResponse+1))
	if err != nil {
		return Grant{}, fmt.Errorf("notion oauth %s: read response: %w", op, &netError{err})
	}
	if len(data) > maxTokenResponse {
		if resp.StatusCode/100 != 2 {
			return Grant{}, newOAuthError(resp.StatusCode, nil)
		}
		return Grant{}, fmt.Errorf("notion oauth %s: response larger than %d bytes", op, maxTokenResponse)
	}
	if resp.StatusCode/100 != 2 {
		return Grant{}, newOAuthError(resp.StatusCode, data)
	}
	g, err := c.parseGrant(data)
	if err != nil {
		return Grant{}, fmt.Errorf("notion oauth %s: %w", op, err)
	}
	return g, nil
}

// parseGrant parses a successful token response.
func (c *OAuthClient) parseGrant(data []byte) (Grant, error) {
	var tr tokenResponse
	if err := json.Unmarshal(data, &tr); err != nil {
		// Not err itself: a decoding error may quote the body.
		return Grant{}, errors.New("token response is not a JSON object")
	}
	if tr.AccessToken == "" {
		return Grant{}, errors.New("token response has no access_token")
	}
	g := Grant{
		AccessToken:   Secret(tr.AccessToken),
		RefreshToken:  Secret(tr.RefreshToken),
		BotID:         tr.BotID,
		WorkspaceID:   tr.WorkspaceID,
		WorkspaceName: tr.WorkspaceName,
	}
	if len(tr.ExpiresIn) > 0 && string(tr.ExpiresIn) != "null" {
		// Some servers send expires_in as a string; accept both.
		var secs json.Number
		if err := json.Unmarshal(bytes.Trim(tr.ExpiresIn, `"`), &secs); err != nil {
			return Grant{}, errors.New("token response has an invalid expires_in")
		}
		n, err := secs.Int64()
		if err != nil || n < 0 || n > maxExpiresIn {
			return Grant{}, errors.New("token response has an invalid expires_in")
		}
		if n > 0 {
			g.Expiry = c.now().Add(time.Duration(n) * time.Second)
		}
	}
	return g, nil
}

// OAuthError is an error answer from the token endpoint. Its text holds the
// status, the code and the server's description, never a secret, code or
// token sent.
type OAuthError struct {
	// Status is the HTTP status of the answer.
	Status int
	// Code is the OAuth error code (invalid_grant, invalid_client, ...) or,
	// for a Notion-style error body, its code; empty when the body was
	// neither.
	Code string
	// Description is the server's error_description or message; for a body
	// that was not understood, the status text.
	Description string
}

// Error returns e as "notion oauth: invalid_grant (400): description".
func (e *OAuthError) Error() string {
	code := e.Code
	if code == "" {
		code = "error"
	}
	msg := fmt.Sprintf("notion oauth: %s (%d)", code, e.Status)
	if e.Description != "" {
		msg += ": " + e.Description
	}
	return msg
}

// NeedsLogin reports whether only a new login can fix e: the grant or the
// client credentials are no longer valid.
func (e *OAuthError) NeedsLogin() bool {
	return e.Code == "invalid_grant" || e.Code == "invalid_client"
}

// Temporary reports whether retrying later may succeed: a 5xx or 429 answer.
func (e *OAuthError) Temporary() bool {
	return e.Status >= 500 || e.Status == http.StatusTooManyRequests
}

// oauthErrorBody is the union of an OAuth error body and Notion's API error
// body.
type oauthErrorBody struct {
	Error       string `json:"error"`
	Description string `json:"error_description"`
	Object      string `json:"object"`
	Code        string `json:"code"`
	Message     string `json:"message"`
}

// newOAuthError returns the *OAuthError for a non-2xx answer with body
// data (nil when it was too large to read).
func newOAuthError(status int, data []byte) *OAuthError {
	e := &OAuthError{Status: status, Description: http.StatusText(status)}
	var b oauthErrorBody
	if data == nil || json.Unmarshal(data, &b) != nil {
		return e
	}
	switch {
	case b.Error != "":
		e.Code, e.Description = b.Error, b.Description
	case b.Object == "error" && b.Code != "":
		e.Code, e.Description = b.Code, b.Message
	}
	return e
}

// netError marks a failure to talk to the token endpoint: no answer, or an
// answer cut short.
type netError struct{ err error }

func (e *netError) Error() string { return e.err.Error() }

func (e *netError) Unwrap() error { return e.err }

// IsTemporary reports whether err, from Exchange or Refresh, may go away
// when the call is retried later: the token endpoint could not be reached or
// answered with a 5xx or 429. A call cancelled through its context is not
// temporary; one that timed out is.
func IsTemporary(err error) bool {
	if oe, ok := errors.AsType[*OAuthError](err); ok {
		return oe.Temporary()
	}
	if _, ok := errors.AsType[*netError](err); ok {
		return !errors.Is(err, context.Canceled)
	}
	return false
}
