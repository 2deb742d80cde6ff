package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

// TestMain lets the test binary act as the popbox command: testscript runs
// it under that name for the scripts, and the Go tests below exec it through
// a link named popbox (see popboxExe), so both drive the real main.
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){"popbox": main})
}

// TestScripts runs the CLI scripts in testdata/script: accounts, usage,
// errors and bad databases, each in a fresh home.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir: "testdata/script",
		Setup: func(e *testscript.Env) error {
			home := filepath.Join(e.WorkDir, "home")
			e.Setenv("HOME", home)
			e.Setenv("XDG_DATA_HOME", filepath.Join(home, ".local", "share"))
			e.Setenv("XDG_CONFIG_HOME", filepath.Join(home, ".config"))
			e.Setenv("POPBOX_POLICY", filepath.Join(e.WorkDir, "no-policy.json"))
			e.Setenv("POPBOX_DB", "")
			e.Setenv("NO_COLOR", "1")
			e.Setenv("GORACE", raceOptions())
			return os.MkdirAll(home, 0o755)
		},
	})
}
