package notiontest

import "net/http"

// call is one authenticated request to a Notion endpoint.
type call struct {
	w       http.ResponseWriter
	r       *http.Request
	token   string
	version string // a valid Notion-Version
}

// apiHandler handles an authenticated request; it writes the answer itself
// (streaming endpoints).
type apiHandler func(c *call)

// objectHandler handles an authenticated request whose answer is one JSON
// object: it returns the object or the Notion error to answer with. The
// request id is added to the object.
type objectHandler func(c *call) (map[string]any, *apiError)

// api wraps h with the checks every Notion endpoint makes, in this order:
// the bearer token, the token's rate limit, the Notion-Version header, then
// the capability.
func (s *Server) api(h apiHandler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token, ok := s.authenticate(r)
		if !ok {
			WriteError(w, http.StatusUnauthorized, codeUnauthorized, msgUnauthorized)
			return
		}
		if !s.admit(w, token) {
			return
		}
		version, err := checkVersion(r)
		if err != nil {
			err.write(w)
			return
		}
		if s.restricted(token, r) {
			WriteError(w, http.StatusForbidden, codeRestricted, msgRestricted)
			return
		}
		h(&call{w: w, r: r, token: token, version: version})
	})
}

// object wraps h as an API endpoint answering one JSON object.
func (s *Server) object(h objectHandler) http.Handler {
	return s.api(func(c *call) {
		o, err := h(c)
		if err != nil {
			err.write(c.w)
			return
		}
		reply(c.w, http.StatusOK, o)
	})
}

// reply answers with object o, adding the request id as Notion does.
func reply(w http.ResponseWriter, status int, o map[string]any) {
	o["request_id"] = requestID(w)
	writeJSON(w, status, o)
}

func invalidURL(c *call) {
	WriteError(c.w, http.StatusBadRequest, codeInvalidURL, msgInvalidURL)
}

// pathID returns the normalised path parameter param (e.g. "page_id"), or
// Notion's validation error for an id that is not a UUID.
func (c *call) pathID(param string) (string, *apiError) {
	raw := c.r.PathValue(param)
	id, ok := NormalizeID(raw)
	if !ok {
		return "", invalidID("path."+param, raw)
	}
	return id, nil
}

// bodyID normalises an id found in the body at field, e.g.
// "body.parent.page_id".
func bodyID(field, raw string) (string, *apiError) {
	id, ok := NormalizeID(raw)
	if !ok {
		return "", invalidID(field, raw)
	}
	return id, nil
}

// op is a call being served with s.mu held: the workspace, the caller's
// bot (whom changes are made by) and, on an endpoint of one object of the
// tree, that object.
type op struct {
	*call
	s   *Server
	ws  *workspace
	bot Bot
	n   *node      // the object the path names; nil on other endpoints
	typ objectType // the type the endpoint serves n as
}

// reader parses the part of a request other than its path. It runs before
// s.mu is taken and before the object is looked up, so that a malformed
// request is refused whether or not the caller may see the object.
type reader func(c *call) *apiError

// jsonBody reads the request's JSON body into v.
func jsonBody(v any) reader {
	return func(c *call) *apiError { return decodeBody(c.r, v) }
}

// queryPage reads start_cursor and page_size from the query string into p.
func queryPage(p *paging) reader {
	return func(c *call) (err *apiError) {
		*p, err = queryPaging(c.r)
		return err
	}
}

// pagedBody is a request body with paging fields.
type pagedBody interface{ paging() (paging, *apiError) }

// bodyPage reads the request's JSON body into v and its paging into p.
func bodyPage(v pagedBody, p *paging) reader {
	return func(c *call) (err *apiError) {
		if err = decodeBody(c.r, v); err == nil {
			*p, err = v.paging()
		}
		return err
	}
}

// locked serves c: read (nil: nothing to read) parses the request, then
// serve answers with s.mu held.
func (s *Server) locked(c *call, read reader, serve func(o *op) (map[string]any, *apiError)) (map[string]any, *apiError) {
	if read != nil {
		if err := read(c); err != nil {
			return nil, err
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return serve(&op{call: c, s: s, ws: s.wsLocked(), bot: s.botLocked(c.token)})
}

// onPath serves c, a call on the object whose id the path parameter param
// holds: the id is checked first, then read parses the rest of the request;
// with s.mu held, find looks the object up as the caller may see it (or
// answers Notion's 404) and serve answers.
func onPath[T any](s *Server, c *call, param string, read reader,
	find func(o *op, id string) (T, *apiError), serve func(o *op, obj T) (map[string]any, *apiError)) (map[string]any, *apiError) {
	id, err := c.pathID(param)
	if err != nil {
		return nil, err
	}
	return s.locked(c, read, func(o *op) (map[string]any, *apiError) {
		obj, err := find(o, id)
		if err != nil {
			return nil, err
		}
		return serve(o, obj)
	})
}

// onNode serves c, a call on the object of the tree of type typ that the
// path names (by "page_id", "block_id", "database_id" or
// "data_source_id"), as onPath does; serve finds it in o.n.
func (s *Server) onNode(c *call, typ objectType, read reader, serve func(o *op) (map[string]any, *apiError)) (map[string]any, *apiError) {
	find := func(o *op, id string) (*node, *apiError) { return s.findLocked(o.token, typ, id) }
	return onPath(s, c, string(typ)+"_id", read, find, func(o *op, n *node) (map[string]any, *apiError) {
		o.n, o.typ = n, typ
		return serve(o)
	})
}

// render answers o's object as the endpoint shows it: on the block
// endpoints as a block (a page or database as its child_page or
// child_database block), elsewhere as itself.
func (o *op) render() map[string]any {
	if o.typ == typeBlock {
		return o.ws.renderBlock(o.n, o.version)
	}
	return o.ws.renderLocked(o.n, o.version)
}

// nodeList answers page p of nodes as a list of listType, each as render
// shows it at the call's version.
func (o *op) nodeList(listType string, nodes []*node, p paging, render func(*node, string) map[string]any) (map[string]any, *apiError) {
	return listPage(listType, nodes, nodeID, p, func(n *node) map[string]any { return render(n, o.version) })
}
