package policy

// The object ids in paths, named as Notion's parameters are.
var (
	pathPage       = Field{InPath, "page_id", Page}
	pathBlock      = Field{InPath, "block_id", Block}
	pathDatabase   = Field{InPath, "database_id", Database}
	pathDataSource = Field{InPath, "data_source_id", DataSource}
	pathComment    = Field{InPath, "comment_id", Comment}
	pathFileUpload = Field{InPath, "file_upload_id", FileUpload}
	pathUser       = Field{InPath, "user_id", User}
	pathView       = Field{InPath, "view_id", View}
)

// parent lists every kind of parent a body can name. Each endpoint with a
// parent takes all of them, not only the kinds its documentation lists, so
// an id in a field Notion might also read is never overlooked.
var parent = []Field{
	{InBody, "parent.page_id", Page},
	{InBody, "parent.database_id", Database},
	{InBody, "parent.data_source_id", DataSource},
	{InBody, "parent.block_id", Block},
	{InBody, "parent.workspace", Workspace},
}

// fields returns the fields of a row: fs followed by the lists in more.
func fields(fs []Field, more ...[]Field) []Field {
	out := append([]Field(nil), fs...)
	for _, m := range more {
		out = append(out, m...)
	}
	return out
}

// table is Notion's REST API: every endpoint of the pinned @notionhq/client
// and of the MCP server's OpenAPI description, plus the legacy endpoints
// older clients still call. TestTableMatchesSDK holds it against both.
//
// The SDK's newer families follow the same logic as the content
// endpoints: reading and querying need Read, creating and sending need
// Insert, changing needs Update, removing needs Delete. A view query is a
// read cursor, so creating, reading and discarding one needs only Read.
var table = [...]Endpoint{
	// Agents.
	{Name: "listAgents", Method: "GET", Path: "/v1/agents", Need: Read, Op: "list agents"},
	{Name: "agentBatch", Method: "POST", Path: "/v1/agents/batch", Need: Update, Op: "update agents in a batch", Rules: RuleAgentBatch},
	{Name: "queryAgents", Method: "POST", Path: "/v1/agents/query", Need: Read, Op: "query agents"},
	{Name: "getAgent", Method: "GET", Path: "/v1/agents/{agent_id}", Need: Read, Op: "retrieve an agent"},
	{Name: "deleteAgent", Method: "DELETE", Path: "/v1/agents/{agent_id}", Need: Delete, Op: "delete an agent"},
	{Name: "chatWithAgent", Method: "POST", Path: "/v1/agents/{agent_id}/chat", Need: Insert, Op: "chat with an agent"},
	{Name: "updateAgentCreditLimit", Method: "PATCH", Path: "/v1/agents/{agent_id}/credit_limit", Need: Update, Op: "update an agent's credit limit", Rules: RuleTrash},
	{Name: "getInsights", Method: "GET", Path: "/v1/agents/{agent_id}/insights", Need: Read, Op: "retrieve an agent's insights"},
	{Name: "updateAgentStatus", Method: "PATCH", Path: "/v1/agents/{agent_id}/status", Need: Update, Op: "update an agent's status", Rules: RuleTrash},
	{Name: "listThreads", Method: "GET", Path: "/v1/agents/{agent_id}/threads", Need: Read, Op: "list an agent's threads"},
	{Name: "queryThreads", Method: "POST", Path: "/v1/agents/{agent_id}/threads/query", Need: Read, Op: "query an agent's threads"},
	{Name: "getAsyncTask", Method: "GET", Path: "/v1/async_tasks/{task_id}", Need: Read, Op: "retrieve an async task"},

	// Blocks.
	{Name: "getBlock", Method: "GET", Path: "/v1/blocks/{block_id}", Need: Read, Op: "retrieve a block", Objects: []Field{pathBlock}},
	{Name: "updateBlock", Method: "PATCH", Path: "/v1/blocks/{block_id}", Need: Update, Op: "update a block", Objects: []Field{pathBlock}, Rules: RuleTrash},
	{Name: "deleteBlock", Method: "DELETE", Path: "/v1/blocks/{block_id}", Need: Delete, Op: "delete a block", Objects: []Field{pathBlock}},
	{Name: "listBlockChildren", Method: "GET", Path: "/v1/blocks/{block_id}/children", Need: Read, Op: "list block children", Objects: []Field{pathBlock}},
	{Name: "appendBlockChildren", Method: "PATCH", Path: "/v1/blocks/{block_id}/children", Need: Insert, Op: "append block children",
		Objects: []Field{pathBlock, {InBody, "after", Block}, {InBody, "position.after_block.id", Block}}, Rules: RuleTrash},
	{Name: "createMeetingNote", Method: "POST", Path: "/v1/blocks/meeting_notes", Need: Insert, Op: "create a meeting note",
		Objects: fields([]Field{{InBody, "source.block_id", Block}, {InBody, "source.file_upload_id", FileUpload}}, parent)},
	{Name: "queryMeetingNotes", Method: "POST", Path: "/v1/blocks/meeting_notes/query", Need: Read, Op: "query meeting notes"},

	// Comments.
	{Name: "listComments", Method: "GET", Path: "/v1/comments", Need: CommentRead, Op: "list comments", Objects: []Field{{InQuery, "block_id", Block}}},
	{Name: "createComment", Method: "POST", Path: "/v1/comments", Need: CommentInsert, Op: "create a comment",
		Objects: fields(parent, []Field{{InBody, "discussion_id", Discussion}})},
	{Name: "getComment", Method: "GET", Path: "/v1/comments/{comment_id}", Need: CommentRead, Op: "retrieve a comment", Objects: []Field{pathComment}},
	{Name: "updateComment", Method: "PATCH", Path: "/v1/comments/{comment_id}", Need: CommentInsert, Op: "update a comment", Objects: []Field{pathComment}, Rules: RuleTrash},
	{Name: "deleteComment", Method: "DELETE", Path: "/v1/comments/{comment_id}", Need: Delete, Op: "delete a comment", Objects: []Field{pathComment}},
	{Name: "listCustomEmojis", Method: "GET", Path: "/v1/custom_emojis", Need: Read, Op: "list custom emojis"},

	// Data sources and databases.
	{Name: "createDataSource", Method: "POST", Path: "/v1/data_sources", Need: Insert, Op: "create a data source", Objects: fields(parent)},
	{Name: "getDataSource", Method: "GET", Path: "/v1/data_sources/{data_source_id}", Need: Read, Op: "retrieve a data source", Objects: []Field{pathDataSource}},
	{Name: "updateDataSource", Method: "PATCH", Path: "/v1/data_sources/{data_source_id}", Need: Update, Op: "update a data source",
		Objects: fields([]Field{pathDataSource}, parent), Rules: RuleTrash | RuleRemoveProperty},
	{Name: "queryDataSource", Method: "POST", Path: "/v1/data_sources/{data_source_id}/query", Need: Read, Op: "query a data source", Objects: []Field{pathDataSource}},
	{Name: "listDataSourceTemplates", Method: "GET", Path: "/v1/data_sources/{data_source_id}/templates", Need: Read, Op: "list a data source's templates", Objects: []Field{pathDataSource}},
	{Name: "createDatabase", Method: "POST", Path: "/v1/databases", Need: Insert, Op: "create a database", Objects: fields(parent)},
	{Name: "getDatabase", Method: "GET", Path: "/v1/databases/{database_id}", Need: Read, Op: "retrieve a database", Objects: []Field{pathDatabase}},
	// Before Notion-Version 2025-09-03 a database held its schema, so
	// removing one of its properties is a delete too.
	{Name: "updateDatabase", Method: "PATCH", Path: "/v1/databases/{database_id}", Need: Update, Op: "update a database",
		Objects: fields([]Field{pathDatabase}, parent), Rules: RuleTrash | RuleRemoveProperty},
	{Name: "queryDatabase", Method: "POST", Path: "/v1/databases/{database_id}/query", Need: Read, Op: "query a database", Objects: []Field{pathDatabase}, Legacy: true},

	// External agents.
	{Name: "startExternalAgentStubSession", Method: "POST", Path: "/v1/external_agent_stub/{agent_id}/sessions", Need: Insert, Op: "start an external agent session"},
	{Name: "listExternalAgentStubSessionEvents", Method: "GET", Path: "/v1/external_agent_stub/{agent_id}/sessions/{session_id}/events", Need: Read, Op: "list an external agent session's events"},
	{Name: "sendExternalAgentStubSessionMessage", Method: "POST", Path: "/v1/external_agent_stub/{agent_id}/sessions/{session_id}/messages", Need: Insert, Op: "send a message to an external agent session"},
	{Name: "createExternalAgentStubVault", Method: "POST", Path: "/v1/external_agent_stub/{agent_id}/vaults", Need: Insert, Op: "create an external agent vault"},
	{Name: "deleteExternalAgentStubVault", Method: "DELETE", Path: "/v1/external_agent_stub/{agent_id}/vaults/{vault_id}", Need: Delete, Op: "delete an external agent vault"},
	{Name: "updateExternalAgentStubVault", Method: "PATCH", Path: "/v1/external_agent_stub/{agent_id}/vaults/{vault_id}", Need: Update, Op: "update an external agent vault", Rules: RuleTrash},

	// File uploads.
	{Name: "listFileUploads", Method: "GET", Path: "/v1/file_uploads", Need: Read, Op: "list file uploads"},
	{Name: "createFileUpload", Method: "POST", Path: "/v1/file_uploads", Need: Insert, Op: "create a file upload"},
	{Name: "getFileUpload", Method: "GET", Path: "/v1/file_uploads/{file_upload_id}", Need: Read, Op: "retrieve a file upload", Objects: []Field{pathFileUpload}},
	{Name: "completeFileUpload", Method: "POST", Path: "/v1/file_uploads/{file_upload_id}/complete", Need: Insert, Op: "complete a file upload", Objects: []Field{pathFileUpload}},
	{Name: "sendFileUpload", Method: "POST", Path: "/v1/file_uploads/{file_upload_id}/send", Need: Insert, Op: "send a file upload", Objects: []Field{pathFileUpload}},

	// OAuth: these carry the integration's client credentials.
	{Name: "oauthIntrospect", Method: "POST", Path: "/v1/oauth/introspect", Need: ClientCredentials, Op: "introspect an OAuth token"},
	{Name: "oauthRevoke", Method: "POST", Path: "/v1/oauth/revoke", Need: ClientCredentials, Op: "revoke an OAuth token"},
	{Name: "oauthToken", Method: "POST", Path: "/v1/oauth/token", Need: ClientCredentials, Op: "exchange an OAuth grant for a token"},

	// Pages.
	{Name: "createPage", Method: "POST", Path: "/v1/pages", Need: Insert, Op: "create a page",
		Objects: fields(parent, []Field{{InBody, "template.template_id", Page}, {InBody, "position.after_block.id", Block}}),
		Rules:   RuleNoParentIsWorkspace},
	{Name: "getPage", Method: "GET", Path: "/v1/pages/{page_id}", Need: Read, Op: "retrieve a page", Objects: []Field{pathPage}},
	{Name: "updatePage", Method: "PATCH", Path: "/v1/pages/{page_id}", Need: Update, Op: "update a page",
		Objects: []Field{pathPage, {InBody, "template.template_id", Page}}, Rules: RuleTrash | RuleEraseContent},
	{Name: "getPageMarkdown", Method: "GET", Path: "/v1/pages/{page_id}/markdown", Need: Read, Op: "retrieve a page as markdown", Objects: []Field{pathPage}},
	{Name: "updatePageMarkdown", Method: "PATCH", Path: "/v1/pages/{page_id}/markdown", Need: Update, Op: "update a page's markdown",
		Objects: []Field{pathPage}, Rules: RuleTrash | RuleMarkdownCommand},
	{Name: "movePage", Method: "POST", Path: "/v1/pages/{page_id}/move", Need: Update, Op: "move a page", Objects: fields([]Field{pathPage}, parent)},
	{Name: "getPageProperty", Method: "GET", Path: "/v1/pages/{page_id}/properties/{property_id}", Need: Read, Op: "retrieve a page property", Objects: []Field{pathPage}},
	{Name: "search", Method: "POST", Path: "/v1/search", Need: Read, Op: "search"},

	// Agent sessions and threads. The SDK's updateSessionStream is the
	// same request as updateSession.
	{Name: "updateSession", Method: "POST", Path: "/v1/sessions", Need: Insert, Op: "send a message to an agent session"},
	{Name: "querySessions", Method: "POST", Path: "/v1/sessions/query", Need: Read, Op: "query agent sessions"},
	{Name: "retrieveSession", Method: "GET", Path: "/v1/sessions/{session_id}", Need: Read, Op: "retrieve an agent session"},
	{Name: "cancelSession", Method: "POST", Path: "/v1/sessions/{session_id}/cancel", Need: Update, Op: "cancel an agent session"},
	{Name: "querySessionEvents", Method: "POST", Path: "/v1/sessions/{session_id}/events/query", Need: Read, Op: "query an agent session's events"},
	{Name: "continueThread", Method: "POST", Path: "/v1/threads/{thread_id}/continue", Need: Update, Op: "continue an agent thread"},
	{Name: "listThreadMessages", Method: "GET", Path: "/v1/threads/{thread_id}/messages", Need: Read, Op: "list an agent thread's messages"},
	{Name: "sendThreadMessage", Method: "POST", Path: "/v1/threads/{thread_id}/messages", Need: Insert, Op: "send a message to an agent thread"},
	{Name: "queryThreadMessages", Method: "POST", Path: "/v1/threads/{thread_id}/messages/query", Need: Read, Op: "query an agent thread's messages"},

	// Users. The bot user is every key's own identity.
	{Name: "listUsers", Method: "GET", Path: "/v1/users", Need: UserRead, Op: "list users"},
	{Name: "getSelf", Method: "GET", Path: "/v1/users/me", Op: "retrieve the bot user"},
	{Name: "getUser", Method: "GET", Path: "/v1/users/{user_id}", Need: UserRead, Op: "retrieve a user", Objects: []Field{pathUser}},

	// Views.
	{Name: "listDatabaseViews", Method: "GET", Path: "/v1/views", Need: Read, Op: "list views",
		Objects: []Field{{InQuery, "database_id", Database}, {InQuery, "data_source_id", DataSource}}},
	{Name: "createView", Method: "POST", Path: "/v1/views", Need: Insert, Op: "create a view",
		Objects: []Field{{InBody, "data_source_id", DataSource}, {InBody, "database_id", Database}, {InBody, "view_id", View}}},
	{Name: "getView", Method: "GET", Path: "/v1/views/{view_id}", Need: Read, Op: "retrieve a view", Objects: []Field{pathView}},
	{Name: "updateView", Method: "PATCH", Path: "/v1/views/{view_id}", Need: Update, Op: "update a view", Objects: []Field{pathView}, Rules: RuleTrash},
	{Name: "deleteView", Method: "DELETE", Path: "/v1/views/{view_id}", Need: Delete, Op: "delete a view", Objects: []Field{pathView}},
	{Name: "createViewQuery", Method: "POST", Path: "/v1/views/{view_id}/queries", Need: Read, Op: "query a view", Objects: []Field{pathView}},
	{Name: "getViewQueryResults", Method: "GET", Path: "/v1/views/{view_id}/queries/{query_id}", Need: Read, Op: "retrieve a view query's results", Objects: []Field{pathView}},
	{Name: "deleteViewQuery", Method: "DELETE", Path: "/v1/views/{view_id}/queries/{query_id}", Need: Read, Op: "discard a view query", Objects: []Field{pathView}},
}

// Endpoints returns a copy of the table, in its order. The Objects slices
// are shared with the table and must not be modified.
func Endpoints() []Endpoint {
	return append([]Endpoint(nil), table[:]...)
}
