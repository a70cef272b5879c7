package backend

import (
	"bufio"
	"context"
	"net"
	"net/url"
	"time"
)

// fastConn is one plain-TCP HTTP/1.1 connection of the fast path. It is
// used by one call at a time.
type fastConn struct {
	t           *fastTransport
	key         string // pool key: the URL's host[:port]
	nc          net.Conn
	fd          int           // the socket, for the idle probe (quiet); -1 where unsupported
	probe       [1]byte       // quiet's peek buffer
	br          *bufio.Reader // borrowed while a call is in flight
	idleAt      time.Time
	reused      bool        // it served a request before
	hasDeadline bool        // nc carries the deadline of the call in flight
	stop        func() bool // stops the context.AfterFunc of the call in flight
	abortFn     func()      // closes nc; made once per connection
	head        []byte      // scratch for the response head
}

// abort closes the connection under a call whose context ended.
func (c *fastConn) abort() { _ = c.nc.Close() }

// done ends the call in flight: the connection goes back to the idle pool
// when reuse is true and nothing interrupted the call, else it is closed.
func (c *fastConn) done(reuse bool) {
	if c.stop != nil {
		if !c.stop() {
			reuse = false // the context's AfterFunc ran: nc is closed
		}
		c.stop = nil
	}
	if c.br != nil {
		if c.br.Buffered() > 0 {
			reuse = false // bytes the server should not have sent
		}
		c.br.Reset(nil)
		c.t.readers.Put(c.br)
		c.br = nil
	}
	if reuse && c.hasDeadline {
		reuse = c.nc.SetDeadline(time.Time{}) == nil
		c.hasDeadline = false
	}
	if reuse {
		c.t.putIdle(c)
		return
	}
	c.t.closeConn(c)
}

// hostConns are the connections to one host: idle ones, a count of all,
// and the calls waiting for one while the host is at MaxConnsPerHost.
type hostConns struct {
	idle    []*fastConn     // most recently used last
	total   int             // dialing, in use and idle
	waiters []chan struct{} // FIFO; each is signalled once, buffered
}

// getConn returns an idle connection to key (reused=true), unless fresh is
// set, or dials a new one. The caller checks that nothing arrived on a
// pooled connection while it sat idle (fastConn.quiet) right before it
// writes on it. At MaxConnsPerHost
// connections with none idle, the call waits in line for one to be
// returned or closed, until ctx ends: there is one cap per host and no
// second pool to spill into (security.md §3).
func (t *fastTransport) getConn(ctx context.Context, key string, u *url.URL, fresh bool) (c *fastConn, reused bool, err error) {
	for {
		var expired []*fastConn
		var wait chan struct{}
		t.mu.Lock()
		hc := t.hosts[key]
		if hc == nil {
			hc = &hostConns{}
			t.hosts[key] = hc
		}
		if !fresh {
			now := time.Now()
			for len(hc.idle) > 0 {
				last := len(hc.idle) - 1
				c = hc.idle[last]
				hc.idle[last] = nil
				hc.idle = hc.idle[:last]
				t.idleTotal--
				if now.Sub(c.idleAt) < t.idleTimeout {
					break
				}
				hc.total--
				expired = append(expired, c)
				c = nil
			}
		}
		switch {
		case c != nil:
		case hc.total < MaxConnsPerHost:
			hc.total++
		default:
			wait = make(chan struct{}, 1)
			hc.waiters = append(hc.waiters, wait)
		}
		t.mu.Unlock()
		closeAll(expired)
		if c != nil {
			return c, true, nil
		}
		if wait == nil {
			return t.dial(ctx, key, u)
		}
		select {
		case <-wait:
			continue
		case <-ctx.Done():
			t.leaveLine(key, wait)
			return nil, false, ctx.Err()
		}
	}
}

// dial opens a new connection to u for key, whose slot in the host's count
// the caller has taken.
func (t *fastTransport) dial(ctx context.Context, key string, u *url.URL) (*fastConn, bool, error) {
	nc, err := t.dialer.DialContext(ctx, "tcp", dialAddr(u))
	if err != nil {
		t.release(key)
		return nil, false, err
	}
	c := &fastConn{t: t, key: key, nc: nc, fd: probeFD(nc)}
	c.abortFn = c.abort
	return c, false, nil
}

