package liveview

import (
	"context"
	"log/slog"
)

// logger adds a connection's or a view's attributes to what it logs. Unlike
// slog.Logger.With, it formats nothing until a record is logged, so idle
// connections and views do not carry a preformatted handler each.
type logger struct {
	l    *slog.Logger
	args []any
}

func (g logger) with(args ...any) logger {
	all := make([]any, 0, len(g.args)+len(args))
	return logger{l: g.l, args: append(append(all, g.args...), args...)}
}

func (g logger) log(level slog.Level, msg string, args []any) {
	if !g.l.Enabled(context.Background(), level) {
		return
	}
	g.l.Log(context.Background(), level, msg, append(args, g.args...)...)
}

func (g logger) Debug(msg string, args ...any) { g.log(slog.LevelDebug, msg, args) }
func (g logger) Info(msg string, args ...any)  { g.log(slog.LevelInfo, msg, args) }
func (g logger) Warn(msg string, args ...any)  { g.log(slog.LevelWarn, msg, args) }
func (g logger) Error(msg string, args ...any) { g.log(slog.LevelError, msg, args) }
