package notiontest

import (
	"cmp"
	"slices"
)

// OwnerID is the id of the person who owns the fake's workspace: the
// creator of objects made by Share and the Add helpers, listed by GET
// /v1/users with the people added by AddUser.
const OwnerID = "e7f8091a-2b3c-4d4e-95f7-08192a3b4c5d"

// User is a person of the workspace, as GET /v1/users lists them.
type User struct {
	ID    string // any id form
	Name  string
	Email string
}

// AddUser adds a person to the workspace (or replaces the one with the same
// id). It panics when u.ID is not a Notion id.
func (s *Server) AddUser(u User) {
	id, ok := NormalizeID(u.ID)
	if !ok {
		panic("notiontest: add user: invalid id " + u.ID)
	}
	u.ID = id
	s.mu.Lock()
	defer s.mu.Unlock()
	w := s.wsLocked()
	w.people = slices.DeleteFunc(w.people, func(p User) bool { return p.ID == id })
	w.people = append(w.people, u)
}

// usersLocked returns the workspace's people, the owner first, then the
// rest by id.
func (w *workspace) usersLocked() []User {
	out := []User{{ID: OwnerID, Name: "Workspace Owner", Email: "owner@example.com"}}
	people := slices.Clone(w.people)
	slices.SortFunc(people, func(a, b User) int { return cmp.Compare(a.ID, b.ID) })
	for _, p := range people {
		if p.ID != OwnerID {
			out = append(out, p)
		}
	}
	return out
}

func renderPerson(u User) map[string]any {
	return map[string]any{
		"object": "user", "id": u.ID, "type": "person", "name": u.Name, "avatar_url": nil,
		"person": map[string]any{"email": u.Email},
	}
}

func renderBot(bot Bot) map[string]any {
	return map[string]any{
		"object":     "user",
		"id":         bot.ID,
		"name":       bot.Name,
		"avatar_url": nil,
		"type":       "bot",
		"bot": map[string]any{
			"owner":          map[string]any{"type": "workspace", "workspace": true},
			"workspace_name": bot.WorkspaceName,
			"workspace_id":   bot.WorkspaceID,
		},
	}
}

// usersMe serves GET /v1/users/me: the token's bot user.
func (s *Server) usersMe(c *call) (map[string]any, *apiError) {
	return renderBot(s.bot(c.token)), nil
}

// listUsers serves GET /v1/users: the people, then the token's bot.
func (s *Server) listUsers(c *call) (map[string]any, *apiError) {
	var p paging
	return s.locked(c, queryPage(&p), func(o *op) (map[string]any, *apiError) {
		var users []map[string]any
		for _, u := range o.ws.usersLocked() {
			users = append(users, renderPerson(u))
		}
		users = append(users, renderBot(o.bot))
		return listPage("user", users, func(u map[string]any) string { return u["id"].(string) }, p,
			func(u map[string]any) map[string]any { return u })
	})
}

// getUser serves GET /v1/users/{user_id}: a person, or the bot of any token
// the fake knows.
func (s *Server) getUser(c *call) (map[string]any, *apiError) {
	return onPath(s, c, "user_id", nil, (*op).user, func(_ *op, u map[string]any) (map[string]any, *apiError) {
		return u, nil
	})
}

// user returns the person or bot id as GET /v1/users answers it.
func (o *op) user(id string) (map[string]any, *apiError) {
	for _, u := range o.ws.usersLocked() {
		if u.ID == id {
			return renderPerson(u), nil
		}
	}
	for _, g := range o.s.grants {
		if norm, _ := NormalizeID(g.bot.ID); norm == id {
			return renderBot(g.bot), nil
		}
	}
	return nil, noSuch("user", id)
}
