package stock

import (
	"context"
	"errors"
	"hash/fnv"
	"math/rand/v2"
	"slices"
	"sort"
	"strconv"

	"github.com/canteen/canteen/services/internal/occ"
)

// attempt is one Reserve call's progress through an order's lines.
type attempt struct {
	order  string
	lines  []Line
	digest string
	// parts are the holds this call counts as the order's, line after line.
	parts []Part
	// touched: items where this call wrote or met a hold of the order. strays: items where it met
	// holds of the order it does not count (a killed or duplicate call's extras).
	touched, strays map[Item]bool
}

func newAttempt(order string, lines []Line) *attempt {
	return &attempt{order: order, lines: lines, digest: digest(lines), touched: map[Item]bool{}, strays: map[Item]bool{}}
}

// hold makes the attempt count l.Quantity units of l.Item among the order's parts.
//
// First it adopts the order's existing parts on the item, as long as they fit the quantity: those
// left by a call of the same order that was killed (a retry resumes it rather than holding twice
// and perhaps finding itself sold out by its own holds) or taken by a concurrent duplicate (the
// two then mostly agree on one set). Then it holds what is missing, in the first bucket from the
// order's home bucket (by the order id's hash, so duplicates probe the same keys and meet on their
// ETags) that has enough, or else split over the fullest buckets. Every write is one bucket with
// its ETag, and adds a part under a fresh id without touching any other, so no step needs two keys
// to change together, and a kill between two writes leaves parts that a retry adopts or, once the
// record is written, gives back.
//
// Splitting is what lets a bucketed item serve an order of q units whenever q units are left in
// total: an order is refused only when the buckets, as read, have fewer than it still needs.
// The price is that two duplicates racing on a split line can both write parts; the reservation
// record names one set of parts, and the other goes back as strays.
//
// pre, when not nil, is the item's buckets as Prepare read them: the first try starts from them,
// a retry reads again. Holds of one item enter a replica's gate (Service.enter) first; one that
// waited there reads afresh, pre being stale by then. A retry after a conflict probes from a
// random bucket: from the home bucket again it would meet the same writer's successors.
func (s *Service) hold(ctx context.Context, a *attempt, l Line, n int, pre *read) error {
	leave, waited, err := s.enter(ctx, l.Item, n)
	if err != nil {
		return err
	}
	defer leave()
	if waited {
		pre = nil
	}
	home := int(fnv32(a.order) % uint32(n))
	var mine []Part
	tries := 0
	err = occ.Retry(ctx, func(ctx context.Context) error {
		if tries++; tries > 1 {
			home = rand.IntN(n)
		}
		bs, toks, err := pre.orRead(ctx, s.repo, l.Item, n)
		pre = nil
		if err != nil {
			return err
		}
		mine = slices.DeleteFunc(mine, func(p Part) bool { return bs[p.Bucket].Parts[PartKey(a.order, p.ID)] != p.Quantity })
		need := l.Quantity - sumParts(mine)
		for i, b := range bs {
			ps := b.partsOf(a.order)
			for _, id := range sortedIDs(ps) {
				p := Part{Item: l.Item, Bucket: i, ID: id, Quantity: ps[id]}
				if slices.Contains(mine, p) {
					continue
				}
				a.touched[l.Item] = true
				if p.Quantity <= need {
					mine, need = append(mine, p), need-p.Quantity
				} else {
					a.strays[l.Item] = true
				}
			}
		}
		if need == 0 {
			return nil
		}
		if v := view(l.Item, bs); v.Available < need {
			if v.Available == 0 {
				s.sawSoldOut(l.Item)
			}
			return &SoldOutError{Item: l.Item}
		}
		emptied := false
		for _, t := range split(bs, home, need) {
			b, id := cloneBucket(bs[t.bucket]), newPartID()
			b.hold(a.order, id, t.qty)
			if err := s.repo.PutBucket(ctx, l.Item, t.bucket, b, toks[t.bucket]); err != nil {
				return err // a conflict reads again, keeping the parts already written
			}
			a.touched[l.Item] = true
			mine = append(mine, Part{Item: l.Item, Bucket: t.bucket, ID: id, Quantity: t.qty})
			emptied = emptied || b.Available == 0
		}
		if emptied {
			s.emptied(ctx, l.Item, n)
		}
		return nil
	})
	if err != nil {
		return err
	}
	a.parts = append(a.parts, mine...)
	return nil
}

