package proxy

import (
	"bytes"
	"io"
	"net/http"
)

// maxReplayBytes bounds the copy of a request body kept so the request can
// be sent again after a token refresh. Larger bodies stream and are not
// replayed.
const maxReplayBytes = 1 << 20

// replayable arranges for req's body to be sent again: it reads up to
// maxReplayBytes, and if the whole body fit, sets GetBody to return fresh
// copies and reports true. A larger body is put back together unread, so
// it still streams, and replayable reports false. A read error is returned
// for the error handler.
func replayable(req *http.Request) (bool, error) {
	if req.Body == nil || req.Body == http.NoBody {
		req.GetBody = func() (io.ReadCloser, error) { return http.NoBody, nil }
		return true, nil
	}
	if req.ContentLength > maxReplayBytes {
		return false, nil
	}
	head, err := io.ReadAll(io.LimitReader(req.Body, maxReplayBytes+1))
	if err != nil {
		return false, err
	}
	if len(head) > maxReplayBytes {
		req.Body = struct {
			io.Reader
			io.Closer
		}{io.MultiReader(bytes.NewReader(head), req.Body), req.Body}
		return false, nil
	}
	req.Body.Close()
	req.Body = io.NopCloser(bytes.NewReader(head))
	req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(head)), nil }
	return true, nil
}
