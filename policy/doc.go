// Package policy holds Notion's REST API as data and judges the requests of
// scoped client keys by what they do.
//
// # Capabilities
//
// A key's allow list names capabilities in Notion's vocabulary: read,
// insert, update, delete, comment_read, comment_insert and user_read, and
// the presets read_only (read, comment_read, user_read) and read_write
// (everything but delete). ParseSet compiles such a list to a Set.
//
// # The table
//
// Endpoints returns the table: one Endpoint per Notion REST endpoint, with
// its method, path template ("/v1/pages/{page_id}"), the capability it
// needs, a phrase for the operation, the Fields that name objects (path
// parameters, query parameters such as block_id of GET /v1/comments, and
// body fields such as parent.page_id of POST /v1/pages) and the body Rules
// that can change the capability. The table covers every endpoint of the
// pinned @notionhq/client and of the MCP server's OpenAPI description, and
// a test holds it against both, so an endpoint a new SDK adds fails it.
//
// # Rules
//
// A request is classified by what it does, not by its method:
//
//   - POST /v1/search and every query endpoint (POST .../query, a view's
//     queries) need read.
//   - Creating pages, databases, data sources, views and meeting notes,
//     file uploads (create, send, complete), PATCH
//     /v1/blocks/{block_id}/children and markdown's insert_content need
//     insert.
//   - Any PATCH whose JSON body sets "in_trash", "archived" or
//     "is_archived" to true at its top level needs delete, as do
//     "erase_content": true on a page, the markdown commands that remove
//     content (replace_content, replace_content_range, erase_content, and
//     update_content with allow_deleting_content), an entry of a data
//     source's (or, under older API versions, a database's) "properties"
//     set to null, DELETE /v1/blocks/{block_id} and every other DELETE
//     that removes an object.
//   - Other PATCHes, POST /v1/pages/{page_id}/move and the other changes
//     need update; comments need comment_read or comment_insert (deleting
//     one needs delete); GET /v1/users and /v1/users/{user_id} need
//     user_read; GET /v1/users/me needs nothing.
//   - The newer families (agents, sessions, threads, views, custom emojis,
//     meeting notes, external agents) follow the same logic: reading is
//     read, creating and sending is insert, changing is update, removing
//     is delete. A view query is a read cursor: creating, reading and
//     discarding one needs read. A batch of agent operations needs delete
//     if one of them deletes.
//   - The OAuth endpoints take the integration's client credentials, not
//     its token: their Need is ClientCredentials, which no Set from
//     ParseSet holds, and Policy.Check refuses them with their own reason.
//   - A request the table does not know is refused with endpoint_unknown.
//
// Where the body cannot be judged the policy refuses rather than guesses:
// a body that is not a JSON object, has duplicate member names or holds an
// id that is not a Notion id is a Denial, and a markdown command the
// policy does not know needs delete.
//
// # Use
//
// A proxy calls Match or NeedsBody to learn whether to read the body,
// Classify to learn what the request needs and which objects it names
// (Refs, with ids as dashed lower-case UUIDs), and Policy.Check to decide.
// Errors are *Denial values; decide on their Reason with errors.As.
//
// Everything in the package is safe for concurrent use: the table is built
// once and never changed.
package policy
