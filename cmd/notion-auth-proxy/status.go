package main

import (
	"net/http"

	"github.com/notion-auth-proxy/notion-auth-proxy/credstore"
	"github.com/notion-auth-proxy/notion-auth-proxy/internal/credset"
	"github.com/notion-auth-proxy/notion-auth-proxy/internal/statuspage"
	"github.com/notion-auth-proxy/notion-auth-proxy/proxy"
)

// statusPage renders the proxy's view for people, adding what the
// credential sources know: type, workspace, last refresh and last error
// (redacted: it may quote what an upstream sent).
func statusPage(current func() *credset.Set, redact *credstore.Redactor) proxy.StatusPage {
	return func(w http.ResponseWriter, _ *http.Request, v proxy.StatusView) {
		set := current()
		page := statuspage.Page{Version: version + " (" + commit + ")", StartedAt: v.Started, Now: v.Now}
		for _, c := range v.Credentials {
			pc := statuspage.Credential{Name: c.Name, State: statuspage.State(c.State)}
			if e := set.Get(c.Name); e != nil {
				info := e.Source.Info()
				pc.Type, pc.Workspace, pc.WorkspaceID = e.Type, info.WorkspaceName, info.WorkspaceID
				pc.LastRefresh, pc.LastError = info.RefreshedAt, redact.String(info.LastError)
			}
			pc.Fix = statuspage.SuggestFix(c.Name, pc.Type, pc.State)
			for _, m := range c.Traffic {
				pc.Traffic = append(pc.Traffic, statuspage.Minute{Start: m.Start, Requests: m.Requests,
					RateLimited: m.RateLimited, Pauses: m.Pauses, PacingWait: m.PacingWait})
			}
			page.Credentials = append(page.Credentials, pc)
		}
		for _, n := range v.NotShared {
			page.NotShared = append(page.NotShared, statuspage.NotShared{Credential: n.Credential,
				ObjectType: n.ObjectType, ObjectID: n.ObjectID, Count: int(n.Count), FirstSeen: n.FirstSeen,
				LastSeen: n.LastSeen, LastMethod: n.LastMethod, LastPath: n.LastPath})
		}
		for _, k := range v.ClientKeys {
			page.ClientKeys = append(page.ClientKeys, statuspage.ClientKey{Name: k.Name, Credentials: k.Credentials,
				Requests: int(k.Requests), Refusals: int(k.Refusals)})
		}
		statuspage.SetHeaders(w.Header())
		// Render writes nothing unless the whole page rendered.
		if err := statuspage.Render(w, page); err != nil {
			http.Error(w, "status page: rendering failed", http.StatusInternalServerError)
		}
	}
}
