package feed

import "sync"

// Notifier wakes the open streams of this replica when an event is appended here. A wake-up
// carries nothing: the woken stream reads its events from the store, so a missed or merged
// wake-up loses nothing.
type Notifier struct {
	mu   sync.Mutex
	subs map[Stream]map[chan struct{}]struct{}
}

// NewNotifier returns a notifier with no listeners.
func NewNotifier() *Notifier { return &Notifier{subs: map[Stream]map[chan struct{}]struct{}{}} }

// Listen returns a channel that receives after each Notify of s (wake-ups that come while one is
// pending merge into it), and the function that stops listening.
func (n *Notifier) Listen(s Stream) (<-chan struct{}, func()) {
	ch := make(chan struct{}, 1)
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.subs[s] == nil {
		n.subs[s] = map[chan struct{}]struct{}{}
	}
	n.subs[s][ch] = struct{}{}
	return ch, func() {
		n.mu.Lock()
		defer n.mu.Unlock()
		delete(n.subs[s], ch)
		if len(n.subs[s]) == 0 {
			delete(n.subs, s)
		}
	}
}

// Notify wakes every listener of s without ever blocking the caller (a subscription handler).
func (n *Notifier) Notify(s Stream) {
	n.mu.Lock()
	defer n.mu.Unlock()
	for ch := range n.subs[s] {
		select {
		case ch <- struct{}{}:
		default:
		}
	}
}
