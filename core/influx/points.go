package influx

import (
	"math"
	"strconv"
	"strings"
	"time"
)

// Point is one point to write.
type Point struct {
	// Measurement is the measurement name.
	Measurement string
	// Tags are the point's tags; the pusher adds "host". A tag with an
	// empty value is left out (the protocol has none).
	Tags []Tag
	// Counter, when set, writes Total as the field "total" and, as
	// "count", how much it grew since the last successful push of the
	// same series (measurement and tags).
	Counter bool
	// Total is the counter's value since start.
	Total int64
	// Ints and Floats are the other fields.
	Ints   []Int
	Floats []Float
}

// Tag is a tag key and value.
type Tag struct {
	// Key is the tag key; Value its value (escaped when written).
	Key, Value string
}

// Int is an integer field.
type Int struct {
	// Key is the field key.
	Key string
	// Value is written with the "i" suffix of integer fields.
	Value int64
}

// Float is a float field; NaN and infinities are left out.
type Float struct {
	// Key is the field key.
	Key string
	// Value is the field's value.
	Value float64
}

// Source returns the points of one push and their time.
type Source func() (time.Time, []Point)

// appendLines appends the line protocol of pts, stamped t (seconds). last
// holds each counter series' total at the previous successful push; next
// receives the totals written now.
func appendLines(b []byte, t time.Time, pts []Point, host string, last, next map[string]int64) []byte {
	ts := strconv.FormatInt(t.Unix(), 10)
	for _, p := range pts {
		if p.Measurement == "" || (!p.Counter && len(p.Ints) == 0 && !hasFloat(p.Floats)) {
			continue // no fields: not a valid point
		}
		start := len(b)
		b = appendEscaped(b, p.Measurement, ", ")
		if host != "" {
			b = appendTag(b, "host", host)
		}
		for _, tg := range p.Tags {
			if tg.Value != "" && tg.Key != "" {
				b = appendTag(b, tg.Key, tg.Value)
			}
		}
		series := string(b[start:])
		b = append(b, ' ')
		n := 0
		field := func(k string) {
			if n > 0 {
				b = append(b, ',')
			}
			n++
			b = appendEscaped(b, k, ",= ")
			b = append(b, '=')
		}
		if p.Counter {
			field("total")
			b = append(strconv.AppendInt(b, p.Total, 10), 'i')
			field("count")
			b = append(strconv.AppendInt(b, p.Total-last[series], 10), 'i')
			next[series] = p.Total
		}
		for _, f := range p.Ints {
			field(f.Key)
			b = append(strconv.AppendInt(b, f.Value, 10), 'i')
		}
		for _, f := range p.Floats {
			if math.IsNaN(f.Value) || math.IsInf(f.Value, 0) {
				continue
			}
			field(f.Key)
			b = strconv.AppendFloat(b, f.Value, 'f', -1, 64) // no suffix: a float
		}
		b = append(b, ' ')
		b = append(b, ts...)
		b = append(b, '\n')
	}
	return b
}

func hasFloat(fs []Float) bool {
	for _, f := range fs {
		if !math.IsNaN(f.Value) && !math.IsInf(f.Value, 0) {
			return true
		}
	}
	return false
}

func appendTag(b []byte, k, v string) []byte {
	b = append(b, ',')
	b = appendEscaped(b, k, ",= ")
	b = append(b, '=')
	return appendEscaped(b, v, ",= ")
}

// appendEscaped appends s with a backslash before each byte of special.
// A backslash becomes %5C and a line break an escaped space, so that no
// escape can swallow the separator that follows.
func appendEscaped(b []byte, s, special string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\':
			b = append(b, "%5C"...)
		case c == '\n' || c == '\r' || c == '\t':
			b = append(b, '\\', ' ')
		case strings.IndexByte(special, c) >= 0:
			b = append(b, '\\', c)
		default:
			b = append(b, c)
		}
	}
	return b
}
