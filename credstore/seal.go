package credstore

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"fmt"
)

// Both backends encrypt at rest the same way: AES-256-GCM with a random
// 12-byte nonce and additional data that binds the payload to where it is
// stored.
const (
	sealCipher = "aes-256-gcm"
	keySize    = 32
	nonceSize  = 12
)

// sealed is an encrypted payload as stored. Its fields are embedded in each
// backend's own envelope.
type sealed struct {
	Cipher string `json:"cipher,omitempty"`
	Nonce  []byte `json:"nonce,omitempty"`
	Data   []byte `json:"data,omitempty"`
}

// isSealed reports whether the envelope holds encrypted data.
func (s sealed) isSealed() bool { return s.Cipher != "" || s.Data != nil }

// seal encrypts plain with key, bound to ad.
func seal(key, plain, ad []byte) (sealed, error) {
	aead, err := newAEAD(key)
	if err != nil {
		return sealed{}, err
	}
	nonce := make([]byte, nonceSize)
	if _, err := rand.Read(nonce); err != nil {
		return sealed{}, fmt.Errorf("make nonce: %w", err)
	}
	return sealed{Cipher: sealCipher, Nonce: nonce, Data: aead.Seal(nil, nonce, plain, ad)}, nil
}

// open decrypts s with key and ad. Its errors wrap ErrCorrupt.
func (s sealed) open(key, ad []byte) ([]byte, error) {
	if s.Cipher != sealCipher {
		return nil, corrupt("cipher is not " + sealCipher)
	}
	if len(s.Nonce) != nonceSize {
		return nil, corrupt("nonce is not 12 bytes")
	}
	aead, err := newAEAD(key)
	if err != nil {
		return nil, err
	}
	plain, err := aead.Open(nil, s.Nonce, s.Data, ad)
	if err != nil {
		return nil, corrupt("cannot decrypt: wrong encryption key or damaged data")
	}
	return plain, nil
}

func newAEAD(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("encryption key: %w", err)
	}
	return cipher.NewGCM(block)
}
