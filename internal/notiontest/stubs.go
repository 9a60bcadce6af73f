package notiontest

import (
	"encoding/json"
	"net/http"
	"strings"
)

// The endpoints in this file are Notion's less central ones: agents,
// sessions, threads, views, custom emojis, meeting notes and the external
// agent stub. The fake keeps no state for them: each answers a plausible
// Notion-shaped object built from a template, after the same token, version
// and capability checks as every endpoint. A template's string values may
// be placeholders: "{param}" is the path parameter, "{body:field}" and
// "{query:field}" echo the request, "{uuid}" is a new id, "{now}" a
// timestamp and "{bot}" the caller's bot id.

type tmpl = map[string]any

var (
	agentTmpl = tmpl{"object": "agent", "id": "{agent_id}", "agent_type": "custom_agent", "name": "Fake agent",
		"description": nil, "instructions_page_id": nil, "icon": nil, "model": tmpl{"mode": "auto"},
		"connections": []any{}, "status": "active", "created_time": "{now}", "last_edited_time": "{now}"}
	invocationTmpl = tmpl{"object": "chat.invocation", "agent_id": "{agent_id}", "thread_id": "{thread_id}",
		"invocation_id": "{uuid}", "status": "pending"}
	threadTmpl = tmpl{"object": "thread", "id": "{uuid}", "title": "Fake thread", "status": "completed",
		"created_time": "{now}", "last_edited_time": "{now}", "created_by": tmpl{"id": "{bot}", "type": "bot"},
		"agent_version": nil, "models": tmpl{"type": "auto"}}
	messageTmpl = tmpl{"object": "thread_message", "id": "{uuid}", "role": "agent", "content": "Hello from the fake Notion API.",
		"created_time": "{now}", "parent": tmpl{"type": "thread", "id": "{thread_id}"}}
	sessionTmpl = tmpl{"object": "session", "id": "{session_id}", "agent_id": "notion_ai", "title": "Fake session",
		"status": "completed", "created_at": "{now}", "updated_at": "{now}", "created_by": tmpl{"id": "{bot}", "type": "bot"},
		"agent_version": nil, "models": tmpl{"type": "auto"}}
	eventTmpl = tmpl{"object": "session_event", "id": "{uuid}", "session_id": "{session_id}", "created_at": "{now}",
		"type": "agent.message", "content": []any{tmpl{"type": "text", "text": "Hello from the fake Notion API."}}}
	vaultTmpl = tmpl{"id": "{vault_id}", "name": "Fake vault", "credential": tmpl{"expires_at": "{now}"},
		"target": tmpl{"type": "mcp_server", "server_url": "https://mcp.example.com/", "authorization": tmpl{"type": "bearer"}},
		"status": "active", "version": 1, "created_at": "{now}", "updated_at": "{now}"}
	viewTmpl = tmpl{"object": "view", "id": "{view_id}", "parent": tmpl{"type": "database_id", "database_id": "{uuid}"},
		"name": "Default view", "type": "table", "created_time": "{now}", "last_edited_time": "{now}",
		"url": "https://www.notion.so/fake-view", "data_source_id": nil}
	viewQueryTmpl = tmpl{"object": "view_query", "id": "{uuid}", "view_id": "{view_id}", "expires_at": "{now}",
		"total_count": 0, "results": []any{}, "next_cursor": nil, "has_more": false}
	meetingTmpl = tmpl{"object": "block", "id": "{uuid}", "type": "meeting_notes",
		"meeting_notes": tmpl{"title": []any{}, "status": "notes_ready"}}
)

