package matcher

import "testing"

func benchMatch(b *testing.B, expr string, want bool) {
	msg := hekaTestMessage(b)
	m := MustCompile(expr)
	if got := m.Match(msg); got != want {
		b.Fatalf("%s: Match = %v, want %v", expr, got, want)
	}
	b.ReportAllocs()
	for b.Loop() {
		m.Match(msg)
	}
}

func BenchmarkMatchTypeSeverity(b *testing.B) {
	benchMatch(b, "Type == 'nginx' && Severity < 4", false)
}

func BenchmarkMatchTypeSeverityTrue(b *testing.B) {
	benchMatch(b, "Type == 'TEST' && Severity < 7", true)
}

func BenchmarkMatchFieldStatus(b *testing.B) {
	benchMatch(b, "Fields[status] == 500", true)
}

func BenchmarkMatchFieldMissing(b *testing.B) {
	benchMatch(b, "Fields[missing] == NIL", true)
}

func BenchmarkMatchUuid(b *testing.B) {
	benchMatch(b, "Uuid == '6ba7b810-9dad-11d1-80b4-00c04fd430c8'", true)
}

func BenchmarkMatchRegex(b *testing.B) {
	benchMatch(b, "Type =~ /[Tt]EST/ && Severity == 6", true)
}

func BenchmarkMatchPrefix(b *testing.B) {
	benchMatch(b, "Payload =~ /^Test/", true)
}

func BenchmarkMatchSuffix(b *testing.B) {
	benchMatch(b, "Payload =~ /load$/", true)
}

func BenchmarkMatchParallel(b *testing.B) {
	msg := hekaTestMessage(b)
	m := MustCompile("Type == 'nginx' && Severity < 4 || Fields[status] >= 500")
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			m.Match(msg)
		}
	})
}

func BenchmarkCompile(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Compile("Type == 'nginx' && Severity < 4 || Fields[status] >= 500"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCompileRegex(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Compile("Type =~ /^heka\\.(sandbox|counter)-output$/"); err != nil {
			b.Fatal(err)
		}
	}
}
