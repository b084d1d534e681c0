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
// The keys are one byte each: every connection and view holds a logger, and
// 48 bytes each instead of 72 took a size class off both (issue #11).
type logger struct {
	l    *slog.Logger
	vals [2]string
	keys [2]logKey // logNone where unused
}

// logKey names a logger's attribute.
type logKey uint8

const (
	logNone logKey = iota
	logRemote
	logTopic
	logChild
	logPath
)

var logKeyNames = [...]string{logNone: "", logRemote: "remote", logTopic: "topic", logChild: "child", logPath: "path"}

// newLogger returns a logger with the attribute key=value.
func newLogger(l *slog.Logger, key logKey, value string) logger {
	return logger{l: l, vals: [2]string{value}, keys: [2]logKey{key}}
}

// with returns g with the attribute key=value added; g must have room for
// it (one attribute at most).
func (g logger) with(key logKey, value string) logger {
	i := 0
	if g.keys[0] != logNone {
		i = 1
	}
	g.keys[i], g.vals[i] = key, value
	return g
}

func (g logger) log(level slog.Level, msg string, args []any) {
	if !g.l.Enabled(context.Background(), level) {
		return
	}
	for i, k := range g.keys {
		if k != logNone {
			args = append(args, logKeyNames[k], g.vals[i])
		}
	}
	g.l.Log(context.Background(), level, msg, args...)
}

func (g logger) Debug(msg string, args ...any) { g.log(slog.LevelDebug, msg, args) }
func (g logger) Info(msg string, args ...any)  { g.log(slog.LevelInfo, msg, args) }
func (g logger) Warn(msg string, args ...any)  { g.log(slog.LevelWarn, msg, args) }
func (g logger) Error(msg string, args ...any) { g.log(slog.LevelError, msg, args) }
