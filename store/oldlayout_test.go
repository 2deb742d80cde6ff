package store

import (
	"encoding/json"
	"strconv"

	bolt "go.etcd.io/bbolt"
)

// Writers of the layout of schemas 1 and 2, for the tests of the upgrade
// and of repair: the plain raw bytes under the msg key, JSON UID records.

// putV2Message writes a message as schema 2 did (its putMessage).
func putV2Message(ids *bolt.Bucket, a acct, k []byte, rec msgRecord, raw []byte) error {
	rec.Layout, rec.Chunks = layoutPlain, 0
	data, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	if err := a.msgs.Put(k, data); err != nil {
		return err
	}
	if err := a.raw.Put(k, raw); err != nil {
		return err
	}
	if err := a.index.Put(k, indexText(rec.Summary)); err != nil {
		return err
	}
	if err := a.digest.Put(copyBytes(rec.Digest), k[8:16]); err != nil {
		return err
	}
	return ids.Put(k[8:16], append(copyBytes(a.key), k...))
}

// putV2UID writes a UID record as schema 2 did.
func putV2UID(a acct, uid string, r uidRecord) error {
	data, err := json.Marshal(jsonUIDRecord{FirstSeen: r.FirstSeen, MsgID: strconv.FormatUint(r.MsgID, 10), State: r.State})
	if err != nil {
		return err
	}
	return a.uids.Put([]byte(uid), data)
}
