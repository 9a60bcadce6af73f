package credstore

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"time"

	"github.com/zalando/go-keyring"
)

// The backends ChooseBackend picks from, named as store.backend names them.
const (
	BackendFile     = "file"
	BackendKeychain = "keychain"
)

// KeyringEnv is the Notion CLI's variable that, set to 0 or false, keeps
// credentials out of the keychain.
const KeyringEnv = "NOTION_KEYRING"

// keychainProbeUser is the item the probe asks for. It is not a valid
// credential name, so it is never stored.
const keychainProbeUser = ".probe"

// AutoOptions configure ChooseBackend.
type AutoOptions struct {
	// Path is the file store's path; "" means DefaultPath().
	Path string
	// Getenv reads an environment variable; nil means os.Getenv.
	Getenv func(string) string
	// Service is the keychain service asked; default KeychainService.
	Service string
	// Timeout bounds the keychain probe; default 3s. A session without
	// a D-Bus, or with one that does not answer, can otherwise hang.
	Timeout time.Duration
}

// ChooseBackend decides what store.backend: auto stands for, and returns
// BackendFile or BackendKeychain with a one-line reason for the operator:
//
//   - the file store, if NOTION_KEYRING is 0 or false (any case);
//   - the file store, if its file exists (or cannot be looked at);
//   - the keychain, if one answers a read of an item that does not exist
//     (on Linux and the BSDs only when a D-Bus session exists: probing
//     without one would autolaunch a bus);
//   - the file store otherwise.
//
// Its only error is a default path that cannot be worked out.
func ChooseBackend(ctx context.Context, opts AutoOptions) (backend, reason string, err error) {
	getenv := opts.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	if v := strings.TrimSpace(getenv(KeyringEnv)); v == "0" || strings.EqualFold(v, "false") {
		return BackendFile, fmt.Sprintf("%s=%s turns the keychain off", KeyringEnv, v), nil
	}
	path := opts.Path
	if path == "" {
		if path, err = DefaultPath(); err != nil {
			return "", "", fmt.Errorf("choose credential store: %w", err)
		}
	}
	switch _, err := os.Stat(path); {
	case err == nil:
		return BackendFile, "the file store " + path + " already exists", nil
	case !errors.Is(err, fs.ErrNotExist):
		return BackendFile, "the file store " + path + " may exist: " + oneLine(err), nil
	}
	service := opts.Service
	if service == "" {
		service = KeychainService
	}
	timeout := opts.Timeout
	if timeout <= 0 {
		timeout = 3 * time.Second
	}
	if why := sessionBusAbsent(); why != "" {
		return BackendFile, "no file store at " + path + " and no keychain: " + why, nil
	}
	if err := probeKeychain(ctx, service, timeout); err != nil {
		return BackendFile, "no file store at " + path + " and no keychain answers: " + oneLine(err), nil
	}
	return BackendKeychain, fmt.Sprintf("no file store at %s and the keychain answers (service %s)", path, service), nil
}

// probeKeychain asks the keychain for an item that does not exist: an
// answer, found or not, means the keychain can be used.
func probeKeychain(ctx context.Context, service string, timeout time.Duration) error {
	_, _, err := keychainCall(ctx, timeout, func() (string, error) {
		return keyring.Get(service, keychainProbeUser)
	})
	if errors.Is(err, keyring.ErrNotFound) {
		return nil
	}
	return err
}

// oneLine returns err's text on one line: D-Bus error bodies and the
// macOS security tool's output may span several.
func oneLine(err error) string { return strings.Join(strings.Fields(err.Error()), " ") }
