package pipeline

import (
	"bytes"
	"context"
	"sync"
	"testing"
	"time"

	"github.com/hekad-go/hekad/message"
)

func testMessage() *message.Message {
	var m message.Message
	m.SetNewUUID()
	m.SetTimestamp(42)
	m.SetType("t")
	m.SetPayload("hello")
	if f, err := message.NewField("n", int64(7), ""); err == nil {
		m.AddField(f)
	}
	return &m
}

// TestPackLazyDecoding: trusted bytes are decoded only when read, headers
// alone for MessageHeaders, and forwarded as they are by Bytes.
func TestPackLazyDecoding(t *testing.T) {
	want := testMessage()
	raw := want.Marshal()
	p := NewPack()
	p.MsgBytes = append(p.MsgBytes, raw...)
	p.TrustBytes()
	if p.Decoded() {
		t.Fatal("decoded before anything read it")
	}
	if h := p.MessageHeaders(); h.GetType() != "t" || len(h.GetFields()) != 0 || p.Decoded() {
		t.Errorf("MessageHeaders: type %q, %d fields, decoded %v", h.GetType(), len(h.GetFields()), p.Decoded())
	}
	if !p.Message().Equal(want) {
		t.Errorf("Message() = %+v, want %+v", p.Message(), want)
	}
	if !bytes.Equal(p.Bytes(), raw) {
		t.Error("Bytes() of an unchanged message is not the bytes it arrived in")
	}
	p.MutableMessage().SetType("changed")
	if p.BytesTrusted() {
		t.Error("bytes still trusted after MutableMessage")
	}
	var back message.Message
	if err := back.Unmarshal(p.Bytes()); err != nil || back.GetType() != "changed" {
		t.Errorf("Bytes() after a change decodes to type %q (%v)", back.GetType(), err)
	}
}

// TestPackConcurrentReaders: several goroutines reading one shared pack
// decode and encode it once, without a race (run with -race).
func TestPackConcurrentReaders(t *testing.T) {
	raw := testMessage().Marshal()
	p := NewPack()
	p.MsgBytes = append(p.MsgBytes, raw...)
	p.TrustBytes()
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if p.Message().GetPayload() != "hello" || !bytes.Equal(p.Bytes(), raw) {
				t.Error("a reader saw a different message")
			}
		})
	}
	wg.Wait()
}

// TestPoolOnDemandAndBorrow: a pool allocates packs only when needed,
// blocks Get at its size, and Borrow allocates beyond it after its wait,
// counting the borrowed packs until they are recycled.
func TestPoolOnDemandAndBorrow(t *testing.T) {
	pl := NewPool("input", 2, 16)
	if len(pl.Packs()) != 0 || pl.Len() != 2 {
		t.Fatalf("new pool made %d packs, Len %d", len(pl.Packs()), pl.Len())
	}
	a, _ := pl.Get(context.Background())
	b, ok := pl.TryGet()
	if !ok || len(pl.Packs()) != 2 || pl.Len() != 0 {
		t.Fatalf("after two gets: ok %v, %d packs, Len %d", ok, len(pl.Packs()), pl.Len())
	}
	if _, ok := pl.TryGet(); ok {
		t.Fatal("TryGet beyond the size succeeded")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	if _, err := pl.Get(ctx); err == nil {
		t.Fatal("Get beyond the size did not wait for ctx")
	}
	pl.SetBorrowWait(time.Millisecond)
	c, borrowed, err := pl.Borrow(context.Background())
	if err != nil || !borrowed {
		t.Fatalf("Borrow = %v, borrowed %v", err, borrowed)
	}
	if total, inUse := pl.Borrows(); total != 1 || inUse != 1 {
		t.Errorf("Borrows = %d, %d in use; want 1, 1", total, inUse)
	}
	c.Recycle()
	if _, inUse := pl.Borrows(); inUse != 0 || pl.Len() != 0 {
		t.Errorf("a recycled borrowed pack went back to the pool (Len %d) or stayed in use (%d)", pl.Len(), inUse)
	}
	a.Retain(1)
	a.Recycle()
	if pl.Len() != 0 {
		t.Error("a pack with a reference left went back to the pool")
	}
	a.Recycle()
	b.Recycle()
	if pl.Len() != 2 {
		t.Errorf("Len = %d after recycling both, want 2", pl.Len())
	}
	q, _ := pl.Get(context.Background())
	if q.Message().Size() != 0 || len(q.MsgBytes) != 0 || q.LoopCount != 0 {
		t.Error("a recycled pack was not reset")
	}
}

// TestSpawnNeverWaitsForLong: Spawn from an exhausted pool borrows.
func TestSpawnNeverWaitsForLong(t *testing.T) {
	pl := NewPool("input", 1, 16)
	pl.SetBorrowWait(time.Millisecond)
	p, _ := pl.Get(context.Background())
	p.Signer, p.LoopCount = "s", 2
	q, err := p.Spawn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if q.Signer != "s" || q.LoopCount != 2 {
		t.Errorf("spawned pack has signer %q loop %d", q.Signer, q.LoopCount)
	}
	q.Recycle()
	p.Recycle()
}
