// Package mailtest starts throw-away mail servers for tests: a real Dovecot
// (POP3 with STLS, POP3S and, when asked, its submission service relaying to
// an in-process SMTP sink, or through Dovecot's LMTP into the users' own
// maildirs) on free ports of 127.0.0.1, and small fake servers that
// misbehave on purpose.
//
// Every server is stopped and its files removed in t.Cleanup. When Dovecot
// is not installed or will not start, Start skips the test, unless CI is set
// in the environment: then it fails, so a broken CI machine never passes by
// skipping.
//
// Dovecot quirks the helpers account for:
//
//   - Maildir files may use LF line ends; Dovecot's POP3 sends every line
//     with CRLF and adds a final CRLF when the file does not end in a line
//     end. Mailbox returns the bytes in that form.
//   - Dovecot assigns UIDs to new maildir files in file-name order (seconds,
//     then microseconds of the name); Deliver names files so that UIDs follow
//     delivery order.
//   - Failed logins are not slowed down: auth_failure_delay = 0 (an answer
//     still takes up to 0.5 s) and no auth penalty. ExtraConf can set
//     auth_failure_delay = 2 secs for the real thing.
//   - The passwd-file is re-read at most once per second and only when its
//     mtime (whole seconds) or size changed; SetPassword handles both, at the
//     price of waiting for the next second.
package mailtest

