// Package nats is a liveview.PubSub on NATS core publish/subscribe, so that
// views on several nodes sharing a NATS server (or cluster) see each other's
// messages.
//
// Each node uses one NATS connection. The first local Subscribe to a topic
// makes one NATS subscription on it, shared by every later Subscribe to the
// same topic on this node (messages are fanned out locally); the last
// Unsubscribe removes it.
//
// NATS core is at-most-once. The connection reconnects forever (nats.go
// restores the subscriptions) and the adapter logs disconnections and
// reconnections; messages published by others while this node is
// disconnected are lost, which the log says. Publishing while disconnected
// returns an error: the adapter turns nats.go's reconnect buffer off, so that
// no message waits silently in memory for a connection that may not come
// back.
package nats

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	natsgo "github.com/nats-io/nats.go"

	"github.com/liveview-go/liveview"
)

var _ liveview.PubSub = (*PubSub)(nil)

// Options configure New. Conn or URL is required; every other field has a
// default.
type Options struct {
	// Conn is the NATS connection to use; the caller owns it (Close does not
	// close it) and chooses its reconnection options.
	Conn *natsgo.Conn

	// URL is the server to connect to when Conn is nil, e.g.
	// "nats://127.0.0.1:4222" (a comma-separated list for a cluster). The
	// adapter then owns the connection and closes it on Close.
	URL string

	// Namespace prefixes every topic to make the NATS subject. Default
	// "liveview.".
	Namespace string

	// Logger receives disconnections, reconnections and asynchronous errors
	// (such as a slow consumer dropping messages). Default slog.Default().
	Logger *slog.Logger

	// ReconnectWait is the pause between reconnection attempts of a
	// connection the adapter makes. Default 250 ms (nats.go adds jitter).
	ReconnectWait time.Duration

	// SubscribeTimeout bounds how long Subscribe waits for the server to
	// acknowledge a new subscription. Default 5 s.
	SubscribeTimeout time.Duration

	// NATSOptions are extra options for a connection the adapter makes
	// (credentials, TLS, ...). The adapter's own settings win: reconnection
	// forever with no buffer, and its disconnect, reconnect, closed and error
	// handlers.
	NATSOptions []natsgo.Option
}

// PubSub is a liveview.PubSub on NATS. Make one with New; it is safe for
// concurrent use.
type PubSub struct {
	opt     Options
	log     *slog.Logger
	nc      *natsgo.Conn
	ownConn bool

	// cmdMu serializes the decisions "first/last subscriber of a topic" with
	// the NATS subscribe/unsubscribe they lead to.
	cmdMu sync.Mutex

	mu       sync.RWMutex
	topics   map[string]*topic // by subject
	closed   bool
	nextID   uint64
	inflight sync.WaitGroup // deliver calls in progress, awaited by Close

	// connClosed is closed by the connection's last asynchronous callback,
	// so that Close can wait until no handler of ours runs any more.
	connClosed chan struct{}

	once sync.Once
}

type topic struct {
	sub  *natsgo.Subscription
	subs map[uint64]func([]byte)
}

