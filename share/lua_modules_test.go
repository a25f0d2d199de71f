package share

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hekad-go/hekad/internal/lua/oracle"
)

// moduleTests names the test script of each module, run in this order.
var moduleTests = []struct {
	name   string // of the module under test
	script string // under lua_modules/tests
}{
	{"date_time", "date_time_test.lua"},
	{"ip_address", "ip_address_test.lua"},
	{"common_log_format", "common_log_format_test.lua"},
	{"syslog", "syslog_test.lua"},
	{"util", "util_test.lua"},
	{"msg_interpolate", "msg_interpolate_test.lua"},
	{"field_util", "field_util_test.lua"},
	{"graphite", "graphite_test.lua"},
	{"alert", "alert_test.lua"},
	{"annotation", "annotation_test.lua"},
	{"elasticsearch", "elasticsearch_test.lua"},
	{"ts_line_protocol", "ts_line_protocol_test.lua"},
	{"cbufd", "cbufd_test.lua"},
	{"anomaly", "anomaly_test.lua"},
	{"mysql", "mysql_test.lua"},
	{"sfl4j", "sfl4j_test.lua"},
	{"every grammar on bad input", "robustness_test.lua"},
}

// TestLuaModules runs each module's test script under C Lua 5.1 and LPeg
// with LUA_PATH set to lua_modules and its tests; a script prints "ok" as
// its last line when every check in it passed.
func TestLuaModules(t *testing.T) {
	dir, err := filepath.Abs("lua_modules")
	if err != nil {
		t.Fatal(err)
	}
	luaPath := "LUA_PATH=" + filepath.Join(dir, "?.lua") + ";" + filepath.Join(dir, "tests", "?.lua")
	for _, tc := range moduleTests {
		t.Run(tc.name, func(t *testing.T) {
			script, err := os.ReadFile(filepath.Join(dir, "tests", tc.script))
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

// TestEveryScriptListed keeps moduleTests complete: every test script in
// lua_modules/tests is run by TestLuaModules.
func TestEveryScriptListed(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("lua_modules", "tests", "*_test.lua"))
	if err != nil {
		t.Fatal(err)
	}
	listed := make(map[string]bool)
	for _, tc := range moduleTests {
		listed[tc.script] = true
	}
	for _, f := range files {
		if !listed[filepath.Base(f)] {
			t.Errorf("%s is not in moduleTests", f)
		}
	}
}

// TestEveryModuleTested checks that each module in lua_modules has its test
// script, lua_modules/tests/<module>_test.lua.
func TestEveryModuleTested(t *testing.T) {
	modules, err := filepath.Glob(filepath.Join("lua_modules", "*.lua"))
	if err != nil {
		t.Fatal(err)
	}
	if len(modules) == 0 {
		t.Fatal("no modules in lua_modules")
	}
	for _, m := range modules {
		script := filepath.Join("lua_modules", "tests", strings.TrimSuffix(filepath.Base(m), ".lua")+"_test.lua")
		if _, err := os.Stat(script); err != nil {
			t.Errorf("%s has no test script: %v", m, err)
		}
	}
}
