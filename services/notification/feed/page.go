package feed

import "slices"

// PageSize is how many events a stream's head holds before they are moved to a page of their
// own: a value stays under PageSize events (tens of kilobytes at most).
const PageSize = 50

// Head is a stream's one mutable record, written with its ETag: the sequence, the order's
// customer (order streams) and the open page, the latest events, ids Next-len(Events) .. Next-1.
type Head struct {
	Next     int64 // the id the next event gets; 1 for a new stream
	Customer string
	Events   []Event
}

// Page is a sealed, immutable run of PageSize events: page N holds ids N*PageSize+1 ..
// (N+1)*PageSize. A page's content is decided by the head it came from, so writing it twice
// writes the same thing.
type Page struct {
	N      int64
	Events []Event
}

// first is the id of the oldest event in the head (Next when it holds none).
func (h Head) first() int64 {
	if h.Next == 0 {
		return 1
	}
	return h.Next - int64(len(h.Events))
}

// find returns the index of the event the same as e in evs, -1 when none is.
func find(evs []Event, e Event) int {
	return slices.IndexFunc(evs, func(o Event) bool { return o.same(e) })
}

// pageOf is the number of the page holding id.
func pageOf(id int64) int64 { return (id - 1) / PageSize }

// sealIfFull moves a full head's events to a page, which must be written before the head that no
// longer holds them: the page, then the head, so that no event is ever in neither.
func (h *Head) sealIfFull() (Page, bool) {
	if len(h.Events) < PageSize {
		return Page{}, false
	}
	p := Page{N: pageOf(h.first()), Events: h.Events}
	h.Events = nil
	return p, true
}

// appendEvent numbers e and appends it to the head.
func (h *Head) appendEvent(e Event) Event {
	if h.Next == 0 {
		h.Next = 1
	}
	e.ID = h.Next
	h.Next++
	h.Events = append(h.Events, e)
	return e
}

// after returns the events of evs with ids above id.
func after(evs []Event, id int64) []Event {
	i := slices.IndexFunc(evs, func(e Event) bool { return e.ID > id })
	if i < 0 {
		return nil
	}
	return evs[i:]
}
