package credstore

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/notion-auth-proxy/notion-auth-proxy/internal/eventually"
)

const token = "ntn_credstore_test_secret_42"

func TestSecretNeverPrints(t *testing.T) {
	s := Secret(token)
	var logged bytes.Buffer
	log := zap.New(zapcore.NewCore(zapcore.NewJSONEncoder(zap.NewProductionEncoderConfig()), zapcore.AddSync(&logged), zap.DebugLevel))
	log.Info("x", zap.Any("any", s), zap.Stringer("stringer", s), zap.Object("object", s), zap.Reflect("reflect", struct{ S Secret }{s}))
	j, _ := json.Marshal(map[string]Secret{"token": s})
	outputs := map[string]string{
		"%v": fmt.Sprintf("%v", s), "%s": fmt.Sprintf("%s", s), "%q": fmt.Sprintf("%q", s),
		"%+v": fmt.Sprintf("%+v", struct{ S Secret }{s}), "%#v": fmt.Sprintf("%#v", s),
		"json": string(j), "zap": logged.String(), "error": fmt.Errorf("wrap %v", s).Error(),
	}
	for name, out := range outputs {
		if strings.Contains(out, token) || !strings.Contains(out, "[REDACTED]") {
			t.Errorf("%s printed %q", name, out)
		}
	}
	if s.Reveal() != token {
		t.Error("Reveal does not return the value")
	}
}

func TestEnvToken(t *testing.T) {
	t.Setenv("CREDSTORE_TEST_TOKEN", " "+token+"\n")
	s := NewEnvToken("wiki", "CREDSTORE_TEST_TOKEN", nil)
	if got, err := s.Token(context.Background()); err != nil || got != token || s.State() != "ready" {
		t.Fatalf("Token() = %q, %v; state %s", got, err, s.State())
	}

	t.Setenv("CREDSTORE_TEST_TOKEN", "")
	s = NewEnvToken("wiki", "CREDSTORE_TEST_TOKEN", nil)
	_, err := s.Token(context.Background())
	var ce *Error
	if !errors.As(err, &ce) || ce.State != StateMissingSecret || !errors.Is(err, ErrMissingSecret) ||
		ce.NeedsLogin() || s.State() != "missing_secret" || !strings.Contains(err.Error(), "CREDSTORE_TEST_TOKEN") {
		t.Errorf("missing env token: %v, state %s", err, s.State())
	}
}

// TestFileTokenFollowsRotation runs in a synctest bubble: Run's ticker is
// on the bubble's clock, so a sleep of the bubble returns only after Run
// has re-read the file at every tick within it.
func TestFileTokenFollowsRotation(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const interval = 5 * time.Millisecond
		path := filepath.Join(t.TempDir(), "token")
		write := func(s string) {
			t.Helper()
			if err := os.WriteFile(path, []byte(s), 0o600); err != nil {
				t.Fatal(err)
			}
		}
		s := NewFileToken("wiki", path)
		if s.State() != "missing_secret" || !strings.Contains(s.Err().Error(), "token") {
			t.Fatalf("absent file: state %s err %v", s.State(), s.Err())
		}
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		go s.Run(ctx, interval)
		// rereadSeveralTimes returns once Run has read the file ten times.
		rereadSeveralTimes := func() {
			time.Sleep(10 * interval)
			synctest.Wait()
		}

		write(token + "\n")
		waitToken(t, s, token)
		write("ntn_rotated_value")
		waitToken(t, s, "ntn_rotated_value")

		// A brief gap during a rotation keeps the last good token.
		if err := os.Remove(path); err != nil {
			t.Fatal(err)
		}
		rereadSeveralTimes()
		if got, err := s.Token(ctx); err != nil || got != "ntn_rotated_value" {
			t.Errorf("during a gap: %q, %v", got, err)
		}
		write("   \n")
		rereadSeveralTimes()
		if got, _ := s.Token(ctx); got != "ntn_rotated_value" {
			t.Errorf("an empty file replaced the token")
		}
		if err := s.Err(); err != nil && strings.Contains(err.Error(), "ntn_") {
			t.Errorf("error shows the secret: %v", err)
		}
	})
}

func waitToken(t *testing.T, s *Static, want string) {
	t.Helper()
	eventually.Require(t, "the token file's change to be picked up", func() bool {
		got, err := s.Token(context.Background())
		return err == nil && got == want
	})
}

func TestMissingToken(t *testing.T) {
	s := NewMissingToken("partner", "no token_env or token_file")
	if _, err := s.Token(context.Background()); !errors.Is(err, ErrMissingSecret) || s.State() != "missing_secret" {
		t.Errorf("missing token: %v %s", err, s.State())
	}
}
