package tui

// The words of fetching on its own on the screen.
func init() {
	addMessages(map[string][2]string{
		"app.newCount": {"%s new", "新着%s通"},
		"app.titleNew": {"popbox (%s new)", "popbox（新着%s通）"},
	})
}
