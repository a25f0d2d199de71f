package cjson

import (
	"strings"
	"testing"

	lua "github.com/yuin/gopher-lua"
)

// benchDoc is a Heka-like message as JSON (505 bytes).
const benchDoc = `{"Uuid":"0b2a0e0a-3f5c-4f55-9c8c-1a7c5c2f3e11","Timestamp":1.4628276e+18,"Type":"nginx.access",` +
	`"Logger":"nginx","Severity":7,"Hostname":"web-01.example.com","Pid":2345,"Payload":"",` +
	`"Fields":{"remote_addr":"10.0.1.17","remote_user":"-","request":"GET \/api\/v1\/items\/12345 HTTP\/1.1",` +
	`"status":200,"body_bytes_sent":5120,"http_referer":"https:\/\/example.com\/","http_user_agent":` +
	`"Mozilla\/5.0 (X11; Linux x86_64) AppleWebKit\/537.36","request_time":0.025,"upstream":"10.0.2.5:8080",` +
	`"tags":["a","b","c"]}}`

func benchState(b *testing.B) (*lua.LState, *lua.LTable) {
	L := lua.NewState()
	b.Cleanup(L.Close)
	mod := New(L, Options{OutputLimit: 64512})
	return L, mod
}

func BenchmarkDecode(b *testing.B) {
	L, mod := benchState(b)
	dec := mod.RawGetString("decode")
	b.SetBytes(int64(len(benchDoc)))
	for b.Loop() {
		if err := L.CallByParam(lua.P{Fn: dec, NRet: 1, Protect: true}, lua.LString(benchDoc)); err != nil {
			b.Fatal(err)
		}
		L.Pop(1)
	}
}

func BenchmarkEncode(b *testing.B) {
	L, mod := benchState(b)
	doc := Decode(L, benchDoc)
	enc := mod.RawGetString("encode")
	for b.Loop() {
		if err := L.CallByParam(lua.P{Fn: enc, NRet: 1, Protect: true}, doc); err != nil {
			b.Fatal(err)
		}
		if s := L.Get(-1).String(); !strings.HasPrefix(s, "{") {
			b.Fatal(s)
		}
		L.Pop(1)
	}
}
