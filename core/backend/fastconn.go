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

// hostConns are the connections to one host: idle ones and a count of all.
type hostConns struct {
	idle  []*fastConn // most recently used last
	total int         // dialing, in use and idle
}

// getConn returns an idle connection to key (reused=true), unless
// fresh is set, or dials a new one. ok is false when the host is at MaxConnsPerHost with none idle: the
// caller then falls back to net/http, whose transport waits for a free
// connection.
func (t *fastTransport) getConn(ctx context.Context, key string, u *url.URL, fresh bool) (c *fastConn, reused, ok bool, err error) {
	var expired []*fastConn
	t.mu.Lock()
	hc := t.hosts[key]
	if hc == nil {
		hc = &hostConns{}
		t.hosts[key] = hc
	}
	if len(hc.idle) > 0 && !fresh {
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
	full := c == nil && hc.total >= MaxConnsPerHost
	if c == nil && !full {
		hc.total++
	}
	t.mu.Unlock()
	closeAll(expired)
	switch {
	case full:
		return nil, false, false, nil
	case c != nil:
		return c, true, true, nil
	}
	nc, err := t.dialer.DialContext(ctx, "tcp", dialAddr(u))
	if err != nil {
		t.release(key)
		return nil, false, true, err
	}
	c = &fastConn{t: t, key: key, nc: nc}
	c.abortFn = c.abort
	return c, false, true, nil
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
		if hc.total <= 0 && len(hc.idle) == 0 {
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
		if hc.total <= 0 && len(hc.idle) == 0 {
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
		hc.idle = nil
		if hc.total <= 0 {
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