// holdAll holds every line of a fresh order in one write of all the buckets its lines take, where
// hold would write item by item; when every item has a single bucket (a normal dish) the same
// write creates the order's reservation record, and a checkout then costs Prepare's read and this
// one call. It reports whether that settled the order (st and err are then the answer) and,
// when not, whether the holds were written (the caller then only records them).
//
// It tries only when every line's buckets came with Prepare's read and hold none of the order's
// parts (a first call, the common one), every line fits in what they have, and every item's gate
// lets it in without a wait. A write that fails (a conflict on any key, or a fault; pre is then
// cleared) may have landed in part. Without the record in it, or with the record found absent
// when read again, the caller holds line by line as before: hold reads the buckets again and
// adopts whatever of this write landed, as it adopts the parts of a killed call. With the record
// found, the record stands and replay makes the holds agree with it: a named hold that did not
// land is taken then, in the bucket the record names, which has the units exactly when the item
// has, the item having one bucket. A bucketed item's record is written apart, after its holds:
// its named bucket could run dry while others have units, refusing a buyer while units remain.
func (s *Service) holdAll(ctx context.Context, a *attempt, lines []Line, counts []int, pre []*read) (st Status, settled, held bool, err error) {
	single := true
	for i, l := range lines {
		if pre[i] == nil || view(l.Item, pre[i].buckets).Available < l.Quantity {
			return "", false, false, nil
		}
		for _, b := range pre[i].buckets {
			if len(b.partsOf(a.order)) > 0 {
				return "", false, false, nil
			}
		}
		single = single && counts[i] == 1
	}
	if !single && len(lines) < 2 {
		return "", false, false, nil // hold writes the one line's bucket in one call anyway
	}
	for i, l := range lines {
		leave, ok := s.tryEnter(l.Item, counts[i])
		if !ok {
			return "", false, false, nil
		}
		defer leave()
	}
	var puts []BucketPut
	var parts []Part
	emptied := map[Item]bool{}
	for i, l := range lines {
		bs := pre[i].buckets
		for _, t := range split(bs, int(fnv32(a.order)%uint32(len(bs))), l.Quantity) {
			b, id := cloneBucket(bs[t.bucket]), newPartID()
			b.hold(a.order, id, t.qty)
			puts = append(puts, BucketPut{Item: l.Item, Index: t.bucket, Bucket: b, Token: pre[i].tokens[t.bucket]})
			parts = append(parts, Part{Item: l.Item, Bucket: t.bucket, ID: id, Quantity: t.qty})
			emptied[l.Item] = emptied[l.Item] || b.Available == 0
		}
	}
	var rec *Reservation
	if single {
		rec = &Reservation{OrderID: a.order, Status: Reserved, Lines: lines, Digest: a.digest, Parts: parts}
	}
	err = s.repo.PutBuckets(ctx, puts, rec)
	for _, l := range lines {
		a.touched[l.Item] = true // written, or perhaps written: hold adopts what landed
	}
	if err != nil {
		clear(pre) // stale now: hold reads again
		if rec == nil {
			return "", false, false, nil
		}
		cur, _, rerr := s.repo.Reservation(ctx, a.order)
		switch {
		case errors.Is(rerr, ErrNotFound):
			return "", false, false, nil
		case rerr != nil:
			return "", true, false, rerr
		}
		st, err := s.replay(ctx, cur, a)
		return st, true, false, err
	}
	for i, l := range lines {
		if emptied[l.Item] {
			s.emptied(ctx, l.Item, counts[i])
		}
	}
	if rec == nil {
		a.parts = append(a.parts, parts...)
		return "", false, true, nil
	}
	return Reserved, true, true, nil
}

// read is an item's buckets as read, with their tokens.
type read struct {
	buckets []Bucket
	tokens  []Token
}

// orRead returns what r holds, or reads the item's buckets when r is nil.
func (r *read) orRead(ctx context.Context, repo Repository, it Item, n int) ([]Bucket, []Token, error) {
	if r != nil {
		return r.buckets, r.tokens, nil
	}
	return repo.Buckets(ctx, it, n)
}

// take is units to hold in one bucket.
type take struct {
	bucket int
	qty    int64
}

// split chooses where to hold need units, which the buckets have in total: the first bucket from
// home with enough, or else the fullest buckets first, so that a line is split over as few
// buckets (writes) as it must be.
func split(bs []Bucket, home int, need int64) []take {
	n := len(bs)
	probe := make([]int, n)
	for k := range n {
		probe[k] = (home + k) % n
	}
	for _, i := range probe {
		if bs[i].Available >= need {
			return []take{{i, need}}
		}
	}
	sort.SliceStable(probe, func(x, y int) bool { return bs[probe[x]].Available > bs[probe[y]].Available })
	var out []take
	for _, i := range probe {
		if need == 0 || bs[i].Available <= 0 {
			break
		}
		q := min(need, bs[i].Available)
		out, need = append(out, take{i, q}), need-q
	}
	return out
}

func sumParts(ps []Part) int64 {
	var n int64
	for _, p := range ps {
		n += p.Quantity
	}
	return n
}

// sortedIDs lists part ids in a fixed order, so that every caller adopts and settles alike.
func sortedIDs(ps map[string]int64) []string {
	ids := make([]string, 0, len(ps))
	for id := range ps {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// newPartID names a new part: random, so that a hold taken late (after the order's parts were
// sold or released) can never be mistaken for one of them.
func newPartID() string { return strconv.FormatUint(rand.Uint64()>>16, 36) }

func fnv32(s string) uint32 {
	h := fnv.New32a()
	h.Write([]byte(s))
	return h.Sum32()
}
