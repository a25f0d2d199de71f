package share

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hekad-go/hekad/internal/lua/oracle"
)

// pluginDirs are the share_dir folders of Lua plugins, each with a tests
// folder holding <plugin>_test.lua per plugin.
var pluginDirs = []string{"lua_decoders", "lua_filters", "lua_encoders"}

// pluginTests names each plugin (its path under share_dir) and its test
// script; the scripts run from this directory, so the plugin paths in them
// are relative to it.
var pluginTests = []struct {
	plugin string // under share_dir
	script string // the test script
}{
	{"lua_decoders/nginx_access.lua", "lua_decoders/tests/nginx_access_test.lua"},
	{"lua_decoders/apache_access.lua", "lua_decoders/tests/apache_access_test.lua"},
	{"lua_decoders/rsyslog.lua", "lua_decoders/tests/rsyslog_test.lua"},
	{"lua_decoders/nginx_error.lua", "lua_decoders/tests/nginx_error_test.lua"},
	{"lua_decoders/json.lua", "lua_decoders/tests/json_test.lua"},
	{"lua_decoders/graylog_extended.lua", "lua_decoders/tests/graylog_extended_test.lua"},
	{"lua_decoders/linux_procstat.lua", "lua_decoders/tests/linux_procstat_test.lua"},
	{"lua_decoders/linux_loadavg.lua", "lua_decoders/tests/linux_loadavg_test.lua"},
	{"lua_decoders/linux_memstats.lua", "lua_decoders/tests/linux_memstats_test.lua"},
	{"lua_decoders/linux_diskstats.lua", "lua_decoders/tests/linux_diskstats_test.lua"},
	{"lua_decoders/linux_netdev.lua", "lua_decoders/tests/linux_netdev_test.lua"},
	{"lua_decoders/linux_netstat.lua", "lua_decoders/tests/linux_netstat_test.lua"},
	{"lua_decoders/mysql_slow_query.lua", "lua_decoders/tests/mysql_slow_query_test.lua"},
	{"lua_decoders/mariadb_slow_query.lua", "lua_decoders/tests/mariadb_slow_query_test.lua"},
	{"lua_decoders/nginx_stub_status.lua", "lua_decoders/tests/nginx_stub_status_test.lua"},
	{"lua_filters/http_status.lua", "lua_filters/tests/http_status_test.lua"},
	{"lua_filters/stat_graph.lua", "lua_filters/tests/stat_graph_test.lua"},
	{"lua_filters/heka_memstat.lua", "lua_filters/tests/heka_memstat_test.lua"},
	{"lua_filters/heartbeat.lua", "lua_filters/tests/heartbeat_test.lua"},
	{"lua_filters/frequent_items.lua", "lua_filters/tests/frequent_items_test.lua"},
	{"lua_filters/unique_items.lua", "lua_filters/tests/unique_items_test.lua"},
	{"lua_filters/procstat.lua", "lua_filters/tests/procstat_test.lua"},
	{"lua_filters/influx_batch.lua", "lua_filters/tests/influx_batch_test.lua"},
	{"lua_filters/cbufd_aggregator.lua", "lua_filters/tests/cbufd_aggregator_test.lua"},
	{"lua_filters/loadavg.lua", "lua_filters/tests/loadavg_test.lua"},
	{"lua_filters/memstats.lua", "lua_filters/tests/memstats_test.lua"},
	{"lua_filters/diskstats.lua", "lua_filters/tests/diskstats_test.lua"},
	{"lua_filters/mysql_slow_query.lua", "lua_filters/tests/mysql_slow_query_test.lua"},
	{"lua_filters/heka_process_message_failures.lua", "lua_filters/tests/heka_process_message_failures_test.lua"},
	{"lua_filters/heka_message_schema.lua", "lua_filters/tests/heka_message_schema_test.lua"},
	{"lua_filters/cbufd_host_aggregator.lua", "lua_filters/tests/cbufd_host_aggregator_test.lua"},
	{"lua_encoders/alert.lua", "lua_encoders/tests/alert_test.lua"},
	{"lua_encoders/es_payload.lua", "lua_encoders/tests/es_payload_test.lua"},
	{"lua_encoders/schema_carbon_line.lua", "lua_encoders/tests/schema_carbon_line_test.lua"},
	{"lua_encoders/schema_influx_line.lua", "lua_encoders/tests/schema_influx_line_test.lua"},
	{"lua_encoders/cbuf_librato.lua", "lua_encoders/tests/cbuf_librato_test.lua"},
	{"lua_encoders/schema_influx.lua", "lua_encoders/tests/schema_influx_test.lua"},
	{"lua_encoders/statmetric_influx.lua", "lua_encoders/tests/statmetric_influx_test.lua"},
}

// otherPluginScripts are the test scripts about more than one plugin.
var otherPluginScripts = []struct {
	name   string
	script string
}{
	{"every decoder on bad input", "lua_decoders/tests/robustness_test.lua"},
}

