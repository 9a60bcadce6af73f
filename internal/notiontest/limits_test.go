package notiontest_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"testing"

	"github.com/notion-auth-proxy/notion-auth-proxy/internal/notiontest"
)

func TestNotionVersion(t *testing.T) {
	s := newFake(t)
	for _, v := range notiontest.Versions() {
		if resp, body := do(t, s, call{path: "/v1/users/me", token: tokenA, version: v}); resp.StatusCode != 200 {
			t.Errorf("Notion-Version %s: %d %s", v, resp.StatusCode, body)
		}
	}
	for _, v := range []string{"2022-06-28", "2025-09-03", "2026-03-11"} {
		if !slices.Contains(notiontest.Versions(), v) {
			t.Errorf("Versions() lacks %s", v)
		}
	}
	tests := []struct {
		name   string
		values []string
		code   string
	}{
		{"missing", nil, "missing_version"},
		{"empty", []string{""}, "missing_version"},
		{"unknown", []string{"2024-01-01"}, "validation_error"},
		{"not a date", []string{"latest"}, "validation_error"},
		{"two values", []string{"2022-06-28", "2025-09-03"}, "validation_error"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := do(t, s, call{path: "/v1/users/me", token: tokenA, header: http.Header{"Notion-Version": tt.values}})
			wantError(t, resp, body, 400, tt.code, "")
		})
	}
	// The token endpoint checks the version too.
	s.AddOAuthClient(clientA)
	res := postToken(t, s, tokenCall{id: clientA.ID, secret: clientA.Secret, noVersion: true,
		body: exchangeBody(authorize(t, s, clientA), clientA.RedirectURI)})
	if res.status != 400 || res.Code != "missing_version" {
		t.Errorf("token endpoint without a version: %d %s", res.status, res.Code)
	}
}

func TestRateLimit(t *testing.T) {
	s := newFake(t)
	s.SetRateLimit(0.001, 2) // a burst of 2, then nothing for 1000 s
	me := call{path: "/v1/users/me", token: tokenA, version: version}
	for i := range 2 {
		if resp, body := do(t, s, me); resp.StatusCode != 200 {
			t.Fatalf("request %d within the burst: %d %s", i, resp.StatusCode, body)
		}
	}
	resp, body := do(t, s, me)
	var e struct {
		Status         int
		Code           string
		AdditionalData struct {
			RetryAfter int `json:"retry_after"`
		} `json:"additional_data"`
	}
	if err := json.Unmarshal(body, &e); err != nil || resp.StatusCode != 429 || e.Code != "rate_limited" {
		t.Fatalf("beyond the burst: %d %s", resp.StatusCode, body)
	}
	if ra := resp.Header.Get("Retry-After"); ra != "1000" || e.AdditionalData.RetryAfter != 1000 {
		t.Errorf("Retry-After %q, additional_data.retry_after %d; want 1000 both", ra, e.AdditionalData.RetryAfter)
	}
	// Budgets are per token; unauthenticated requests spend none.
	if resp, _ := do(t, s, call{path: "/v1/users/me", token: tokenB, version: version}); resp.StatusCode != 200 {
		t.Errorf("another token: %d", resp.StatusCode)
	}
	if resp, _ := do(t, s, call{path: "/v1/users/me", token: "nope", version: version}); resp.StatusCode != 401 {
		t.Errorf("unknown token: %d", resp.StatusCode)
	}
	if n := s.RateLimited(); n != 1 {
		t.Errorf("RateLimited() = %d, want 1", n)
	}
	if got := s.Requests()[2].Status; got != 429 {
		t.Errorf("recorded status %d, want 429", got)
	}
	s.SetRateLimit(0, 0)
	if resp, _ := do(t, s, me); resp.StatusCode != 200 {
		t.Errorf("limit off: %d", resp.StatusCode)
	}
}
