package policy

import (
	"errors"
	"strings"
	"testing"
)

func TestParseSet(t *testing.T) {
	tests := []struct {
		names []string
		want  Set
	}{
		{nil, 0},
		{[]string{"read"}, SetOf(Read)},
		{[]string{"read", "comment_read"}, SetOf(Read, CommentRead)},
		{[]string{"read_only"}, SetOf(Read, CommentRead, UserRead)},
		{[]string{"read_write"}, SetOf(Read, Insert, Update, CommentRead, CommentInsert, UserRead)},
		{[]string{"read_write", "delete"}, All},
		{[]string{"read", "read", "read_only"}, ReadOnly},
	}
	for _, tc := range tests {
		got, err := ParseSet(tc.names)
		if err != nil || got != tc.want {
			t.Errorf("ParseSet(%q) = %v, %v; want %v", tc.names, got, err, tc.want)
		}
	}
	if ReadWrite.Has(Delete) || !All.Has(Delete) {
		t.Error("read_write must lack delete and All must hold it")
	}
}

func TestParseSetReportsEveryUnknownName(t *testing.T) {
	got, err := ParseSet([]string{"read", "Read", "write", "client_credentials", ""})
	if got != SetOf(Read) {
		t.Errorf("ParseSet kept %v; want read", got)
	}
	for _, name := range []string{`"Read"`, `"write"`, `"client_credentials"`, `""`} {
		if err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("error %v does not name %s", err, name)
		}
	}
	var u *UnknownCapabilityError
	if !errors.As(err, &u) || u.Name != "Read" {
		t.Errorf("errors.As(%v) = %+v; want the first unknown name", err, u)
	}
}

func TestSetString(t *testing.T) {
	tests := []struct {
		s    Set
		want string
	}{
		{0, ""},
		{ReadOnly, "read,comment_read,user_read"},
		{All, "read,insert,update,delete,comment_read,comment_insert,user_read"},
		{Set(ClientCredentials), ""},
	}
	for _, tc := range tests {
		if got := tc.s.String(); got != tc.want {
			t.Errorf("%#x.String() = %q; want %q", uint8(tc.s), got, tc.want)
		}
		back, err := ParseSet(strings.Split(tc.want, ","))
		if tc.want != "" && (err != nil || back != tc.s) {
			t.Errorf("ParseSet(%q) = %v, %v; want it back", tc.want, back, err)
		}
	}
	if Delete.String() != "delete" || Capability(0).String() != "none" || ClientCredentials.String() != "client_credentials" {
		t.Error("Capability.String names")
	}
}

func TestNoParsedSetGrantsClientCredentials(t *testing.T) {
	s, _ := ParseSet([]string{"read", "insert", "update", "delete", "comment_read", "comment_insert", "user_read", "read_only", "read_write"})
	if s.Has(ClientCredentials) || All.Has(ClientCredentials) || s.Has(0) {
		t.Errorf("%v holds ClientCredentials or the zero capability", s)
	}
}
