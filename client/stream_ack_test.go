package client

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/hekad-go/hekad/client/hekadtest"
)

// startAckServer starts a server of acknowledged shipping; answer false
// makes it ignore the hello (as Heka does).
func startAckServer(t *testing.T, answer bool, policy func(conn, i int) (ack, close bool)) *recordServer {
	return startRecordServer(t, "tcp", "", true, answer, policy)
}

func ackEverything(int, int) (bool, bool) { return true, false }

func sendNumbered(t *testing.T, c *Client, n int) {
	t.Helper()
	for i := range n {
		if err := c.Info(fmt.Sprint(i)); err != nil {
			t.Fatal(err)
		}
	}
}

func TestStreamAck(t *testing.T) {
	srv := startAckServer(t, true, ackEverything)
	c, s := newStreamClient(t, "tcp", srv.ln.Addr().String(), StreamOptions{Ack: true})
	sendNumbered(t, c, 1000)
	if err := c.Close(t.Context()); err != nil {
		t.Fatal(err)
	}
	if st := s.Stats(); st.Sent != 1000 || st.Dropped != 0 || st.Queued != 0 {
		t.Errorf("stats %+v", st)
	}
	srv.mu.Lock()
	defer srv.mu.Unlock()
	if len(srv.got) != 1000 || len(srv.payloads) != 1000 {
		t.Errorf("%d distinct of %d received", len(srv.got), len(srv.payloads))
	}
}

// TestStreamAckResend: the first connection acknowledges 5 records of the
// 10 it reads, then closes; the records not acknowledged are written again
// on the next connection. Nothing is lost; some records come twice.
func TestStreamAckResend(t *testing.T) {
	srv := startAckServer(t, true, func(conn, i int) (bool, bool) {
		if conn == 1 {
			return i < 5, i == 9
		}
		return true, false
	})
	c, s := newStreamClient(t, "tcp", srv.ln.Addr().String(), StreamOptions{Ack: true, MinBackoff: time.Millisecond})
	sendNumbered(t, c, 1000)
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	if err := c.Close(ctx); err != nil {
		t.Fatal(err)
	}
	st := s.Stats()
	if st.Sent != 1000 || st.Dropped != 0 || st.Reconnects == 0 {
		t.Errorf("stats %+v", st)
	}
	srv.mu.Lock()
	defer srv.mu.Unlock()
	for i := range 1000 {
		if srv.got[fmt.Sprint(i)] == 0 {
			t.Fatalf("record %d lost", i)
		}
	}
	for i := 5; i < 10; i++ {
		if srv.got[fmt.Sprint(i)] < 2 {
			t.Errorf("record %d, not acknowledged, was not written again", i)
		}
	}
}

// TestStreamAckLegacy: a receiver that ignores the hello (Heka, a hekad
// without ack) gets the records as usual; they count as sent once written.
func TestStreamAckLegacy(t *testing.T) {
	srv := startAckServer(t, false, ackEverything)
	c, s := newStreamClient(t, "tcp", srv.ln.Addr().String(), StreamOptions{Ack: true, HelloTimeout: 50 * time.Millisecond})
	sendNumbered(t, c, 100)
	if err := c.Close(t.Context()); err != nil {
		t.Fatal(err)
	}
	if st := s.Stats(); st.Sent != 100 || st.Dropped != 0 {
		t.Errorf("stats %+v", st)
	}
	hekadtest.WaitFor(t, 10*time.Second, "every record", func() bool { return srv.distinct() == 100 })
}

// TestStreamAckTimeout: a receiver that answers the hello but never
// acknowledges makes the sender reconnect after AckTimeout and write the
// records again; at Close's deadline they are dropped, all of them counted.
func TestStreamAckTimeout(t *testing.T) {
	srv := startAckServer(t, true, func(int, int) (bool, bool) { return false, false })
	c, s := newStreamClient(t, "tcp", srv.ln.Addr().String(), StreamOptions{Ack: true, AckTimeout: 50 * time.Millisecond, MinBackoff: time.Millisecond})
	sendNumbered(t, c, 10)
	hekadtest.WaitFor(t, 10*time.Second, "a reconnection", func() bool { return s.Stats().Reconnects > 0 })
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Millisecond)
	defer cancel()
	if err := c.Close(ctx); err == nil {
		t.Error("close succeeded without acknowledgements")
	}
	if st := s.Stats(); st.Sent != 0 || st.Dropped != 10 || st.Queued != 0 {
		t.Errorf("stats %+v", st)
	}
	srv.mu.Lock()
	if srv.got["0"] < 2 {
		t.Errorf("record 0 received %d times, want it written again", srv.got["0"])
	}
	srv.mu.Unlock()
}
