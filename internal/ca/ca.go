// Package ca keeps the local certificate authority of forward-proxy mode:
// the CA that signs the api.notion.com certificate the proxy presents to
// clients that reach it through HTTPS_PROXY and trust this CA.
//
// It is its own package because it is one concept with its own lifecycle
// (generated once, kept in the state directory, printed by the ca command,
// read at every start and reload) that neither the data path nor the
// credential store owns: proxy receives a tls.Certificate and imports no
// project package, and credstore is about Notion credentials. The command
// wiring chooses the files and hands the loaded Authority to the proxy.
//
// A generated CA is an ECDSA P-256 key with a self-signed certificate valid
// for ten years whose name constraints permit only api.notion.com, so even a
// leaked key cannot vouch for any other site to clients that trusted it.
package ca

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"time"
)

// NotionHost is the only name a generated CA may vouch for.
const NotionHost = "api.notion.com"

// validity is how long a generated CA certificate is valid.
const validity = 10 * 365 * 24 * time.Hour

// Authority is a CA certificate with its private key. Its String and
// GoString forms never show the key. It is immutable and safe for
// concurrent use.
type Authority struct {
	cert    tls.Certificate // Leaf is set
	certPEM []byte
}

// Certificate returns the CA as a tls.Certificate (chain and private key,
// with Leaf set), for signing the certificates clients are shown.
func (a *Authority) Certificate() *tls.Certificate { return &a.cert }

// CertPEM returns the CA certificate, PEM encoded: what clients must trust.
func (a *Authority) CertPEM() []byte { return append([]byte(nil), a.certPEM...) }

// String names the CA by its subject; it never shows the private key.
func (a *Authority) String() string {
	return fmt.Sprintf("CA %q (expires %s)", a.cert.Leaf.Subject.CommonName, a.cert.Leaf.NotAfter.Format(time.DateOnly))
}

// GoString is String, so %#v cannot print the private key either.
func (a *Authority) GoString() string { return a.String() }

// Generate returns a new CA, valid from shortly before now.
func Generate(now time.Time) (*Authority, []byte, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, fmt.Errorf("generate CA key: %w", err)
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return nil, nil, fmt.Errorf("generate CA serial: %w", err)
	}
	pub, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		return nil, nil, fmt.Errorf("generate CA: %w", err)
	}
	ski := sha256.Sum256(pub)
	host, _ := os.Hostname()
	name := "notion-auth-proxy local CA"
	if host != "" {
		name += " (" + host + ")"
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: name, Organization: []string{"notion-auth-proxy"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(validity),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true,
		SubjectKeyId:          ski[:20],
		// Vouch for api.notion.com only, and for no IP address.
		PermittedDNSDomainsCritical: true,
		PermittedDNSDomains:         []string{NotionHost},
		ExcludedIPRanges: []*net.IPNet{
			{IP: net.IPv4zero.To4(), Mask: net.CIDRMask(0, 32)},
			{IP: net.IPv6zero, Mask: net.CIDRMask(0, 128)},
		},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, fmt.Errorf("generate CA certificate: %w", err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, nil, fmt.Errorf("generate CA: %w", err)
	}
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})
	a, err := Parse(certPEM, keyPEM, now)
	if err != nil {
		return nil, nil, err
	}
	return a, keyPEM, nil
}

// Errors Parse reports besides parse errors. No error of this package
// includes key material.
var (
	ErrNotCA   = errors.New("the certificate is not a CA certificate")
	ErrExpired = errors.New("the CA certificate is expired or not yet valid")
	ErrKeyType = errors.New("the CA key must be RSA, ECDSA or Ed25519")
)

// Parse checks a PEM certificate and private key pair: the certificate must
// be a CA valid at now and the key must be its key, of a type certificates
// can be signed with.
func Parse(certPEM, keyPEM []byte, now time.Time) (*Authority, error) {
	block, _ := pem.Decode(certPEM)
	if block == nil || block.Type != "CERTIFICATE" {
		return nil, errors.New("no PEM CERTIFICATE block in the certificate file")
	}
	leaf, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("parse CA certificate: %w", err)
	}
	if !leaf.IsCA || !leaf.BasicConstraintsValid {
		return nil, ErrNotCA
	}
	if now.Before(leaf.NotBefore) || now.After(leaf.NotAfter) {
		return nil, fmt.Errorf("%w (valid %s to %s)", ErrExpired,
			leaf.NotBefore.Format(time.DateOnly), leaf.NotAfter.Format(time.DateOnly))
	}
	cert, err := tls.X509KeyPair(pem.EncodeToMemory(block), keyPEM)
	if err != nil {
		// X509KeyPair's errors say what is wrong, never show the key.
		return nil, fmt.Errorf("CA private key: %w", err)
	}
	switch cert.PrivateKey.(type) {
	case *rsa.PrivateKey, *ecdsa.PrivateKey, ed25519.PrivateKey:
	default:
		return nil, ErrKeyType
	}
	cert.Leaf = leaf
	return &Authority{cert: cert, certPEM: pem.EncodeToMemory(block)}, nil
}