// New connects to opts.URL (or adopts opts.Conn) and returns a PubSub. A
// connection New makes reconnects forever and does not buffer publishes
// while disconnected.
func New(opts Options) (*PubSub, error) {
	if opts.Conn == nil && opts.URL == "" {
		return nil, errors.New("nats: Options need a Conn or a URL")
	}
	if opts.Namespace == "" {
		opts.Namespace = "liveview."
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.ReconnectWait <= 0 {
		opts.ReconnectWait = 250 * time.Millisecond
	}
	if opts.SubscribeTimeout <= 0 {
		opts.SubscribeTimeout = 5 * time.Second
	}
	p := &PubSub{opt: opts, log: opts.Logger, nc: opts.Conn, topics: make(map[string]*topic)}
	if p.nc != nil {
		return p, nil
	}
	log := opts.Logger
	var downSince time.Time
	var downMu sync.Mutex
	p.connClosed = make(chan struct{})
	closing := func() bool {
		p.mu.RLock()
		defer p.mu.RUnlock()
		return p.closed
	}
	natsOpts := []natsgo.Option{
		natsgo.Name("liveview"),
		natsgo.MaxReconnects(-1),
		natsgo.ReconnectWait(opts.ReconnectWait),
		// -1 disables the buffer: a Publish while disconnected fails at
		// once instead of waiting in memory.
		natsgo.ReconnectBufSize(-1),
		natsgo.DisconnectErrHandler(func(_ *natsgo.Conn, err error) {
			if closing() {
				return // not an outage: Close
			}
			downMu.Lock()
			downSince = time.Now()
			downMu.Unlock()
			log.Warn("nats: disconnected; reconnecting", "err", err)
		}),
		natsgo.ReconnectHandler(func(c *natsgo.Conn) {
			downMu.Lock()
			from := downSince
			downMu.Unlock()
			now := time.Now()
			log.Warn(fmt.Sprintf("nats: reconnected to %s; messages may have been lost between %s and %s",
				c.ConnectedUrlRedacted(), from.Format(time.RFC3339Nano), now.Format(time.RFC3339Nano)),
				"from", from, "to", now)
		}),
		natsgo.ClosedHandler(func(*natsgo.Conn) { close(p.connClosed) }),
		natsgo.ErrorHandler(func(_ *natsgo.Conn, sub *natsgo.Subscription, err error) {
			subject := ""
			if sub != nil {
				subject = sub.Subject
			}
			log.Error("nats: asynchronous error", "subject", subject, "err", err)
		}),
	}
	// Ours last: the adapter relies on its handlers and on the reconnect
	// buffer being off.
	natsOpts = append(append([]natsgo.Option(nil), opts.NATSOptions...), natsOpts...)
	nc, err := natsgo.Connect(opts.URL, natsOpts...)
	if err != nil {
		return nil, fmt.Errorf("nats: connecting to %s: %w", opts.URL, err)
	}
	p.nc, p.ownConn = nc, true
	return p, nil
}

var errClosed = errors.New("nats: pubsub closed")

// subject maps a topic to its NATS subject, refusing names NATS would read
// as wildcards or that it cannot carry.
func (p *PubSub) subject(topic string) (string, error) {
	if topic == "" {
		return "", errors.New("empty topic name")
	}
	if strings.ContainsAny(topic, " \t\r\n") {
		return "", fmt.Errorf("topic name %q contains white space, which NATS subjects cannot", topic)
	}
	s := p.opt.Namespace + topic
	for _, tok := range strings.Split(s, ".") {
		switch tok {
		case "":
			return "", fmt.Errorf("topic name %q makes subject %q with an empty token (leading, trailing or double dot)", topic, s)
		case "*", ">":
			return "", fmt.Errorf("topic name %q contains the NATS wildcard %q", topic, tok)
		}
	}
	return s, nil
}

// Publish sends payload to every subscriber of topic on every node. It
// returns an error when the connection is down or closed; otherwise the
// message has been handed to the connection, which sends it shortly (NATS
// core gives no delivery acknowledgement).
func (p *PubSub) Publish(ctx context.Context, topic string, payload []byte) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("nats: publish on %q: %w", topic, err)
	}
	p.mu.RLock()
	closed := p.closed
	p.mu.RUnlock()
	if closed {
		return errClosed
	}
	subj, err := p.subject(topic)
	if err != nil {
		return fmt.Errorf("nats: publish: %w", err)
	}
	if st := p.nc.Status(); st != natsgo.CONNECTED {
		return fmt.Errorf("nats: publish on %q: connection is %s", topic, st)
	}
	if err := p.nc.Publish(subj, payload); err != nil {
		return fmt.Errorf("nats: publish on %q: %w", topic, err)
	}
	return nil
}

