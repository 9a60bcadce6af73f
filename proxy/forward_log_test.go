package proxy

import (
	"encoding/json"
	"io"
	"strings"
	"testing"
	"time"
)

// TestForwardProxyWarningsHideClientBytes sends a request whose header line
// goproxy cannot parse, and which holds a token: the warning is logged, the
// token is not.
func TestForwardProxyWarningsHideClientBytes(t *testing.T) {
	const leaked = "ntn_client_sent_this_secret_42"
	f := newForwardRig(t, nil)
	tc, _ := f.tunnel()
	io.WriteString(tc, "GET /v1/users/me HTTP/1.1\r\nHost: api.notion.com\r\nAuthorization Bearer "+leaked+"\r\n\r\n")
	deadline := time.Now().Add(5 * time.Second)
	for len(f.events("forward_proxy")) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("no forward_proxy warning for an unreadable request")
		}
		time.Sleep(10 * time.Millisecond)
	}
	for _, e := range f.logs.All() {
		b, _ := json.Marshal(e.ContextMap())
		if strings.Contains(e.Message+string(b), leaked) {
			t.Errorf("a log line holds what the client sent: %q", e.Message)
		}
	}
	if len(f.fake.Requests()) != 0 {
		t.Error("an unreadable request reached upstream")
	}
}
