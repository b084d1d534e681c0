package liveview

import (
	"context"
	"log/slog"
)

// logger adds a connection's or a view's attributes to what it logs. Unlike
// slog.Logger.With, it formats nothing until a record is logged, so idle
// connections and views do not carry a preformatted handler each; and it
// holds its attributes as strings in place, so they cost no allocation
// either (a connection has its remote address, a view that and its topic).
type logger struct {
	l  *slog.Logger
	kv [4]string // two attributes at most, as key, value; unused keys are ""
}

// newLogger returns a logger with the attribute key=value.
func newLogger(l *slog.Logger, key, value string) logger {
	return logger{l: l, kv: [4]string{key, value}}
}

// with returns g with the attribute key=value added; g must have room for
// it (one attribute at most).
func (g logger) with(key, value string) logger {
	if g.kv[0] == "" {
		g.kv[0], g.kv[1] = key, value
	} else {
		g.kv[2], g.kv[3] = key, value
	}
	return g
}

func (g logger) log(level slog.Level, msg string, args []any) {
	if !g.l.Enabled(context.Background(), level) {
		return
	}
	for i := 0; i < len(g.kv) && g.kv[i] != ""; i += 2 {
		args = append(args, g.kv[i], g.kv[i+1])
	}
	g.l.Log(context.Background(), level, msg, args...)
}

func (g logger) Debug(msg string, args ...any) { g.log(slog.LevelDebug, msg, args) }
func (g logger) Info(msg string, args ...any)  { g.log(slog.LevelInfo, msg, args) }
func (g logger) Warn(msg string, args ...any)  { g.log(slog.LevelWarn, msg, args) }
func (g logger) Error(msg string, args ...any) { g.log(slog.LevelError, msg, args) }
