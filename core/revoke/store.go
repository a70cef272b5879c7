package revoke

import (
	"context"
	"errors"
	"time"
)

// KV is the part of a key-value store with time-to-live that a StoreList
// needs. The gateway's state store (package stage's Store) has this shape,
// so a shared store makes the revocation list fleet-wide.
type KV interface {
	// Get returns the value stored under key, unless it is absent or
	// expired.
	Get(ctx context.Context, key string) (value []byte, ok bool, err error)
	// Set stores value under key until ttl has passed.
	Set(ctx context.Context, key string, value []byte, ttl time.Duration) error
}

// StoreList is a List kept in a KV store: exact (no false positives),
// with each entry expiring exactly TTL after it was added, and shared by
// every process that uses the same store. Errors of the store are
// returned as they are; the revocation check fails closed on them.
type StoreList struct {
	kv     KV
	prefix string
	ttl    time.Duration
}

// NewStoreList returns a list that keeps its entries in kv under prefix
// (e.g. "revoke:"), each for ttl.
func NewStoreList(kv KV, prefix string, ttl time.Duration) (*StoreList, error) {
	if kv == nil {
		return nil, errors.New("no store")
	}
	if ttl <= 0 {
		return nil, errors.New("TTL must be positive")
	}
	return &StoreList{kv: kv, prefix: prefix, ttl: ttl}, nil
}

var revokedMark = []byte{1}

// Add revokes key for the list's TTL.
func (l *StoreList) Add(ctx context.Context, key string) error {
	return l.kv.Set(ctx, l.prefix+key, revokedMark, l.ttl)
}

// Revoked reports whether key is revoked.
func (l *StoreList) Revoked(ctx context.Context, key string) (bool, error) {
	_, ok, err := l.kv.Get(ctx, l.prefix+key)
	return ok && err == nil, err
}
