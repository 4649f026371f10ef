package stock

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"maps"
	"math/rand/v2"
	"slices"
	"sort"
	"strconv"
	"sync"

	"github.com/canteen/canteen/services/internal/occ"
)

// attempt is one Reserve call's progress through an order's lines.
type attempt struct {
	order  string
	lines  []Line
	digest string
	// intent is true once the order's intent is known to exist (read, or written by this call).
	intent bool
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
// its ETag, and adds parts under fresh ids without touching any other, so no step needs two keys
// to change together, and a kill between two writes leaves parts that a retry adopts or, once the
// record is written, gives back.
//
// Splitting is what lets a bucketed item serve an order of q units whenever q units are left in
// total: an order is refused only when the buckets, as read, have fewer than it still needs.
// The price is that two duplicates racing on a split line can both write parts; the reservation
// record names one set of parts, and the other goes back as strays.
//
// The holds of one item are group-committed (holdAll): the calls waiting for an item share one
// read of its buckets and one write of each bucket they change. A flash sale's buyers otherwise
// each read and wrote the hot buckets and fought over their ETags, until some gave up with a 503
// while units remained.
func (s *Service) hold(ctx context.Context, a *attempt, l Line, n int) error {
	h, err := s.holds.Do(ctx, l.Item, holdRequest{order: a.order, digest: a.digest, lines: a.lines, intent: a.intent, line: l, buckets: n})
	if err != nil {
		return err
	}
	a.intent = a.intent || h.intent
	if h.touched {
		a.touched[l.Item] = true
	}
	if h.stray {
		a.strays[l.Item] = true
	}
	if h.err != nil {
		return h.err
	}
	a.parts = append(a.parts, h.parts...)
	return nil
}

// holdRequest is one attempt's line, waiting with the other lines of its item for a batch.
type holdRequest struct {
	order, digest string
	lines         []Line // the order's, for its intent
	intent        bool   // the order's intent is known to exist
	line          Line
	buckets       int
}

// held is what a batch did for one request.
type held struct {
	parts          []Part // the order's parts on the item, the quantity in all
	intent         bool
	touched, stray bool  // see attempt
	err            error // *SoldOutError, or the failure of this order's intent
}

// holdAll holds the requests' lines of one item, as one batch: it reads the buckets once, works
// out every request's holds on them in order of arrival, writes the intents of the orders that
// hold for the first time (before any hold of theirs is written), then each bucket it changed
// once with its ETag. A conflict (another replica, a release) reads again and works out what is
// still missing, keeping the parts already written.
func (s *Service) holdAll(ctx context.Context, it Item, reqs []holdRequest) ([]held, error) {
	out := make([]held, len(reqs))
	failed := make([]bool, len(reqs)) // an intent refused or failed: answered, out of the batch
	for i, r := range reqs {
		out[i].intent = r.intent
	}
	emptied := false
	err := occ.Retry(ctx, func(ctx context.Context) error {
		bs, toks, err := s.repo.Buckets(ctx, it, reqs[0].buckets)
		if err != nil {
			return err
		}
		for {
			work := make([]Bucket, len(bs))
			for i, b := range bs {
				work[i] = cloneBucket(b)
			}
			placed := make([][]Part, len(reqs))
			changed := map[int]bool{}
			var intents []int
			avail := view(it, work).Available
			for i, r := range reqs {
				if failed[i] {
					continue
				}
				need := s.adopt(work, r, &out[i])
				if need == 0 {
					continue
				}
				if avail < need {
					if avail == 0 {
						s.sawSoldOut(it)
					}
					out[i].err = &SoldOutError{Item: it}
					continue
				}
				avail -= need
				if !out[i].intent {
					intents = append(intents, i)
				}
				home := int(fnv32(r.order) % uint32(len(work)))
				for _, t := range split(work, home, need) {
					id := newPartID()
					work[t.bucket].hold(r.order, id, t.qty)
					changed[t.bucket] = true
					placed[i] = append(placed[i], Part{Item: it, Bucket: t.bucket, ID: id, Quantity: t.qty})
				}
				out[i].touched = true
			}
			if s.writeIntents(ctx, reqs, intents, out, failed) {
				continue // some order may not hold: work the batch out again without it
			}
			for _, b := range slices.Sorted(maps.Keys(changed)) {
				if err := s.repo.PutBucket(ctx, it, b, work[b], toks[b]); err != nil {
					return err // the buckets written keep their parts; the next read adopts them
				}
				emptied = emptied || work[b].Available == 0
			}
			for i := range reqs {
				out[i].parts = append(out[i].parts, placed[i]...)
			}
			return nil
		}
	})
	if err != nil {
		return nil, err
	}
	if emptied {
		s.emptied(ctx, it, reqs[0].buckets)
	}
	return out, nil
}

// adopt counts for r the order's parts in the buckets that fit its line (a killed call's, a
// duplicate's), drops those it counted before that are gone, and returns how many units r still
// needs. A part that does not fit is a stray, for settle to give back.
func (s *Service) adopt(bs []Bucket, r holdRequest, h *held) int64 {
	h.err = nil
	h.parts = slices.DeleteFunc(h.parts, func(p Part) bool { return bs[p.Bucket].Parts[PartKey(r.order, p.ID)] != p.Quantity })
	need := r.line.Quantity - sumParts(h.parts)
	for i, b := range bs {
		ps := b.partsOf(r.order)
		for _, id := range sortedIDs(ps) {
			p := Part{Item: r.line.Item, Bucket: i, ID: id, Quantity: ps[id]}
			if slices.Contains(h.parts, p) {
				continue
			}
			h.touched = true
			if p.Quantity <= need {
				h.parts, need = append(h.parts, p), need-p.Quantity
			} else {
				h.stray = true
			}
		}
	}
	return need
}

// writeIntents writes, in parallel, the intents of the requests at idx (orders about to hold for
// the first time), and reports whether any was refused or failed: that order is answered its
// error and takes no part in the batch any more.
func (s *Service) writeIntents(ctx context.Context, reqs []holdRequest, idx []int, out []held, failed []bool) bool {
	var wg sync.WaitGroup
	errs := make([]error, len(idx))
	for k, i := range idx {
		wg.Go(func() {
			a := &attempt{order: reqs[i].order, digest: reqs[i].digest, lines: reqs[i].lines}
			errs[k] = s.ensureIntent(ctx, a)
		})
	}
	wg.Wait()
	refused := false
	for k, i := range idx {
		if errs[k] != nil {
			out[i].err, failed[i], refused = errs[k], true, true
		} else {
			out[i].intent = true
		}
	}
	return refused
}

// ensureIntent writes the order's intent before this call's first hold. Finding one already
// written with another digest means another body of the order got there first: this call holds
// nothing yet, and is refused.
func (s *Service) ensureIntent(ctx context.Context, a *attempt) error {
	if a.intent {
		return nil
	}
	err := s.repo.CreateIntent(ctx, Intent{OrderID: a.order, Digest: a.digest, Lines: a.lines})
	if errors.Is(err, occ.ErrConflict) {
		_, in, rerr := s.repo.ReservationAndIntent(ctx, a.order)
		switch {
		case rerr != nil:
			return rerr
		case in == nil:
			return fmt.Errorf("intent of %s: refused as existing, but not found", a.order)
		case in.Digest != a.digest:
			return &MismatchError{OrderID: a.order}
		}
	} else if err != nil {
		return err
	}
	a.intent = true
	return nil
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
