// Package redis is a liveview.PubSub on Redis PUBLISH/SUBSCRIBE, so that
// views on several nodes sharing one Redis see each other's messages.
//
// Each node holds one subscriber connection for all its topics: the first
// local Subscribe to a topic SUBSCRIBEs the connection to it, the last
// Unsubscribe UNSUBSCRIBEs it, and messages are fanned out locally to every
// deliver func of the topic. Publishes use the client's ordinary connection
// pool.
//
// Redis Pub/Sub is at-most-once: a message published while a node's
// subscriber connection is down never reaches that node. The adapter
// reconnects with backoff, restores every subscription, and logs the gap
// ("messages may have been lost between T1 and T2"); Options.OnGap lets an
// application react, for example by reloading state. A Publish that cannot
// reach Redis returns an error.
package redis

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/liveview-go/liveview"
)

var _ liveview.PubSub = (*PubSub)(nil)

// Options configure New. Client or Addr is required; every other field has a
// default.
type Options struct {
	// Client is the Redis client to use. The adapter opens its subscriber
	// connection through it and publishes with it, and does not close it:
	// the caller does.
	Client *goredis.Client

	// Addr ("host:port") is used when Client is nil: the adapter makes its
	// own client and closes it on Close.
	Addr string

	// Namespace prefixes every topic to make the Redis channel name, so that
	// several applications can share a Redis. Default "liveview:".
	Namespace string

	// Logger receives connection losses, gaps and dropped messages. Default
	// slog.Default().
	Logger *slog.Logger

	// MinBackoff and MaxBackoff bound the wait between reconnection attempts,
	// which doubles from MinBackoff after each failure. Defaults 100 ms and
	// 5 s.
	MinBackoff, MaxBackoff time.Duration

	// SubscribeTimeout bounds how long Subscribe waits for Redis to confirm a
	// new subscription. Default 5 s.
	SubscribeTimeout time.Duration

	// HealthCheck is how long the subscriber connection may stay silent
	// before the adapter pings Redis to find out whether it is still there.
	// Default 15 s.
	HealthCheck time.Duration

	// OnGap, if set, is called (from the adapter's reader goroutine; return
	// quickly) after the subscriber connection came back from an outage:
	// messages published between from and to may have been lost.
	OnGap func(from, to time.Time)
}

// PubSub is a liveview.PubSub on Redis. Make one with New; it is safe for
// concurrent use.
type PubSub struct {
	opt       Options
	log       *slog.Logger
	client    *goredis.Client
	ownClient bool
	ps        *goredis.PubSub

	// cmdMu serializes the decisions "first/last subscriber of a topic" with
	// the SUBSCRIBE/UNSUBSCRIBE they lead to, so the broker's state follows
	// the local one in order.
	cmdMu sync.Mutex

	mu      sync.Mutex
	topics  map[string]*topic // by Redis channel name
	waiters map[string][]chan struct{}
	queue   []*goredis.Message
	closed  bool
	nextID  uint64

	wake     chan struct{} // a message was queued (capacity 1)
	done     chan struct{} // closed by Close
	ctx      context.Context
	cancel   context.CancelFunc // cancels ctx, ending dials and reads in progress
	loops    sync.WaitGroup
	closeErr error
	once     sync.Once
}

type topic struct {
	subs map[uint64]func([]byte)
}

