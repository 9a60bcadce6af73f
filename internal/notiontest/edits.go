package notiontest

// This file holds what the PATCH endpoints of pages, databases, data
// sources and blocks share: the trash rule, how a body asks for the trash
// and sets optional fields, and the time and author of a change.

// trashRequest returns the trash state a PATCH body asks for, if any:
// in_trash, or the deprecated archived.
func trashRequest(inTrash, archived *bool) *bool {
	if inTrash != nil {
		return inTrash
	}
	return archived
}

// setGiven sets *dst to *v when the body gave v.
func setGiven[T any](dst, v *T) {
	if v != nil {
		*dst = *v
	}
}

// patch makes a PATCH's changes to o's object and answers it: change (nil:
// none), then the trash state asked for (nil: none); the object is then
// edited now by the caller. An object in the trash, itself or through an
// ancestor, takes no change but being restored.
func (o *op) patch(trash *bool, change func() *apiError) (map[string]any, *apiError) {
	if o.ws.trashed(o.n) && (trash == nil || *trash) {
		return nil, validationError(msgArchived)
	}
	if change != nil {
		if err := change(); err != nil {
			return nil, err
		}
	}
	if trash != nil {
		o.n.inTrash = *trash
	}
	o.n.stampEdited(o.ws.tick(), o.bot.ID)
	return o.render(), nil
}

// stampCreated records that n was made at now by the user by.
func (n *node) stampCreated(now, by string) {
	n.created, n.createdBy = now, by
	n.stampEdited(now, by)
}

// stampEdited records that n was last changed at now by the user by.
func (n *node) stampEdited(now, by string) { n.edited, n.editedBy = now, by }
