// Package protocol is the Phoenix Channels v2 wire format as the official
// Phoenix LiveView JavaScript client speaks it: the frame codec (JSON text
// frames and binary upload pushes) and decoders for the payloads a
// LiveView server receives (join, event, live_patch, uploads, component
// destruction).
//
// Decoding is strict and never panics: every malformed input gives an error
// saying what is wrong, because frames come from the network. Encoding is
// append-style so the server can reuse buffers on its hot path.
//
// JSON values handed to user code use the shapes encoding/json uses for
// interface values: map[string]any, []any, string, float64, bool and nil.
// Form values decode to string, []string, map[string]any and []any.
package protocol