// stubs lists the stateless endpoints. list names the list type of an
// endpoint answering a list of one templated item.
var stubs = []struct {
	pattern string
	list    string
	tmpl    tmpl
}{
	{"GET /v1/agents", "agent", withID(agentTmpl, "{uuid}")},
	{"POST /v1/agents/query", "agent", withID(agentTmpl, "{uuid}")},
	{"GET /v1/agents/{agent_id}", "", agentTmpl},
	{"DELETE /v1/agents/{agent_id}", "", tmpl{"agent_id": "{agent_id}", "status": "deleted", "deleted_at": "{now}"}},
	{"POST /v1/agents/{agent_id}/chat", "", with(invocationTmpl, "thread_id", "{uuid}")},
	{"PATCH /v1/agents/{agent_id}/credit_limit", "", tmpl{"agent_id": "{agent_id}", "credit_limit": "{body:credit_limit}", "last_edited_time": "{now}"}},
	{"GET /v1/agents/{agent_id}/insights", "", tmpl{"object": "agent_insights", "id": "{agent_id}", "name": "Fake agent",
		"agent_type": "custom_agent", "status": "active", "pause_reason": nil, "created_by": nil,
		"total_credits_used": 0, "credit_limit": nil, "runs_completed": 0}},
	{"PATCH /v1/agents/{agent_id}/status", "", tmpl{"agent_id": "{agent_id}", "status": "{body:status}", "pause_reason": nil, "last_edited_time": "{now}"}},
	{"GET /v1/agents/{agent_id}/threads", "thread", threadTmpl},
	{"POST /v1/agents/{agent_id}/threads/query", "thread", threadTmpl},
	{"POST /v1/blocks/meeting_notes", "", meetingTmpl},
	{"POST /v1/blocks/meeting_notes/query", "block", meetingTmpl},
	{"GET /v1/custom_emojis", "custom_emoji", tmpl{"id": "{uuid}", "name": "fake", "url": "https://www.notion.so/fake-emoji.png"}},
	{"POST /v1/external_agent_stub/{agent_id}/sessions", "", tmpl{"session_id": "{uuid}", "model": "fake", "last_active_at": "{now}"}},
	{"GET /v1/external_agent_stub/{agent_id}/sessions/{session_id}/events", "", tmpl{"events": []any{
		tmpl{"type": "assistant.message", "text": "Hello from the fake Notion API."}}, "next_cursor": nil, "has_more": false}},
	{"POST /v1/external_agent_stub/{agent_id}/sessions/{session_id}/messages", "", tmpl{"accepted": true, "run_id": "{uuid}"}},
	{"POST /v1/external_agent_stub/{agent_id}/vaults", "", withID(with(vaultTmpl, "name", "{body:name}"), "{uuid}")},
	{"DELETE /v1/external_agent_stub/{agent_id}/vaults/{vault_id}", "", tmpl{}},
	{"PATCH /v1/external_agent_stub/{agent_id}/vaults/{vault_id}", "", with(vaultTmpl, "version", 2)},
	{"POST /v1/sessions", "", withID(sessionTmpl, "{uuid}")},
	{"GET /v1/sessions/{session_id}", "", sessionTmpl},
	{"POST /v1/sessions/{session_id}/cancel", "", with(sessionTmpl, "status", "canceled")},
	{"POST /v1/sessions/{session_id}/events/query", "session_event", eventTmpl},
	{"POST /v1/sessions/query", "session", withID(sessionTmpl, "{uuid}")},
	{"POST /v1/threads/{thread_id}/continue", "", with(invocationTmpl, "agent_id", "notion_ai")},
	{"GET /v1/threads/{thread_id}/messages", "thread_message", messageTmpl},
	{"POST /v1/threads/{thread_id}/messages", "", with(invocationTmpl, "agent_id", "notion_ai")},
	{"POST /v1/threads/{thread_id}/messages/query", "thread_message", messageTmpl},
	{"GET /v1/views", "view", withID(viewTmpl, "{uuid}")},
	{"POST /v1/views", "", withID(viewTmpl, "{uuid}")},
	{"GET /v1/views/{view_id}", "", viewTmpl},
	{"PATCH /v1/views/{view_id}", "", viewTmpl},
	{"DELETE /v1/views/{view_id}", "", tmpl{"object": "view", "id": "{view_id}"}},
	{"POST /v1/views/{view_id}/queries", "", viewQueryTmpl},
	{"GET /v1/views/{view_id}/queries/{query_id}", "page", nil},
	{"DELETE /v1/views/{view_id}/queries/{query_id}", "", tmpl{"object": "view_query", "id": "{query_id}", "deleted": true}},
}

// with returns a copy of t with key set to v.
func with(t tmpl, key string, v any) tmpl {
	out := make(tmpl, len(t)+1)
	for k, val := range t {
		out[k] = val
	}
	out[key] = v
	return out
}

func withID(t tmpl, id string) tmpl { return with(t, "id", id) }

// stub serves a stateless endpoint from its template. A session endpoint
// asked for Accept: text/event-stream answers a stream of one snapshot
// event.
func (s *Server) stub(list string, t tmpl) apiHandler {
	return func(c *call) {
		var body map[string]any
		if err := decodeBody(c.r, &body); err != nil {
			err.write(c.w)
			return
		}
		fill := func(v any) any { return s.expand(c, body, v) }
		if t["object"] == "session" && strings.Contains(c.r.Header.Get("Accept"), "text/event-stream") {
			event, _ := json.Marshal(map[string]any{"type": "session.snapshot", "session": fill(t)})
			c.w.Header().Set("Content-Type", "text/event-stream")
			c.w.WriteHeader(http.StatusOK)
			_, _ = c.w.Write([]byte("data: " + string(event) + "\n\n"))
			return
		}
		if list == "" {
			reply(c.w, http.StatusOK, fill(t).(map[string]any))
			return
		}
		var results []any
		if t != nil {
			results = []any{fill(t)}
		}
		reply(c.w, http.StatusOK, listOf(list, results))
	}
}

// listOf is list without a next page.
func listOf(listType string, results []any) map[string]any { return list(listType, results, "") }

// expand fills the placeholders of template value v for call c.
func (s *Server) expand(c *call, body map[string]any, v any) any {
	switch x := v.(type) {
	case tmpl:
		out := make(map[string]any, len(x))
		for k, val := range x {
			out[k] = s.expand(c, body, val)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, val := range x {
			out[i] = s.expand(c, body, val)
		}
		return out
	case string:
		if !strings.HasPrefix(x, "{") || !strings.HasSuffix(x, "}") {
			return x
		}
		return s.placeholder(c, body, x[1:len(x)-1])
	}
	return v
}

// placeholder returns the value of one placeholder name.
func (s *Server) placeholder(c *call, body map[string]any, name string) any {
	switch {
	case name == "uuid":
		return newUUID()
	case name == "now":
		return lastEditedTime
	case name == "bot":
		return s.bot(c.token).ID
	case strings.HasPrefix(name, "body:"):
		return body[strings.TrimPrefix(name, "body:")]
	case strings.HasPrefix(name, "query:"):
		return c.r.URL.Query().Get(strings.TrimPrefix(name, "query:"))
	}
	if v := c.r.PathValue(name); v != "" {
		return v
	}
	return newUUID()
}
