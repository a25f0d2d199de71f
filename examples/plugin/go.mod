module example.com/hekad-keyword

go 1.25.0

require github.com/hekad-go/hekad v0.0.0

require (
	github.com/BurntSushi/toml v1.6.0 // indirect
	github.com/rcrowley/go-metrics v0.0.0-20250401214520-65e299d6c5c9 // indirect
	github.com/yuin/gopher-lua v1.1.2 // indirect
	golang.org/x/net v0.56.0 // indirect
	golang.org/x/sys v0.46.0 // indirect
	google.golang.org/protobuf v1.36.12 // indirect
)

replace github.com/hekad-go/hekad => ../..
