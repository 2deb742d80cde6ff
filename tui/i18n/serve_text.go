package i18n

// Sentences of the command line served by a running TUI
// (cmd/popbox/serve.go, client.go).
func init() {
	Add(map[string][2]string{
		"cli.serve.waiting": {"Waiting for another popbox command (such as a fetch) to finish with %s…",
			"別の popbox のコマンド（受信など）が %s を使い終わるのを待っています…"},
		"cli.serve.noAnswer": {"The popbox that has %s open does not answer (is it stopped with Ctrl-Z?); bring it back with fg, or close it, and run the command again",
			"%s を開いている popbox が応答しません（Ctrl-Z で停止していませんか）。fg で再開するか終了してから、もう一度コマンドを実行してください"},
		"cli.serve.lost": {"The popbox that has %s open stopped before the command finished; run the command again",
			"%s を開いている popbox がコマンドの終了前に止まりました。もう一度コマンドを実行してください"},
	})
}
