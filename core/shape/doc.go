// Package shape is the JSON engine of the response path: it decodes backend
// bodies (krakend-compat.md §10), applies the per-backend shaping rules
// (§11.1–§11.5: target, allow, deny, mapping, group), merges backend documents
// (§12.1) and encodes the final body (§13).
//
// The package never builds map[string]any. A decoded document is an [Object]:
// an ordered list of top-level members whose values are compact, validated
// JSON byte ranges. Decoding is one validating pass over the body that checks
// strict RFC 8259 syntax and a nesting depth of at most [MaxDepth], removes
// insignificant whitespace and replaces invalid UTF-8 inside strings with
// U+FFFD. A body that needs none of that is not copied: the values alias it.
// String escapes are kept exactly as sent and numbers keep their literal, so a
// byte range of a backend body can always be copied into the response [H21].
//
// Nested objects are looked into only when a rule needs it, by walking the
// already validated compact bytes. Duplicate keys resolve as "the last value
// wins, at the position of the first occurrence", at the top level and in
// every object the package parses; objects copied whole are left as sent.
//
// Byte slices held by an Object may alias a backend body or a buffer shared by
// other members: treat them as read-only.
package shape