import (
	"bufio"
	"bytes"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Options configure Start. The zero value is a POP3 server with one user,
// alice, password secret.
type Options struct {
	Users      map[string]string // user -> password; default {"alice": "secret"}
	UIDLFormat string            // Dovecot pop3_uidl_format; default "%08Xu%08Xv"
	Submission bool              // also start Dovecot's submission service (SMTP AUTH) relaying to an in-process sink
	// Relay also starts the submission service (as Submission does) but
	// delivers what it accepts into the maildir of the recipient's user,
	// through Dovecot's LMTP (package dovecot-lmtpd), where POP3 serves it
	// back: see relay.go. Sink lists what LMTP took.
	Relay     bool
	ExtraConf string // appended to dovecot.conf
	// OAuth2, when set, also takes OAuth2 access tokens (XOAUTH2,
	// OAUTHBEARER) checked by an introspection endpoint; see Introspect.
	OAuth2 *OAuth2Passdb
	// Cert changes the server certificate (self-signed, another name,
	// expired); the zero value is one the CA of CAFile signed for
	// localhost and 127.0.0.1. SwapCert changes it while running.
	Cert CertOptions
}

// Server is a running throw-away Dovecot. Its exported fields say where it
// listens and which CA to trust.
type Server struct {
	Host            string // "127.0.0.1"
	POPPort         int    // plain POP3, STLS offered
	POPSPort        int    // implicit TLS POP3S
	SubmissionPort  int    // STARTTLS submission (0 unless Options.Submission)
	SubmissionsPort int    // implicit TLS submission (0 unless Options.Submission)
	CAFile          string // PEM of the CA that signed the server cert (SANs: localhost, 127.0.0.1); the cert itself when self-signed; CAPool holds it too, SwapCert replaces both
	CAPool          *x509.CertPool
	Dir             string // run dir

	opts  Options
	bin   string
	pki   *testPKI
	token string // in the greeting, to tell this Dovecot from another one on a reused port
	ids   ids
	sink  *sink

	cmd    *exec.Cmd
	exited chan struct{}

	mu       sync.Mutex
	users    map[string]string
	pwGen    int64 // passwd-file generation, becomes its mtime
	seq      int64 // deliveries so far
	startSec int64 // seconds part of the first delivery's file name

	stopOnce sync.Once
}

// ids are the accounts Dovecot's processes run as.
type ids struct {
	root          bool
	mailUser      string // owns the maildirs
	mailUID       int
	mailGID       int
	loginUser     string
	internalUser  string
	internalGroup string
	internalGID   int
}

const (
	defaultUser     = "alice"
	defaultPassword = "secret"
	defaultUIDL     = "%08Xu%08Xv"
	startTimeout    = 15 * time.Second
	startAttempts   = 8
)

// errPortBusy means Dovecot could not bind a port picked for it: another
// process took it in between. Start then tries other ports.
var errPortBusy = errors.New("port already in use")

// Start starts a throw-away Dovecot on free ports of 127.0.0.1 with a
// generated configuration, CA and server certificate, passwd-file users and
// empty maildirs. It returns once the server answers. The server is stopped
// and its run dir removed in t.Cleanup; when the test failed, the tail of
// Dovecot's log is logged first. Start is safe to call from parallel tests.
func Start(t testing.TB, opts Options) *Server {
	t.Helper()
	if len(opts.Users) == 0 {
		opts.Users = map[string]string{defaultUser: defaultPassword}
	}
	if opts.UIDLFormat == "" {
		opts.UIDLFormat = defaultUIDL
	}
	if opts.Relay {
		opts.Submission = true
	}
	for u, p := range opts.Users {
		if err := checkCredentials(u, p); err != nil {
			t.Fatalf("mailtest: %v", err)
		}
	}
	bin, err := findDovecot(opts.Submission, opts.Relay)
	if err != nil {
		unavailable(t, "%v (install it: apt-get install -y dovecot-core dovecot-pop3d dovecot-submissiond dovecot-lmtpd)", err)
	}
	id, err := lookupIDs()
	if err != nil {
		unavailable(t, "%v", err)
	}
	pki, err := newPKIWith(opts.Cert)
	if err != nil {
		t.Fatalf("mailtest: %v", err)
	}

	// Dovecot's unprivileged processes must reach the run dir: /tmp rather
	// than t.TempDir (0700) or a TMPDIR that may be private.
	parent := "/tmp"
	if fi, err := os.Stat(parent); err != nil || !fi.IsDir() {
		parent = os.TempDir()
	}
	dir, err := os.MkdirTemp(parent, "popbox-mailtest-")
	if err != nil {
		t.Fatalf("mailtest: %v", err)
	}
	s := &Server{
		Host:     "127.0.0.1",
		CAFile:   filepath.Join(dir, "tls", "ca.crt"),
		CAPool:   pki.pool,
		Dir:      dir,
		opts:     opts,
		bin:      bin,
		pki:      pki,
		token:    filepath.Base(dir),
		ids:      id,
		users:    map[string]string{},
		startSec: time.Now().Unix(),
	}
	for u, p := range opts.Users {
		s.users[u] = p
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("mailtest: dovecot log (%s):\n%s", s.Dir, s.Log())
		}
		s.Stop()
	})
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatalf("mailtest: %v", err)
	}
	if err := s.prepare(); err != nil {
		t.Fatalf("mailtest: %v", err)
	}
	if opts.Submission {
		// Dovecot connects to the relay right after a successful AUTH and
		// drops the client when that fails, so the sink comes first.
		lmtp := ""
		if opts.Relay {
			lmtp = s.lmtpSocket()
		}
		if s.sink, err = startSink(lmtp); err != nil {
			t.Fatalf("mailtest: smtp sink: %v", err)
		}
	}

	for attempt := 1; ; attempt++ {
		err = s.launch()
		if err == nil {
			return s
		}
		if !errors.Is(err, errPortBusy) || attempt == startAttempts {
			break
		}
	}
	unavailable(t, "dovecot did not start: %v\n%s", err, s.Log())
	return nil
}

// unavailable skips the test, or fails it when CI is set.
func unavailable(t testing.TB, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if os.Getenv("CI") != "" {
		t.Fatalf("mailtest: %s\n(CI is set: failing instead of skipping)", msg)
	}
	t.Skipf("mailtest: %s", msg)
}

