package config

import (
	"reflect"
	"sort"
	"strings"
	"time"
)

// envPrefix starts the environment variable of every scalar key.
const envPrefix = "NOTION_PROXY_"

// Keys returns the path of every scalar configuration key, sorted, e.g.
// "listen", "log.level", "store.redis.addr". Each can be set by the
// environment variable NOTION_PROXY_ followed by the path upper-cased with
// "." replaced by "_". Lists (credentials, routes, ...) are not scalar keys.
func Keys() []string {
	fields := scalarFields(Defaults())
	keys := make([]string, len(fields))
	for i, f := range fields {
		keys[i] = f.key
	}
	return keys
}

// envName returns the environment variable that sets a scalar key.
func envName(key string) string {
	return envPrefix + strings.ToUpper(strings.ReplaceAll(key, ".", "_"))
}

// scalarField is one scalar key and its value in some Config.
type scalarField struct {
	key   string
	value any
}

// scalarFields lists every scalar key of c with its value, sorted by key.
// It reflects over the mapstructure tags so a new field cannot be forgotten
// by defaults, environment binding or documentation.
func scalarFields(c Config) []scalarField {
	var out []scalarField
	walkScalars(reflect.ValueOf(c), "", &out)
	sort.Slice(out, func(i, j int) bool { return out[i].key < out[j].key })
	return out
}

func walkScalars(v reflect.Value, prefix string, out *[]scalarField) {
	t := v.Type()
	for i := range t.NumField() {
		name, ok := tagName(t.Field(i))
		if !ok {
			continue
		}
		key := joinKey(prefix, name)
		fv := v.Field(i)
		switch fv.Kind() {
		case reflect.Slice, reflect.Array, reflect.Map:
			continue
		case reflect.Struct:
			walkScalars(fv, key, out)
		default:
			*out = append(*out, scalarField{key: key, value: fv.Interface()})
		}
	}
}

// tagName returns a field's mapstructure key; ok is false for fields that
// are not configuration keys.
func tagName(f reflect.StructField) (name string, ok bool) {
	if !f.IsExported() {
		return "", false
	}
	name, _, _ = strings.Cut(f.Tag.Get("mapstructure"), ",")
	if name == "" || name == "-" {
		return "", false
	}
	return name, true
}

func joinKey(prefix, name string) string {
	if prefix == "" {
		return name
	}
	return prefix + "." + name
}

// structTypeAt returns the struct type found at a key path such as
// "credentials[0]" or "store.redis"; "" is Config itself.
func structTypeAt(path string) (reflect.Type, bool) {
	t := reflect.TypeFor[Config]()
	if path == "" {
		return t, true
	}
	for seg := range strings.SplitSeq(path, ".") {
		name, _, _ := strings.Cut(seg, "[")
		f, ok := fieldByTag(t, name)
		if !ok {
			return nil, false
		}
		t = f.Type
		if t.Kind() == reflect.Slice {
			t = t.Elem()
		}
		if t.Kind() != reflect.Struct {
			return nil, false
		}
	}
	return t, true
}

func fieldByTag(t reflect.Type, name string) (reflect.StructField, bool) {
	for i := range t.NumField() {
		if n, ok := tagName(t.Field(i)); ok && n == name {
			return t.Field(i), true
		}
	}
	return reflect.StructField{}, false
}

// looseType mirrors a config struct type with every leaf (scalar or list of
// scalars) replaced by any. Decoding into it cannot fail on a value's type,
// so the keys it leaves unused are exactly the unknown keys.
func looseType(t reflect.Type) reflect.Type {
	durationType := reflect.TypeFor[time.Duration]()
	var fields []reflect.StructField
	for i := range t.NumField() {
		f := t.Field(i)
		if _, ok := tagName(f); !ok {
			continue
		}
		ft := f.Type
		switch {
		case ft.Kind() == reflect.Struct && ft != durationType:
			ft = looseType(ft)
		case ft.Kind() == reflect.Slice && ft.Elem().Kind() == reflect.Struct:
			ft = reflect.SliceOf(looseType(ft.Elem()))
		default:
			ft = reflect.TypeFor[any]()
		}
		fields = append(fields, reflect.StructField{Name: f.Name, Type: ft, Tag: f.Tag})
	}
	return reflect.StructOf(fields)
}
