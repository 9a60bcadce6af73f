package config

import (
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"time"

	"github.com/go-viper/mapstructure/v2"
	"github.com/spf13/viper"
)

// decode turns viper's merged settings into a Config. Values of the wrong
// type become problems at their key path; the rest of the Config is still
// filled in so validation can report everything else.
func decode(v *viper.Viper) (*Config, []*Problem) {
	var cfg Config
	err := v.Unmarshal(&cfg, viper.DecodeHook(mapstructure.ComposeDecodeHookFunc(
		shapeErrorHook,
		durationHook,
		dateStringHook,
		mapstructure.StringToSliceHookFunc(","),
	)))
	var problems []*Problem
	collectDecodeErrors(err, &problems)
	sortProblems(problems)
	return &cfg, problems
}

// unknownKeys reports every key in the settings that Config has no field
// for. It decodes into a loose mirror of Config whose leaves accept any
// value, because mapstructure drops a struct's unused keys from Metadata
// when any of its fields failed to decode.
func unknownKeys(v *viper.Viper) ([]*Problem, error) {
	out := reflect.New(looseType(reflect.TypeFor[Config]()))
	var md mapstructure.Metadata
	err := v.Unmarshal(out.Interface(), func(dc *mapstructure.DecoderConfig) {
		dc.Metadata = &md
		dc.DecodeHook = shapeHook
	})
	if err != nil {
		return nil, fmt.Errorf("find unknown keys: %w", err)
	}
	problems := make([]*Problem, 0, len(md.Unused))
	for _, key := range md.Unused {
		problems = append(problems, unknownKey(key))
	}
	sortProblems(problems)
	return problems, nil
}

// unknownKey describes an unknown key, with a pointer to the right key when
// it looks like a secret written literally (token, client_secret, password,
// key, ...): those have a *_env sibling in the struct they appear in.
func unknownKey(path string) *Problem {
	p := &Problem{Key: path, Msg: "unknown key"}
	parent, last := "", path
	if i := strings.LastIndex(path, "."); i >= 0 {
		parent, last = path[:i], path[i+1:]
	}
	t, ok := structTypeAt(parent)
	if !ok {
		return p
	}
	if _, ok := fieldByTag(t, last+"_env"); !ok {
		return p
	}
	use := last + "_env"
	if _, ok := fieldByTag(t, last+"_file"); ok {
		use += " or " + last + "_file"
	}
	p.Msg = "unknown key: secrets are never literal in the file; use " + use
	return p
}

// shapeHook lets the loose decode of unknownKeys accept a value of the wrong
// shape (a string where a mapping or list belongs); decode reports those.
func shapeHook(from, to reflect.Type, data any) (any, error) {
	switch {
	case to.Kind() == reflect.Struct && from.Kind() != reflect.Map:
		return map[string]any{}, nil
	case to.Kind() == reflect.Slice && from.Kind() != reflect.Slice && from.Kind() != reflect.Array:
		return []any{}, nil
	}
	return data, nil
}

// shapeErrorHook words the error for a scalar or list where a mapping
// belongs, e.g. "log: debug".
func shapeErrorHook(from, to reflect.Type, data any) (any, error) {
	if to.Kind() == reflect.Struct && from.Kind() != reflect.Map && from.Kind() != reflect.Struct {
		return nil, fmt.Errorf("expected a mapping, got %s", valueName(data))
	}
	return data, nil
}

// durationHook parses durations from strings such as "30s" and refuses bare
// non-zero numbers, which would otherwise silently mean nanoseconds.
func durationHook(from, to reflect.Type, data any) (any, error) {
	durationType := reflect.TypeFor[time.Duration]()
	if to != durationType || from == durationType {
		return data, nil
	}
	switch from.Kind() {
	case reflect.String:
		d, err := time.ParseDuration(data.(string))
		if err != nil {
			return nil, fmt.Errorf("cannot parse %q as a duration such as \"30s\"", data)
		}
		return d, nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
		reflect.Float32, reflect.Float64:
		if reflect.ValueOf(data).IsZero() {
			return time.Duration(0), nil
		}
		return nil, fmt.Errorf("%v has no unit; write a duration such as \"%vs\"", data, data)
	}
	return data, nil
}

// dateStringHook undoes YAML's reading of an unquoted date such as
// notion_version: 2025-09-03 as a timestamp where a string belongs.
func dateStringHook(from, to reflect.Type, data any) (any, error) {
	if from != reflect.TypeFor[time.Time]() || to.Kind() != reflect.String {
		return data, nil
	}
	ts := data.(time.Time)
	if ts.Equal(ts.Truncate(24*time.Hour)) && ts.Location() == time.UTC {
		return ts.Format(time.DateOnly), nil
	}
	return ts.Format(time.RFC3339Nano), nil
}

// collectDecodeErrors walks mapstructure's error tree and turns each field
// error into a Problem at that field's key path.
func collectDecodeErrors(err error, out *[]*Problem) {
	if err == nil {
		return
	}
	if joined, ok := err.(interface{ Unwrap() []error }); ok {
		for _, e := range joined.Unwrap() {
			collectDecodeErrors(e, out)
		}
		return
	}
	// Match the node itself, not its tree: errors.As would stop at the
	// first of several field errors.
	de, ok := err.(*mapstructure.DecodeError)
	if !ok {
		if inner := errors.Unwrap(err); inner != nil {
			collectDecodeErrors(inner, out)
			return
		}
		*out = append(*out, &Problem{Msg: err.Error()})
		return
	}
	inner := de.Unwrap()
	var nested *mapstructure.DecodeError
	if errors.As(inner, &nested) {
		collectDecodeErrors(inner, out)
		return
	}
	*out = append(*out, &Problem{Key: de.Name(), Msg: describeDecodeError(inner)})
}

func describeDecodeError(err error) string {
	var pe *mapstructure.ParseError
	if errors.As(err, &pe) {
		return fmt.Sprintf("cannot parse %q as %s", fmt.Sprint(pe.Value), typeName(pe.Expected.Type()))
	}
	var ue *mapstructure.UnconvertibleTypeError
	if errors.As(err, &ue) {
		return fmt.Sprintf("expected %s, got %s", typeName(ue.Expected.Type()), valueName(ue.Value))
	}
	return err.Error()
}

func typeName(t reflect.Type) string {
	if t == reflect.TypeFor[time.Duration]() {
		return `a duration such as "30s"`
	}
	switch t.Kind() {
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.String:
		return "a string"
	case reflect.Slice, reflect.Array:
		return "a list"
	case reflect.Struct, reflect.Map:
		return "a mapping"
	}
	return t.String()
}

func valueName(v any) string {
	if v == nil {
		return "nothing"
	}
	switch reflect.TypeOf(v).Kind() {
	case reflect.Map:
		return "a mapping"
	case reflect.Slice, reflect.Array:
		return "a list"
	case reflect.String:
		return fmt.Sprintf("%q", v)
	}
	return fmt.Sprintf("%v", v)
}

func sortProblems(ps []*Problem) {
	sort.SliceStable(ps, func(i, j int) bool { return ps[i].Key < ps[j].Key })
}
