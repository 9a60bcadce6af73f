// Prints, as JSON, every REST endpoint of the pinned @notionhq/client:
// [{"name", "method", "path"}], with path parameters as {param}, e.g.
// {"name":"getPage","method":"GET","path":"/v1/pages/{page_id}"}.
// Go tests compare the proxy's endpoint table and the fake Notion API with
// this list, so an endpoint a new SDK adds fails them.
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const endpoints = require("@notionhq/client/build/src/api-endpoints");

// A path function receives its parameters as an object; this one answers
// every property with its own name as a placeholder.
const placeholders = new Proxy({}, { get: (_, name) => `{${String(name)}}` });

const out = [];
for (const [name, ep] of Object.entries(endpoints)) {
  if (!ep || typeof ep.path !== "function" || typeof ep.method !== "string") continue;
  out.push({ name, method: ep.method.toUpperCase(), path: "/v1/" + ep.path(placeholders) });
}
out.sort((a, b) => a.path.localeCompare(b.path) || a.method.localeCompare(b.method));
process.stdout.write(JSON.stringify(out, null, 1) + "\n");
