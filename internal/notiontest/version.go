package notiontest

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
)

// Notion-Version values the fake knows. Versions are dates, so they compare
// as strings.
const (
	version20220628 = "2022-06-28"
	version20250903 = "2025-09-03"
	version20260311 = "2026-03-11"
)

// notionVersions are the versions Notion accepts, oldest first.
var notionVersions = []string{
	"2021-05-11", "2021-05-13", "2021-08-16", "2022-02-22",
	version20220628, version20250903, version20260311,
}

// Versions returns the Notion-Version values the fake accepts, oldest first;
// any other value is answered 400 validation_error, and a missing one 400
// missing_version, as Notion does.
func Versions() []string { return slices.Clone(notionVersions) }

// checkVersion returns the request's Notion-Version, or the error Notion
// answers when it is missing, repeated or unknown.
func checkVersion(r *http.Request) (string, *apiError) {
	values := r.Header.Values("Notion-Version")
	switch {
	case len(values) == 0 || len(values) == 1 && values[0] == "":
		return "", &apiError{http.StatusBadRequest, codeMissingVersion, msgMissingVersion}
	case len(values) > 1 || !slices.Contains(notionVersions, values[0]):
		// Notion reads repeated headers as one comma-joined value, which
		// is never a version.
		return "", validationError(fmt.Sprintf(
			"Notion-Version header failed validation: Notion-Version header should be one of %q, instead was %q.",
			notionVersions, strings.Join(values, ", ")))
	}
	return values[0], nil
}
