//go:build !(linux || freebsd || openbsd || netbsd || dragonfly)

package credstore

// sessionBusAbsent reports "" : macOS and Windows keychains need no bus.
func sessionBusAbsent() string { return "" }
