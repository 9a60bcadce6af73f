package ca

import (
	"github.com/notion-auth-proxy/notion-auth-proxy/internal/atomicfile"

	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// Files are where a CA's certificate and private key are kept, both PEM.
type Files struct {
	Cert string
	Key  string
}

// DefaultFiles returns the files of the generated CA in dir (the state
// directory): ca.pem and ca-key.pem.
func DefaultFiles(dir string) Files {
	return Files{Cert: filepath.Join(dir, "ca.pem"), Key: filepath.Join(dir, "ca-key.pem")}
}

// Load reads and checks the CA in f (see Parse). Errors name the files,
// never their contents.
func Load(f Files, now time.Time) (*Authority, error) {
	certPEM, err := os.ReadFile(f.Cert)
	if err != nil {
		return nil, fmt.Errorf("CA certificate: %w", err)
	}
	keyPEM, err := os.ReadFile(f.Key)
	if err != nil {
		return nil, fmt.Errorf("CA key: %w", err)
	}
	a, err := Parse(certPEM, keyPEM, now)
	if err != nil {
		return nil, fmt.Errorf("CA %s with key %s: %w", f.Cert, f.Key, err)
	}
	return a, nil
}

// How long LoadOrCreate waits for another process that has published a key
// to publish its certificate.
const (
	pairWaitStep     = 50 * time.Millisecond
	pairWaitAttempts = 40
)

// tempPrefix starts the names of the files a CA is written through, and
// leftoverAge is how old one must be to count as a crash's leftover.
const (
	tempPrefix  = ".ca-tmp-"
	leftoverAge = time.Minute
)

// errLostRace means another process published its CA key first.
var errLostRace = errors.New("another process created the CA first")

// LoadOrCreate loads the CA in f, first generating one when neither file
// exists; created reports that it did. The key is written with mode 0600
// and the certificate with 0644, each atomically, in directories created
// with mode 0700. The key is published without replacing anything, so
// processes starting at once end up with one CA. A certificate without its
// key, or a key without its certificate, is an error naming the missing
// file: an existing CA is never replaced.
func LoadOrCreate(f Files, now time.Time) (a *Authority, created bool, err error) {
	for attempt := 0; ; attempt++ {
		certThere, keyThere := present(f.Cert), present(f.Key)
		switch {
		case certThere && keyThere:
			a, err := Load(f, now)
			return a, false, err
		case !certThere && !keyThere:
			a, err := create(f, now)
			if errors.Is(err, errLostRace) {
				continue
			}
			return a, err == nil, err
		case keyThere && attempt < pairWaitAttempts:
			// Another process may be between publishing its key and
			// its certificate.
			time.Sleep(pairWaitStep)
			continue
		}
		missing, there := f.Key, f.Cert
		if keyThere {
			missing, there = f.Cert, f.Key
		}
		return nil, false, fmt.Errorf("CA: %s is missing but %s exists; restore it, or remove both to generate a new CA",
			missing, there)
	}
}

// present reports whether path may exist: anything but "does not exist"
// counts, so that Load reports the real problem.
func present(path string) bool {
	_, err := os.Stat(path)
	return !errors.Is(err, fs.ErrNotExist)
}

// create generates a CA and publishes it: the key first, as the commit
// point, then the certificate.
func create(f Files, now time.Time) (*Authority, error) {
	a, keyPEM, err := Generate(now)
	if err != nil {
		return nil, err
	}
	keyDir, certDir := filepath.Dir(f.Key), filepath.Dir(f.Cert)
	for _, dir := range []string{keyDir, certDir} {
		if err := atomicfile.MkdirPrivate(dir); err != nil {
			return nil, fmt.Errorf("create CA directory %s: %w", dir, err)
		}
		// A crash between writing and publishing leaves a private key
		// copy behind; one older than any creation still under way goes.
		atomicfile.RemoveLeftovers(dir, tempPrefix, time.Now().Add(-leftoverAge))
	}
	tmpKey, err := atomicfile.WriteTemp(keyDir, tempPrefix+"*", keyPEM, 0o600, nil)
	if err != nil {
		return nil, fmt.Errorf("write CA key: %w", err)
	}
	defer os.Remove(tmpKey)
	tmpCert, err := atomicfile.WriteTemp(certDir, tempPrefix+"*", a.certPEM, 0o644, nil)
	if err != nil {
		return nil, fmt.Errorf("write CA certificate: %w", err)
	}
	defer os.Remove(tmpCert)
	// Link, unlike Rename, fails instead of replacing a key another
	// process published first.
	if err := os.Link(tmpKey, f.Key); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return nil, errLostRace
		}
		return nil, fmt.Errorf("write CA key: %w", err)
	}
	if err := atomicfile.Rename(tmpCert, f.Cert); err != nil {
		return nil, fmt.Errorf("write CA certificate: %w", err)
	}
	for _, dir := range []string{keyDir, certDir} {
		if err := atomicfile.SyncDir(dir); err != nil {
			return nil, fmt.Errorf("write CA: %w", err)
		}
	}
	return a, nil
}
