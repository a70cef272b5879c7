// Package faults is Tributary's fault and soak suite. It finds
// reliability bugs by running a real gateway against a backend that
// misbehaves on request, and by checking every answer against what the
// status rules of krakend-compat.md §14 and the invariants of security.md §7
// say it must be.
//
// The parts:
//
//   - [Server], the fault backend: a loopback HTTP server driven per request
//     by its path, /fault/<fault>/<id>/<backend index>, where <fault> is one
//     path segment such as "ok", "delay-200" or "extra-1-10" ([Fault]). It
//     uses net/http where net/http can misbehave enough, and the hijacked
//     TCP connection where it cannot (resets, short bodies, bytes after the
//     end of a response). Every response carries "<id>-<index>" in the
//     X-Fault-Id header and in its JSON body, so a response delivered to the
//     wrong request shows up as a foreign id. It counts the requests it sees
//     and the cancellations it observes.
//   - [GatewayConfig], the KrakenD v3 config under test: endpoints fanning
//     out to one, two or three backends of the fault server, each backend's
//     fault taken from a path parameter ([Path]).
//   - [Checker], which knows each request's expected outcome ([Expect]) and
//     reports [Violation]s: status, X-Tributary-Completed, Cache-Control on
//     partial results, foreign or missing data, invalid JSON, truncation,
//     leaked backend headers, and the endpoint deadline.
//   - [RunLoad], the checking load client: concurrent workers sending seeded
//     random fault mixes; [JunkSequence], which puts delayed junk on an idle
//     connection right before the gateway reuses it; [RunStorm], a
//     client-disconnect storm verifying the backends see the cancellation;
//     [RunSlowloris], connections trickling their headers slower than the
//     server's read_header_timeout; [RunHostile], oversize uploads and
//     request-smuggling shapes.
//   - [StartGateway] runs the gateway in-process the way `tributary run`
//     does (boot.Assemble, httpadapter.NewServer), and
//     [ProcSample] / [Resources] sample RSS, goroutines and open file
//     descriptors to check they return to baseline.
//
// The command is local/soak; the short soak and the per-class tests of this
// package run in `make test`.
package faults
