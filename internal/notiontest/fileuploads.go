package notiontest

import (
	"cmp"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// DefaultPublicOrigin is the origin of the absolute URLs the fake writes in
// responses (upload_url, complete_url, status_url and the next_url of page
// property items) until
// SetPublicOrigin changes it: Notion's, so that a proxy in front of the fake
// sees what it would see from Notion.
const DefaultPublicOrigin = "https://api.notion.com"

// SetPublicOrigin sets the origin ("scheme://host[:port]", no trailing
// slash) of the absolute URLs in later responses.
func (s *Server) SetPublicOrigin(origin string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ws.origin = strings.TrimSuffix(origin, "/")
}

// PublicOrigin returns the origin of the absolute URLs in responses.
func (s *Server) PublicOrigin() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ws.origin
}

// Notion's file uploads: at most 1000 parts, expiring an hour after
// creation.
const (
	maxParts     = 1000
	uploadExpiry = time.Hour
	timeLayout   = "2006-01-02T15:04:05.000Z"
)

// fileUpload is a file upload, visible only to the token that made it.
type fileUpload struct {
	id, token, mode           string
	filename, contentType     string
	externalURL, status       string
	parts                     int
	sent                      map[int]bool
	length                    int64
	created, edited, createBy string
	seq                       int
}

// renderUpload returns u as Notion answers it; its URLs are absolute, on
// the public origin.
func (w *workspace) renderUpload(u *fileUpload, version string) map[string]any {
	created, _ := time.Parse(timeLayout, u.created)
	o := map[string]any{
		"object":           "file_upload",
		"id":               u.id,
		"created_time":     u.created,
		"created_by":       map[string]any{"id": u.createBy, "type": "bot"},
		"last_edited_time": u.edited,
		"in_trash":         false,
		"expiry_time":      created.Add(uploadExpiry).Format(timeLayout),
		"status":           u.status,
		"filename":         nilIfEmpty(u.filename),
		"content_type":     nilIfEmpty(u.contentType),
		"content_length":   nil,
	}
	if version < version20260311 {
		o["archived"] = false
	}
	if u.status == "uploaded" && u.mode != "external_url" {
		o["content_length"] = u.length
	}
	if u.status == "pending" && u.mode != "external_url" {
		o["upload_url"] = w.origin + "/v1/file_uploads/" + u.id + "/send"
	}
	if u.mode == "multi_part" {
		o["number_of_parts"] = map[string]any{"total": u.parts, "sent": len(u.sent)}
		if u.status == "pending" {
			o["complete_url"] = w.origin + "/v1/file_uploads/" + u.id + "/complete"
		}
	}
	if u.mode == "external_url" {
		o["file_import_result"] = map[string]any{"imported_time": u.edited, "type": "success", "success": map[string]any{}}
	}
	return o
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// createFileUpload serves POST /v1/file_uploads: a single_part (default),
// multi_part or external_url upload. An external URL is "imported" at once.
func (s *Server) createFileUpload(c *call) (map[string]any, *apiError) {
	var body uploadBody
	return s.locked(c, jsonBody(&body), func(o *op) (map[string]any, *apiError) {
		u, err := body.upload()
		if err != nil {
			return nil, err
		}
		u.id, u.token, u.createBy = newUUID(), o.token, o.bot.ID
		u.created = o.ws.tick()
		u.edited, u.seq = u.created, len(o.ws.uploads)
		o.ws.uploads[u.id] = u
		return o.ws.renderUpload(u, c.version), nil
	})
}

// uploadBody is the body of POST /v1/file_uploads.
type uploadBody struct {
	Mode          string `json:"mode"`
	Filename      string `json:"filename"`
	ContentType   string `json:"content_type"`
	NumberOfParts *int   `json:"number_of_parts"`
	ExternalURL   string `json:"external_url"`
}

// upload returns the new upload body asks for, not yet stored.
func (body uploadBody) upload() (*fileUpload, *apiError) {
	u := &fileUpload{mode: cmp.Or(body.Mode, "single_part"), status: "pending",
		filename: body.Filename, contentType: body.ContentType, sent: map[int]bool{}}
	switch u.mode {
	case "single_part":
	case "multi_part":
		if body.NumberOfParts == nil || *body.NumberOfParts < 1 || *body.NumberOfParts > maxParts {
			return nil, validationError("body failed validation: body.number_of_parts should be between 1 and 1000 for a multi_part upload.")
		}
		if body.Filename == "" {
			return nil, missingField("body.filename")
		}
		u.parts = *body.NumberOfParts
	case "external_url":
		if body.ExternalURL == "" {
			return nil, missingField("body.external_url")
		}
		u.externalURL, u.status = body.ExternalURL, "uploaded"
	default:
		return nil, validationError(fmt.Sprintf(
			"body failed validation: body.mode should be `\"single_part\"`, `\"multi_part\"` or `\"external_url\"`, instead was `%q`.", body.Mode))
	}
	return u, nil
}

// upload returns the caller's upload id, or Notion's 404.
func (o *op) upload(id string) (*fileUpload, *apiError) {
	u := o.ws.uploads[id]
	if u == nil || u.token != o.token {
		return nil, notFoundError("file_upload", id)
	}
	return u, nil
}

// sendFileUpload serves POST /v1/file_uploads/{file_upload_id}/send: a
// multipart/form-data body with the file (or one part of it, part_number).
// The file is streamed into io.Discard, never buffered. An id the fake did
// not issue is answered as an upload of the whole body, whatever its form,
// so that streaming tests need no setup.
func (s *Server) sendFileUpload(c *call) {
	id, aerr := c.pathID("file_upload_id")
	if aerr != nil {
		aerr.write(c.w)
		return
	}
	s.mu.Lock()
	u, known := s.wsLocked().uploads[id]
	s.mu.Unlock()
	if !known {
		s.sinkUpload(c, id)
		return
	}
	size, part, filename, aerr := readUploadForm(c.r)
	if aerr != nil {
		aerr.write(c.w)
		return
	}
	o, aerr := s.locked(c, nil, func(o *op) (map[string]any, *apiError) { return o.recordPart(u, size, part, filename) })
	if aerr != nil {
		aerr.write(c.w)
		return
	}
	reply(c.w, http.StatusOK, o)
}

// recordPart records a sent file (or part) of u.
func (o *op) recordPart(u *fileUpload, size int64, part int, filename string) (map[string]any, *apiError) {
	w := o.ws
	if _, err := o.upload(u.id); err != nil {
		return nil, err
	}
	switch {
	case u.status != "pending" || u.mode == "external_url":
		return nil, validationError(fmt.Sprintf("File upload %s is %s: it takes no more data.", u.id, u.status))
	case u.mode == "multi_part" && (part < 1 || part > u.parts):
		return nil, validationError(fmt.Sprintf("body failed validation: part_number should be between 1 and %d.", u.parts))
	case u.mode == "single_part" && part > 1:
		return nil, validationError("body failed validation: part_number is only for multi_part uploads.")
	}
	u.length += size
	u.edited = w.tick()
	u.filename = cmp.Or(u.filename, filename)
	if u.mode == "multi_part" {
		u.sent[part] = true
	} else {
		u.status = "uploaded"
	}
	return w.renderUpload(u, o.version), nil
}

// readUploadForm streams a multipart/form-data send body: the size of its
// "file" part, its file name and the part_number field (0 when absent).
func readUploadForm(r *http.Request) (int64, int, string, *apiError) {
	mr, err := r.MultipartReader()
	if err != nil {
		return 0, 0, "", validationError("Content-Type must be multipart/form-data with a file field.")
	}
	var size int64 = -1
	var partNumber int
	var filename string
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return 0, 0, "", validationError("The multipart/form-data body is malformed.")
		}
		switch p.FormName() {
		case "file":
			filename = p.FileName()
			if size, err = io.Copy(io.Discard, p); err != nil {
				return 0, 0, "", validationError("The multipart/form-data body is malformed.")
			}
		case "part_number":
			raw, _ := io.ReadAll(io.LimitReader(p, 16))
			if partNumber, err = strconv.Atoi(strings.TrimSpace(string(raw))); err != nil {
				return 0, 0, "", validationError("body failed validation: part_number should be a number.")
			}
		}
	}
	if size < 0 {
		return 0, 0, "", missingField("body.file")
	}
	return size, partNumber, filename, nil
}

