package stock

import (
	"maps"
	"slices"
	"strings"
)

// Bucket is one independently written share of an item's stock. A hot dish is split into several
// buckets so that concurrent reservations contend on different keys; a normal dish has one.
//
// A bucket carries only what is live: its counters, the holds of orders still open and the last
// few restocks. Nothing in it grows with the sales it has seen (a sold hold leaves only the Sold
// counter), so a busy dish's hot key stays small however long its sale runs.
type Bucket struct {
	Restocked int64
	Sold      int64
	Available int64
	// Parts are the holds of open orders here: units by PartKey(order, part id).
	Parts map[string]int64
	// Restocks lists the last RecentRestocks restock ids applied to this bucket, oldest first, so
	// that a repeated or resumed restock adds each bucket's share once while it is under way; a
	// restock repeated after it completed is recognised by its restock record instead.
	Restocks []string
	// Returns lists the last RecentReturns sold parts (PartKey) given back to available here, so
	// that a return resumed after a crash gives each part back once (see Service.Return).
	Returns []string
	// Buckets, in bucket 0 only: how many buckets the item has, fixed at its first restock.
	Buckets int
}

// RecentRestocks is how many restock ids a bucket remembers. A restock killed half-way is
// completed by its repeat unless this many other restocks of the item ran in between.
const RecentRestocks = 16

// RecentReturns is how many returned parts a bucket remembers: a return killed half-way is
// completed by its repeat unless this many other returns on the bucket ran in between.
const RecentReturns = 16

// A part is one write's hold for an order: every write that holds units for an order adds a part
// under a fresh id and never changes one, so a part means the same units to every reader, and the
// reservation record can name exactly the parts that are the order's: a part it does not name (a
// duplicate's, or a late one taken after the order was sold) is a stray that goes back to
// available, and a repeated confirmation sells only the named ones. The parts live in one flat map
// (order and part id in the key) because a bucket is copied on every write.

// PartKey is the key of an order's part in Bucket.Parts. Order ids never contain '.'.
func PartKey(order, part string) string { return order + "." + part }

// SplitPartKey returns the order and part id of a key of Bucket.Parts.
func SplitPartKey(key string) (order, part string) {
	order, part, _ = strings.Cut(key, ".")
	return order, part
}

// Reserved is the units held by orders in this bucket.
func (b Bucket) Reserved() int64 {
	var n int64
	for _, q := range b.Parts {
		n += q
	}
	return n
}

// HeldBy is the units the order holds in this bucket.
func (b Bucket) HeldBy(order string) int64 {
	var n int64
	for _, q := range b.partsOf(order) {
		n += q
	}
	return n
}

// Balanced reports whether the bucket's units add up: restocked = sold + reserved + available,
// and nothing is negative.
func (b Bucket) Balanced() bool {
	for _, q := range b.Parts {
		if q <= 0 {
			return false
		}
	}
	return b.Available >= 0 && b.Sold >= 0 && b.Restocked == b.Sold+b.Reserved()+b.Available
}

// partsOf returns the order's parts here by part id.
func (b Bucket) partsOf(order string) map[string]int64 {
	var out map[string]int64
	for k, q := range b.Parts {
		if o, id := SplitPartKey(k); o == order {
			if out == nil {
				out = map[string]int64{}
			}
			out[id] = q
		}
	}
	return out
}

// hold adds a part of qty units for the order.
func (b *Bucket) hold(order, part string, qty int64) {
	if b.Parts == nil {
		b.Parts = map[string]int64{}
	}
	b.Parts[PartKey(order, part)] = qty
	b.Available -= qty
}

// take removes a part of the order and returns its units; 0 if there is no such part.
func (b *Bucket) take(order, part string) int64 {
	k := PartKey(order, part)
	q := b.Parts[k]
	delete(b.Parts, k)
	return q
}

// release returns a part of the order to available.
func (b *Bucket) release(order, part string) { b.Available += b.take(order, part) }

// sell turns a part of the order into a sale.
func (b *Bucket) sell(order, part string) { b.Sold += b.take(order, part) }

// unsell gives a sold part (key, q units) back to available, once: false when it was given back
// already.
func (b *Bucket) unsell(key string, q int64) bool {
	if slices.Contains(b.Returns, key) {
		return false
	}
	b.Sold -= q
	b.Available += q
	b.Returns = append(b.Returns, key)
	b.Returns = b.Returns[max(0, len(b.Returns)-RecentReturns):]
	return true
}

// cloneBucket copies b so that changing the copy leaves what was read (and may be read again) alone.
func cloneBucket(b Bucket) Bucket {
	b.Parts = maps.Clone(b.Parts)
	b.Restocks = append([]string(nil), b.Restocks...)
	b.Returns = append([]string(nil), b.Returns...)
	return b
}

// View is an item's stock summed over its buckets, with every order's hold, for staff and audits.
type View struct {
	Item
	Restocked, Sold, Reserved, Available int64
	Buckets                              int
	Holds                                map[string]int64
}

func view(it Item, bs []Bucket) View {
	v := View{Item: it, Buckets: len(bs), Holds: map[string]int64{}}
	for _, b := range bs {
		v.Restocked += b.Restocked
		v.Sold += b.Sold
		v.Available += b.Available
		for k, q := range b.Parts {
			o, _ := SplitPartKey(k)
			v.Holds[o] += q
			v.Reserved += q
		}
	}
	return v
}
