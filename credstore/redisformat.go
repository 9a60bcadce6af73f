package credstore

import (
	"encoding/json"
	"fmt"
	"strconv"
)

// The stored form of a record. Format is checked first, so that data this
// build cannot read is refused rather than guessed at.
const redisFormat = "notion-auth-proxy-credential/1"

type redisEnvelope struct {
	Format string      `json:"format"`
	Record *fileRecord `json:"record,omitempty"`
	sealed
}

// redisAD binds a sealed record to its credential and version, so neither
// can be changed without the key.
func redisAD(name string, version int64) []byte {
	return fmt.Appendf(nil, "%s/%s/%d/%s", redisFormat, name, version, sealCipher)
}

func (s *RedisStore) encode(rec Record) ([]byte, error) {
	fr := toFileRecord(rec)
	env := redisEnvelope{Format: redisFormat}
	if s.key == nil {
		env.Record = &fr
		return json.Marshal(env)
	}
	plain, err := json.Marshal(fr)
	if err != nil {
		return nil, err
	}
	if env.sealed, err = seal(s.key, plain, redisAD(rec.Credential, rec.Version)); err != nil {
		return nil, err
	}
	return json.Marshal(env)
}

// decode turns an HMGET of "v" and "data" into a record. Its errors wrap
// ErrCorrupt and name the key, never the data.
func (s *RedisStore) decode(name string, vals []any) (Record, error) {
	if len(vals) != 2 || vals[0] == nil {
		return Record{}, fmt.Errorf("credential %s: %w", name, ErrNotFound)
	}
	where := fmt.Sprintf("read credential store %s key %s", s, s.recordKey(name))
	vs, _ := vals[0].(string)
	data, _ := vals[1].(string)
	version, err := strconv.ParseInt(vs, 10, 64)
	if err != nil || version < 1 {
		return Record{}, fmt.Errorf("%s: %w", where, corrupt("version is not a positive number"))
	}
	var env redisEnvelope
	if err := json.Unmarshal([]byte(data), &env); err != nil {
		return Record{}, fmt.Errorf("%s: %w", where, corrupt(describeJSONError(err)))
	}
	if env.Format != redisFormat {
		return Record{}, fmt.Errorf("%s: %w", where, corrupt("not a notion-auth-proxy credential of a supported format"))
	}
	fr, err := s.openEnvelope(env, name, version)
	if err != nil {
		return Record{}, fmt.Errorf("%s: %w", where, err)
	}
	rec := fr.record(name)
	rec.Version = version
	return rec, nil
}

func (s *RedisStore) openEnvelope(env redisEnvelope, name string, version int64) (fileRecord, error) {
	switch {
	case env.isSealed() && s.key == nil:
		return fileRecord{}, corrupt("record is encrypted but no encryption key is configured")
	case !env.isSealed() && s.key != nil:
		return fileRecord{}, corrupt("record is not encrypted but an encryption key is configured")
	case !env.isSealed() && env.Record == nil:
		return fileRecord{}, corrupt("record is empty")
	case !env.isSealed():
		return *env.Record, nil
	}
	plain, err := env.open(s.key, redisAD(name, version))
	if err != nil {
		return fileRecord{}, err
	}
	var fr fileRecord
	if err := json.Unmarshal(plain, &fr); err != nil {
		return fileRecord{}, corrupt(describeJSONError(err))
	}
	return fr, nil
}
