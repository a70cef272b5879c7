package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/tributary-gw/tributary/local/faults"
)

// TestMain fails the package when a test leaves a goroutine behind.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// TestParseOptions checks the defaults and refuses bad flags.
func TestParseOptions(t *testing.T) {
	o, err := parseOptions(nil, io.Discard)
	if err != nil || o.mode != "soak" || o.duration != 5*time.Minute || o.clients != 200 || o.gateway != "child" {
		t.Fatalf("defaults: %+v, %v", o, err)
	}
	o, err = parseOptions([]string{"-mode", "faults", "-kinds", "hang, extra", "-gateway-bin", "/x/tributary"}, io.Discard)
	if err != nil || o.mode != "faults" || len(o.kinds) != 2 || o.kinds[1] != faults.KindExtra || o.gateway != "binary" {
		t.Fatalf("faults mode: %+v, %v", o, err)
	}
	for _, bad := range [][]string{
		{"-mode", "chaos"}, {"-gateway", "docker"}, {"-clients", "0"}, {"-duration", "0s"},
		{"-timeout", "20s"}, {"-kinds", "ok,nope"}, {"stray"}, {"-repeat", "0"},
	} {
		if _, err := parseOptions(bad, io.Discard); err == nil {
			t.Errorf("parseOptions(%q) accepted", bad)
		}
	}
}

// TestRunChild runs the child side of -gateway child in-process: it must
// print its ready line, answer /stats, and stop when stdin closes.
func TestRunChild(t *testing.T) {
	srv, err := faults.StartServer(faults.ServerOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	cfg, err := faults.GatewayConfig(faults.GatewayOptions{FaultAddr: srv.Addr()})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "gateway.json")
	if err := os.WriteFile(path, cfg, 0o644); err != nil {
		t.Fatal(err)
	}
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	done := make(chan int, 1)
	go func() {
		done <- runChild([]string{"-c", path}, inR, outW, io.Discard)
		outW.Close()
	}()
	line, err := firstLine(context.Background(), outR, 10*time.Second)
	if err != nil || !strings.HasPrefix(line, readyPrefix) {
		t.Fatalf("ready line %q, %v", line, err)
	}
	go func() { _, _ = io.Copy(io.Discard, outR) }()
	f := strings.Fields(line)
	sc := newStatsClient(f[2])
	st, err := sc.get(true)
	sc.close()
	if err != nil || st.Goroutines <= 0 || st.Errors != 0 {
		t.Errorf("stats %+v, %v", st, err)
	}
	inW.Close()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("runChild returned %d", code)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("runChild did not stop when stdin closed")
	}
}

// TestRunInProcess runs both modes end to end on a tiny scale with the
// gateway in this process.
func TestRunInProcess(t *testing.T) {
	base := options{gateway: "inproc", clients: 4, seed: 3, timeout: time.Second, margin: time.Second,
		idle: 15 * time.Second, raceWindow: faults.DefaultRaceWindow, repeat: 1, stormBound: 2 * time.Second}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for _, tc := range []struct {
		name string
		edit func(*options)
		want []string
	}{
		{"soak", func(o *options) { o.mode, o.duration = "soak", 2*time.Second },
			[]string{"random fault mix (every kind)", "gateway resources", "result: PASS"}},
		{"faults", func(o *options) {
			o.mode, o.kinds, o.stormRounds, o.slowloris = "faults", []faults.Kind{faults.KindOK, faults.KindReset}, 1, 2
		}, []string{"  ok: ", "  reset: ", "disconnect storm", "slowloris", "result: PASS"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := base
			tc.edit(&o)
			var out, errOut bytes.Buffer
			code := run(ctx, o, &out, &errOut)
			for _, w := range tc.want {
				if !strings.Contains(out.String(), w) {
					t.Errorf("output lacks %q", w)
				}
			}
			if code != 0 || t.Failed() {
				t.Errorf("exit %d\n%s\n%s", code, out.String(), errOut.String())
			}
		})
	}
}
