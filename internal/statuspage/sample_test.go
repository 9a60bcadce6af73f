package statuspage

import (
	"time"
)

// sampleNow is the instant the sample page is generated at.
var sampleNow = time.Date(2026, 12, 3, 14, 7, 30, 0, time.UTC)

// samplePage is a page as a busy proxy fills it: one credential of each
// state worth seeing, traffic with a burst of 429s, not-shared objects and
// client keys. The screenshot in docs is taken of it.
func samplePage() Page {
	now := sampleNow
	return Page{
		Version:   "v1.4.0 (3f2a1b9)",
		StartedAt: now.Add(-(3*24*time.Hour + 4*time.Hour + 12*time.Minute)),
		Now:       now,
		Credentials: []Credential{
			{
				Name: "wiki", Type: "token", Workspace: "Acme", WorkspaceID: "9c1f4f7e-2b7a-4c3e-8d61-0f2a9b3c4d5e",
				State: StateReady, Traffic: busyTraffic(now),
			},
			{
				Name: "partner", Type: "oauth", Workspace: "Partner Co", WorkspaceID: "5e0d7a3c-61b2-4f18-9a0e-7c4b2d1e8f90",
				State: StateNeedsLogin, LastRefresh: now.Add(-26 * time.Hour),
				LastError: "Notion refused the refresh token (invalid_grant): someone removed the integration's access",
				Fix:       SuggestFix("partner", "oauth", StateNeedsLogin),
				Traffic:   quietTraffic(now),
			},
			{
				Name: "crm", Type: "oauth", Workspace: "Acme Sales",
				State: StateRefreshFailed, LastRefresh: now.Add(-52 * time.Minute),
				LastError: "the token endpoint answered 503 three times; retrying every 30 s",
				Fix:       SuggestFix("crm", "oauth", StateRefreshFailed),
				Traffic:   lightTraffic(now),
			},
			{
				Name: "archive", Type: "token", State: StateMissingSecret,
				LastError: "no token stored for this credential",
				Fix:       SuggestFix("archive", "token", StateMissingSecret),
			},
		},
		NotShared: []NotShared{
			{
				Credential: "wiki", ObjectType: "page", ObjectID: "1f2e3d4c-5b6a-4798-8a7b-6c5d4e3f2a1b", Count: 14,
				FirstSeen: now.Add(-3 * time.Hour), LastSeen: now.Add(-2 * time.Minute),
				LastMethod: "GET", LastPath: "/v1/pages/1f2e3d4c-5b6a-4798-8a7b-6c5d4e3f2a1b",
			},
			{
				Credential: "wiki", ObjectType: "data_source", ObjectID: "8a7b6c5d4e3f2a1b1f2e3d4c5b6a4798", Count: 3,
				FirstSeen: now.Add(-40 * time.Minute), LastSeen: now.Add(-9 * time.Minute),
				LastMethod: "POST", LastPath: "/v1/data_sources/8a7b6c5d4e3f2a1b1f2e3d4c5b6a4798/query",
			},
			{
				Credential: "partner", Integration: "Partner Sync", ObjectType: "block",
				ObjectID: "0c9d8e7f-6a5b-4c3d-2e1f-0a9b8c7d6e5f", Count: 1,
				FirstSeen: now.Add(-27 * time.Hour), LastSeen: now.Add(-27 * time.Hour),
				LastMethod: "PATCH", LastPath: "/v1/blocks/0c9d8e7f-6a5b-4c3d-2e1f-0a9b8c7d6e5f/children",
			},
		},
		ClientKeys: []ClientKey{
			{Name: "ci", Credentials: []string{"wiki"}, Requests: 18204, Refusals: 0},
			{Name: "research-agent", Credentials: []string{"wiki", "crm"}, Requests: 2311, Refusals: 17},
			{Name: "ops", Requests: 96, Refusals: 0},
		},
	}
}

// busyTraffic is 15 minutes near the rate limit with a burst of 429s and
// the pauses and waits that follow one.
func busyTraffic(now time.Time) []Minute {
	requests := []int{142, 151, 160, 175, 178, 180, 179, 181, 176, 168, 171, 180, 179, 163, 88}
	limited := map[int]int{5: 3, 6: 7, 7: 2}
	pauses := map[int]int{5: 1, 6: 2, 7: 1}
	wait := []int{1200, 1800, 2600, 5100, 6400, 9800, 14800, 11200, 7300, 4200, 3900, 5600, 5200, 2100, 600}
	var out []Minute
	for i, r := range requests {
		out = append(out, Minute{
			Start:    now.Add(time.Duration(i-len(requests)+1) * time.Minute),
			Requests: r, RateLimited: limited[i], Pauses: pauses[i],
			PacingWait: time.Duration(wait[i]) * time.Millisecond,
		})
	}
	return out
}

// quietTraffic is a credential that stopped working a while ago: nothing
// reached Notion in the window, only long before it.
func quietTraffic(now time.Time) []Minute {
	return []Minute{
		{Start: now.Add(-11 * time.Minute), Requests: 0},
		{Start: now.Add(-40 * time.Minute), Requests: 500}, // outside the window
	}
}

// lightTraffic is a credential whose refresh fails while its access token
// still works: a trickle of requests, one 429 and the pause it caused.
func lightTraffic(now time.Time) []Minute {
	requests := []int{12, 9, 14, 22, 31, 18, 11, 8, 16, 27, 35, 19, 12, 9, 6}
	var out []Minute
	for i, r := range requests {
		m := Minute{Start: now.Add(time.Duration(i-len(requests)+1) * time.Minute), Requests: r}
		if i == 10 {
			m.RateLimited, m.Pauses, m.PacingWait = 1, 1, 4200*time.Millisecond
		}
		out = append(out, m)
	}
	return out
}
