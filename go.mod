module github.com/hekad-go/hekad

go 1.25.0

require (
	github.com/BurntSushi/toml v1.6.0
	github.com/golang/protobuf v1.5.4
	github.com/rcrowley/go-metrics v0.0.0-20250401214520-65e299d6c5c9
	github.com/yuin/gopher-lua v1.1.2
	golang.org/x/net v0.56.0
	google.golang.org/protobuf v1.36.12
)

require golang.org/x/sys v0.46.0 // indirect

tool google.golang.org/protobuf/cmd/protoc-gen-go
