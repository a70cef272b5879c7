package revoke

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/tributary-gw/tributary/core/stage"
)

var _ List = (*StoreList)(nil)

// The gateway's state store fits KV as it is.
var _ KV = stage.Store(nil)

func TestStoreList(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	mem := stage.NewMemory(stage.MemoryOptions{Now: func() time.Time { return now }})
	l, err := NewStoreList(mem, "revoke:", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := l.Add(ctx, Key("jti", "a")); err != nil {
		t.Fatal(err)
	}
	if r, err := l.Revoked(ctx, "jti-a"); !r || err != nil {
		t.Fatalf("Revoked = %v, %v", r, err)
	}
	if r, _ := l.Revoked(ctx, "jti-b"); r {
		t.Fatal("an absent entry is revoked")
	}
	if v, ok, _ := mem.Get(ctx, "revoke:jti-a"); !ok || len(v) != 1 {
		t.Fatal("not stored under the prefix")
	}
	now = now.Add(61 * time.Second)
	if r, _ := l.Revoked(ctx, "jti-a"); r {
		t.Fatal("still revoked after TTL")
	}
	if _, err := NewStoreList(nil, "", time.Minute); err == nil {
		t.Error("nil store accepted")
	}
	if _, err := NewStoreList(mem, "", 0); err == nil {
		t.Error("zero TTL accepted")
	}
	broken, _ := NewStoreList(failingKV{}, "", time.Minute)
	if r, err := broken.Revoked(ctx, "jti-a"); r || err == nil {
		t.Errorf("a failing store answered %v, %v", r, err)
	}
}

type failingKV struct{}

func (failingKV) Get(context.Context, string) ([]byte, bool, error) {
	return nil, false, errors.New("down")
}
func (failingKV) Set(context.Context, string, []byte, time.Duration) error {
	return errors.New("down")
}
