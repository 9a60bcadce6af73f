package notiontest_test

import (
	"net/http"
	"net/url"
	"testing"
)

func TestFileUploadLifecycle(t *testing.T) {
	s, _ := demoFake(t)
	single := object(t, s, call{method: "POST", path: "/v1/file_uploads", body: `{"filename":"notes.txt","content_type":"text/plain"}`}, 200)
	id := single["id"].(string)
	if single["status"] != "pending" || single["upload_url"] != "https://api.notion.com/v1/file_uploads/"+id+"/send" ||
		single["complete_url"] != nil {
		t.Fatalf("created single-part upload: %v", single)
	}
	form, ct := uploadForm(t, "")
	sent := object(t, s, call{method: "POST", path: "/v1/file_uploads/" + id + "/send", body: form,
		header: http.Header{"Content-Type": {ct}}}, 200)
	if sent["status"] != "uploaded" || sent["content_length"] != float64(len("hello, notion")) || sent["upload_url"] != nil {
		t.Errorf("sent upload: %v", sent)
	}
	resp, body := do(t, s, call{method: "POST", path: "/v1/file_uploads/" + id + "/send", token: tokenA, version: version,
		body: form, header: http.Header{"Content-Type": {ct}}})
	wantError(t, resp, body, 400, "validation_error", "") // already uploaded
	resp, body = do(t, s, call{path: "/v1/file_uploads/" + id, token: tokenB, version: version})
	wantError(t, resp, body, 404, "object_not_found", "")

	// The public origin is what a proxy in front rewrites.
	s.SetPublicOrigin("http://127.0.0.1:8700/")
	multi := object(t, s, call{method: "POST", path: "/v1/file_uploads",
		body: `{"mode":"multi_part","number_of_parts":2,"filename":"big.bin"}`}, 200)
	mid := multi["id"].(string)
	if multi["upload_url"] != "http://127.0.0.1:8700/v1/file_uploads/"+mid+"/send" ||
		multi["complete_url"] != "http://127.0.0.1:8700/v1/file_uploads/"+mid+"/complete" {
		t.Errorf("multi-part urls: %v %v", multi["upload_url"], multi["complete_url"])
	}
	u, err := url.Parse(multi["upload_url"].(string))
	if err != nil {
		t.Fatal(err)
	}
	form1, ct1 := uploadForm(t, "1")
	object(t, s, call{method: "POST", path: u.Path, body: form1, header: http.Header{"Content-Type": {ct1}}}, 200)
	resp, body = do(t, s, call{method: "POST", path: "/v1/file_uploads/" + mid + "/complete", token: tokenA, version: version})
	wantError(t, resp, body, 400, "validation_error", "") // part 2 missing
	form2, ct2 := uploadForm(t, "2")
	object(t, s, call{method: "POST", path: u.Path, body: form2, header: http.Header{"Content-Type": {ct2}}}, 200)
	done := object(t, s, call{method: "POST", path: "/v1/file_uploads/" + mid + "/complete"}, 200)
	if done["status"] != "uploaded" || done["content_length"] != float64(2*len("hello, notion")) {
		t.Errorf("completed upload: %v", done)
	}

	listed := ids(object(t, s, call{path: "/v1/file_uploads?status=uploaded"}, 200))
	if len(listed) != 2 || listed[0] != mid || listed[1] != id {
		t.Errorf("listed uploads %v, want newest first [%s %s]", listed, mid, id)
	}
	resp, body = do(t, s, call{method: "POST", path: "/v1/file_uploads", token: tokenA, version: version,
		body: `{"mode":"multi_part"}`})
	wantError(t, resp, body, 400, "validation_error", "")
	pending := object(t, s, call{method: "POST", path: "/v1/file_uploads", body: `{}`}, 200)
	resp, body = do(t, s, call{method: "POST", path: "/v1/file_uploads/" + pending["id"].(string) + "/send",
		token: tokenA, version: version, body: "raw bytes", header: http.Header{"Content-Type": {"text/plain"}}})
	wantError(t, resp, body, 400, "validation_error", "")
}

func TestAsyncTask(t *testing.T) {
	s, _ := demoFake(t)
	task := object(t, s, call{method: "POST", path: "/v1/agents/batch", body: `{"operations":[]}`}, 200)
	u, err := url.Parse(task["status_url"].(string))
	if err != nil || u.Scheme != "https" || u.Host != "api.notion.com" || task["status"] != "queued" {
		t.Fatalf("task: %v", task)
	}
	if done := object(t, s, call{path: u.Path}, 200); done["status"] != "succeeded" || done["id"] != task["id"] {
		t.Errorf("polled task: %v", done)
	}
	resp, body := do(t, s, call{path: u.Path, token: tokenB, version: version})
	wantError(t, resp, body, 404, "object_not_found", "")
}

func TestOAuthIntrospectAndRevoke(t *testing.T) {
	s := newOAuthFake(t)
	pair := login(t, s, clientA)
	introspect := func(token string) map[string]any {
		t.Helper()
		return object(t, s, call{method: "POST", path: "/v1/oauth/introspect",
			body: `{"token":"` + token + `"}`, header: basic(clientA.ID, clientA.Secret)}, 200)
	}
	if o := introspect(pair.AccessToken); o["active"] != true {
		t.Errorf("fresh access token: %v", o)
	}
	object(t, s, call{method: "POST", path: "/v1/oauth/revoke",
		body: `{"token":"` + pair.RefreshToken + `"}`, header: basic(clientA.ID, clientA.Secret)}, 200)
	if o := introspect(pair.RefreshToken); o["active"] != false {
		t.Errorf("revoked refresh token: %v", o)
	}
	wantOAuthError(t, refresh(t, s, clientA, pair.RefreshToken), 400, "invalid_grant")
	resp, _ := do(t, s, call{method: "POST", path: "/v1/oauth/introspect", version: version, body: `{"token":"x"}`})
	if resp.StatusCode != 401 {
		t.Errorf("introspect without client auth: %d", resp.StatusCode)
	}
}

// basic returns an Authorization header with HTTP Basic credentials.
func basic(id, secret string) http.Header {
	req, _ := http.NewRequest("GET", "/", nil)
	req.SetBasicAuth(id, secret)
	return http.Header{"Authorization": req.Header.Values("Authorization")}
}