// Subscribe calls deliver with every message published on topic once the
// server has acknowledged the subscription, which Subscribe waits for.
// deliver runs on the topic's delivery goroutine (nats.go has one per
// subscription), one message at a time in arrival order; it must return
// quickly and must not call Close.
func (p *PubSub) Subscribe(topicName string, deliver func([]byte)) (liveview.Subscription, error) {
	if deliver == nil {
		return nil, errors.New("nats: subscribe: deliver is nil")
	}
	subj, err := p.subject(topicName)
	if err != nil {
		return nil, fmt.Errorf("nats: subscribe: %w", err)
	}
	p.cmdMu.Lock()
	defer p.cmdMu.Unlock()

	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil, errClosed
	}
	p.nextID++
	id := p.nextID
	if t := p.topics[subj]; t != nil {
		t.subs[id] = deliver
		p.mu.Unlock()
		return &subscription{p: p, subj: subj, id: id}, nil
	}
	p.mu.Unlock()

	if st := p.nc.Status(); st != natsgo.CONNECTED {
		return nil, fmt.Errorf("nats: subscribe to %q: connection is %s", topicName, st)
	}
	t := &topic{subs: map[uint64]func([]byte){id: deliver}}
	sub, err := p.nc.Subscribe(subj, func(m *natsgo.Msg) { p.deliver(subj, m.Data) })
	if err != nil {
		return nil, fmt.Errorf("nats: subscribe to %q: %w", topicName, err)
	}
	// The round trip makes sure the server has the subscription: a message
	// published by another node after Subscribe returns reaches it.
	if err := p.nc.FlushTimeout(p.opt.SubscribeTimeout); err != nil {
		sub.Unsubscribe()
		return nil, fmt.Errorf("nats: subscribe to %q: waiting for the server: %w", topicName, err)
	}
	t.sub = sub
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		sub.Unsubscribe()
		return nil, errClosed
	}
	p.topics[subj] = t
	p.mu.Unlock()
	return &subscription{p: p, subj: subj, id: id}, nil
}

// deliver fans a message out to the topic's deliver funcs, unless Close has
// begun.
func (p *PubSub) deliver(subj string, data []byte) {
	p.mu.RLock()
	if p.closed {
		p.mu.RUnlock()
		return
	}
	t := p.topics[subj]
	if t == nil {
		p.mu.RUnlock()
		return
	}
	fns := make([]func([]byte), 0, len(t.subs))
	for _, fn := range t.subs {
		fns = append(fns, fn)
	}
	// Added under the read lock, so Close (which takes the write lock before
	// waiting) sees every delivery that got past the closed check.
	p.inflight.Add(1)
	p.mu.RUnlock()
	defer p.inflight.Done()
	for _, fn := range fns {
		fn(data)
	}
}

type subscription struct {
	p    *PubSub
	subj string
	id   uint64
	once sync.Once
}

// Unsubscribe stops deliveries to this subscription's deliver func; the last
// one of a topic on this node also ends the NATS subscription. A message
// already being delivered may still arrive.
func (s *subscription) Unsubscribe() error {
	var err error
	s.once.Do(func() { err = s.p.unsubscribe(s.subj, s.id) })
	return err
}

func (p *PubSub) unsubscribe(subj string, id uint64) error {
	p.cmdMu.Lock()
	defer p.cmdMu.Unlock()
	p.mu.Lock()
	t := p.topics[subj]
	if t == nil {
		p.mu.Unlock()
		return nil
	}
	delete(t.subs, id)
	if len(t.subs) > 0 {
		p.mu.Unlock()
		return nil
	}
	delete(p.topics, subj)
	p.mu.Unlock()
	// nats.go forgets the subscription even when it cannot tell the server
	// (disconnected): the server drops it with the connection anyway.
	if err := t.sub.Unsubscribe(); err != nil && !errors.Is(err, natsgo.ErrConnectionClosed) && !errors.Is(err, natsgo.ErrBadSubscription) {
		p.log.Debug("nats: unsubscribe not sent to the server", "subject", subj, "err", err)
	}
	return nil
}

// Close ends every subscription, waits until no deliver func is running, and
// closes the connection if New made it. Publish and Subscribe fail
// afterwards.
func (p *PubSub) Close() error {
	p.once.Do(func() {
		p.mu.Lock()
		p.closed = true
		topics := p.topics
		p.topics = nil
		p.mu.Unlock()
		if p.ownConn {
			p.nc.Close()
			// nats.go runs its callbacks on a goroutine of its own that
			// Close does not wait for; the closed callback comes last.
			<-p.connClosed
		} else {
			for _, t := range topics {
				t.sub.Unsubscribe()
			}
		}
		p.inflight.Wait()
	})
	return nil
}

// Conn returns the NATS connection, for its statistics and status.
func (p *PubSub) Conn() *natsgo.Conn { return p.nc }
