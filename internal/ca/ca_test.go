package ca

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

var now = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func TestLoadOrCreateGeneratesOnceWithPrivateModes(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "state", "notion-auth-proxy")
	files := DefaultFiles(dir)
	// A umask that takes the owner's bits shows that modes are set, not
	// merely requested. No test in this package runs in parallel.
	old := syscall.Umask(0o277)
	a, created, err := LoadOrCreate(files, now)
	syscall.Umask(old)
	if err != nil || !created {
		t.Fatalf("first LoadOrCreate: created %v, %v", created, err)
	}
	for path, want := range map[string]fs.FileMode{
		dir: fs.ModeDir | 0o700, filepath.Dir(dir): fs.ModeDir | 0o700, files.Key: 0o600, files.Cert: 0o644,
	} {
		if fi, err := os.Stat(path); err != nil {
			t.Error(err)
		} else if fi.Mode() != want {
			t.Errorf("%s has mode %v, want %v", path, fi.Mode(), want)
		}
	}
	if leftovers, _ := filepath.Glob(filepath.Join(dir, ".ca-tmp-*")); len(leftovers) > 0 {
		t.Errorf("temporary files left behind: %v", leftovers)
	}
	again, created, err := LoadOrCreate(files, now.Add(time.Hour))
	if err != nil || created {
		t.Fatalf("second LoadOrCreate: created %v, %v", created, err)
	}
	if !bytes.Equal(a.CertPEM(), again.CertPEM()) {
		t.Error("the second start generated a new CA instead of reusing the first")
	}
	onDisk, _ := os.ReadFile(files.Cert)
	if !bytes.Equal(onDisk, a.CertPEM()) {
		t.Error("CertPEM differs from the certificate file")
	}
}

func TestLoadOrCreateConcurrentStartsAgree(t *testing.T) {
	files := DefaultFiles(filepath.Join(t.TempDir(), "nap"))
	const n = 6
	var (
		wg      sync.WaitGroup
		pems    [n][]byte
		created [n]bool
		errs    [n]error
	)
	for i := range n {
		wg.Go(func() {
			var a *Authority
			a, created[i], errs[i] = LoadOrCreate(files, now)
			if a != nil {
				pems[i] = a.CertPEM()
			}
		})
	}
	wg.Wait()
	creators := 0
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("start %d: %v", i, errs[i])
		}
		if created[i] {
			creators++
		}
		if !bytes.Equal(pems[i], pems[0]) {
			t.Errorf("start %d got a different CA", i)
		}
	}
	if creators != 1 {
		t.Errorf("%d starts created a CA, want 1", creators)
	}
	if _, err := Load(files, now); err != nil {
		t.Errorf("the files on disk are not a matching pair: %v", err)
	}
}

func TestLoadOrCreateNeverReplacesHalfAPair(t *testing.T) {
	for _, lone := range []string{"certificate", "key"} {
		t.Run("lone "+lone, func(t *testing.T) {
			files := DefaultFiles(t.TempDir())
			there, missing := files.Cert, files.Key
			if lone == "key" {
				there, missing = files.Key, files.Cert
			}
			writeFile(t, there, []byte("kept"))
			_, _, err := LoadOrCreate(files, now)
			if err == nil || !strings.Contains(err.Error(), missing) {
				t.Fatalf("LoadOrCreate: %v; want an error naming %s", err, missing)
			}
			if b, _ := os.ReadFile(there); string(b) != "kept" {
				t.Errorf("the lone %s was replaced", lone)
			}
			if present(missing) {
				t.Errorf("a file was written next to the lone %s", lone)
			}
		})
	}
}

func TestGeneratedCAVouchesOnlyForNotion(t *testing.T) {
	a, _, err := Generate(now)
	if err != nil {
		t.Fatal(err)
	}
	root := a.Certificate().Leaf
	if !root.IsCA || root.MaxPathLen != 0 || !root.MaxPathLenZero {
		t.Errorf("IsCA %v, MaxPathLen %d", root.IsCA, root.MaxPathLen)
	}
	pool := x509.NewCertPool()
	pool.AddCert(root)
	for _, tt := range []struct {
		dns string
		ip  net.IP
		ok  bool
	}{
		{dns: "api.notion.com", ok: true},
		{dns: "example.com"},
		{dns: "notion.com"},
		{ip: net.ParseIP("127.0.0.1")},
	} {
		leaf := signLeaf(t, a, tt.dns, tt.ip)
		_, err := leaf.Verify(x509.VerifyOptions{Roots: pool, CurrentTime: now})
		if (err == nil) != tt.ok {
			t.Errorf("leaf for %q %v: verify error %v, want ok=%v", tt.dns, tt.ip, err, tt.ok)
		}
	}
}

