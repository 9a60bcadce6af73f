package notiontest

import (
	"fmt"
	"io"
	"net/http"
)

// pathID returns the normalised {id} of r, or writes Notion's validation
// error for an id of an object of type typ and returns false.
func pathID(w http.ResponseWriter, r *http.Request, typ objectType) (string, bool) {
	raw := r.PathValue("id")
	id, ok := NormalizeID(raw)
	if !ok {
		invalidPathID(w, typ, raw)
	}
	return id, ok
}

// getObject serves GET /v1/{type}s/{id}.
func (s *Server) getObject(typ objectType) apiHandler {
	return func(w http.ResponseWriter, r *http.Request, token string) {
		if id, ok := pathID(w, r, typ); ok {
			s.writeObject(w, token, typ, id)
		}
	}
}

// updateObject serves PATCH /v1/{type}s/{id}: the body must be a JSON object;
// the object is answered unchanged.
func (s *Server) updateObject(typ objectType) apiHandler {
	return func(w http.ResponseWriter, r *http.Request, token string) {
		id, ok := pathID(w, r, typ)
		if !ok || !decodeBody(w, r, &struct{}{}) {
			return
		}
		s.writeObject(w, token, typ, id)
	}
}

// writeObject answers the object typ/id when token can see it, else 404.
func (s *Server) writeObject(w http.ResponseWriter, token string, typ objectType, id string) {
	real, ok := s.lookup(token, typ, id)
	if !ok {
		notFound(w, typ, id)
		return
	}
	o := object(typ, real, id, s.bot(token))
	o["request_id"] = requestID(w)
	writeJSON(w, http.StatusOK, o)
}

// queryObject serves the list endpoints of an object (database and data
// source queries, block children): an empty list of type listType when token
// can see the object, else 404.
func (s *Server) queryObject(typ objectType, listType string) apiHandler {
	return func(w http.ResponseWriter, r *http.Request, token string) {
		id, ok := pathID(w, r, typ)
		if !ok || !decodeBody(w, r, &struct{}{}) {
			return
		}
		if _, ok := s.lookup(token, typ, id); !ok {
			notFound(w, typ, id)
			return
		}
		l := list(listType, nil)
		l["request_id"] = requestID(w)
		writeJSON(w, http.StatusOK, l)
	}
}

// pageParent is the parent of a page to create.
type pageParent struct {
	PageID       *string `json:"page_id"`
	DatabaseID   *string `json:"database_id"`
	DataSourceID *string `json:"data_source_id"`
	Workspace    bool    `json:"workspace"`
}

// createPage serves POST /v1/pages. The parent must be visible to the token;
// the new page is shared with it, as pages an integration creates are.
func (s *Server) createPage(w http.ResponseWriter, r *http.Request, token string) {
	var body struct {
		Parent *pageParent `json:"parent"`
	}
	if !decodeBody(w, r, &body) {
		return
	}
	if body.Parent == nil {
		WriteError(w, http.StatusBadRequest, codeValidation,
			"body failed validation: body.parent should be defined, instead was `undefined`.")
		return
	}
	parent, ok := s.resolveParent(w, token, body.Parent)
	if !ok {
		return
	}
	id := newUUID()
	s.Share(token, string(typePage), id)
	o := object(typePage, typePage, id, s.bot(token))
	o["parent"] = parent
	o["request_id"] = requestID(w)
	writeJSON(w, http.StatusOK, o)
}

// resolveParent checks p against what token can see and returns it in
// response form, or writes Notion's error and returns false.
func (s *Server) resolveParent(w http.ResponseWriter, token string, p *pageParent) (map[string]any, bool) {
	refs := []struct {
		field string
		typ   objectType
		raw   *string
	}{
		{"page_id", typePage, p.PageID},
		{"database_id", typeDatabase, p.DatabaseID},
		{"data_source_id", typeDataSource, p.DataSourceID},
	}
	for _, ref := range refs {
		if ref.raw == nil {
			continue
		}
		id, ok := NormalizeID(*ref.raw)
		if !ok {
			WriteError(w, http.StatusBadRequest, codeValidation, fmt.Sprintf(
				"body failed validation: body.parent.%s should be a valid uuid, instead was `%q`.", ref.field, *ref.raw))
			return nil, false
		}
		if _, ok := s.lookup(token, ref.typ, id); !ok {
			notFound(w, ref.typ, id)
			return nil, false
		}
		return map[string]any{"type": ref.field, ref.field: id}, true
	}
	if p.Workspace {
		return map[string]any{"type": "workspace", "workspace": true}, true
	}
	WriteError(w, http.StatusBadRequest, codeValidation,
		"body failed validation: body.parent should define page_id, database_id, data_source_id or workspace.")
	return nil, false
}

// search serves POST /v1/search: every page, database and data source shared
// with the token, optionally filtered by {"filter":{"property":"object","value":...}}.
func (s *Server) search(w http.ResponseWriter, r *http.Request, token string) {
	var body struct {
		Filter *struct {
			Value string `json:"value"`
		} `json:"filter"`
	}
	if !decodeBody(w, r, &body) {
		return
	}
	types := []objectType{typePage, typeDatabase, typeDataSource}
	if body.Filter != nil {
		typ, ok := parseObjectType(body.Filter.Value)
		if !ok || typ == typeBlock {
			WriteError(w, http.StatusBadRequest, codeValidation, fmt.Sprintf(
				"body failed validation: body.filter.value should be `\"page\"` or `\"data_source\"`, instead was `%q`.",
				body.Filter.Value))
			return
		}
		types = []objectType{typ}
	}
	bot := s.bot(token)
	var results []any
	for _, k := range s.sharedObjects(token, types...) {
		results = append(results, object(k.typ, k.typ, k.id, bot))
	}
	l := list("page_or_data_source", results)
	l["request_id"] = requestID(w)
	writeJSON(w, http.StatusOK, l)
}

// sendFileUpload serves POST /v1/file_uploads/{id}/send. The body, however
// large, is streamed into io.Discard and its size reported as content_length.
func (s *Server) sendFileUpload(w http.ResponseWriter, r *http.Request, _ string) {
	id, ok := pathID(w, r, "file_upload")
	if !ok {
		return
	}
	n, err := io.Copy(io.Discard, r.Body)
	if err != nil {
		// The client went away mid-upload; there is no one to answer.
		panic(http.ErrAbortHandler)
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"object":           "file_upload",
		"id":               id,
		"created_time":     createdTime,
		"last_edited_time": lastEditedTime,
		"status":           "uploaded",
		"content_length":   n,
		"request_id":       requestID(w),
	})
}
