package liveview

import (
	"fmt"
	"runtime/debug"
)

// PanicError is the error a view crashes with when one of its callbacks
// panics. Value is what was passed to panic; Stack is where.
type PanicError struct {
	Value any
	Stack []byte
}

// Error says the callback panicked and with what.
func (e *PanicError) Error() string { return fmt.Sprintf("liveview: callback panicked: %v", e.Value) }

func stack() []byte { return debug.Stack() }