// New returns a PubSub on the Redis at opts.Client or opts.Addr. It does not
// wait for Redis: the subscriber connection is opened in the background and
// retried with backoff, and failures are logged; Publish and Subscribe report
// an unreachable Redis as errors.
func New(opts Options) (*PubSub, error) {
	if opts.Client == nil && opts.Addr == "" {
		return nil, errors.New("redis: Options need a Client or an Addr")
	}
	if opts.Namespace == "" {
		opts.Namespace = "liveview:"
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.MinBackoff <= 0 {
		opts.MinBackoff = 100 * time.Millisecond
	}
	if opts.MaxBackoff <= 0 {
		opts.MaxBackoff = 5 * time.Second
	}
	if opts.MaxBackoff < opts.MinBackoff {
		opts.MaxBackoff = opts.MinBackoff
	}
	if opts.SubscribeTimeout <= 0 {
		opts.SubscribeTimeout = 5 * time.Second
	}
	if opts.HealthCheck <= 0 {
		opts.HealthCheck = 15 * time.Second
	}
	p := &PubSub{
		opt:     opts,
		log:     opts.Logger,
		client:  opts.Client,
		topics:  make(map[string]*topic),
		waiters: make(map[string][]chan struct{}),
		wake:    make(chan struct{}, 1),
		done:    make(chan struct{}),
	}
	p.ctx, p.cancel = context.WithCancel(context.Background())
	if p.client == nil {
		p.client = goredis.NewClient(&goredis.Options{Addr: opts.Addr})
		p.ownClient = true
	}
	// Subscribing to nothing opens no connection yet: the reader does, and
	// go-redis reopens it (re-subscribing every channel) after each failure.
	p.ps = p.client.Subscribe(context.Background())
	p.loops.Add(2)
	go p.read()
	go p.dispatch()
	return p, nil
}

func (p *PubSub) channel(topic string) string { return p.opt.Namespace + topic }

var errClosed = errors.New("redis: pubsub closed")

// Publish sends payload to every subscriber of topic on every node. An error
// means Redis did not take the message (unreachable, closed, ctx done).
func (p *PubSub) Publish(ctx context.Context, topic string, payload []byte) error {
	p.mu.Lock()
	closed := p.closed
	p.mu.Unlock()
	if closed {
		return errClosed
	}
	if err := p.client.Publish(ctx, p.channel(topic), payload).Err(); err != nil {
		return fmt.Errorf("redis: publish on %q: %w", topic, err)
	}
	return nil
}

// Subscribe calls deliver with every message published on topic once Redis
// has confirmed the subscription, which Subscribe waits for. deliver runs on
// the adapter's dispatch goroutine, one message at a time, in the order Redis
// sent them; it must return quickly and must not call Close.
func (p *PubSub) Subscribe(topicName string, deliver func([]byte)) (liveview.Subscription, error) {
	if deliver == nil {
		return nil, errors.New("redis: subscribe: deliver is nil")
	}
	ch := p.channel(topicName)
	p.cmdMu.Lock()
	defer p.cmdMu.Unlock()

	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil, errClosed
	}
	p.nextID++
	id := p.nextID
	t := p.topics[ch]
	first := t == nil
	if first {
		t = &topic{subs: make(map[uint64]func([]byte))}
		p.topics[ch] = t
	}
	t.subs[id] = deliver
	var confirmed chan struct{}
	if first {
		confirmed = make(chan struct{})
		p.waiters[ch] = append(p.waiters[ch], confirmed)
	}
	p.mu.Unlock()

	sub := &subscription{p: p, ch: ch, id: id}
	if !first {
		return sub, nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), p.opt.SubscribeTimeout)
	defer cancel()
	err := p.ps.Subscribe(ctx, ch)
	if err == nil {
		select {
		case <-confirmed:
		case <-ctx.Done():
			err = fmt.Errorf("no confirmation from Redis within %v", p.opt.SubscribeTimeout)
		case <-p.done:
			err = errClosed
		}
	}
	if err != nil {
		p.mu.Lock()
		delete(t.subs, id)
		if len(t.subs) == 0 && p.topics[ch] == t {
			delete(p.topics, ch)
		}
		p.dropWaiter(ch, confirmed)
		p.mu.Unlock()
		// go-redis remembers the channel even when SUBSCRIBE failed, to
		// restore it on reconnect: make it forget.
		p.ps.Unsubscribe(context.Background(), ch)
		return nil, fmt.Errorf("redis: subscribe to %q: %w", topicName, err)
	}
	return sub, nil
}

// dropWaiter forgets w. p.mu is held.
func (p *PubSub) dropWaiter(ch string, w chan struct{}) {
	ws := p.waiters[ch]
	for i, x := range ws {
		if x == w {
			ws = append(ws[:i], ws[i+1:]...)
			break
		}
	}
	if len(ws) == 0 {
		delete(p.waiters, ch)
	} else {
		p.waiters[ch] = ws
	}
}

type subscription struct {
	p    *PubSub
	ch   string
	id   uint64
	once sync.Once
}

// Unsubscribe stops deliveries to this subscription's deliver func; the last
// one of a topic on this node also UNSUBSCRIBEs the connection. A message
// already being delivered may still arrive.
func (s *subscription) Unsubscribe() error {
	s.once.Do(s.p.unsubscribe(s.ch, s.id))
	return nil
}

func (p *PubSub) unsubscribe(ch string, id uint64) func() {
	return func() {
		p.cmdMu.Lock()
		defer p.cmdMu.Unlock()
		p.mu.Lock()
		t := p.topics[ch]
		last := false
		if t != nil {
			delete(t.subs, id)
			if len(t.subs) == 0 {
				delete(p.topics, ch)
				last = true
			}
		}
		closed := p.closed
		p.mu.Unlock()
		if !last || closed {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), p.opt.SubscribeTimeout)
		defer cancel()
		// On failure go-redis has still forgotten the channel, so the next
		// connection will not subscribe to it: nothing to undo.
		if err := p.ps.Unsubscribe(ctx, ch); err != nil {
			p.log.Debug("redis: UNSUBSCRIBE failed; the connection is being replaced without it", "channel", ch, "err", err)
		}
	}
}

