#!/usr/bin/env bash
# test.sh: every check of popbox, on a fresh machine too.
# Installs what the tests start themselves (Dovecot with POP3, submission
# and LMTP, tmux for the end-to-end TUI tests, mutt and neomutt, which must
# open what popbox export writes), then runs gofmt, go vet and go test -race
# over the whole module. With CI set, a test whose server
# cannot start fails instead of skipping.
set -euo pipefail
cd "$(dirname "$0")"

missing=()
[ -x /usr/sbin/dovecot ] || missing+=(dovecot-core)
[ -e /usr/lib/dovecot/pop3 ] || missing+=(dovecot-pop3d)
[ -e /usr/lib/dovecot/submission ] || missing+=(dovecot-submissiond)
[ -e /usr/lib/dovecot/lmtp ] || missing+=(dovecot-lmtpd)
command -v tmux >/dev/null || missing+=(tmux)
command -v openssl >/dev/null || missing+=(openssl)
command -v mutt >/dev/null || missing+=(mutt)
command -v neomutt >/dev/null || missing+=(neomutt)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "test.sh: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "test.sh: missing ${missing[*]}; install them with: sudo apt-get install -y ${missing[*]}" >&2
    [ -z "${CI:-}" ] || exit 1
  fi
fi

echo "test.sh: gofmt"
unformatted=$(gofmt -l cmd mail store tui)
if [ -n "$unformatted" ]; then
  echo "test.sh: these files need gofmt -w:" >&2
  echo "$unformatted" >&2
  exit 1
fi
echo "test.sh: go vet"
go vet ./...
echo "test.sh: go test -race"
go test -race -timeout 40m -count=1 ./...
