package client_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"time"

	"github.com/hekad-go/hekad/client"
	"github.com/hekad-go/hekad/message"
)

// newExampleClient returns a client writing to memory, with a fixed
// identity so that the output is stable.
func newExampleClient() (*client.Client, *client.BufferSender) {
	buf := new(client.BufferSender)
	c, err := client.New(buf, client.Options{Logger: "myapp", Hostname: "web1", Pid: 100})
	if err != nil {
		panic(err)
	}
	return c, buf
}

// printMessages prints what the client sent: one line per message.
func printMessages(buf *client.BufferSender) {
	msgs, err := buf.Messages(nil)
	if err != nil {
		fmt.Println(err)
	}
	for _, m := range msgs {
		fmt.Printf("Type=%s Logger=%s Severity=%d Payload=%q", m.GetType(), m.GetLogger(), m.GetSeverity(), firstLine(m.GetPayload()))
		for _, f := range m.GetFields() {
			v, _ := f.ValueAt(0)
			fmt.Printf(" %s(%v)=%v", f.GetName(), f.GetValueType(), v)
		}
		fmt.Println()
	}
}

func firstLine(s string) string {
	first, _, _ := strings.Cut(s, "\n")
	return first
}

func ExampleClient_Send() {
	c, buf := newExampleClient()
	c.Send("app.login", "", client.SeverityNotice, "user logged in",
		client.String("user", "ann"), client.Int("attempts", 2), client.Bool("sso", true))
	printMessages(buf)
	// Output:
	// Type=app.login Logger=myapp Severity=5 Payload="user logged in" user(STRING)=ann attempts(INTEGER)=2 sso(BOOL)=true
}

func ExampleClient_Incr() {
	c, buf := newExampleClient()
	c.Incr("requests", 1, 1)
	c.Incr("cache.miss", 3, 1, client.String("cache", "users"))
	printMessages(buf)
	// Output:
	// Type=counter Logger=myapp Severity=6 Payload="1" name(STRING)=requests rate(DOUBLE)=1
	// Type=counter Logger=myapp Severity=6 Payload="3" name(STRING)=cache.miss rate(DOUBLE)=1 cache(STRING)=users
}

func ExampleClient_Gauge() {
	c, buf := newExampleClient()
	c.Gauge("queue.depth", 17, 1)
	printMessages(buf)
	// Output:
	// Type=gauge Logger=myapp Severity=6 Payload="17" name(STRING)=queue.depth rate(DOUBLE)=1
}

func ExampleClient_TimerSend() {
	c, buf := newExampleClient()
	c.TimerSend("db.query", 12340*time.Microsecond, 1)
	printMessages(buf)
	// Output:
	// Type=timer Logger=myapp Severity=6 Payload="12" name(STRING)=db.query rate(DOUBLE)=1
}

func ExampleClient_Timer() {
	c, buf := newExampleClient()
	c.Timer("render", 1, func() {
		// the work being timed
	})
	printMessages(buf)
	// Output:
	// Type=timer Logger=myapp Severity=6 Payload="0" name(STRING)=render rate(DOUBLE)=1
}

func ExampleClient_TimerSince() {
	c, buf := newExampleClient()
	handle := func() {
		defer c.TimerSince("handle", time.Now(), 1)
		// the work being timed
	}
	handle()
	printMessages(buf)
	// Output:
	// Type=timer Logger=myapp Severity=6 Payload="0" name(STRING)=handle rate(DOUBLE)=1
}

func ExampleClient_Info() {
	c, buf := newExampleClient()
	c.Info("listening", client.String("addr", ":8080"))
	printMessages(buf)
	// Output:
	// Type=oldstyle Logger=myapp Severity=6 Payload="listening" addr(STRING)=:8080
}

func ExampleClient_Debug() {
	c, buf := newExampleClient()
	c.Debug("cache warmed")
	printMessages(buf)
	// Output:
	// Type=oldstyle Logger=myapp Severity=7 Payload="cache warmed"
}

func ExampleClient_Notice() {
	c, buf := newExampleClient()
	c.Notice("config reloaded")
	printMessages(buf)
	// Output:
	// Type=oldstyle Logger=myapp Severity=5 Payload="config reloaded"
}