// Close ends every subscription, waits until no deliver func is running, and
// closes the subscriber connection (and the client, if New made it). Publish
// and Subscribe fail afterwards.
func (p *PubSub) Close() error {
	p.once.Do(func() {
		p.mu.Lock()
		p.closed = true
		p.topics = nil
		p.queue = nil
		p.mu.Unlock()
		close(p.done)
		p.cancel()
		if err := p.ps.Close(); err != nil {
			p.closeErr = fmt.Errorf("redis: closing the subscriber connection: %w", err)
		}
		p.loops.Wait()
		if p.ownClient {
			if err := p.client.Close(); err != nil && p.closeErr == nil {
				p.closeErr = fmt.Errorf("redis: closing the client: %w", err)
			}
		}
	})
	return p.closeErr
}

func (p *PubSub) isClosed() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// read receives from the subscriber connection until Close. It never calls
// deliver funcs itself: it queues messages for dispatch, so that it keeps
// reading (and confirming subscriptions) while a deliver func is slow or is
// blocked on a lock held by a caller of Subscribe.
func (p *PubSub) read() {
	defer p.loops.Done()
	var (
		down   bool
		downAt time.Time
	)
	for {
		msg, err := p.ps.ReceiveTimeout(p.ctx, p.opt.HealthCheck)
		if p.isClosed() {
			return
		}
		if err != nil {
			var te interface{ Timeout() bool }
			if errors.As(err, &te) && te.Timeout() {
				// Silence: make sure the connection is alive. The PONG
				// comes back through ReceiveTimeout; a failed PING makes
				// go-redis drop the connection.
				if p.ps.Ping(p.ctx) == nil {
					continue
				}
			}
			if !down {
				down, downAt = true, time.Now()
				p.log.Warn("redis: subscriber connection down; reconnecting", "err", err)
			}
			if !p.reconnect() {
				return
			}
			continue
		}
		if down {
			down = false
			now := time.Now()
			p.log.Warn(fmt.Sprintf("redis: subscriber connection restored; messages may have been lost between %s and %s",
				downAt.Format(time.RFC3339Nano), now.Format(time.RFC3339Nano)),
				"from", downAt, "to", now)
			if p.opt.OnGap != nil {
				p.opt.OnGap(downAt, now)
			}
		}
		switch m := msg.(type) {
		case *goredis.Message:
			p.mu.Lock()
			if !p.closed {
				p.queue = append(p.queue, m)
			}
			p.mu.Unlock()
			select {
			case p.wake <- struct{}{}:
			default:
			}
		case *goredis.Subscription:
			if m.Kind == "subscribe" {
				p.mu.Lock()
				for _, w := range p.waiters[m.Channel] {
					close(w)
				}
				delete(p.waiters, m.Channel)
				p.mu.Unlock()
			}
		}
	}
}

// reconnect retries with growing pauses until a PING goes through a new
// subscriber connection (go-redis re-subscribes every channel when it opens
// one), or Close; it reports whether to go on.
func (p *PubSub) reconnect() bool {
	backoff := p.opt.MinBackoff
	for {
		if !p.pause(backoff) {
			return false
		}
		err := p.ps.Ping(p.ctx)
		if err == nil {
			return true
		}
		if p.isClosed() {
			return false
		}
		p.log.Debug("redis: reconnection failed", "err", err, "retry_in", backoff)
		backoff = min(backoff*2, p.opt.MaxBackoff)
	}
}

// pause waits about d (with jitter, so that nodes do not reconnect in step)
// unless Close comes first; it reports whether to go on.
func (p *PubSub) pause(d time.Duration) bool {
	d = d/2 + rand.N(d/2+1)
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-p.done:
		return false
	}
}

// dispatch calls the deliver funcs of queued messages, in order, until Close.
func (p *PubSub) dispatch() {
	defer p.loops.Done()
	var fns []func([]byte)
	for {
		select {
		case <-p.done:
			return
		case <-p.wake:
		}
		for {
			p.mu.Lock()
			if p.closed || len(p.queue) == 0 {
				// Let the drained array go, so that a burst does not pin
				// its memory.
				p.queue = nil
				p.mu.Unlock()
				break
			}
			m := p.queue[0]
			p.queue[0] = nil
			p.queue = p.queue[1:]
			fns = fns[:0]
			if t := p.topics[m.Channel]; t != nil {
				for _, fn := range t.subs {
					fns = append(fns, fn)
				}
			}
			p.mu.Unlock()
			if len(fns) == 0 {
				continue
			}
			b := []byte(m.Payload)
			for _, fn := range fns {
				fn(b)
			}
		}
	}
}

// Namespace returns the prefix of the Redis channel names.
func (p *PubSub) Namespace() string { return p.opt.Namespace }
