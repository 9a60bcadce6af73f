package main

import (
	"strings"
	"testing"

	"go.uber.org/zap"

	"github.com/notion-auth-proxy/notion-auth-proxy/credstore"
	"github.com/notion-auth-proxy/notion-auth-proxy/internal/config"
)

// Access-log lines are written in batches; any other event is written at
// once, and takes the lines before it along, so the log stays in order.
// Stop (shutdown) writes what is left. Secrets are redacted before the
// buffer, where each line is still whole.
func TestLogSinkBatchesOnlyAccessLines(t *testing.T) {
	var raw syncBuffer
	redact := &credstore.Redactor{}
	redact.SetHolders(credstore.Secrets{"secret-value-0123456789"})
	sink := newLogSink(streams{rawErr: &raw, redact: redact})
	log, err := newLogger(config.Log{Format: "json", Level: "info"}, sink)
	if err != nil {
		t.Fatal(err)
	}
	log.Info("request", zap.String("event", "request"), zap.String("path", "/v1/users/me"))
	if raw.String() != "" {
		t.Fatalf("an access-log line was written at once: %q", raw.String())
	}
	log.Warn("object not shared", zap.String("event", "not_shared"), zap.String("hint", "echo secret-value-0123456789"))
	got := raw.String()
	if !strings.Contains(got, `"event":"request"`) || !strings.Contains(got, `"event":"not_shared"`) ||
		strings.Index(got, `"event":"request"`) > strings.Index(got, `"event":"not_shared"`) {
		t.Fatalf("after an event: %q", got)
	}
	if strings.Contains(got, "secret-value") {
		t.Error("a secret went through the buffered log")
	}
	log.Info("request", zap.String("event", "request"), zap.String("path", "/v1/search"))
	sink.Stop()
	if !strings.Contains(raw.String(), "/v1/search") {
		t.Error("Stop did not write the buffered line")
	}
}
