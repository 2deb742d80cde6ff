package main

import (
	"errors"

	"popbox/tui"
)

func cmdTUI(db string, e env) error {
	if !e.stdoutTTY || !e.stdinTTY {
		return errors.New(e.lang.Tr("cli.needsTerminal"))
	}
	st, err := openStore(db, e)
	if err != nil {
		return err
	}
	defer st.Close()
	return tui.Run(st, tui.Options{Getenv: e.getenv, Version: version})
}
