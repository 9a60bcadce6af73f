package notiontest_test

import (
	"net/http"
	"sync"
	"testing"
	"time"
)

func TestOAuthRefreshRotates(t *testing.T) {
	s := newOAuthFake(t)
	first := login(t, s, clientA)
	second := refresh(t, s, clientA, first.RefreshToken)
	if second.status != http.StatusOK || second.AccessToken == first.AccessToken || second.RefreshToken == first.RefreshToken {
		t.Fatalf("refresh: %+v", second)
	}
	if second.BotID != botA.ID || second.WorkspaceID != botA.WorkspaceID {
		t.Errorf("refreshed bot fields %+v", second)
	}
	for _, tok := range []string{first.AccessToken, second.AccessToken} {
		if st := usersMe(t, s, tok); st != http.StatusOK {
			t.Errorf("access token after rotation: %d", st)
		}
	}

	wantOAuthError(t, refresh(t, s, clientA, first.RefreshToken), 400, "invalid_grant")
	wantOAuthError(t, refresh(t, s, clientA, first.RefreshToken), 400, "invalid_grant")
	if n := s.RefreshTokenReuses(); n != 2 {
		t.Errorf("RefreshTokenReuses = %d, want 2", n)
	}
	// A live refresh token of another client is no reuse, and no use.
	wantOAuthError(t, refresh(t, s, clientB, second.RefreshToken), 400, "invalid_grant")
	if n := s.RefreshTokenReuses(); n != 2 {
		t.Errorf("RefreshTokenReuses = %d after a foreign token, want 2", n)
	}

	third := refresh(t, s, clientA, second.RefreshToken)
	if third.status != http.StatusOK {
		t.Fatalf("refresh with the current token: %d %s", third.status, third.Error)
	}
	if ex, rf := s.TokenCalls(); ex != 1 || rf != 5 {
		t.Errorf("TokenCalls = %d, %d; want 1, 5", ex, rf)
	}
}

func TestOAuthAuthorizationsAreIndependent(t *testing.T) {
	s := newOAuthFake(t)
	one, two := login(t, s, clientA), login(t, s, clientA)
	if r := refresh(t, s, clientA, one.RefreshToken); r.status != http.StatusOK {
		t.Fatalf("refresh one: %d", r.status)
	}
	if r := refresh(t, s, clientA, two.RefreshToken); r.status != http.StatusOK {
		t.Errorf("refreshing one authorization killed the other: %d %s", r.status, r.Error)
	}
}

// fakeClock is a clock a test moves by hand.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func TestOAuthExpiry(t *testing.T) {
	s := newOAuthFake(t)
	clock := &fakeClock{now: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}
	s.SetClock(clock.Now)
	s.SetTokenLifetime(time.Hour)

	first := login(t, s, clientA)
	if first.ExpiresIn == nil || *first.ExpiresIn != 3600 {
		t.Fatalf("expires_in = %v, want 3600", first.ExpiresIn)
	}
	clock.Advance(time.Hour - time.Second)
	if st := usersMe(t, s, first.AccessToken); st != http.StatusOK {
		t.Fatalf("before expiry: %d", st)
	}
	second := refresh(t, s, clientA, first.RefreshToken)
	clock.Advance(time.Second)
	resp, body := do(t, s, call{path: "/v1/users/me", token: first.AccessToken, version: version})
	wantError(t, resp, body, 401, "unauthorized", "")
	if st := usersMe(t, s, second.AccessToken); st != http.StatusOK {
		t.Errorf("token refreshed a second before expiry: %d", st)
	}
	clock.Advance(time.Hour)
	if st := usersMe(t, s, second.AccessToken); st != http.StatusUnauthorized {
		t.Errorf("refreshed token after its expiry: %d", st)
	}
	// Expiry is final: setting the clock back does not revive a token.
	clock.Advance(-10 * time.Hour)
	if st := usersMe(t, s, first.AccessToken); st != http.StatusUnauthorized {
		t.Errorf("expired token after the clock went back: %d", st)
	}
}

func TestOAuthRevokeGrants(t *testing.T) {
	s := newOAuthFake(t)
	a, b := login(t, s, clientA), login(t, s, clientB)
	old := a
	a = refresh(t, s, clientA, a.RefreshToken)
	s.RevokeGrants(clientA.ID)

	for _, tok := range []string{old.AccessToken, a.AccessToken} {
		if st := usersMe(t, s, tok); st != http.StatusUnauthorized {
			t.Errorf("revoked access token: %d", st)
		}
	}
	wantOAuthError(t, refresh(t, s, clientA, a.RefreshToken), 400, "invalid_grant")
	if st := usersMe(t, s, b.AccessToken); st != http.StatusOK {
		t.Errorf("other client's token after revoke: %d", st)
	}
	if r := refresh(t, s, clientB, b.RefreshToken); r.status != http.StatusOK {
		t.Errorf("other client's refresh after revoke: %d", r.status)
	}
	// The user may authorize again.
	if again := login(t, s, clientA); usersMe(t, s, again.AccessToken) != http.StatusOK {
		t.Error("new authorization after revoke does not work")
	}
}

func TestOAuthFaults(t *testing.T) {
	s := newOAuthFake(t)
	first := login(t, s, clientA)
	s.FailNext(1, http.StatusInternalServerError, "internal_server_error", "boom")
	res := refresh(t, s, clientA, first.RefreshToken)
	if res.status != 500 || res.Code != "internal_server_error" {
		t.Fatalf("got %d %q", res.status, res.Code)
	}
	if _, rf := s.TokenCalls(); rf != 0 {
		t.Errorf("a faulted request counted as a refresh: %d", rf)
	}
	// The fault used no token: the refresh token still works.
	if r := refresh(t, s, clientA, first.RefreshToken); r.status != http.StatusOK {
		t.Errorf("refresh after fault: %d", r.status)
	}

	s.FailNext(1, http.StatusServiceUnavailable, "service_unavailable", "down")
	resp, err := noRedirects(s).Get(authorizeURL(s, clientA, "st", nil))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("authorize under fault: %d", resp.StatusCode)
	}
}
