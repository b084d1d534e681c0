package liveview

import (
	"fmt"
	"runtime/debug"
	"strings"
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

// inStep says in which step err happened, unless its message already does,
// as render's errors do ("render: name:3:14: ...").
func inStep(step string, err error) error {
	if strings.HasPrefix(err.Error(), step+": ") {
		return err
	}
	return fmt.Errorf("%s: %w", step, err)
}
