// Compatibility test: the real @notionhq/client talking to notion-auth-proxy.
//
// compat/compat_test.go starts a fake Notion API and a proxy in front of it,
// then runs `node --test` here with these environment variables:
//
//   PROXY_URL      base URL of the proxy, e.g. http://127.0.0.1:41234
//   SHARED_PAGE    page id shared with both integrations
//   UNSHARED_PAGE  page id shared with neither (dashed, lower case)
//   BOT_NAME       bot name of the default credential
//   ACME_BOT_NAME  bot name of the credential behind workspace "acme"
//
// The clients are built without `auth`: the proxy supplies the credential.
// Every test asserts what an SDK user would see: normal results, and proxy
// failures surfacing as ordinary APIResponseErrors.

import { test } from "node:test";
import assert from "node:assert/strict";
import {
  APIErrorCode,
  APIResponseError,
  Client,
  ClientErrorCode,
  LogLevel,
  UnknownHTTPResponseError,
  isNotionClientError,
} from "@notionhq/client";

/** Returns the environment variable name, failing loudly when it is unset. */
function env(name) {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} is not set: run this through compat/compat_test.go (make test)`);
  }
  return value;
}

const PROXY_URL = env("PROXY_URL");
const SHARED_PAGE = env("SHARED_PAGE");
const UNSHARED_PAGE = env("UNSHARED_PAGE");
const BOT_NAME = env("BOT_NAME");
const ACME_BOT_NAME = env("ACME_BOT_NAME");

// Per-test cap, above the SDK's own timeout so the SDK's error is reported.
const TEST_TIMEOUT_MS = 15_000;

/**
 * Returns an SDK client for baseUrl with no credentials, no retries (a
 * failure should fail at once, not after back-off) and a short timeout.
 */
function client(baseUrl) {
  return new Client({
    baseUrl,
    timeoutMs: 5_000,
    retry: false,
    // The expected errors below would otherwise be logged as warnings.
    logLevel: LogLevel.ERROR,
  });
}

/** Reads a response header from an SDK error, whatever form headers take. */
function header(error, name) {
  const { headers } = error;
  if (headers && typeof headers.get === "function") {
    return headers.get(name) ?? undefined;
  }
  for (const [key, value] of Object.entries(headers ?? {})) {
    if (key.toLowerCase() === name.toLowerCase()) {
      return Array.isArray(value) ? value[0] : value;
    }
  }
  return undefined;
}

/**
 * Asserts that promise rejects with an APIResponseError (not an unknown or
 * client-side error) and returns the error for further checks.
 */
async function apiError(promise) {
  let caught;
  await assert.rejects(promise, (e) => {
    caught = e;
    return true;
  });
  assert.ok(isNotionClientError(caught), `not a Notion client error: ${caught}`);
  assert.ok(APIResponseError.isAPIResponseError(caught), `not an APIResponseError: ${caught?.name} ${caught?.code}`);
  assert.ok(!UnknownHTTPResponseError.isUnknownHTTPResponseError(caught), "SDK did not recognise the error body");
  assert.ok(!Object.values(ClientErrorCode).includes(caught.code), `client-side error code ${caught.code}`);
  assert.ok(Object.values(APIErrorCode).includes(caught.code), `code ${caught.code} is not in APIErrorCode`);
  return caught;
}

test("users.me returns the default credential's bot", { timeout: TEST_TIMEOUT_MS }, async () => {
  const me = await client(PROXY_URL).users.me({});
  assert.equal(me.object, "user");
  assert.equal(me.type, "bot");
  assert.equal(me.name, BOT_NAME);
});

test("pages.retrieve returns a shared page", { timeout: TEST_TIMEOUT_MS }, async () => {
  const page = await client(PROXY_URL).pages.retrieve({ page_id: SHARED_PAGE });
  assert.equal(page.object, "page");
  assert.equal(page.id, SHARED_PAGE);
});

test("pages.retrieve of an unshared page is an object_not_found APIResponseError with a diagnosis", { timeout: TEST_TIMEOUT_MS }, async () => {
  const e = await apiError(client(PROXY_URL).pages.retrieve({ page_id: UNSHARED_PAGE }));
  assert.equal(e.code, APIErrorCode.ObjectNotFound);
  assert.equal(e.status, 404);
  assert.match(e.message, new RegExp(UNSHARED_PAGE));
  // Notion's request id passes through the proxy to the SDK.
  assert.ok(e.request_id, "request_id missing");
  // @notionhq/client 5.x exposes the response headers on HTTP errors.
  assert.ok(e.headers, "SDK exposes no response headers");
  const diagnosis = header(e, "x-notion-proxy-diagnosis");
  assert.ok(diagnosis, "x-notion-proxy-diagnosis header missing");
  assert.ok(diagnosis.includes(UNSHARED_PAGE), `diagnosis does not name the page: ${diagnosis}`);
  assert.match(diagnosis, /not shared with integration/);
  assert.equal(header(e, "x-notion-proxy-credential"), "wiki");
});

test("a /w/acme base URL reaches the acme workspace's bot", { timeout: TEST_TIMEOUT_MS }, async () => {
  const me = await client(`${PROXY_URL}/w/acme`).users.me({});
  assert.equal(me.type, "bot");
  assert.equal(me.name, ACME_BOT_NAME);
  assert.notEqual(me.name, BOT_NAME);
});

test("an unknown workspace is a validation_error APIResponseError made by the proxy", { timeout: TEST_TIMEOUT_MS }, async () => {
  const e = await apiError(client(`${PROXY_URL}/w/nope`).users.me({}));
  assert.equal(e.code, APIErrorCode.ValidationError);
  assert.equal(e.status, 400);
  assert.ok(e.message.startsWith("notion-auth-proxy:"), `message: ${e.message}`);
  assert.match(e.message, /acme/, "message should list the known workspaces");
  assert.equal(header(e, "x-notion-proxy-error"), "unknown_workspace");
});

test("search returns a list holding the shared page", { timeout: TEST_TIMEOUT_MS }, async () => {
  const res = await client(PROXY_URL).search({});
  assert.equal(res.object, "list");
  assert.ok(Array.isArray(res.results));
  assert.ok(res.results.some((r) => r.id === SHARED_PAGE), "shared page not among search results");
});