// leaveLine takes a call whose context ended out of key's waiting line. If
// it had been signalled already, the signal passes to the next in line so
// that no freed connection goes unnoticed.
func (t *fastTransport) leaveLine(key string, wait chan struct{}) {
	t.mu.Lock()
	defer t.mu.Unlock()
	hc := t.hosts[key]
	if hc != nil {
		for i, w := range hc.waiters {
			if w == wait {
				hc.waiters = append(hc.waiters[:i], hc.waiters[i+1:]...)
				return
			}
		}
	}
	select {
	case <-wait:
		t.wakeLocked(hc)
	default:
	}
}

// wakeLocked signals the first call waiting for a connection to hc's host,
// if any. t.mu is held.
func (t *fastTransport) wakeLocked(hc *hostConns) {
	if hc == nil || len(hc.waiters) == 0 {
		return
	}
	w := hc.waiters[0]
	hc.waiters[0] = nil
	hc.waiters = hc.waiters[1:]
	w <- struct{}{}
}

// dialAddr is u's host with the default port 80 when it names none.
func dialAddr(u *url.URL) string {
	if u.Port() != "" {
		return u.Host
	}
	return net.JoinHostPort(u.Hostname(), "80")
}

// putIdle pools c, or closes it when the pool is full.
func (t *fastTransport) putIdle(c *fastConn) {
	c.reused = true
	t.mu.Lock()
	hc := t.hosts[c.key]
	if !t.keepAlive || hc == nil || len(hc.idle) >= t.maxIdlePerHost || t.maxIdle > 0 && t.idleTotal >= t.maxIdle {
		t.mu.Unlock()
		t.closeConn(c)
		return
	}
	c.idleAt = time.Now()
	hc.idle = append(hc.idle, c)
	t.idleTotal++
	t.wakeLocked(hc)
	if !t.sweeping {
		t.sweeping = true
		if t.sweep == nil {
			t.sweep = time.AfterFunc(t.idleTimeout, t.sweepIdle)
		} else {
			t.sweep.Reset(t.idleTimeout)
		}
	}
	t.mu.Unlock()
}

// closeConn closes c and forgets it.
func (t *fastTransport) closeConn(c *fastConn) {
	_ = c.nc.Close()
	t.release(c.key)
}

// release forgets one connection to key.
func (t *fastTransport) release(key string) {
	t.mu.Lock()
	if hc := t.hosts[key]; hc != nil {
		hc.total--
		t.wakeLocked(hc)
		if hc.total <= 0 && len(hc.idle) == 0 && len(hc.waiters) == 0 {
			delete(t.hosts, key)
		}
	}
	t.mu.Unlock()
}

// sweepIdle closes the connections idle for IdleConnTimeout. It runs on a
// timer armed while any connection is idle.
func (t *fastTransport) sweepIdle() {
	var expired []*fastConn
	t.mu.Lock()
	now := time.Now()
	for key, hc := range t.hosts {
		before := len(expired)
		kept := hc.idle[:0]
		for _, c := range hc.idle {
			if now.Sub(c.idleAt) >= t.idleTimeout {
				expired = append(expired, c)
				hc.total--
				t.idleTotal--
			} else {
				kept = append(kept, c)
			}
		}
		clear(hc.idle[len(kept):])
		hc.idle = kept
		for range len(expired) - before {
			t.wakeLocked(hc)
		}
		if hc.total <= 0 && len(hc.idle) == 0 && len(hc.waiters) == 0 {
			delete(t.hosts, key)
		}
	}
	t.sweeping = t.idleTotal > 0
	if t.sweeping {
		t.sweep.Reset(t.idleTimeout / 2)
	}
	t.mu.Unlock()
	closeAll(expired)
}

// closeIdle closes every idle connection.
func (t *fastTransport) closeIdle() {
	var idle []*fastConn
	t.mu.Lock()
	for key, hc := range t.hosts {
		idle = append(idle, hc.idle...)
		hc.total -= len(hc.idle)
		for range hc.idle {
			t.wakeLocked(hc)
		}
		hc.idle = nil
		if hc.total <= 0 && len(hc.waiters) == 0 {
			delete(t.hosts, key)
		}
	}
	t.idleTotal = 0
	if t.sweep != nil {
		t.sweep.Stop()
	}
	t.sweeping = false
	t.mu.Unlock()
	closeAll(idle)
}

// closeAll closes the network connections of cs.
func closeAll(cs []*fastConn) {
	for _, c := range cs {
		_ = c.nc.Close()
	}
}
