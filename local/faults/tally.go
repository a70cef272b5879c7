package faults

import (
	"fmt"
	"io"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
)

// maxExamples is how many violations of each class a Tally keeps.
const maxExamples = 5

// DefaultRaceWindow is the default Tally.RaceWindow: loopback delivery
// and clock-reading slop.
const DefaultRaceWindow = time.Millisecond

// Tally collects responses and violations of a run. It is safe for
// concurrent use.
type Tally struct {
	// RaceWindow: delayed junk delivered to a request the load client
	// sent less than this after the junk was written (or any time before)
	// is classed ClassForeignRace rather than ClassForeign. Default
	// DefaultRaceWindow.
	RaceWindow time.Duration

	mu        sync.Mutex
	responses int64
	outcomes  map[string]int64
	classes   map[string]int64
	examples  map[string][]Violation
	pending   []Violation // foreign junk, classified by Finalize
	races     []time.Duration
	lat       latencies
}

// NewTally returns an empty tally.
func NewTally() *Tally {
	return &Tally{outcomes: map[string]int64{}, classes: map[string]int64{}, examples: map[string][]Violation{}}
}

// Outcome names for a response.
func outcomeName(resp *http.Response, err error) string {
	switch {
	case err != nil:
		return "no response"
	case resp.StatusCode == http.StatusOK && resp.Header.Get("X-Tributary-Completed") == "true":
		return "200 complete"
	case resp.StatusCode == http.StatusOK:
		return "200 partial"
	}
	return fmt.Sprint(resp.StatusCode)
}

// Record adds one request's outcome, its latency and its violations.
func (t *Tally) Record(outcome string, latency time.Duration, vs []Violation) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.responses++
	t.outcomes[outcome]++
	t.lat.add(latency)
	for _, v := range vs {
		if v.junk != nil {
			t.pending = append(t.pending, v)
			continue
		}
		t.addLocked(v)
	}
}

// Add records violations that belong to no single response.
func (t *Tally) Add(vs ...Violation) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, v := range vs {
		t.addLocked(v)
	}
}

// addLocked counts v and keeps it as an example; t.mu is held.
func (t *Tally) addLocked(v Violation) {
	t.classes[v.Class]++
	if len(t.examples[v.Class]) < maxExamples {
		t.examples[v.Class] = append(t.examples[v.Class], v)
	}
}

// Finalize classifies the foreign junk ids seen, now that the fault server
// has recorded when it wrote each junk response. The load client and the
// fault server share one clock, which settles most cases:
//
//   - junk sent in the same write as the response reached the gateway with
//     it, before the connection went idle: a leak (ClassForeign);
//   - delayed junk delivered to a request the client sent after the junk
//     was written (by more than RaceWindow): the junk was waiting on the
//     idle connection before the gateway even had the request, so a check
//     of the connection at checkout would have seen it: a leak
//     (ClassForeign);
//   - delayed junk delivered to a request sent before that: the gateway
//     may have checked the connection before the junk arrived and written
//     the request after, the race no HTTP/1.1 client can close
//     (ClassForeignRace, reported with its timing).
//
// s may be nil (everything is then ClassForeign).
func (t *Tally) Finalize(s *Server) {
	t.mu.Lock()
	defer t.mu.Unlock()
	window := t.RaceWindow
	if window <= 0 {
		window = DefaultRaceWindow
	}
	for _, v := range t.pending {
		hit := v.junk
		detail := "no record of that junk"
		if s != nil {
			if rec, ok := s.Junk(hit.id, hit.backend); ok {
				next := "no later request reached the backend on that connection"
				if gap, ok := rec.Gap(); ok {
					next = fmt.Sprintf("the next request on that connection (%s) reached the backend %v after the junk", rec.NextTag, gap)
				}
				switch {
				case !rec.Delayed:
					detail = "junk sent in the same write as the response: a client bug; " + next
				case rec.Written.IsZero() || hit.sent.IsZero():
					detail = "junk timing unknown; " + next
				case hit.sent.Sub(rec.Written) >= window:
					detail = fmt.Sprintf("junk written %v after its %s response; this request was sent %v after the junk, which was waiting on the idle connection before the gateway had the request; %s",
						rec.Delay, rec.After, hit.sent.Sub(rec.Written), next)
				default:
					v.Class = ClassForeignRace
					lead := rec.Written.Sub(hit.sent)
					t.races = append(t.races, lead)
					detail = fmt.Sprintf("junk written %v after its %s response; this request was sent %v before the junk (race window %v); %s",
						rec.Delay, rec.After, lead, window, next)
				}
			}
		}
		v.Detail += "; " + detail
		t.addLocked(v)
	}
	t.pending = nil
}

