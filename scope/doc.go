// Package scope decides whether a Notion object lies within the objects a
// scoped client key may reach, and filters list responses to those that
// do.
//
// # Model
//
// Notion's objects form a tree under the workspace: a page lives in the
// workspace, a page, a block or a data source (a row); a database in the
// workspace, a page or a block; a data source in its database; a block in
// a page or a block; a comment, and its discussion, on a page or block.
// A key limited to some roots (Roots: pages, databases, data sources)
// reaches each root and everything under it.
//
// Notion has no endpoint for an object's ancestors, so a Tree learns each
// object's parent (a Parent) from the responses that pass through the
// proxy (LearnJSON reads single objects and lists, in every shape from
// 2022-06-28 to the current version) and from moves (Learn, Moved,
// Forget). Tree.Within walks up from an object through the parents it
// knows; a parent it does not know it asks the caller's FetchFunc for,
// which looks the object up with the request's credential. The walk ends
// at a root (within), at the workspace (not within), or at an error, which
// always means not within.
//
// Links are kept per credential, since each credential sees its own part
// of a workspace and one credential's responses must not vouch for
// another's objects. Ids are compared as dashed lower-case UUIDs; every
// function accepts them in any form Notion does.
//
// FilterResults rewrites the list answered by POST /v1/search and the
// query endpoints to the results a predicate (typically Within) keeps,
// leaving has_more and next_cursor as they were, so a page of results may
// be shorter than the page_size asked for.
//
// A proxy calls LearnJSON on a response body before FilterResults, so that
// the results' own parents are known and only their unknown ancestors are
// fetched.
//
// # Limits
//
//   - A decision fetches at most one object per unknown level, and at most
//     Options.MaxDepth levels (64) are followed; past that the answer is
//     ErrTooDeep, as for a cycle. Errors are not cached: an object the
//     credential cannot see is looked up again by the next request that
//     names it.
//   - A link is believed for Options.TTL (10 minutes) from when it was
//     learned. An object moved outside the proxy, or through the proxy with
//     another credential, stays where the tree last saw it until then, and
//     decisions about it and everything under it follow the old place.
//   - The tree holds at most Options.Size links (100 000) over all
//     credentials and drops the least recently used first; expired links
//     are dropped when next read.
//   - Under Notion-Version 2022-06-28 a row names its database, not its
//     data source, as parent, so with such responses a data source root
//     does not reach its rows unless its database is a root too.
//   - Notion has no endpoint for a discussion: one is known only from the
//     comments that the tree has seen in it.
//
// # Concurrency
//
// A Tree and Roots are safe for concurrent use. Callers who need the same
// unknown object at once share one fetch (golang.org/x/sync/singleflight);
// each of them stops waiting when its own context ends, while the fetch
// goes on, bounded by Options.FetchTimeout, and its answer is kept for the
// next decision. A fetch runs in a goroutine of its own while it lasts;
// otherwise a Tree runs nothing in the background and needs no Close.
package scope
