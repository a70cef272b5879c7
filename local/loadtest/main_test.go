package main

import (
	"io"
	"os"
	"reflect"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// childEnvKey makes the test binary act as the stub backend when the
// harness code under test re-executes it (see TestStartBackendAndStop).
const childEnvKey = "TRIBUTARY_LOADTEST_TEST_CHILD"

func TestMain(m *testing.M) {
	if os.Getenv(childEnvKey) == "backend" && len(os.Args) > 1 && os.Args[1] == "backend" {
		os.Exit(cmdBackend(os.Args[2:], os.Stdin, os.Stdout, os.Stderr))
	}
	goleak.VerifyTestMain(m)
}

func TestParseOptions(t *testing.T) {
	defaults := options{conns: 64, duration: 10 * time.Second, warmup: 2 * time.Second, rounds: 3,
		scenarios: []string{"proxy", "limited", "webheaders", "secured", "secured-cached", "traced-off", "traced", "aggregate", "sequential", "big"}, gen: "raw", startupRuns: 11}
	tests := []struct {
		name    string
		args    []string
		want    func(o *options)
		wantErr bool
	}{
		{"defaults", nil, func(o *options) {}, false},
		{"quick", []string{"-quick"}, func(o *options) {
			o.quick, o.duration, o.warmup, o.rounds, o.startupRuns = true, 3*time.Second, time.Second, 1, 5
		}, false},
		{"quick keeps explicit flags", []string{"-quick", "-rounds", "2", "-d", "5s"}, func(o *options) {
			o.quick, o.duration, o.warmup, o.rounds, o.startupRuns = true, 5*time.Second, time.Second, 2, 5
		}, false},
		{"subset and generator", []string{"-scenarios", "big, proxy", "-gen", "http", "-c", "8", "-procs", "1", "-json", "x.json"}, func(o *options) {
			o.scenarios, o.gen, o.conns, o.procs, o.jsonPath = []string{"big", "proxy"}, "http", 8, 1, "x.json"
		}, false},
		{"unknown scenario", []string{"-scenarios", "proxy,nope"}, nil, true},
		{"unknown generator", []string{"-gen", "ab"}, nil, true},
		{"zero connections", []string{"-c", "0"}, nil, true},
		{"too short", []string{"-d", "10ms"}, nil, true},
		{"no rounds", []string{"-rounds", "0"}, nil, true},
		{"negative procs", []string{"-gateway-procs", "-1"}, nil, true},
		{"stray argument", []string{"extra"}, nil, true},
		{"unknown flag", []string{"-nope"}, nil, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseOptions(tc.args, io.Discard)
			if tc.wantErr {
				if err == nil {
					t.Fatalf("no error for %v", tc.args)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			want := defaults
			want.scenarios = append([]string(nil), defaults.scenarios...)
			tc.want(&want)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("got  %+v\nwant %+v", got, want)
			}
		})
	}
}

func TestCommandLine(t *testing.T) {
	tests := []struct {
		argv []string
		want string
	}{
		{nil, "loadtest"},
		{[]string{"/tmp/go-build123/b001/exe/loadtest", "-quick"}, "go run ./local/loadtest -quick"},
		{[]string{"./loadtest"}, "./loadtest"},
	}
	for _, tc := range tests {
		if got := commandLine(tc.argv); got != tc.want {
			t.Errorf("commandLine(%q) = %q, want %q", tc.argv, got, tc.want)
		}
	}
}
