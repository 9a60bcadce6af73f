//go:build linux || freebsd || openbsd || netbsd || dragonfly

package credstore

import (
	"os"
	"path/filepath"
)

// sessionBusAbsent reports why no D-Bus session bus can be there, so no
// Secret Service either, or "" when one may be. Probing without one would
// make the D-Bus library autolaunch a session bus (dbus-launch), leaving a
// daemon behind a headless proxy; a desktop session always has one.
// It reads the process environment, as the D-Bus library does.
func sessionBusAbsent() string {
	if os.Getenv("DBUS_SESSION_BUS_ADDRESS") != "" {
		return ""
	}
	if dir := os.Getenv("XDG_RUNTIME_DIR"); dir != "" {
		if fi, err := os.Stat(filepath.Join(dir, "bus")); err == nil && fi.Mode()&os.ModeSocket != 0 {
			return "" // the systemd user bus, where the library looks too
		}
	}
	return "no D-Bus session (DBUS_SESSION_BUS_ADDRESS is unset)"
}
