package stock

// Bucket is one independently written share of an item's stock. A hot dish is split into several
// buckets so that concurrent reservations contend on different keys; a normal dish has one.
// Holds maps order id to the units that order holds here, which makes holding and releasing
// idempotent per bucket: an order either has its hold in a bucket or it does not.
type Bucket struct {
	Restocked int64
	Sold      int64
	Available int64
	Holds     map[string]int64
	// SoldTo maps order id to the units sold to it here. It is the bucket's own tombstone of a
	// confirmed order: written in the same save that turns the hold into a sale, it stops a late
	// duplicate Reserve of that order (one that read "no reservation yet" before the order was
	// reserved, paid and confirmed) from taking a fresh hold, and a repeated Confirm from selling
	// twice. It holds at most one entry per unit sold.
	SoldTo map[string]int64
	// Restocks lists the restocks applied to this bucket, so that a repeated or resumed restock
	// adds each bucket's share once.
	Restocks []string
	// Buckets, in bucket 0 only: how many buckets the item has, fixed at its first restock.
	Buckets int
}

// Reserved is the units held by orders in this bucket.
func (b Bucket) Reserved() int64 { return sum(b.Holds) }

// Balanced reports whether the bucket's units add up: restocked = sold + reserved + available,
// nothing negative, and the sales recorded per order make up the sold count.
func (b Bucket) Balanced() bool {
	return b.Available >= 0 && b.Sold >= 0 && b.Sold == sum(b.SoldTo) &&
		b.Restocked == b.Sold+b.Reserved()+b.Available
}

// claims reports whether the order holds or bought units in this bucket.
func (b Bucket) claims(order string) bool {
	_, held := b.Holds[order]
	_, sold := b.SoldTo[order]
	return held || sold
}

func (b *Bucket) hold(order string, qty int64) {
	if b.Holds == nil {
		b.Holds = map[string]int64{}
	}
	b.Holds[order] += qty
	b.Available -= qty
}

// release returns the order's hold here to available; false if it holds nothing here.
func (b *Bucket) release(order string) bool {
	q, ok := b.Holds[order]
	if !ok {
		return false
	}
	delete(b.Holds, order)
	b.Available += q
	return true
}

// sell turns the order's hold here into a sale; false if it holds nothing here.
func (b *Bucket) sell(order string) bool {
	q, ok := b.Holds[order]
	if !ok {
		return false
	}
	delete(b.Holds, order)
	if b.SoldTo == nil {
		b.SoldTo = map[string]int64{}
	}
	b.SoldTo[order] += q
	b.Sold += q
	return true
}

func sum(m map[string]int64) int64 {
	var n int64
	for _, q := range m {
		n += q
	}
	return n
}

// View is an item's stock summed over its buckets, with every hold, for staff and audits.
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
		for o, q := range b.Holds {
			v.Holds[o] += q
			v.Reserved += q
		}
	}
	return v
}
