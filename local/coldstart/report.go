package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"
)

// Goals from the issue.
const (
	goalRatio      = 1.3       // gateway median ≤ 1.3 × hello world
	goalArm64Bytes = 8_000_000 // functions/gateway stripped arm64 ≤ 8 MB
)

// reportInput is everything the report shows.
type reportInput struct {
	goos, goarch    string
	runs, endpoints int
	variants        []variant
	results         [][]sample
	host, arm64     map[string]binary
}

// writeReport prints the cold-start table and the arm64 sizes.
func writeReport(w io.Writer, in reportInput) {
	fmt.Fprintf(w, "Cold start under the Runtime Interface Emulator, %s/%s, %d fresh starts per variant\n", in.goos, in.goarch, in.runs)
	fmt.Fprintf(w, "(first response = emulator process start → first invoke answered; INIT = the emulator's INIT REPORT)\n\n")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "variant\tsize\tmedian\tmin\tmax\tINIT median\tINIT min\tINIT max\tratio")
	var base time.Duration
	for i, v := range in.variants {
		first, init := split(in.results[i])
		fs, is := summarize(first), summarize(init)
		if i == 0 {
			base = fs.median
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", v.name, mb(in.host[v.pkg].size),
			ms(fs.median), ms(fs.min), ms(fs.max), ms(is.median), ms(is.min), ms(is.max), ratio(fs.median, base))
	}
	_ = tw.Flush()

	fmt.Fprintf(w, "\nStripped linux/arm64 sizes (deploy artefacts, built as make lambda builds them)\n")
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, pkg := range packages {
		fmt.Fprintf(tw, "%s\t%s\t%d bytes\n", strings.TrimPrefix(pkg, "./"), mb(in.arm64[pkg].size), in.arm64[pkg].size)
	}
	_ = tw.Flush()

	gw, _ := split(in.results[1])
	r := float64(summarize(gw).median) / float64(base)
	fmt.Fprintf(w, "\nGoals: gateway first response %.2f× hello world (goal ≤ %.1f×): %s; functions/gateway arm64 %s (goal ≤ 8 MB): %s\n",
		r, goalRatio, verdict(r <= goalRatio), mb(in.arm64[pkgGateway].size), verdict(in.arm64[pkgGateway].size <= goalArm64Bytes))
}

func split(s []sample) (first, init []time.Duration) {
	for _, x := range s {
		first = append(first, x.firstResponse)
		init = append(init, x.initReport)
	}
	return first, init
}

func ms(d time.Duration) string {
	return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond))
}

func mb(n int64) string {
	return fmt.Sprintf("%.2f MB", float64(n)/1e6)
}

func ratio(d, base time.Duration) string {
	if base <= 0 {
		return "-"
	}
	return fmt.Sprintf("%.2f×", float64(d)/float64(base))
}

func verdict(ok bool) string {
	if ok {
		return "met"
	}
	return "NOT met"
}