// Responses returns how many requests were recorded.
func (t *Tally) Responses() int64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.responses
}

// Violations returns the number of violations of each class.
func (t *Tally) Violations() map[string]int64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make(map[string]int64, len(t.classes))
	for k, v := range t.classes {
		out[k] = v
	}
	return out
}

// Total returns the number of violations (pending ones included).
func (t *Tally) Total() int64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	n := int64(len(t.pending))
	for _, v := range t.classes {
		n += v
	}
	return n
}

// Failures returns the number of violations that fail a run: every class
// but ClassForeignRace. That one is the late-junk-versus-next-request race
// of HTTP/1.1, which no client can close (the request was on the wire
// before the junk arrived); it is still counted, classified by measured
// timing and reported with its gaps (Races), never hidden. A junk
// response delivered any other way is ClassForeign and fails the run.
func (t *Tally) Failures() int64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	n := int64(len(t.pending))
	for c, v := range t.classes {
		if c != ClassForeignRace {
			n += v
		}
	}
	return n
}

// Examples returns the kept violations of class.
func (t *Tally) Examples(class string) []Violation {
	t.mu.Lock()
	defer t.mu.Unlock()
	return slices.Clone(t.examples[class])
}

// Races returns, per ClassForeignRace violation, how long before the junk
// was written the client sent the request it landed in (negative: within
// the race window after).
func (t *Tally) Races() []time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	return slices.Clone(t.races)
}

// Write prints the tally: responses by outcome, latency, violations by
// class with examples.
func (t *Tally) Write(w io.Writer, indent string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.responses > 0 {
		fmt.Fprintf(w, "%sresponses: %d (%s)\n", indent, t.responses, joinCounts(t.outcomes))
	}
	if t.lat.n > 0 {
		fmt.Fprintf(w, "%slatency: p50 %v  p99 %v  max %v\n", indent, t.lat.quantile(0.5), t.lat.quantile(0.99), t.lat.max.Round(time.Millisecond))
	}
	total := int64(len(t.pending))
	for _, v := range t.classes {
		total += v
	}
	fmt.Fprintf(w, "%sviolations: %d", indent, total)
	if total == 0 {
		fmt.Fprintln(w)
		return
	}
	fmt.Fprintf(w, " (%s)\n", joinCounts(t.classes))
	classes := make([]string, 0, len(t.examples))
	for c := range t.examples {
		classes = append(classes, c)
	}
	sort.Strings(classes)
	for _, c := range classes {
		for _, v := range t.examples[c] {
			fmt.Fprintf(w, "%s  %s\n", indent, truncate(v.String(), 400))
		}
	}
	if len(t.races) > 0 {
		gaps := slices.Clone(t.races)
		slices.Sort(gaps)
		fmt.Fprintf(w, "%s  %s: %d; the client sent the request before the junk was written by min %v, median %v, max %v\n",
			indent, ClassForeignRace, len(gaps), gaps[0], gaps[len(gaps)/2], gaps[len(gaps)-1])
	}
}

// joinCounts formats counts as "a 3, b 1", largest first.
func joinCounts(m map[string]int64) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if m[keys[i]] != m[keys[j]] {
			return m[keys[i]] > m[keys[j]]
		}
		return keys[i] < keys[j]
	})
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s %d", k, m[k])
	}
	return strings.Join(parts, ", ")
}

// latencies is a histogram with 1 ms buckets up to 60 s.
type latencies struct {
	n       int64
	max     time.Duration
	buckets [60_001]int64
}

// add counts one latency.
func (l *latencies) add(d time.Duration) {
	l.n++
	l.max = max(l.max, d)
	l.buckets[min(int(d/time.Millisecond), len(l.buckets)-1)]++
}

// quantile returns the upper bound of the bucket holding quantile q.
func (l *latencies) quantile(q float64) time.Duration {
	target := int64(q * float64(l.n))
	var seen int64
	for i, c := range l.buckets {
		seen += c
		if seen > target {
			return time.Duration(i+1) * time.Millisecond
		}
	}
	return l.max
}
