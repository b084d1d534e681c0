// Package render compiles Go templates into static parts and dynamic slots, so
// that a LiveView diff carries only the slots that changed.
package render
