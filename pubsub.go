package liveview

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sync"
)

// PubSub carries messages published on a topic to every subscriber, on this
// node and, for distributed implementations (the pubsub/redis and
// pubsub/nats adapters), on every node sharing the broker. Payloads are bytes:
// encoding is the caller's (see Topic).
//
// A Server subscribes at most once per topic, however many views listen, and
// fans messages out to its views itself.
type PubSub interface {
	// Publish sends payload to the subscribers of topic. It returns an error
	// when the message could not be handed to the broker: it is not retried.
	Publish(ctx context.Context, topic string, payload []byte) error
	// Subscribe calls deliver with every payload published on topic from now
	// on, in publication order per publisher, until the subscription is
	// cancelled. deliver returns quickly; implementations must not hold a lock
	// that Subscribe or Unsubscribe take while they call it.
	Subscribe(topic string, deliver func(payload []byte)) (Subscription, error)
	// Close ends every subscription and releases the broker connection.
	Close() error
}

// Subscription is one registration made by PubSub.Subscribe.
type Subscription interface {
	Unsubscribe() error
}

// Codec turns messages into bytes and back, for a Topic.
type Codec interface {
	Marshal(v any) ([]byte, error)
	Unmarshal(data []byte, v any) error
}

// JSON is the default Codec: encoding/json.
var JSON Codec = jsonCodec{}

type jsonCodec struct{}

func (jsonCodec) Marshal(v any) ([]byte, error)      { return json.Marshal(v) }
func (jsonCodec) Unmarshal(data []byte, v any) error { return json.Unmarshal(data, v) }

// Topic is a named stream of messages of type T. Views subscribe to it with
// Socket.Subscribe and receive each message, decoded as a T, in HandleInfo;
// any Go code publishes to it with Publish.
//
//	var chat = liveview.NewTopic[ChatMessage]("chat:lobby")
//
//	// in Mount:  s.Subscribe(chat)
//	// anywhere:  chat.Publish(ctx, srv, ChatMessage{From: "ann", Text: "hi"})
type Topic[T any] struct {
	name  string
	codec Codec
}

// NewTopic returns the topic name carrying messages of type T, encoded with
// codec (JSON when nil).
func NewTopic[T any](name string, codec ...Codec) Topic[T] {
	t := Topic[T]{name: name, codec: JSON}
	if len(codec) > 0 && codec[0] != nil {
		t.codec = codec[0]
	}
	return t
}

// Name returns the topic's name.
func (t Topic[T]) Name() string { return t.name }

// Publish encodes msg and publishes it through srv's PubSub.
func (t Topic[T]) Publish(ctx context.Context, srv *Server, msg T) error {
	b, err := t.codec.Marshal(msg)
	if err != nil {
		return fmt.Errorf("liveview: publish on %q: encoding %T: %w", t.name, msg, err)
	}
	if err := srv.pubsub().Publish(ctx, t.name, b); err != nil {
		return fmt.Errorf("liveview: publish on %q: %w", t.name, err)
	}
	return nil
}

func (t Topic[T]) topicName() string { return t.name }

func (t Topic[T]) decoder() decoder {
	return decoder{
		key: decoderKey{typ: reflect.TypeFor[T](), codec: t.codec},
		decode: func(b []byte) (any, error) {
			var v T
			err := t.codec.Unmarshal(b, &v)
			return v, err
		},
	}
}

// Subscribable is a topic a view can subscribe to: a Topic of any message
// type.
type Subscribable interface {
	topicName() string
	decoder() decoder
}

type decoderKey struct {
	typ   reflect.Type
	codec Codec
}

type decoder struct {
	key    decoderKey
	decode func([]byte) (any, error)
}

// Subscribe delivers the messages published on topic to the view's
// HandleInfo until the view ends or Unsubscribe is called. Subscribing twice
// to one topic delivers once. It does nothing during the HTTP render.
func (c *core) Subscribe(topic Subscribable) error {
	c.own("Socket.Subscribe")
	ch := c.ch
	if ch == nil {
		return nil
	}
	return ch.conn.srv.fanout.add(ch, topic.topicName(), topic.decoder())
}

// Unsubscribe stops the deliveries of topic to the view.
func (c *core) Unsubscribe(topic Subscribable) {
	c.own("Socket.Unsubscribe")
	if ch := c.ch; ch != nil {
		ch.conn.srv.fanout.remove(ch, topic.topicName())
	}
}

// fanout holds this node's one broker subscription per topic and the views
// listening on each.
type fanout struct {
	srv *Server

	mu     sync.Mutex
	topics map[string]*localTopic
}

type localTopic struct {
	ready chan struct{} // closed once the broker subscription is settled
	err   error         // why it failed, if it did
	sub   Subscription
	views map[*channel]int // the index in decs of the view's decoder
	decs  []decoder        // one per message type and codec: a few at most
}

// decoderIndex returns the index in lt.decs of dec's decoder, adding it if
// it is new.
func (lt *localTopic) decoderIndex(dec decoder) int {
	for i, d := range lt.decs {
		if d.key == dec.key {
			return i
		}
	}
	lt.decs = append(lt.decs, dec)
	return len(lt.decs) - 1
}