func ExampleClient_Warn() {
	c, buf := newExampleClient()
	c.Warn("disk 90% full", client.Float("used", 0.9))
	printMessages(buf)
	// Output:
	// Type=oldstyle Logger=myapp Severity=4 Payload="disk 90% full" used(DOUBLE)=0.9
}

func ExampleClient_Error() {
	c, buf := newExampleClient()
	c.Error("request failed", client.Int("status", 502))
	printMessages(buf)
	// Output:
	// Type=oldstyle Logger=myapp Severity=3 Payload="request failed" status(INTEGER)=502
}

func ExampleClient_Critical() {
	c, buf := newExampleClient()
	c.Critical("out of memory")
	printMessages(buf)
	// Output:
	// Type=oldstyle Logger=myapp Severity=2 Payload="out of memory"
}

func ExampleClient_Stats() {
	c, _ := newExampleClient()
	c.Incr("sampled.out", 1, 0) // rate 0: never sent
	c.Info("sent")
	c.Info("too big", client.Any("bad", struct{}{})) // not a field type
	fmt.Printf("%+v\n", c.Stats())
	// Output:
	// {Sent:1 Failed:1 SampledOut:1}
}

func ExampleOptions_SeverityOf() {
	buf := new(client.BufferSender)
	opts := client.Options{Logger: "myapp"}.SeverityOf(client.SeverityEmergency)
	c, _ := client.New(buf, opts)
	c.Incr("panics", 1, 1) // metric calls use the client's severity
	msgs, _ := buf.Messages(nil)
	fmt.Println(msgs[0].GetSeverity())
	// Output:
	// 0
}

func ExampleString() {
	c, buf := newExampleClient()
	c.Info("typed fields", client.String("s", "text"), client.Int("i", -1), client.Float("f", 0.25), client.Bool("b", false))
	printMessages(buf)
	// Output:
	// Type=oldstyle Logger=myapp Severity=6 Payload="typed fields" s(STRING)=text i(INTEGER)=-1 f(DOUBLE)=0.25 b(BOOL)=false
}

func ExampleBufferSender() {
	buf := new(client.BufferSender)
	c, _ := client.New(buf, client.Options{Logger: "test"})
	c.Gauge("g", 1.5, 1)
	msgs, err := buf.Messages(nil)
	fmt.Println(len(msgs), err, msgs[0].GetType(), msgs[0].GetPayload())
	// Output:
	// 1 <nil> gauge 1.5
}

func ExampleClient_Exception() {
	c, buf := newExampleClient()
	err := fmt.Errorf("load config: %w", errors.New("permission denied"))
	c.Exception(err, client.String("path", "/etc/app.toml"))

	msgs, _ := buf.Messages(nil)
	m := msgs[0]
	fmt.Println(m.GetType(), m.GetSeverity(), firstLine(m.GetPayload()))
	var names []string
	for _, f := range m.GetFields() {
		names = append(names, f.GetName())
	}
	fmt.Println(strings.Join(names, " "))
	// The stack field holds every frame, "function file:line", innermost
	// first: here the caller of Exception.
	top := m.FindFirstField(client.FieldStack).GetValueString()[0]
	fmt.Println(strings.Fields(top)[0])
	v, _ := m.GetFieldValue(client.FieldErrorType)
	fmt.Println(v)
	// Output:
	// oldstyle 1 load config: permission denied
	// stack error_type path
	// github.com/hekad-go/hekad/client_test.ExampleClient_Exception
	// *fmt.wrapError
}

func ExampleClient_Recover() {
	c, buf := newExampleClient()
	func() {
		defer func() { fmt.Println("panicked again with:", recover()) }()
		defer c.Recover()
		var m map[string]int
		m["x"] = 1 // panics
	}()
	msgs, _ := buf.Messages(nil)
	fmt.Println(firstLine(msgs[0].GetPayload()))
	// Output:
	// panicked again with: assignment to entry in nil map
	// panic: assignment to entry in nil map
}

func ExampleClient_SendMessage() {
	c, buf := newExampleClient()
	var m message.Message
	m.SetType("custom")
	m.SetPayload("built by hand")
	m.SetHostname("other-host") // kept; what is missing is filled in
	c.SendMessage(&m)
	msgs, _ := buf.Messages(nil)
	fmt.Println(msgs[0].GetType(), msgs[0].GetHostname(), msgs[0].GetLogger(), msgs[0].GetEnvVersion(), len(msgs[0].GetUuid()))
	// Output:
	// custom other-host myapp 0.8 16
}

