package credstore

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

// An upstream that echoes the request's Authorization, or an OAuth error
// body that quotes the Basic credentials, must not put them in a log line.
func TestRedactorHidesEchoedSecrets(t *testing.T) {
	client := NewOAuthClient(OAuthOptions{Upstream: "http://127.0.0.1:1", ClientID: "client-id-1",
		ClientSecret: "client-secret-value-1", RedirectURL: "http://127.0.0.1:8700/oauth/callback"})
	static := NewEnvToken("wiki", "TOKEN", func(string) (string, bool) { return "ntn_static_token_value", true })
	var r Redactor
	r.SetHolders(static, client, Secrets{"proxy-client-key-1"})
	basic := string(basicForm("client-id-1", "client-secret-value-1"))
	for _, text := range []string{
		"upstream said: Authorization: Bearer ntn_static_token_value",
		`{"error":"invalid_client","detail":"Basic ` + basic + `"}`,
		"client_secret=client-secret-value-1&x=1",
		"key proxy-client-key-1 refused",
	} {
		got := r.String(text)
		for _, secret := range []string{"ntn_static_token_value", basic, "client-secret-value-1", "proxy-client-key-1"} {
			if strings.Contains(got, secret) {
				t.Errorf("String(%q) = %q: the secret is still there", text, got)
			}
		}
		if !strings.Contains(got, "[REDACTED]") {
			t.Errorf("String(%q) = %q: nothing was replaced", text, got)
		}
	}
	var out bytes.Buffer
	w := r.Writer(&out)
	w.Write([]byte("line with ntn_static_token_value\n"))
	if strings.Contains(out.String(), "ntn_static") {
		t.Errorf("the writer passed a secret through: %q", out.String())
	}
	cause := errors.New("echo: ntn_static_token_value")
	err := r.Error(cause)
	if strings.Contains(err.Error(), "ntn_static") || !errors.Is(err, cause) {
		t.Errorf("Error: %q (is the cause: %v)", err, errors.Is(err, cause))
	}
}

// Text without a secret passes through as it is, without a copy.
func TestRedactorLeavesCleanTextAlone(t *testing.T) {
	var r Redactor
	r.SetHolders(Secrets{"some-secret-value"})
	p := []byte(`{"event":"request","status":200}`)
	if got := r.Bytes(p); &got[0] != &p[0] {
		t.Error("clean text was copied")
	}
	var zero Redactor
	if got := zero.String("anything"); got != "anything" {
		t.Errorf("the zero Redactor changed text: %q", got)
	}
}

// BenchmarkRedactLine is the redactor on one access-log line with five
// credentials holding a secret each: the cost every log line pays.
func BenchmarkRedactLine(b *testing.B) {
	var r Redactor
	var hs []SecretHolder
	for i := range 5 {
		hs = append(hs, NewEnvToken("c", "T", func(string) (string, bool) {
			return "ntn_token_value_number_" + string(rune('a'+i)) + "_0123456789abcdef", true
		}))
	}
	r.SetHolders(hs...)
	line := []byte(`{"level":"info","ts":"2026-12-01T21:00:00.000Z","msg":"request","event":"request","method":"GET","path":"/v1/users/me","status":200,"duration_ms":1.23,"credential":"wiki","workspace":"","upstream_status":200,"notion_request_id":"3c4656cf-3deb-4ef6-a5ff-90d85292b538","retries":0,"bytes":412}` + "\n")
	b.ReportAllocs()
	for b.Loop() {
		r.Bytes(line)
	}
}
