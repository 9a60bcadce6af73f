package policy

import (
	"fmt"
	"slices"
	"strings"
)

// maxParams is the most path parameters a template has.
const maxParams = 2

// Params holds the path parameters of a matched request, by template name,
// as they appear in the path. It is a value and never allocates.
type Params struct {
	n  int
	kv [maxParams]struct{ name, value string }
}

// Get returns the value of the parameter called name, or "".
func (p Params) Get(name string) string {
	for i := range p.n {
		if p.kv[i].name == name {
			return p.kv[i].value
		}
	}
	return ""
}

// Len returns the number of parameters.
func (p Params) Len() int { return p.n }

// At returns the i'th parameter, in path order; it panics unless
// 0 <= i < p.Len().
func (p Params) At(i int) (name, value string) { return p.kv[i].name, p.kv[i].value }

func (p *Params) add(name, value string) {
	p.kv[p.n].name, p.kv[p.n].value = name, value
	p.n++
}

// segment is one path segment of a template: a literal or a parameter.
type segment struct {
	lit, param string
}

// route is a compiled template.
type route struct {
	e    *Endpoint
	segs []segment
	// literals has bit len(segs)-1-i set when segment i is literal, so a
	// larger value is more specific at the first segment where two
	// templates differ: /v1/users/me wins over /v1/users/{user_id}.
	literals uint64
}

// router holds the compiled table by method and by family, the segment
// after /v1/ ("pages"), most specific first.
type router struct {
	byMethod map[string]map[string][]route
}

// routes is the compiled table. It is built once and never changed.
var routes = compile(table[:])

// compile builds the router for rows. It panics on a template it cannot
// use, which TestTableCompiles guards.
func compile(rows []Endpoint) router {
	r := router{byMethod: make(map[string]map[string][]route)}
	for i := range rows {
		e := &rows[i]
		rt, err := compileRoute(e)
		if err != nil {
			panic(err)
		}
		families := r.byMethod[e.Method]
		if families == nil {
			families = make(map[string][]route)
			r.byMethod[e.Method] = families
		}
		family := rt.segs[1].lit
		families[family] = append(families[family], rt)
	}
	for _, families := range r.byMethod {
		for _, rs := range families {
			slices.SortStableFunc(rs, func(a, b route) int {
				return compareUint(b.literals, a.literals)
			})
		}
	}
	return r
}

func compareUint(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func compileRoute(e *Endpoint) (route, error) {
	if !strings.HasPrefix(e.Path, "/v1/") {
		return route{}, fmt.Errorf("compile %s %s: template must start with /v1/", e.Method, e.Path)
	}
	rt := route{e: e}
	parts := strings.Split(e.Path[1:], "/")
	params := 0
	for i, p := range parts {
		switch {
		case p == "":
			return route{}, fmt.Errorf("compile %s %s: empty segment", e.Method, e.Path)
		case strings.HasPrefix(p, "{") && strings.HasSuffix(p, "}"):
			rt.segs = append(rt.segs, segment{param: p[1 : len(p)-1]})
			params++
		default:
			rt.segs = append(rt.segs, segment{lit: p})
			rt.literals |= 1 << (len(parts) - 1 - i)
		}
	}
	if len(rt.segs) < 2 || rt.segs[1].lit == "" {
		return route{}, fmt.Errorf("compile %s %s: the segment after /v1/ must be literal", e.Method, e.Path)
	}
	if params > maxParams {
		return route{}, fmt.Errorf("compile %s %s: more than %d parameters", e.Method, e.Path, maxParams)
	}
	for _, f := range e.Objects {
		if f.In == InPath && !slices.Contains(rt.segs, segment{param: f.Name}) {
			return route{}, fmt.Errorf("compile %s %s: no parameter %s", e.Method, e.Path, f.Name)
		}
	}
	return rt, nil
}

// match reports whether path fits rt, filling p when it does.
func (rt *route) match(path string, p *Params) bool {
	if path == "" || path[0] != '/' {
		return false
	}
	rest := path[1:]
	var got Params
	for i, s := range rt.segs {
		seg, tail, more := strings.Cut(rest, "/")
		if more != (i < len(rt.segs)-1) {
			return false
		}
		switch {
		case s.param == "":
			if seg != s.lit {
				return false
			}
		case seg == "":
			return false
		default:
			got.add(s.param, seg)
		}
		rest = tail
	}
	*p = got
	return true
}

// Match returns the endpoint that serves method and path, and the path's
// parameters. path is the URL path as it is sent upstream, in its escaped
// form (url.URL.EscapedPath), without a query; it matches a template only
// exactly: no trailing slash, no empty segment, literal segments spelled
// as Notion spells them. A literal segment wins over a parameter, so
// /v1/users/me is getSelf. HEAD matches as GET. Match does not check that
// parameters are well-formed ids; Classify does. Match does not allocate.
func Match(method, path string) (Endpoint, Params, bool) {
	if method == "HEAD" {
		method = "GET"
	}
	rest, ok := strings.CutPrefix(path, "/v1/")
	if !ok {
		return Endpoint{}, Params{}, false
	}
	family, _, _ := strings.Cut(rest, "/")
	var p Params
	rs := routes.byMethod[method][family]
	for i := range rs {
		if rs[i].match(path, &p) {
			return *rs[i].e, p, true
		}
	}
	return Endpoint{}, Params{}, false
}

// NeedsBody reports whether the body of a request for method and path can
// change the capability it needs or names objects, so that a proxy reads
// bodies only then. It is false for an endpoint the table does not know.
func NeedsBody(method, path string) bool {
	e, _, ok := Match(method, path)
	return ok && e.NeedsBody()
}
