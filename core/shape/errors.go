package shape

import (
	"errors"
	"strconv"
)

// Sentinel errors wrapped by every *DecodeError; test with errors.Is.
var (
	// ErrSyntax reports a body that is not one strict RFC 8259 JSON text.
	ErrSyntax = errors.New("invalid JSON")
	// ErrTooDeep reports a body nested deeper than MaxDepth.
	ErrTooDeep = errors.New("JSON nesting too deep")
	// ErrType reports valid JSON of the wrong type for the encoding, such as an
	// array where an object is required.
	ErrType = errors.New("unexpected JSON type")
)

// DecodeError is the error returned by the decoders and by Compact.
type DecodeError struct {
	// Reason is a short description, for example
	// "invalid JSON at offset 12: invalid character 'x' after object key".
	Reason string
	// Offset is the byte offset in the input where the problem was found.
	Offset int
	// Err is ErrSyntax, ErrTooDeep or ErrType.
	Err error
}

// Error returns Reason.
func (e *DecodeError) Error() string { return e.Reason }

// Unwrap returns Err, so that errors.Is(err, ErrSyntax) and friends work.
func (e *DecodeError) Unwrap() error { return e.Err }

// The error constructors stay out of line so that the scanning loops that
// call them on their cold paths remain small.

// syntaxError builds the error for a syntax problem at offset off.
//
//go:noinline
func syntaxError(off int, what string) error {
	return &DecodeError{
		Reason: "invalid JSON at offset " + strconv.Itoa(off) + ": " + what,
		Offset: off,
		Err:    ErrSyntax,
	}
}

// charError reports the unexpected byte c at offset off, found while looking
// for what.
//
//go:noinline
func charError(off int, c byte, what string) error {
	return syntaxError(off, "invalid character "+quoteByte(c)+" "+what)
}

// eofError reports input that ends in the middle of a value.
//
//go:noinline
func eofError(off int) error {
	return syntaxError(off, "unexpected end of JSON input")
}

// depthError reports nesting deeper than MaxDepth at offset off.
//
//go:noinline
func depthError(off int) error {
	return &DecodeError{
		Reason: "nesting deeper than " + strconv.Itoa(MaxDepth),
		Offset: off,
		Err:    ErrTooDeep,
	}
}

// typeError reports a valid JSON value of the wrong kind.
func typeError(want, got string) error {
	return &DecodeError{
		Reason: "expected a JSON " + want + ", got " + got,
		Err:    ErrType,
	}
}

// quoteByte renders one input byte for an error message.
func quoteByte(c byte) string {
	if c >= 0x20 && c < 0x7f && c != '\'' && c != '\\' {
		return "'" + string(rune(c)) + "'"
	}
	return "0x" + strconv.FormatUint(uint64(c), 16)
}