func (f *fanout) add(ch *channel, name string, dec decoder) error {
	f.mu.Lock()
	if f.topics == nil {
		f.topics = make(map[string]*localTopic)
	}
	lt := f.topics[name]
	if lt == nil {
		// The first view on this node to want the topic subscribes for all.
		// The broker may take a network round trip: deliveries of other
		// topics must not wait behind it, so the lock is released meanwhile.
		lt = &localTopic{ready: make(chan struct{}), views: make(map[*channel]int)}
		f.topics[name] = lt
		f.mu.Unlock()
		sub, err := f.srv.pubsub().Subscribe(name, func(b []byte) { f.deliver(name, b) })
		f.mu.Lock()
		lt.sub, lt.err = sub, err
		if err != nil {
			delete(f.topics, name)
		}
		close(lt.ready)
	} else {
		f.mu.Unlock()
		<-lt.ready
		f.mu.Lock()
	}
	defer f.mu.Unlock()
	if lt.err != nil {
		return fmt.Errorf("liveview: subscribe to %q: %w", name, lt.err)
	}
	if f.topics[name] != lt {
		// Every other view left while this one waited: start over.
		f.mu.Unlock()
		err := f.add(ch, name, dec)
		f.mu.Lock()
		return err
	}
	lt.views[ch] = lt.decoderIndex(dec)
	if !slices.Contains(ch.subs, name) {
		ch.subs = append(ch.subs, name)
	}
	return nil
}

func (f *fanout) remove(ch *channel, name string) {
	f.mu.Lock()
	lt := f.topics[name]
	if lt == nil {
		f.mu.Unlock()
		return
	}
	if i := slices.Index(ch.subs, name); i >= 0 {
		ch.subs = slices.Delete(ch.subs, i, i+1)
	}
	if _, ok := lt.views[ch]; !ok {
		f.mu.Unlock()
		return
	}
	delete(lt.views, ch)
	var sub Subscription
	if len(lt.views) == 0 {
		delete(f.topics, name)
		sub = lt.sub
	}
	f.mu.Unlock()
	if sub != nil {
		if err := sub.Unsubscribe(); err != nil {
			f.srv.log.Warn("liveview: unsubscribe failed", "topic", name, "err", err)
		}
	}
}

// removeAll ends every subscription of ch, when its view ends.
func (f *fanout) removeAll(ch *channel) {
	f.mu.Lock()
	names := slices.Clone(ch.subs)
	f.mu.Unlock()
	for _, name := range names {
		f.remove(ch, name)
	}
}

// deliver decodes a message once per message type and queues it to every
// view listening on the topic.
func (f *fanout) deliver(name string, b []byte) {
	f.mu.Lock()
	lt := f.topics[name]
	if lt == nil {
		f.mu.Unlock()
		return
	}
	decoded := make([]any, len(lt.decs))
	ok := make([]bool, len(lt.decs))
	for i, d := range lt.decs {
		v, err := d.decode(b)
		if err != nil {
			f.srv.log.Error("liveview: message dropped: cannot decode", "topic", name, "type", d.key.typ.String(), "err", err)
			continue
		}
		decoded[i], ok[i] = v, true
	}
	type target struct {
		ch  *channel
		msg any
	}
	targets := make([]target, 0, len(lt.views))
	for ch, i := range lt.views {
		if ok[i] {
			targets = append(targets, target{ch, decoded[i]})
		}
	}
	f.mu.Unlock()
	for _, t := range targets {
		t.ch.deliverInfo(t.msg)
	}
}

// memoryPubSub is the default PubSub: this process only.
type memoryPubSub struct {
	mu     sync.RWMutex
	next   int
	subs   map[string]map[int]func([]byte)
	closed bool
}

// NewMemoryPubSub returns a PubSub that delivers within this process only:
// the default when Config.PubSub is nil.
func NewMemoryPubSub() PubSub {
	return &memoryPubSub{subs: make(map[string]map[int]func([]byte))}
}

var errPubSubClosed = errors.New("pubsub closed")

func (m *memoryPubSub) Publish(ctx context.Context, topic string, payload []byte) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	// Deliver outside the lock: a subscriber may subscribe or unsubscribe
	// from inside deliver's consequences.
	m.mu.RLock()
	if m.closed {
		m.mu.RUnlock()
		return errPubSubClosed
	}
	targets := make([]func([]byte), 0, len(m.subs[topic]))
	for _, deliver := range m.subs[topic] {
		targets = append(targets, deliver)
	}
	m.mu.RUnlock()
	for _, deliver := range targets {
		deliver(payload)
	}
	return nil
}

func (m *memoryPubSub) Subscribe(topic string, deliver func([]byte)) (Subscription, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return nil, errPubSubClosed
	}
	if m.subs[topic] == nil {
		m.subs[topic] = make(map[int]func([]byte))
	}
	m.next++
	id := m.next
	m.subs[topic][id] = deliver
	return memorySub{m: m, topic: topic, id: id}, nil
}

func (m *memoryPubSub) Close() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.closed = true
	m.subs = nil
	return nil
}

type memorySub struct {
	m     *memoryPubSub
	topic string
	id    int
}

func (s memorySub) Unsubscribe() error {
	s.m.mu.Lock()
	defer s.m.mu.Unlock()
	delete(s.m.subs[s.topic], s.id)
	if len(s.m.subs[s.topic]) == 0 {
		delete(s.m.subs, s.topic)
	}
	return nil
}
