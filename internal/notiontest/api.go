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
