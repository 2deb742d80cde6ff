package tui

// The words of fetching on its own on the screen.
func init() {
	addMessages(map[string][2]string{
		"app.newCount": {"%s new", "新着%s通"},
		"app.titleNew": {"popbox (%s new)", "popbox（新着%s通）"},
	})
}

// The wizard's fetch interval.
func init() {
	addMessages(map[string][2]string{
		"field.fetch-every":    {"Fetch on its own", "自動受信"},
		"hint.fetch-every":     {"While popbox is open it fetches this account on its own, also when another one is shown. Space switches.", "popbox を開いている間、ほかのアカウントを表示していても、このアカウントを自動で受信します。スペースで切り替えます。"},
		"wizard.every.off":     {"Off", "オフ"},
		"wizard.every.minutes": {"Every %d minutes", "%d分ごと"},
		"wizard.every.hour":    {"Every hour", "1時間ごと"},
		"wizard.every.hours":   {"Every %d hours", "%d時間ごと"},
		"wizard.every.other":   {"Every %s", "%sごと"},
	})
}