func ExampleAny() {
	c, buf := newExampleClient()
	c.Info("upload", client.Any("tags", []string{"a", "b"}), client.Int("size", 2048).WithRepresentation("B"))
	msgs, _ := buf.Messages(nil)
	for _, f := range msgs[0].GetFields() {
		fmt.Printf("%s %v %d %q\n", f.GetName(), f.GetValueType(), f.Len(), f.GetRepresentation())
	}
	// Output:
	// tags STRING 2 ""
	// size INTEGER 1 "B"
}

func ExampleNewHandler() {
	c, buf := newExampleClient()
	logger := slog.New(client.NewHandler(c, nil))
	logger.Info("request", "method", "GET", "status", 200, slog.Group("timing", "ms", 1.5))
	logger.Debug("not sent: below the handler's level")
	printMessages(buf)
	// Output:
	// Type=oldstyle Logger=myapp Severity=6 Payload="request" method(STRING)=GET status(INTEGER)=200 timing.ms(DOUBLE)=1.5
}

func ExampleNewDatagramSender() {
	// A stand-in for a hekad UdpInput.
	pc, _ := net.ListenPacket("udp", "127.0.0.1:0")
	defer pc.Close()

	s, err := client.NewDatagramSender("udp", pc.LocalAddr().String(), client.DatagramOptions{}) // one message per datagram
	if err != nil {
		panic(err)
	}
	c, _ := client.New(s, client.Options{Logger: "myapp"})
	defer c.Close(context.Background())
	c.Incr("requests", 1, 1)

	buf := make([]byte, 65536)
	n, _, _ := pc.ReadFrom(buf)
	frame, _ := message.NewReader(strings.NewReader(string(buf[:n])), message.FrameOptions{}).Next()
	fmt.Printf("one datagram, starting with the record separator %#x, holding one frame: %v\n", buf[0], frame.Bytes != nil)
	fmt.Println(s.Stats().Sent, "sent")
	// Output:
	// one datagram, starting with the record separator 0x1e, holding one frame: true
	// 1 sent
}

func ExampleDatagramOptions() {
	pc, _ := net.ListenPacket("udp", "127.0.0.1:0")
	defer pc.Close()

	// Up to 1000 bytes of records per datagram: one system call for
	// several messages. hekad's UdpInput splits them again.
	s, err := client.NewDatagramSender("udp", pc.LocalAddr().String(), client.DatagramOptions{BatchBytes: 1000})
	if err != nil {
		panic(err)
	}
	c, _ := client.New(s, client.Options{Logger: "myapp"})
	for range 5 {
		c.Incr("requests", 1, 1)
	}
	c.Flush(context.Background()) // or wait for FlushInterval, or Close

	buf := make([]byte, 65536)
	n, _, _ := pc.ReadFrom(buf)
	r := message.NewReader(strings.NewReader(string(buf[:n])), message.FrameOptions{})
	frames := 0
	for _, err := r.Next(); err == nil; _, err = r.Next() {
		frames++
	}
	fmt.Println(frames, "messages in one datagram")
	c.Close(context.Background())
	// Output:
	// 5 messages in one datagram
}

func ExampleNewStreamSender() {
	// A stand-in for a hekad TcpInput, counting the messages it reads.
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	defer ln.Close()
	got := make(chan int)
	go func() {
		conn, _ := ln.Accept()
		r := message.NewReader(conn, message.FrameOptions{})
		n := 0
		for _, err := r.Next(); err == nil; _, err = r.Next() {
			n++
		}
		got <- n
	}()

	s, err := client.NewStreamSender("tcp", ln.Addr().String(), client.StreamOptions{})
	if err != nil {
		panic(err)
	}
	c, _ := client.New(s, client.Options{Logger: "myapp"})
	for i := range 100 {
		c.Incr("requests", int64(i), 1)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := c.Close(ctx); err != nil { // flushes the queue
		fmt.Println(err)
	}
	fmt.Println(<-got, "received;", s.Stats().Sent, "sent,", s.Stats().Dropped, "dropped")
	// Output:
	// 100 received; 100 sent, 0 dropped
}
