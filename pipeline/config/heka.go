package config

import (
	"fmt"
	"slices"

	"github.com/hekad-go/hekad/pipeline"
)

// HekaPlugin is one plugin Heka 0.10 shipped: a Go plugin type, or a Lua
// plugin run by one of the Sandbox* types.
type HekaPlugin struct {
	// Name is the type name ("LogstreamerInput") or, for a Lua plugin, its
	// file under share_dir ("lua_decoders/nginx_access.lua").
	Name string
	// Kind is the plugin family.
	Kind pipeline.Kind
	// Lua tells a Lua plugin: it needs the Sandbox type of its kind.
	Lua bool
}

// Host is the plugin type a Lua plugin runs in ("SandboxDecoder"), or ""
// for a Go plugin.
func (p HekaPlugin) Host() string {
	if !p.Lua {
		return ""
	}
	return "Sandbox" + p.Kind.String()
}

// HekaPlugins lists every plugin of Heka 0.10 (the versions/0.10 branch),
// by kind then name. A test renders it, against the registry, into the
// table of docs/heka-differences.md, so the table always says which of
// them this build has.
var HekaPlugins = hekaPlugins()

func hekaPlugins() []HekaPlugin {
	var all []HekaPlugin
	add := func(kind pipeline.Kind, lua bool, names ...string) {
		for _, n := range names {
			all = append(all, HekaPlugin{Name: n, Kind: kind, Lua: lua})
		}
	}
	add(pipeline.KindInput, false, "AMQPInput", "DockerEventInput", "DockerLogInput", "FilePollingInput",
		"HttpInput", "HttpListenInput", "KafkaInput", "LogstreamerInput", "ProcessDirectoryInput",
		"ProcessInput", "SandboxInput", "StatAccumInput", "StatsdInput", "TcpInput", "UdpInput")
	add(pipeline.KindSplitter, false, "HekaFramingSplitter", "NullSplitter", "RegexSplitter", "TokenSplitter")
	add(pipeline.KindDecoder, false, "GeoIpDecoder", "MultiDecoder", "PayloadRegexDecoder", "PayloadXmlDecoder",
		"ProtobufDecoder", "SandboxDecoder", "ScribbleDecoder", "StatsToFieldsDecoder")
	add(pipeline.KindDecoder, true, "lua_decoders/apache_access.lua", "lua_decoders/graylog_extended.lua",
		"lua_decoders/json.lua", "lua_decoders/linux_diskstats.lua", "lua_decoders/linux_loadavg.lua",
		"lua_decoders/linux_memstats.lua", "lua_decoders/linux_netdev.lua", "lua_decoders/linux_netstat.lua",
		"lua_decoders/linux_procstat.lua", "lua_decoders/mariadb_slow_query.lua",
		"lua_decoders/mysql_slow_query.lua", "lua_decoders/nginx_access.lua", "lua_decoders/nginx_error.lua",
		"lua_decoders/nginx_stub_status.lua", "lua_decoders/rsyslog.lua")
	add(pipeline.KindFilter, false, "CounterFilter", "SandboxFilter", "SandboxManagerFilter", "StatFilter")
	add(pipeline.KindFilter, true, "lua_filters/cbufd_aggregator.lua", "lua_filters/cbufd_host_aggregator.lua",
		"lua_filters/diskstats.lua", "lua_filters/frequent_items.lua", "lua_filters/heartbeat.lua",
		"lua_filters/heka_memstat.lua", "lua_filters/heka_message_schema.lua",
		"lua_filters/heka_process_message_failures.lua", "lua_filters/http_status.lua",
		"lua_filters/influx_batch.lua", "lua_filters/loadavg.lua", "lua_filters/memstats.lua",
		"lua_filters/mysql_slow_query.lua", "lua_filters/procstat.lua", "lua_filters/stat_graph.lua",
		"lua_filters/unique_items.lua")
	add(pipeline.KindEncoder, false, "ESJsonEncoder", "ESLogstashV0Encoder", "PayloadEncoder", "ProtobufEncoder",
		"RstEncoder", "SandboxEncoder")
	add(pipeline.KindEncoder, true, "lua_encoders/alert.lua", "lua_encoders/cbuf_librato.lua",
		"lua_encoders/es_payload.lua", "lua_encoders/schema_carbon_line.lua", "lua_encoders/schema_influx.lua",
		"lua_encoders/schema_influx_line.lua", "lua_encoders/statmetric_influx.lua")
	add(pipeline.KindOutput, false, "AMQPOutput", "CarbonOutput", "DashboardOutput", "ElasticSearchOutput",
		"FileOutput", "HttpOutput", "IrcOutput", "KafkaOutput", "LogOutput", "NagiosOutput", "SandboxOutput",
		"SmtpOutput", "TcpOutput", "UdpOutput", "WhisperOutput")
	return all
}

// hekaType returns the Heka 0.10 Go plugin type named name.
func hekaType(name string) (HekaPlugin, bool) {
	for _, p := range HekaPlugins {
		if !p.Lua && p.Name == name {
			return p, true
		}
	}
	return HekaPlugin{}, false
}

// unregisteredType explains a type name that is not registered: a Heka
// 0.10 plugin this build lacks, or an unknown name with the closest type
// name registered or Heka's.
func unregisteredType(name string) error {
	if _, ok := hekaType(name); ok {
		return fmt.Errorf("%q is a Heka 0.10 plugin that this build of hekad does not have yet "+
			"(docs/heka-differences.md gives the state of every Heka plugin; hekad -list shows the types this build has)", name)
	}
	var cands []string
	for _, r := range pipeline.Registered() {
		cands = append(cands, r.Name)
	}
	for _, p := range HekaPlugins {
		if !p.Lua && !slices.Contains(cands, p.Name) {
			cands = append(cands, p.Name)
		}
	}
	msg := fmt.Sprintf("unknown plugin type %q", name)
	if _, ok := pipeline.KindOf(name); !ok {
		msg += ": a type name ends in Input, Splitter, Decoder, Filter, Encoder or Output"
	}
	if s := suggest(name, cands); s != "" {
		if _, registered := pipeline.Lookup(s); !registered {
			return fmt.Errorf("%s (did you mean %q? a Heka plugin this build does not have yet)", msg, s)
		}
		return fmt.Errorf("%s (did you mean %q?)", msg, s)
	}
	return fmt.Errorf("%s (hekad -list shows the types this build has)", msg)
}
