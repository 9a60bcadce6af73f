package notiontest

// asyncTask is work Notion finishes in the background; the fake finishes it
// at once, so its first poll answers succeeded.
type asyncTask struct {
	id, token, name, created string
}

// renderTask answers t; status_url is absolute, on the public origin.
func (w *workspace) renderTask(t *asyncTask, done bool) map[string]any {
	o := map[string]any{
		"object":       "async_task",
		"id":           t.id,
		"status_url":   w.origin + "/v1/async_tasks/" + t.id,
		"created_time": t.created,
		"operation":    map[string]any{"surface": "rest", "name": t.name},
	}
	if done {
		o["status"], o["result"] = "succeeded", map[string]any{}
	} else {
		o["status"], o["poll_after_seconds"] = "queued", 1
	}
	return o
}

// agentBatch serves POST /v1/agents/batch: the operations are queued as an
// async task.
func (s *Server) agentBatch(c *call) (map[string]any, *apiError) {
	var body struct {
		Operations []any `json:"operations"`
	}
	return s.locked(c, jsonBody(&body), func(o *op) (map[string]any, *apiError) {
		if body.Operations == nil {
			return nil, missingField("body.operations")
		}
		t := &asyncTask{id: newUUID(), token: c.token, name: "agent_batch", created: o.ws.tick()}
		o.ws.tasks[t.id] = t
		return o.ws.renderTask(t, false), nil
	})
}

// getAsyncTask serves GET /v1/async_tasks/{task_id}: a task the token
// started, finished.
func (s *Server) getAsyncTask(c *call) (map[string]any, *apiError) {
	return onPath(s, c, "task_id", nil, (*op).task, func(o *op, t *asyncTask) (map[string]any, *apiError) {
		return o.ws.renderTask(t, true), nil
	})
}

// task returns the async task id that the caller started.
func (o *op) task(id string) (*asyncTask, *apiError) {
	t := o.ws.tasks[id]
	if t == nil || t.token != o.token {
		return nil, noSuch("async_task", id)
	}
	return t, nil
}