func checkCredentials(user, password string) error {
	if user == "" || strings.ContainsAny(user, ":/\\ \t\r\n%") || user[0] == '.' {
		return fmt.Errorf("user name %q cannot be used in a passwd-file and a path", user)
	}
	if strings.ContainsAny(password, ":\r\n") {
		return fmt.Errorf("password of %s: a passwd-file cannot hold ':' or line ends", user)
	}
	return nil
}

// findDovecot returns the dovecot binary after checking that the services
// the test needs are installed.
func findDovecot(submission, lmtp bool) (string, error) {
	bin := os.Getenv("MAILTEST_DOVECOT")
	if bin == "" {
		if p, err := exec.LookPath("dovecot"); err == nil {
			bin = p
		} else {
			bin = "/usr/sbin/dovecot"
		}
	}
	if _, err := os.Stat(bin); err != nil {
		return "", fmt.Errorf("dovecot is not installed (%s not found)", bin)
	}
	libexec := "/usr/lib/dovecot"
	if out, err := exec.Command(bin, "config", "-h", "libexec_dir").Output(); err == nil {
		if d := strings.TrimSpace(string(out)); d != "" {
			libexec = d
		}
	}
	need := []string{"pop3", "pop3-login"}
	if submission {
		need = append(need, "submission", "submission-login")
	}
	if lmtp {
		need = append(need, "lmtp")
	}
	for _, n := range need {
		if _, err := os.Stat(filepath.Join(libexec, n)); err != nil {
			return "", fmt.Errorf("dovecot %s is not installed (%s)", n, filepath.Join(libexec, n))
		}
	}
	return bin, nil
}

