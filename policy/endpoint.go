package policy

import "fmt"

// An Endpoint is one row of the table: a Notion REST endpoint, the
// capability it needs, and where the ids of the objects it names are.
// Endpoints are plain values; the slices they hold belong to the table and
// must not be modified.
type Endpoint struct {
	// Name is the @notionhq/client name of the endpoint, e.g. "getPage".
	// Where the SDK has two names for one endpoint the table uses one.
	Name string
	// Method is the HTTP method, upper case.
	Method string
	// Path is the path template, with parameters in braces:
	// "/v1/pages/{page_id}".
	Path string
	// Need is the capability the endpoint needs before its body is read;
	// Rules may raise it (or, for markdown commands, set it). Zero means
	// no capability is needed; ClientCredentials means none is enough.
	Need Capability
	// Op names the operation for error messages: "retrieve a page".
	Op string
	// Objects lists where the request names objects: path parameters,
	// query parameters and body fields that hold object ids.
	Objects []Field
	// Rules lists what in the body can change the capability needed.
	Rules Rule
	// Legacy marks an endpoint Notion still serves to clients that send an
	// older Notion-Version but that the current SDK no longer has.
	Legacy bool
}

// NeedsBody reports whether the request body can change the capability
// e needs or names objects.
func (e Endpoint) NeedsBody() bool {
	if e.Rules != 0 {
		return true
	}
	for _, f := range e.Objects {
		if f.In == InBody {
			return true
		}
	}
	return false
}

// A Field says where a request names an object, and of which type.
type Field struct {
	In Location
	// Name is the parameter's name, or for a body field the dotted path
	// from the top-level object: "parent.page_id".
	Name string
	Type ObjectType
}

// A Location is the part of a request a Field is found in.
type Location uint8

// The locations of a Field.
const (
	InPath Location = iota + 1
	InQuery
	InBody
)

// String returns "path", "query" or "body".
func (l Location) String() string {
	switch l {
	case InPath:
		return "path"
	case InQuery:
		return "query"
	case InBody:
		return "body"
	}
	return fmt.Sprintf("Location(%d)", uint8(l))
}

// An ObjectType is the type of a Notion object a request names.
type ObjectType uint8

// The object types. Workspace stands for the workspace itself, as the
// parent of a page or database created at the top level; it has no id.
const (
	Page ObjectType = iota + 1
	Database
	DataSource
	Block
	Comment
	Discussion
	User
	FileUpload
	View
	Workspace
)

var objectTypeNames = [...]string{
	Page:       "page",
	Database:   "database",
	DataSource: "data_source",
	Block:      "block",
	Comment:    "comment",
	Discussion: "discussion",
	User:       "user",
	FileUpload: "file_upload",
	View:       "view",
	Workspace:  "workspace",
}

// String returns the type's name as Notion's parent objects spell it:
// "page", "data_source", "workspace".
func (t ObjectType) String() string {
	if int(t) < len(objectTypeNames) && objectTypeNames[t] != "" {
		return objectTypeNames[t]
	}
	return fmt.Sprintf("ObjectType(%d)", uint8(t))
}

// noun returns the type's name in prose: "data source".
func (t ObjectType) noun() string {
	switch t {
	case DataSource:
		return "data source"
	case FileUpload:
		return "file upload"
	}
	return t.String()
}

// A Rule is a set of body rules: what in a JSON body changes the
// capability an endpoint needs. Only the top level of the body counts,
// except where a rule says otherwise.
type Rule uint8

// The body rules.
const (
	// RuleTrash: "in_trash", "archived" or "is_archived" set to true
	// needs Delete. Every PATCH endpoint has it.
	RuleTrash Rule = 1 << iota
	// RuleEraseContent: "erase_content" set to true needs Delete.
	RuleEraseContent
	// RuleMarkdownCommand: the markdown command in "type" decides:
	// insert_content needs Insert, update_content needs Update (Delete
	// with allow_deleting_content: true), and replace_content,
	// replace_content_range and erase_content need Delete, as does a
	// command the policy does not know or the presence of a removing
	// command's own field.
	RuleMarkdownCommand
	// RuleRemoveProperty: an entry of "properties" set to null removes a
	// property from the schema and needs Delete.
	RuleRemoveProperty
	// RuleAgentBatch: an entry of "operations" whose action is "delete",
	// or one the policy does not know, needs Delete.
	RuleAgentBatch
	// RuleNoParentIsWorkspace: a body that names no parent creates the
	// object at the workspace level, so it names the Workspace.
	RuleNoParentIsWorkspace
)
