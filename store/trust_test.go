package store

import (
	"bytes"
	"testing"

	bolt "go.etcd.io/bbolt"
	"popbox/mail"
)

// TestCertificatePins: the pins of both sides are saved and loaded with
// the account, kept by UpdateAccount (the outgoing one with SMTPSame too),
// and a certificate accepted for one connection is never written.
func TestCertificatePins(t *testing.T) {
	s := newStore(t)
	in := mail.CertFingerprint([]byte("incoming"))
	out := mail.CertFingerprint([]byte("outgoing"))
	once := mail.CertFingerprint([]byte("once"))
	a := testAccount("Office")
	a.Incoming.TrustedCert = a.Incoming.PinFor(in)
	a.Outgoing.TrustedCert = a.Outgoing.PinFor(out)
	a.Incoming.AcceptCert = a.Incoming.PinFor(once)
	a.Outgoing.AcceptCert = a.Outgoing.PinFor(once)
	saved, err := s.AddAccount(a)
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.Account("Office")
	if err != nil {
		t.Fatal(err)
	}
	if f, ok := got.Incoming.Pinned(); !ok || f != in {
		t.Errorf("incoming pin after a reload: %q", got.Incoming.TrustedCert)
	}
	if f, ok := got.SMTP().Pinned(); !ok || f != out {
		t.Errorf("outgoing pin after a reload: %q", got.Outgoing.TrustedCert)
	}
	if got.Incoming.AcceptCert != "" || got.Outgoing.AcceptCert != "" {
		t.Errorf("a certificate accepted once was stored: %q %q", got.Incoming.AcceptCert, got.Outgoing.AcceptCert)
	}
	err = s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketAccounts).ForEach(func(k, v []byte) error {
			if bytes.Contains(v, []byte(once.String())) {
				t.Errorf("the accept-once fingerprint is in the stored account: %s", v)
			}
			if !bytes.Contains(v, []byte(`"trusted_cert":"pop.example.com:995 `+in.String()+`"`)) {
				t.Errorf("the incoming pin is not stored as trusted_cert: %s", v)
			}
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}

	// An update of other settings keeps both pins.
	got.Retention = mail.Retention{Kind: mail.RetainDays, Days: 7}
	got.Incoming.Password, got.Outgoing.Password = "", ""
	if err := s.UpdateAccount(got); err != nil {
		t.Fatal(err)
	}
	again, err := s.Account(saved.ID)
	if err != nil {
		t.Fatal(err)
	}
	if again.Incoming.TrustedCert != a.Incoming.TrustedCert || again.Outgoing.TrustedCert != a.Outgoing.TrustedCert {
		t.Errorf("UpdateAccount lost a pin: %q %q", again.Incoming.TrustedCert, again.Outgoing.TrustedCert)
	}

	// With SMTPSame the outgoing pin names the derived server and stays
	// in Outgoing.
	same := again
	same.SMTPSame = true
	same.Outgoing = mail.Server{}
	same.Outgoing.TrustedCert = same.SMTP().PinFor(out)
	if err := s.UpdateAccount(same); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Account(saved.ID); got.SMTP().TrustedCert != same.Outgoing.TrustedCert {
		t.Errorf("SMTPSame: outgoing pin %q, want %q", got.SMTP().TrustedCert, same.Outgoing.TrustedCert)
	} else if f, ok := got.SMTP().Pinned(); !ok || f != out {
		t.Errorf("SMTPSame: the outgoing pin does not apply to %s", got.SMTP().Address())
	}
}
