package notiontest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// RequestIDHeader is the response header carrying Notion's request id; every
// response of the fake has it, and error bodies repeat it as request_id.
const RequestIDHeader = "x-notion-request-id"

const contentTypeJSON = "application/json; charset=utf-8"

// Notion error codes and messages the fake answers with.
const (
	codeUnauthorized    = "unauthorized"
	codeMissingVersion  = "missing_version"
	codeRestricted      = "restricted_resource"
	codeNotFound        = "object_not_found"
	codeInvalidURL      = "invalid_request_url"
	codeValidation      = "validation_error"
	codeInvalidJSON     = "invalid_json"
	codeInternal        = "internal_server_error"
	codeRateLimited     = "rate_limited"
	msgUnauthorized     = "API token is invalid."
	msgMissingVersion   = "Notion-Version header failed validation: Notion-Version header should be defined, instead was `undefined`."
	msgRestricted       = "Insufficient permissions for this endpoint."
	msgInvalidURL       = "Invalid request URL."
	msgInvalidJSON      = "Error parsing JSON body."
	msgBodyTooLarge     = "Request body too large."
	msgRateLimited      = "You have been rate limited. Please try again in a few minutes."
	msgArchived         = "Can't edit block that is archived. You must unarchive the block before editing."
	msgNoSuchTemplate   = "Could not find %s with ID: %s."
	msgNotFoundTemplate = msgNoSuchTemplate + " Make sure the relevant pages and databases are shared with your integration."
)

// errorBody is Notion's error shape; the field order is Notion's.
type errorBody struct {
	Object    string `json:"object"`
	Status    int    `json:"status"`
	Code      string `json:"code"`
	Message   string `json:"message"`
	RequestID string `json:"request_id"`
}

// WriteError writes a Notion error response: status, Content-Type
// application/json; charset=utf-8 and the body
// {"object":"error","status":..,"code":..,"message":..,"request_id":..}.
// The request id is the one already set in w's RequestIDHeader (the fake sets
// it before any fault hook runs), or a new one. It is meant for fault hooks
// installed with SetFault, e.g. a 429 with a Retry-After header set first.
func WriteError(w http.ResponseWriter, status int, code, message string) {
	writeJSON(w, status, errorBody{
		Object:    "error",
		Status:    status,
		Code:      code,
		Message:   message,
		RequestID: requestID(w),
	})
}

// apiError is a Notion error answer; handlers return one instead of
// writing it, so that they can decide under the fake's lock and answer
// after releasing it.
type apiError struct {
	status        int
	code, message string
}

// write answers the request with e.
func (e *apiError) write(w http.ResponseWriter) { WriteError(w, e.status, e.code, e.message) }

// notFoundError is Notion's 404 for an object the token cannot see, or
// that does not exist: Notion does not tell the two apart.
func notFoundError(typ objectType, id string) *apiError {
	return &apiError{http.StatusNotFound, codeNotFound, fmt.Sprintf(msgNotFoundTemplate, typ, id)}
}

// noSuch is Notion's 404 for a thing that sharing does not decide (a
// property, a user, an async task): its message gives no hint to share.
func noSuch(what, id string) *apiError {
	return &apiError{http.StatusNotFound, codeNotFound, fmt.Sprintf(msgNoSuchTemplate, what, id)}
}

// validationError is Notion's 400 validation_error with message.
func validationError(message string) *apiError {
	return &apiError{http.StatusBadRequest, codeValidation, message}
}

// invalidID is Notion's 400 for an id that is not a UUID, at field (e.g.
// "path.page_id" or "body.parent.page_id").
func invalidID(field, raw string) *apiError {
	return validationError(fmt.Sprintf("%s failed validation: %s should be a valid uuid, instead was `%q`.",
		strings.SplitN(field, ".", 2)[0], field, raw))
}

// missingField is Notion's 400 for a required field that is absent.
func missingField(field string) *apiError {
	return validationError(fmt.Sprintf("%s failed validation: %s should be defined, instead was `undefined`.",
		strings.SplitN(field, ".", 2)[0], field))
}

// requestID returns the request id of the response being written, setting a
// new one when there is none yet.
func requestID(w http.ResponseWriter) string {
	id := w.Header().Get(RequestIDHeader)
	if id == "" {
		id = newUUID()
		w.Header().Set(RequestIDHeader, id)
	}
	return id
}

// writeJSON writes v as a JSON response with an exact Content-Length. HTML
// characters are not escaped, as Notion does not escape them.
func writeJSON(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		// Only the fake's own values get here; a failure is a bug in it.
		status = http.StatusInternalServerError
		buf.Reset()
		_ = json.NewEncoder(&buf).Encode(errorBody{
			Object: "error", Status: status, Code: codeInternal,
			Message: "notiontest: encode response: " + err.Error(), RequestID: requestID(w),
		})
	}
	b := bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
	h := w.Header()
	h.Set("Content-Type", contentTypeJSON)
	h.Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}
