package notiontest

// Demo holds the ids of the workspace SeedDemo builds:
//
//	Acme wiki (page, Root)                     shared with the tokens given
//	├── "Welcome to Acme" (heading_1, Heading)
//	├── "This wiki is served by ..." (paragraph, Paragraph)
//	├── "Share more pages ..." (to_do, ToDo)
//	├── Onboarding (page)
//	│   ├── "Day one: ..." (paragraph)
//	│   └── Engineering handbook (page, Handbook)
//	├── Tasks (database) ── Tasks (data source, TasksSource)
//	│   └── rows: Write the README, Ship v1, Rotate tokens (Rows)
//	└── comment "Welcome aboard!" (Comment, in Discussion)
//	HR salaries (page, Private)                shared with no one
type Demo struct {
	Root, Heading, Paragraph, ToDo string
	Onboarding, Handbook           string
	Tasks, TasksSource             string
	Rows                           [3]string
	Comment, Discussion            string
	Private                        string
	// Person is a person of the workspace besides the owner (OwnerID).
	Person string
}

// demoIDs are the fixed ids SeedDemo uses, so that documentation and
// scripts can name them.
var demoIDs = Demo{
	Root:        "1f2e3d4c-5b6a-4798-8a7b-6c5d4e3f2a1b",
	Heading:     "92a3b4c5-d6e7-48f9-80a2-b3c4d5e6f708",
	Paragraph:   "a3b4c5d6-e7f8-490a-91b3-c4d5e6f70819",
	ToDo:        "b4c5d6e7-f809-4a1b-82c4-d5e6f708192a",
	Onboarding:  "2b3c4d5e-6f70-4182-9a3b-4c5d6e7f8091",
	Handbook:    "3c4d5e6f-7081-4293-8b4c-5d6e7f8091a2",
	Tasks:       "4d5e6f70-8192-43a4-9c5d-6e7f8091a2b3",
	TasksSource: "5e6f7081-92a3-44b5-8d6e-7f8091a2b3c4",
	Rows: [3]string{
		"6f708192-a3b4-45c6-9e7f-8091a2b3c4d5",
		"708192a3-b4c5-46d7-8f80-91a2b3c4d5e6",
		"8192a3b4-c5d6-47e8-9091-a2b3c4d5e6f7",
	},
	Private: "9a8b7c6d-5e4f-4a3b-9c2d-1e0f2a3b4c5d",
	Person:  "c5d6e7f8-091a-4b2c-93d5-e6f708192a3b",
}

// SeedDemo builds a small workspace (see Demo) and shares its root page
// "Acme wiki" with each of tokens. Its ids are always the same, so that
// documentation can name them, except the comment's, which are new. Call it
// once per Server: the fixed ids cannot be added twice.
func (s *Server) SeedDemo(tokens ...string) Demo {
	d := demoIDs
	add := func(o Object) { s.Add(o) }
	add(Object{Type: "page", ID: d.Root, Title: "Acme wiki"})
	add(Object{Type: "block", ID: d.Heading, Parent: d.Root, BlockType: "heading_1", Title: "Welcome to Acme"})
	add(Object{Type: "block", ID: d.Paragraph, Parent: d.Root, Title: "This wiki is served by the fake Notion API."})
	add(Object{Type: "block", ID: d.ToDo, Parent: d.Root, BlockType: "to_do", Title: "Share more pages with the integration"})
	add(Object{Type: "page", ID: d.Onboarding, Parent: d.Root, Title: "Onboarding"})
	s.AddBlock(d.Onboarding, "paragraph", "Day one: get a laptop and a badge.")
	add(Object{Type: "page", ID: d.Handbook, Parent: d.Onboarding, Title: "Engineering handbook"})
	add(Object{Type: "database", ID: d.Tasks, Parent: d.Root, Title: "Tasks"})
	add(Object{Type: "data_source", ID: d.TasksSource, Parent: d.Tasks, Title: "Tasks", Properties: map[string]any{
		"Done": map[string]any{"checkbox": map[string]any{}},
	}})
	for i, title := range []string{"Write the README", "Ship v1", "Rotate tokens"} {
		add(Object{Type: "page", ID: d.Rows[i], Parent: d.TasksSource, Title: title, Properties: map[string]any{
			"Done": map[string]any{"checkbox": i == 0},
		}})
	}
	d.Comment, d.Discussion = s.AddComment(d.Root, "Welcome aboard!")
	add(Object{Type: "page", ID: d.Private, Title: "HR salaries"})
	s.AddUser(User{ID: d.Person, Name: "Grace Hopper", Email: "grace@example.com"})
	for _, token := range tokens {
		s.Share(token, "page", d.Root)
	}
	return d
}