// signLeaf issues a server certificate for one DNS name or IP with a's key.
func signLeaf(t *testing.T, a *Authority, dns string, ip net.IP) *x509.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2),
		Subject:      pkix.Name{CommonName: dns},
		NotBefore:    now.Add(-time.Minute),
		NotAfter:     now.Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	if dns != "" {
		tmpl.DNSNames = []string{dns}
	}
	if ip != nil {
		tmpl.IPAddresses = []net.IP{ip}
	}
	ca := a.Certificate()
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.Leaf, &key.PublicKey, ca.PrivateKey)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return leaf
}

func TestLoadRejectsBadPairs(t *testing.T) {
	a, key, err := Generate(now)
	if err != nil {
		t.Fatal(err)
	}
	_, otherKey, err := Generate(now)
	if err != nil {
		t.Fatal(err)
	}
	notCA := signLeaf(t, a, "api.notion.com", nil)
	notCAPEM := pemCert(notCA.Raw)
	tests := []struct {
		name      string
		cert, key []byte
		at        time.Time
		want      error
	}{
		{"key of another CA", a.CertPEM(), otherKey, now, nil},
		{"not a CA", notCAPEM, key, now, ErrNotCA},
		{"expired", a.CertPEM(), key, now.Add(11 * 365 * 24 * time.Hour), ErrExpired},
		{"garbage key", a.CertPEM(), []byte("not a key"), now, nil},
		{"garbage certificate", []byte("not a certificate"), key, now, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files := DefaultFiles(t.TempDir())
			writeFile(t, files.Cert, tt.cert)
			writeFile(t, files.Key, tt.key)
			_, err := Load(files, tt.at)
			if err == nil {
				t.Fatal("Load accepted a bad pair")
			}
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Errorf("error %v, want %v", err, tt.want)
			}
			if !strings.Contains(err.Error(), files.Cert) {
				t.Errorf("error %q does not name the certificate file", err)
			}
			for _, k := range [][]byte{key, otherKey} {
				if strings.Contains(err.Error(), keyBody(k)) {
					t.Error("the error holds key material")
				}
			}
		})
	}
}

func TestAuthorityNeverPrintsItsKey(t *testing.T) {
	a, key, err := Generate(now)
	if err != nil {
		t.Fatal(err)
	}
	priv := a.Certificate().PrivateKey.(*ecdsa.PrivateKey)
	d := priv.D.String()
	for _, s := range []string{fmt.Sprint(a), fmt.Sprintf("%v %+v %#v %s", a, a, a, a)} {
		if strings.Contains(s, d) || strings.Contains(s, keyBody(key)) || !strings.Contains(s, "notion-auth-proxy local CA") {
			t.Errorf("printed form %q shows the key or lacks the name", s)
		}
	}
}

func pemCert(der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

// keyBody is a run of the key's base64 text, long enough to be unique.
func keyBody(keyPEM []byte) string {
	lines := strings.Split(string(keyPEM), "\n")
	return lines[1][:40]
}

func writeFile(t *testing.T, path string, b []byte) {
	t.Helper()
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// A crash during CA generation leaves a copy of a private key in a
// temporary file. The next generation removes such leftovers once they are
// old enough not to belong to a start still under way.
func TestLoadOrCreateRemovesCrashLeftovers(t *testing.T) {
	dir := t.TempDir()
	stale := filepath.Join(dir, ".ca-tmp-123")
	fresh := filepath.Join(dir, ".ca-tmp-456")
	for _, p := range []string{stale, fresh} {
		if err := os.WriteFile(p, []byte("-----BEGIN EC PRIVATE KEY-----\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	old := time.Now().Add(-2 * leftoverAge)
	if err := os.Chtimes(stale, old, old); err != nil {
		t.Fatal(err)
	}
	if _, _, err := LoadOrCreate(DefaultFiles(dir), time.Now()); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(stale); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a stale key copy survived: %v", err)
	}
	if _, err := os.Stat(fresh); err != nil {
		t.Errorf("a temporary file that may belong to a start under way was removed: %v", err)
	}
}
