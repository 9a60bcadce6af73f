package policy

import (
	"errors"
	"fmt"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// bodyNeed applies e's rules to the body: the capability the request
// needs and the phrase for it. Delete wins over the rest.
func bodyNeed(e Endpoint, top object) (Capability, string, error) {
	need, op := e.Need, e.Op
	var err error
	if e.Rules&RuleMarkdownCommand != 0 {
		need, op, err = markdownNeed(top)
	}
	if err == nil && e.Rules&RuleAgentBatch != 0 {
		need, op, err = agentBatchNeed(e, top)
	}
	if err != nil {
		return 0, "", err
	}
	switch {
	case e.Rules&RuleTrash != 0 && (top.isTrue("in_trash") || top.isTrue("archived") || top.isTrue("is_archived")):
		return Delete, trashOp(e), nil
	case e.Rules&RuleEraseContent != 0 && top.isTrue("erase_content"):
		return Delete, "erase a page's content", nil
	case e.Rules&RuleRemoveProperty != 0:
		removes, err := removesProperty(top)
		if err != nil {
			return 0, "", err
		}
		if removes {
			return Delete, "remove a " + objectOf(e).noun() + " property", nil
		}
	}
	return need, op, nil
}

// objectOf returns the type of e's first path parameter, the object the
// endpoint acts on, or zero.
func objectOf(e Endpoint) ObjectType {
	for _, f := range e.Objects {
		if f.In == InPath {
			return f.Type
		}
	}
	return 0
}

func trashOp(e Endpoint) string {
	if t := objectOf(e); t != 0 {
		return "trash a " + t.noun()
	}
	return e.Op + ", moving it to the trash"
}

// removingCommands are the markdown commands that remove existing content,
// with their phrases.
var removingCommands = [...]struct{ name, op string }{
	{"replace_content", "replace a page's content"},
	{"replace_content_range", "replace a range of a page's content"},
	{"erase_content", "erase a page's content"},
}

// markdownNeed reads the command of PATCH /v1/pages/{page_id}/markdown.
// A removing command needs Delete whether "type" names it or only its
// field is present, and so does a command the policy does not know.
func markdownNeed(top object) (Capability, string, error) {
	for _, rc := range removingCommands {
		if _, ok := top[rc.name]; ok {
			return Delete, rc.op, nil
		}
	}
	update, ok := top["update_content"]
	if ok && update.Kind() != 'n' {
		o, err := decodeObject(update, "update_content")
		if err != nil {
			return 0, "", err
		}
		if o.isTrue("allow_deleting_content") {
			return Delete, "update a page's content, deleting content", nil
		}
	}
	typ := top.str("type")
	switch typ {
	case "insert_content":
		return Insert, "insert content into a page", nil
	case "update_content":
		return Update, "update a page's content", nil
	}
	for _, rc := range removingCommands {
		if rc.name == typ {
			return Delete, rc.op, nil
		}
	}
	return Delete, "update a page's markdown with a command the policy does not know", nil
}

// agentBatchNeed reads the operations of POST /v1/agents/batch: a delete,
// or an action the policy does not know, needs Delete.
func agentBatchNeed(e Endpoint, top object) (Capability, string, error) {
	v, ok := top["operations"]
	if !ok || v.Kind() == 'n' {
		return e.Need, e.Op, nil
	}
	if v.Kind() != '[' {
		return 0, "", errors.New("operations is not a JSON array")
	}
	var ops []jsontext.Value
	if err := json.Unmarshal(v, &ops); err != nil {
		return 0, "", fmt.Errorf("decode operations: %w", err)
	}
	for _, raw := range ops {
		op, err := decodeObject(raw, "an operation")
		if err != nil {
			return 0, "", err
		}
		switch op.str("action") {
		case "update_status", "update_credit_limit":
		default:
			return Delete, "delete agents in a batch", nil
		}
	}
	return e.Need, e.Op, nil
}

// removesProperty reports whether the body sets an entry of "properties"
// to null, which removes that property from a schema.
func removesProperty(top object) (bool, error) {
	v, ok := top["properties"]
	if !ok || v.Kind() == 'n' {
		return false, nil
	}
	props, err := decodeObject(v, "properties")
	if err != nil {
		return false, err
	}
	for _, p := range props {
		if p.Kind() == 'n' {
			return true, nil
		}
	}
	return false, nil
}