// pluginLuaPath is the LUA_PATH of the plugin tests: the grammar modules,
// their test library (testlib) and the host stand-ins (sandbox.lua, in
// lua_decoders/tests) and the stand-ins for the sandbox's C modules
// circular_buffer and hyperloglog (in lua_filters/tests).
func pluginLuaPath(t *testing.T) string {
	t.Helper()
	var dirs []string
	for _, d := range []string{"lua_modules", "lua_modules/tests", "lua_decoders/tests", "lua_filters/tests"} {
		abs, err := filepath.Abs(d)
		if err != nil {
			t.Fatal(err)
		}
		dirs = append(dirs, filepath.Join(abs, "?.lua"))
	}
	return "LUA_PATH=" + strings.Join(dirs, ";")
}

// TestLuaPlugins runs each plugin's test script under C Lua 5.1 and LPeg
// with the sandbox's host functions stood in (lua_decoders/tests/sandbox.lua);
// a script prints "ok" as its last line when every check in it passed.
func TestLuaPlugins(t *testing.T) {
	luaPath := pluginLuaPath(t)
	type run struct{ name, script string }
	var runs []run
	for _, tc := range pluginTests {
		runs = append(runs, run{tc.plugin, tc.script})
	}
	for _, tc := range otherPluginScripts {
		runs = append(runs, run{tc.name, tc.script})
	}
	for _, tc := range runs {
		t.Run(tc.name, func(t *testing.T) {
			script, err := os.ReadFile(tc.script)
			if err != nil {
				t.Fatal(err)
			}
			res := oracle.MustRun(t, string(script), luaPath)
			if !res.OK || !strings.HasSuffix(res.Stdout, "ok\n") {
				t.Errorf("%s: ok %v, stdout %q, stderr %q", tc.script, res.OK, res.Stdout, res.Stderr)
			}
		})
	}
}

// TestEveryPluginTested checks that every plugin file has its test script,
// <dir>/tests/<plugin>_test.lua, and that pluginTests runs it.
func TestEveryPluginTested(t *testing.T) {
	listed := make(map[string]string)
	for _, tc := range pluginTests {
		listed[tc.plugin] = tc.script
	}
	n := 0
	for _, dir := range pluginDirs {
		plugins, err := filepath.Glob(filepath.Join(dir, "*.lua"))
		if err != nil {
			t.Fatal(err)
		}
		n += len(plugins)
		for _, p := range plugins {
			want := filepath.Join(dir, "tests", strings.TrimSuffix(filepath.Base(p), ".lua")+"_test.lua")
			if _, err := os.Stat(want); err != nil {
				t.Errorf("%s has no test script: %v", p, err)
			}
			if got := listed[filepath.ToSlash(p)]; got != filepath.ToSlash(want) {
				t.Errorf("%s: pluginTests runs %q, want %q", p, got, want)
			}
		}
	}
	if n == 0 {
		t.Fatal("no Lua plugins found")
	}
}

// TestEveryPluginScriptListed keeps pluginTests complete: every test script
// in the plugin tests folders is run by TestLuaPlugins (in pluginTests or
// otherPluginScripts).
func TestEveryPluginScriptListed(t *testing.T) {
	listed := make(map[string]bool)
	for _, tc := range pluginTests {
		listed[tc.script] = true
	}
	for _, tc := range otherPluginScripts {
		listed[tc.script] = true
	}
	for _, dir := range pluginDirs {
		files, err := filepath.Glob(filepath.Join(dir, "tests", "*_test.lua"))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			if !listed[filepath.ToSlash(f)] {
				t.Errorf("%s is not in pluginTests", f)
			}
		}
	}
}

// TestPluginHeaders checks that each plugin starts with its documentation
// header: a description, its config options and a sample configuration.
func TestPluginHeaders(t *testing.T) {
	for _, tc := range pluginTests {
		src, err := os.ReadFile(tc.plugin)
		if err != nil {
			t.Fatal(err)
		}
		s := string(src)
		// --[=[ when the text holds "]]" (JSON samples), as Heka's did
		open, closing := "--[[", "--]]"
		if strings.HasPrefix(s, "--[=[") {
			open, closing = "--[=[", "--]=]"
		}
		end := strings.Index(s, closing)
		if !strings.HasPrefix(s, open) || end < 0 {
			t.Errorf("%s: no --[[ ... --]] header at the top", tc.plugin)
			continue
		}
		head := s[:end]
		for _, want := range []string{"Config:", "*Example Heka Configuration*", tc.plugin} {
			if !strings.Contains(head, want) {
				t.Errorf("%s: header lacks %q", tc.plugin, want)
			}
		}
	}
}

// TestPluginsDocumented checks that docs/lua-plugins.md names every plugin.
func TestPluginsDocumented(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "docs", "lua-plugins.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range pluginTests {
		if !strings.Contains(string(doc), filepath.Base(tc.plugin)) {
			t.Errorf("docs/lua-plugins.md does not mention %s", tc.plugin)
		}
	}
}
