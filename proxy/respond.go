package proxy

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
)

// annotate appends " — notion-auth-proxy: {hint}" to the message of the
// Notion error body whole, which replaces resp's body, and leaves every
// other byte as it was: SDKs, the MCP server and agents show only the
// body, so the hint has to be in it.
func annotate(resp *http.Response, whole []byte, hint string) {
	start, end, ok := messageSpan(whole)
	if !ok {
		return
	}
	var msg string
	if json.Unmarshal(whole[start:end], &msg) != nil {
		return
	}
	quoted, err := json.Marshal(msg + " — notion-auth-proxy: " + hint)
	if err != nil {
		return
	}
	out := make([]byte, 0, len(whole)+len(quoted))
	out = append(append(append(out, whole[:start]...), quoted...), whole[end:]...)
	setBody(resp, out)
}

// messageSpan finds the top-level "message" string value of a JSON object:
// its first and past-last byte offsets.
func messageSpan(b []byte) (start, end int, ok bool) {
	dec := json.NewDecoder(bytes.NewReader(b))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return 0, 0, false
	}
	for dec.More() {
		key, err := dec.Token()
		if err != nil {
			return 0, 0, false
		}
		before := dec.InputOffset()
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return 0, 0, false
		}
		if key == "message" && len(raw) > 0 && raw[0] == '"' {
			// The value starts after the separator and any white space.
			start = int(before) + bytes.Index(b[before:], raw)
			return start, start + len(raw), true
		}
	}
	return 0, 0, false
}

func setBody(resp *http.Response, b []byte) {
	resp.Body = io.NopCloser(bytes.NewReader(b))
	resp.ContentLength = int64(len(b))
	resp.Header.Set("Content-Length", strconv.Itoa(len(b)))
}

// publicOrigin is where Notion's absolute URLs point; URLs there in
// upload and task answers are rewritten onto the origin the client used.
const publicOrigin = "https://api.notion.com"

// urlPaths are the endpoints whose answers carry URLs for the client to
// follow: file uploads (upload_url, complete_url) and async tasks
// (status_url). Only their answers are read whole; others stream.
var urlPaths = []string{"/v1/file_uploads", "/v1/async_tasks"}

func carriesURLs(path string) bool {
	for _, p := range urlPaths {
		if path == p || strings.HasPrefix(path, p+"/") {
			return true
		}
	}
	return false
}

// followedURL matches a URL field the client follows, on Notion's public
// origin.
var followedURL = regexp.MustCompile(`("(?:upload_url|complete_url|status_url)"\s*:\s*")` + regexp.QuoteMeta(publicOrigin) + `/`)

// maxRewrittenBody bounds the answers read whole to rewrite their URLs;
// upload and task objects are a few hundred bytes.
const maxRewrittenBody = 1 << 20

// rewriteURLs points upload_url, complete_url and status_url at the
// proxy, with the client's own origin and /w/{workspace} prefix, so a
// script that follows them stays credential-less.
func rewriteURLs(resp *http.Response, c *call) {
	if !strings.Contains(resp.Header.Get("Content-Type"), "json") || resp.Header.Get("Content-Encoding") != "" ||
		resp.ContentLength > maxRewrittenBody {
		return
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxRewrittenBody+1))
	rest := io.MultiReader(bytes.NewReader(b), resp.Body)
	if err != nil || len(b) > maxRewrittenBody || !followedURL.Match(b) {
		resp.Body = struct {
			io.Reader
			io.Closer
		}{rest, resp.Body}
		return
	}
	resp.Body.Close()
	origin := clientOrigin(c.in, c.workspace)
	setBody(resp, followedURL.ReplaceAll(b, []byte("${1}"+strings.ReplaceAll(origin, "$", "$$")+"/")))
}