// lookupIDs picks the accounts Dovecot runs as. As root: mail as nobody,
// login as dovenull, internals as dovecot (from the Debian packages). As any
// other user, everything runs as that user.
func lookupIDs() (ids, error) {
	if os.Geteuid() != 0 {
		u, err := user.Current()
		if err != nil {
			return ids{}, err
		}
		g, err := user.LookupGroupId(u.Gid)
		if err != nil {
			return ids{}, err
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		return ids{mailUser: u.Username, mailUID: uid, mailGID: gid, loginUser: u.Username,
			internalUser: u.Username, internalGroup: g.Name, internalGID: gid}, nil
	}
	nobody, err := user.Lookup("nobody")
	if err != nil {
		return ids{}, fmt.Errorf("no user nobody to run mail processes as: %w", err)
	}
	id := ids{root: true, mailUser: "nobody", loginUser: "dovenull", internalUser: "dovecot"}
	id.mailUID, _ = strconv.Atoi(nobody.Uid)
	id.mailGID, _ = strconv.Atoi(nobody.Gid)
	if _, err := user.Lookup("dovenull"); err != nil {
		id.loginUser = "nobody"
	}
	internal, err := user.Lookup("dovecot")
	if err != nil {
		internal, id.internalUser = nobody, "nobody"
	}
	id.internalGID, _ = strconv.Atoi(internal.Gid)
	g, err := user.LookupGroupId(internal.Gid)
	if err != nil {
		return ids{}, err
	}
	id.internalGroup = g.Name
	return id, nil
}

// prepare writes the certificates, the passwd-file and the maildirs.
func (s *Server) prepare() error {
	for _, d := range []string{"tls", "base", "state", "log", "home"} {
		if err := os.MkdirAll(filepath.Join(s.Dir, d), 0o755); err != nil {
			return err
		}
	}
	if err := s.writeCerts(); err != nil {
		return err
	}
	for u := range s.users {
		for _, sub := range []string{"cur", "new", "tmp"} {
			if err := os.MkdirAll(filepath.Join(s.maildir(u), sub), 0o700); err != nil {
				return err
			}
		}
		if err := s.chownTree(filepath.Join(s.Dir, "home", u)); err != nil {
			return err
		}
	}
	if err := s.writeOAuth2Conf(); err != nil {
		return err
	}
	return s.writePasswd()
}

func (s *Server) maildir(user string) string {
	return filepath.Join(s.Dir, "home", user, "Maildir")
}

func (s *Server) chownTree(root string) error {
	if !s.ids.root {
		return nil
	}
	return filepath.Walk(root, func(p string, _ os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(p, s.ids.mailUID, s.ids.mailGID)
	})
}

// writePasswd replaces the passwd-file. Dovecot notices a new file by its
// mtime (whole seconds) or size, so every generation gets its own mtime.
// Callers hold s.mu or own s exclusively.
func (s *Server) writePasswd() error {
	names := make([]string, 0, len(s.users))
	for u := range s.users {
		names = append(names, u)
	}
	sort.Strings(names)
	var b bytes.Buffer
	for _, u := range names {
		fmt.Fprintf(&b, "%s:{PLAIN}%s::::::\n", u, s.users[u])
	}
	path := filepath.Join(s.Dir, "passwd")
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b.Bytes(), 0o640); err != nil {
		return err
	}
	if s.ids.root {
		if err := os.Chown(tmp, 0, s.ids.internalGID); err != nil {
			return err
		}
	}
	s.pwGen++
	mtime := time.Unix(1_000_000_000+s.pwGen, 0)
	if err := os.Chtimes(tmp, mtime, mtime); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// SetPassword changes a user's password. Dovecot re-reads its passwd-file at
// most once a second, so SetPassword returns only once the clock has moved
// to the next second: the next login sees the new password.
func (s *Server) SetPassword(t testing.TB, user, password string) {
	t.Helper()
	if err := checkCredentials(user, password); err != nil {
		t.Fatalf("mailtest: %v", err)
	}
	s.mu.Lock()
	if _, ok := s.users[user]; !ok {
		s.mu.Unlock()
		t.Fatalf("mailtest: SetPassword: no user %q (users are fixed by Options.Users)", user)
	}
	s.users[user] = password
	err := s.writePasswd()
	s.mu.Unlock()
	if err != nil {
		t.Fatalf("mailtest: SetPassword: %v", err)
	}
	now := time.Now()
	time.Sleep(now.Truncate(time.Second).Add(time.Second + 20*time.Millisecond).Sub(now))
}

// launch picks ports, writes dovecot.conf and runs Dovecot in the
// foreground until it greets with this server's token. It returns
// errPortBusy when a port was taken in the meantime.
func (s *Server) launch() error {
	n := 2
	if s.opts.Submission {
		n = 4
	}
	ports, err := reservePorts(n)
	if err != nil {
		return err
	}
	s.POPPort, s.POPSPort = ports[0], ports[1]
	if s.opts.Submission {
		s.SubmissionPort, s.SubmissionsPort = ports[2], ports[3]
	}
	conf := filepath.Join(s.Dir, "dovecot.conf")
	if err := os.WriteFile(conf, []byte(s.config()), 0o644); err != nil {
		return err
	}
	logPath := filepath.Join(s.Dir, "log", "dovecot.log")
	logStart := fileSize(logPath)
	out, err := os.Create(filepath.Join(s.Dir, "log", "start.out"))
	if err != nil {
		return err
	}
	defer out.Close()

	cmd := exec.Command(s.bin, "-F", "-c", conf)
	cmd.Stdout, cmd.Stderr = out, out
	// Own process group, so a stuck shutdown can be ended as a whole; and
	// end Dovecot when the test binary dies without running its cleanups.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("run %s: %w", s.bin, err)
	}
	exited := make(chan struct{})
	go func() {
		cmd.Wait()
		close(exited)
	}()
	s.cmd, s.exited = cmd, exited

	deadline := time.Now().Add(startTimeout)
	popAddr := net.JoinHostPort(s.Host, strconv.Itoa(s.POPPort))
	for {
		select {
		case <-exited:
			text := readFrom(logPath, logStart) + readFrom(out.Name(), 0)
			if strings.Contains(text, "Address already in use") {
				return fmt.Errorf("%w: %s", errPortBusy, strings.TrimSpace(lastLines(text, 3)))
			}
			return fmt.Errorf("dovecot exited at start (%v)", cmd.ProcessState)
		default:
		}
		// Dovecot's master binds every listener before it starts any
		// service, so once our own greeting arrives all ports are ours.
		if s.greets(popAddr) {
			return nil
		}
		if time.Now().After(deadline) {
			s.kill()
			return fmt.Errorf("no POP3 greeting on %s within %s", popAddr, startTimeout)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// greets reports whether addr answers with this server's POP3 greeting.
func (s *Server) greets(addr string) bool {
	c, err := net.DialTimeout("tcp", addr, 500*time.Millisecond)
	if err != nil {
		return false
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(2 * time.Second))
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		return false
	}
	c.Write([]byte("QUIT\r\n"))
	return strings.HasPrefix(line, "+OK") && strings.Contains(line, s.token)
}

func (s *Server) config() string {
	id := s.ids
	d := s.Dir
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	protocols := "pop3"
	if s.opts.Submission {
		protocols = "pop3 submission"
	}
	if s.opts.Relay {
		protocols = "pop3 submission lmtp"
	}
	// Unprivileged Dovecot cannot chroot its login and anvil processes.
	chroot := ""
	if !id.root {
		chroot = "  chroot ="
	}
	w("# Generated by popbox mailtest; a throw-away test server.")
	w("instance_name = popbox-%s", s.token)
	w("base_dir = %s/base", d)
	w("state_dir = %s/state", d)
	w("log_path = %s/log/dovecot.log", d)
	w("info_log_path = %s/log/dovecot.log", d)
	w("protocols = %s", protocols)
	w("listen = %s", s.Host)
	w("hostname = localhost")
	w("login_greeting = Dovecot ready (%s).", s.token)
	w("default_internal_user = %s", id.internalUser)
	w("default_internal_group = %s", id.internalGroup)
	w("default_login_user = %s", id.loginUser)
	w("first_valid_uid = %d", id.mailUID)
	w("last_valid_uid = %d", id.mailUID)
	w("first_valid_gid = %d", id.mailGID)
	w("last_valid_gid = %d", id.mailGID)
	w("ssl = yes")
	w("ssl_cert = <%s/tls/server.crt", d)
	w("ssl_key = <%s/tls/server.key", d)
	w("ssl_min_protocol = TLSv1.2")
	if _, err := os.Stat("/usr/share/dovecot/dh.pem"); err == nil {
		w("ssl_dh = </usr/share/dovecot/dh.pem")
	}
	w("disable_plaintext_auth = no")
	if s.opts.OAuth2 == nil {
		w("auth_mechanisms = plain login")
	}
	w("auth_verbose = yes")
	// A failed login answers within half a second (Dovecot's failure
	// timer ticks every 500 ms) instead of 2 s plus a penalty that grows
	// with every failure from 127.0.0.1 and would leak between tests.
	w("auth_failure_delay = 0")
	b.WriteString(s.oauth2Config())
	w("passdb {")
	w("  driver = passwd-file")
	w("  args = scheme=PLAIN username_format=%%u %s/passwd", d)
	w("}")
	w("userdb {")
	w("  driver = static")
	w("  args = uid=%d gid=%d home=%s/home/%%u", id.mailUID, id.mailGID, d)
	w("}")
	w("mail_location = maildir:~/Maildir")
	w("pop3_uidl_format = %s", s.opts.UIDLFormat)
	w("pop3_no_flag_updates = yes")
	w("mail_max_userip_connections = 50")
	w("service pop3-login {")
	w("%s", chroot)
	w("  inet_listener pop3 {")
	w("    address = %s", s.Host)
	w("    port = %d", s.POPPort)
	w("  }")
	w("  inet_listener pop3s {")
	w("    address = %s", s.Host)
	w("    port = %d", s.POPSPort)
	w("    ssl = yes")
	w("  }")
	w("}")
	if s.opts.Submission {
		w("submission_relay_host = 127.0.0.1")
		w("submission_relay_port = %d", s.sink.addr.Port)
		w("service submission-login {")
		w("%s", chroot)
		w("  inet_listener submission {")
		w("    address = %s", s.Host)
		w("    port = %d", s.SubmissionPort)
		w("  }")
		w("  inet_listener submissions {")
		w("    address = %s", s.Host)
		w("    port = %d", s.SubmissionsPort)
		w("    ssl = yes")
		w("  }")
		w("}")
	}
	if s.opts.Relay {
		// Only the relay in front (relay.go) connects, through the socket.
		w("service lmtp {")
		w("  unix_listener lmtp {")
		w("    mode = 0600")
		w("    user = %s", currentUser())
		w("  }")
		w("}")
		// A recipient's address names the passwd-file user by its local
		// part, as a real site's LMTP does for its domain.
		w("protocol lmtp {")
		w("  auth_username_format = %%Ln")
		w("}")
	}
	w("service anvil {")
	w("%s", chroot)
	w("  unix_listener anvil-auth-penalty {")
	w("    mode = 0")
	w("  }")
	w("}")
	if s.opts.ExtraConf != "" {
		w("%s", s.opts.ExtraConf)
	}
	return b.String()
}

// Stop stops the server and removes its run dir. Cleanup calls it too; it
// is idempotent.
func (s *Server) Stop() {
	s.stopOnce.Do(func() {
		s.kill()
		if s.sink != nil {
			s.sink.close()
		}
		// Exiting Dovecot processes may still be removing their sockets.
		for i := 0; i < 20; i++ {
			if err := os.RemoveAll(s.Dir); err == nil {
				break
			}
			time.Sleep(50 * time.Millisecond)
		}
	})
}

// kill ends Dovecot: SIGTERM to its process group (the master alone waits
// about a second for its children; the whole group exits in milliseconds),
// SIGKILL when it has not exited within 5 s.
func (s *Server) kill() {
	if s.cmd == nil || s.cmd.Process == nil {
		return
	}
	select {
	case <-s.exited:
		return
	default:
	}
	pgid := s.cmd.Process.Pid
	syscall.Kill(-pgid, syscall.SIGTERM)
	select {
	case <-s.exited:
	case <-time.After(5 * time.Second):
		syscall.Kill(-pgid, syscall.SIGKILL)
		<-s.exited
	}
}

// Log returns the tail of Dovecot's log (and of its start-up output), for
// failure messages.
func (s *Server) Log() string {
	text := readFrom(filepath.Join(s.Dir, "log", "start.out"), 0) +
		readFrom(filepath.Join(s.Dir, "log", "dovecot.log"), 0)
	return lastLines(text, 40)
}

// portMu guards portsTaken: ports handed out in this process, never handed
// out twice even after their listener closed.
var (
	portMu     sync.Mutex
	portsTaken = map[int]bool{}
)

// reservePorts returns n distinct free ports of 127.0.0.1. Another process
// may still take one before Dovecot binds it; launch notices and retries.
func reservePorts(n int) ([]int, error) {
	portMu.Lock()
	defer portMu.Unlock()
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	var ports []int
	for tries := 0; len(ports) < n; tries++ {
		if tries > 100*n {
			return nil, errors.New("no free TCP port on 127.0.0.1")
		}
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		ls = append(ls, l)
		p := l.Addr().(*net.TCPAddr).Port
		if portsTaken[p] {
			continue
		}
		portsTaken[p] = true
		ports = append(ports, p)
	}
	return ports, nil
}

func fileSize(path string) int64 {
	fi, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return fi.Size()
}

// readFrom returns the file's contents from offset on, "" when unreadable.
func readFrom(path string, offset int64) string {
	b, err := os.ReadFile(path)
	if err != nil || offset > int64(len(b)) {
		return ""
	}
	return string(b[offset:])
}

func lastLines(text string, n int) string {
	lines := strings.SplitAfter(strings.TrimRight(text, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "")
}
