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
	// Restocks lists the restocks applied to this bucket, so that a repeated or resumed restock
	// adds each bucket's share once.
	Restocks []string
	// Buckets, in bucket 0 only: how many buckets the item has, fixed at its first restock.
	Buckets int
}

// Reserved is the units held by orders in this bucket.
func (b Bucket) Reserved() int64 {
	var n int64
	for _, q := range b.Holds {
		n += q
	}
	return n
}

// Balanced reports whether the bucket's units add up: restocked = sold + reserved + available.
func (b Bucket) Balanced() bool {
	return b.Available >= 0 && b.Sold >= 0 && b.Restocked == b.Sold+b.Reserved()+b.Available
}

func (b *Bucket) hold(order string, qty int64) {
	if b.Holds == nil {
		b.Holds = map[string]int64{}
	}
	b.Holds[order] += qty
	b.Available -= qty
}

// unhold returns the order's hold here to available (release) or to sold (confirm).
func (b *Bucket) unhold(order string, sell bool) bool {
	q, ok := b.Holds[order]
	if !ok {
		return false
	}
	delete(b.Holds, order)
	if sell {
		b.Sold += q
	} else {
		b.Available += q
	}
	return true
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

// Reservation records the outcome of an order's reservation, so that a retried, duplicated or late
// request answers the same and a released order is never reserved again.
type Reservation struct {
	OrderID string
	Status  Status
	Lines   []Line
}

// Status of a reservation.
type Status string

const (
	Reserved  Status = "reserved"
	Released  Status = "released"
	Confirmed Status = "confirmed"
	SoldOut   Status = "sold_out"
)
