//go:build race

package store

// raceEnabled: the race detector's shadow memory inflates RSS several
// times, so RSS figures mean nothing under it.
const raceEnabled = true
