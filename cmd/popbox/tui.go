package main

import (
	"errors"

	"popbox/store"
	"popbox/tui"
)

func cmdTUI(db string, e env) error {
	if !e.stdoutTTY || !e.stdinTTY {
		return errors.New(e.lang.Tr("cli.needsTerminal"))
	}
	// A fetch from cron may hold the database: the TUI waits for it (a
	// line on stderr says so), but not for another TUI.
	st, err := openWithWait(db, e, store.Options{}, lockWait(e, tuiLockWait), true)
	if err != nil {
		return err
	}
	defer st.Close()
	opts := tui.Options{Getenv: e.getenv, Version: version}
	// The command line goes through this process while it has the
	// database (serve.go). Without the socket the TUI still works; the
	// commands then say that popbox is running, as they did before.
	if srv, err := startServer(st); err == nil {
		defer srv.close()
		opts.Outside = srv.events
	}
	return tui.Run(st, opts)
}
