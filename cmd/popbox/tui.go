package main

import (
	"errors"

	"popbox/tui"
)

func cmdTUI(db string, e env) error {
	if !e.stdoutTTY || !e.stdinTTY {
		return errors.New("the popbox screen needs a terminal; from scripts use popbox fetch, popbox list or popbox account add (popbox --help lists them)")
	}
	st, err := openStore(db, e)
	if err != nil {
		return err
	}
	defer st.Close()
	return tui.Run(st, tui.Options{Getenv: e.getenv, Version: version})
}
