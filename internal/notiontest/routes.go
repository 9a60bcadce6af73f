package notiontest

import "net/http"

// routes returns the fake's routing table: every endpoint of Notion's REST
// API (the SDK's and the API reference's, including the older database
// query), the OAuth endpoints and the test-only /v1/__fake/ endpoints.
// Anything else is Notion's 400 invalid_request_url.
func (s *Server) routes() *http.ServeMux {
	mux := http.NewServeMux()
	for pattern, h := range map[string]http.Handler{
		"GET /v1/users":                                    s.object(s.listUsers),
		"GET /v1/users/me":                                 s.object(s.usersMe),
		"GET /v1/users/{user_id}":                          s.object(s.getUser),
		"POST /v1/pages":                                   s.object(s.createPage),
		"GET /v1/pages/{page_id}":                          s.object(s.getPage),
		"PATCH /v1/pages/{page_id}":                        s.object(s.updatePage),
		"GET /v1/pages/{page_id}/markdown":                 s.object(s.getPageMarkdown),
		"PATCH /v1/pages/{page_id}/markdown":               s.object(s.updatePageMarkdown),
		"POST /v1/pages/{page_id}/move":                    s.object(s.movePage),
		"GET /v1/pages/{page_id}/properties/{property_id}": s.object(s.getPageProperty),
		"GET /v1/blocks/{block_id}":                        s.object(s.getObject(typeBlock)),
		"PATCH /v1/blocks/{block_id}":                      s.object(s.updateBlock),
		"DELETE /v1/blocks/{block_id}":                     s.object(s.deleteBlock),
		"GET /v1/blocks/{block_id}/children":               s.object(s.listChildren),
		"PATCH /v1/blocks/{block_id}/children":             s.object(s.appendChildren),
		"POST /v1/databases":                               s.object(s.createDatabase),
		"GET /v1/databases/{database_id}":                  s.object(s.getObject(typeDatabase)),
		"PATCH /v1/databases/{database_id}":                s.object(s.updateDatabase),
		"POST /v1/databases/{database_id}/query":           s.object(s.query(typeDatabase, "page_or_database")),
		"POST /v1/data_sources":                            s.object(s.createDataSource),
		"GET /v1/data_sources/{data_source_id}":            s.object(s.getObject(typeDataSource)),
		"PATCH /v1/data_sources/{data_source_id}":          s.object(s.updateDataSource),
		"POST /v1/data_sources/{data_source_id}/query":     s.object(s.query(typeDataSource, "page_or_data_source")),
		"GET /v1/data_sources/{data_source_id}/templates":  s.object(s.listTemplates),
		"POST /v1/search":                                  s.object(s.search),
		"GET /v1/comments":                                 s.object(s.listComments),
		"POST /v1/comments":                                s.object(s.createComment),
		"GET /v1/comments/{comment_id}":                    s.object(s.commentByID),
		"PATCH /v1/comments/{comment_id}":                  s.object(s.commentByID),
		"DELETE /v1/comments/{comment_id}":                 s.object(s.commentByID),
		"GET /v1/file_uploads":                             s.object(s.listFileUploads),
		"POST /v1/file_uploads":                            s.object(s.createFileUpload),
		"GET /v1/file_uploads/{file_upload_id}":            s.object(s.getFileUpload),
		"POST /v1/file_uploads/{file_upload_id}/send":      s.api(s.sendFileUpload),
		"POST /v1/file_uploads/{file_upload_id}/complete":  s.object(s.completeFileUpload),
		"POST /v1/agents/batch":                            s.object(s.agentBatch),
		"GET /v1/async_tasks/{task_id}":                    s.object(s.getAsyncTask),
		"GET /v1/oauth/authorize":                          http.HandlerFunc(s.oauthAuthorize),
		"POST /v1/oauth/token":                             http.HandlerFunc(s.oauthToken),
		"POST /v1/oauth/introspect":                        s.oauthTokenCall(s.introspectLocked),
		"POST /v1/oauth/revoke":                            s.oauthTokenCall(s.revokeLocked),
		"/v1/__fake/echo":                                  s.api(s.echo),
		"GET /v1/__fake/download":                          s.api(s.download),
		"/":                                                s.invalid,
	} {
		mux.Handle(pattern, h)
	}
	for _, st := range stubs {
		mux.Handle(st.pattern, s.api(s.stub(st.list, st.tmpl)))
	}
	return s.withTokenExpiry(mux)
}
