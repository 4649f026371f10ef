package provider

import (
	"strconv"
	"time"
)

// Notice is one notification of a payment's status at one version, as the merchant receives it.
// Every copy of a version carries the same ID, so that a merchant can tell duplicates.
type Notice struct {
	ID              string
	TxnID           string
	MerchantOrderID string
	AmountCents     int64
	Status          Status
	Version         int64
	At              time.Time
}

// Dispatch is one status change's notifications, planned under the fault switches: the notices
// to POST to URL after Delay, one after another, or all at once when Concurrent.
type Dispatch struct {
	URL        string
	Notices    []Notice
	Delay      time.Duration
	Concurrent bool
}

// notice is p's notification of its status at change c.
func notice(p Payment, c Change) Notice {
	return Notice{
		ID: p.TxnID + "-v" + strconv.FormatInt(c.Version, 10), TxnID: p.TxnID, MerchantOrderID: p.MerchantOrderID,
		AmountCents: p.AmountCents, Status: c.Status, Version: c.Version, At: c.At,
	}
}

// plan is the dispatch of p's latest change under f; ok is false when f loses it. With
// OutOfOrder, a stale copy of every earlier version joins the copies, shuffled, all at once.
func plan(p Payment, f Faults, defaultDelay time.Duration, shuffle func([]Notice)) (d Dispatch, ok bool) {
	if f.Lose || len(p.History) == 0 {
		return Dispatch{}, false
	}
	d = Dispatch{URL: p.NotifyURL, Delay: defaultDelay}
	if f.Delay > 0 {
		d.Delay = f.Delay
	}
	latest := p.History[len(p.History)-1]
	for range 1 + f.Duplicates {
		d.Notices = append(d.Notices, notice(p, latest))
	}
	if f.OutOfOrder {
		for _, c := range p.History[:len(p.History)-1] {
			d.Notices = append(d.Notices, notice(p, c))
		}
		shuffle(d.Notices)
		d.Concurrent = true
	}
	return d, true
}