// sinkUpload answers a send to an id the fake did not issue: the body,
// however large, is streamed into io.Discard and its size reported.
func (s *Server) sinkUpload(c *call, id string) {
	n, err := io.Copy(io.Discard, c.r.Body)
	if err != nil {
		// The client went away mid-upload; there is no one to answer.
		panic(http.ErrAbortHandler)
	}
	reply(c.w, http.StatusOK, map[string]any{
		"object":           "file_upload",
		"id":               id,
		"created_time":     createdTime,
		"last_edited_time": lastEditedTime,
		"status":           "uploaded",
		"content_length":   n,
	})
}

// completeFileUpload serves POST /v1/file_uploads/{file_upload_id}/complete:
// a multi_part upload whose parts were all sent becomes uploaded.
func (s *Server) completeFileUpload(c *call) (map[string]any, *apiError) {
	return onPath(s, c, "file_upload_id", nil, (*op).upload, func(o *op, u *fileUpload) (map[string]any, *apiError) {
		switch {
		case u.mode != "multi_part" || u.status != "pending":
			return nil, validationError(fmt.Sprintf("File upload %s is a %s upload in status %s: only a pending multi_part upload can be completed.", u.id, u.mode, u.status))
		case len(u.sent) != u.parts:
			return nil, validationError(fmt.Sprintf("File upload %s has %d of %d parts: send them all before completing it.", u.id, len(u.sent), u.parts))
		}
		u.status, u.edited = "uploaded", o.ws.tick()
		return o.ws.renderUpload(u, c.version), nil
	})
}

// getFileUpload serves GET /v1/file_uploads/{file_upload_id}.
func (s *Server) getFileUpload(c *call) (map[string]any, *apiError) {
	return onPath(s, c, "file_upload_id", nil, (*op).upload, func(o *op, u *fileUpload) (map[string]any, *apiError) {
		return o.ws.renderUpload(u, c.version), nil
	})
}

// listFileUploads serves GET /v1/file_uploads?status=..: the token's
// uploads, newest first.
func (s *Server) listFileUploads(c *call) (map[string]any, *apiError) {
	var p paging
	return s.locked(c, queryPage(&p), func(o *op) (map[string]any, *apiError) {
		status := c.r.URL.Query().Get("status")
		var mine []*fileUpload
		for _, u := range o.ws.uploads {
			if u.token == c.token && (status == "" || u.status == status) {
				mine = append(mine, u)
			}
		}
		slices.SortFunc(mine, func(a, b *fileUpload) int { return cmp.Compare(b.seq, a.seq) })
		return listPage("file_upload", mine, func(u *fileUpload) string { return u.id }, p,
			func(u *fileUpload) map[string]any { return o.ws.renderUpload(u, c.version) })
	})
}
