package sidecar

import (
	"time"

	"github.com/canteen/canteen/services/internal/event"
	"github.com/canteen/canteen/services/kitchen/queue"
)

// queueRecord is a store's queue as stored (one state key per store, queueKey). It is
// also never renamed: a stored queue must read back after a deployment.
type queueRecord struct {
	StoreID string                  `json:"store_id"`
	Open    map[string]ticketRecord `json:"open"`
	Done    []ticketRecord          `json:"done,omitempty"`
	Days    map[string]int          `json:"days"`
	Seq     int64                   `json:"seq"`
	Acked   int64                   `json:"acked"`
	Limit   int                     `json:"limit"`
	Busy    bool                    `json:"busy"`
	Outbox  []event.Ticket          `json:"outbox,omitempty"`
	Load    loadRecord              `json:"load,omitzero"`
	Ticking bool                    `json:"ticking"`
}

// loadRecord is the store's load as last announced (queue.Load).
type loadRecord struct {
	Busy         bool      `json:"busy,omitempty"`
	OverCapacity bool      `json:"over_capacity,omitempty"`
	WaitSeconds  int64     `json:"wait_seconds"`
	Seq          int64     `json:"seq"`
	At           time.Time `json:"at"`
	Unsent       bool      `json:"unsent,omitempty"`
}

// ticketRecord is a ticket as stored (in the queue, or archived) and as the actor answers it.
type ticketRecord struct {
	OrderID          string       `json:"order_id"`
	StoreID          string       `json:"store_id"`
	CustomerID       string       `json:"customer_id"`
	Period           string       `json:"period"`
	Items            []event.Item `json:"items,omitempty"`
	TotalCents       int64        `json:"total_cents"`
	Code             string       `json:"code"`
	Status           string       `json:"status"`
	Reason           string       `json:"reason,omitempty"`
	Seq              int64        `json:"seq"`
	OverCapacity     bool         `json:"over_capacity,omitempty"`
	EstimatedReadyAt time.Time    `json:"estimated_ready_at"`
	Alerted          bool         `json:"alerted,omitempty"`
	CreatedAt        time.Time    `json:"created_at"`
	UpdatedAt        time.Time    `json:"updated_at"`
}

func toTicketRecord(t queue.Ticket) ticketRecord {
	return ticketRecord{OrderID: t.OrderID, StoreID: t.StoreID, CustomerID: t.CustomerID, Period: t.Period, Items: t.Items,
		TotalCents: t.TotalCents, Code: t.Code, Status: string(t.Status), Reason: t.Reason, Seq: t.Seq, OverCapacity: t.OverCapacity,
		EstimatedReadyAt: t.EstimatedReadyAt, Alerted: t.Alerted, CreatedAt: t.CreatedAt, UpdatedAt: t.UpdatedAt}
}

func (r ticketRecord) domain() queue.Ticket {
	return queue.Ticket{OrderID: r.OrderID, StoreID: r.StoreID, CustomerID: r.CustomerID, Period: r.Period, Items: r.Items,
		TotalCents: r.TotalCents, Code: r.Code, Status: queue.Status(r.Status), Reason: r.Reason, Seq: r.Seq, OverCapacity: r.OverCapacity,
		EstimatedReadyAt: r.EstimatedReadyAt, Alerted: r.Alerted, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
}

func toTicketRecords(ts []queue.Ticket) []ticketRecord {
	if ts == nil {
		return nil
	}
	out := make([]ticketRecord, len(ts))
	for i, t := range ts {
		out[i] = toTicketRecord(t)
	}
	return out
}

func ticketsOf(rs []ticketRecord) []queue.Ticket {
	if rs == nil {
		return nil
	}
	out := make([]queue.Ticket, len(rs))
	for i, r := range rs {
		out[i] = r.domain()
	}
	return out
}

func toQueueRecord(q queue.Queue) queueRecord {
	open := make(map[string]ticketRecord, len(q.Open))
	for id, t := range q.Open {
		open[id] = toTicketRecord(t)
	}
	return queueRecord{StoreID: q.StoreID, Open: open, Done: toTicketRecords(q.Done), Days: q.Days, Seq: q.Seq, Acked: q.Acked,
		Limit: q.Capacity.Limit, Busy: q.Capacity.Busy, Outbox: q.Outbox, Ticking: q.Ticking,
		Load: loadRecord{Busy: q.Load.Busy, OverCapacity: q.Load.OverCapacity, WaitSeconds: int64(q.Load.Wait / time.Second), Seq: q.Load.Seq,
			At: q.Load.At, Unsent: q.Load.Unsent}}
}

func (r queueRecord) domain() queue.Queue {
	q := queue.NewQueue(r.StoreID)
	for id, t := range r.Open {
		q.Open[id] = t.domain()
	}
	for d, n := range r.Days {
		q.Days[d] = n
	}
	q.Done, q.Seq, q.Acked, q.Outbox, q.Ticking = ticketsOf(r.Done), r.Seq, r.Acked, r.Outbox, r.Ticking
	q.Capacity = queue.Capacity{Limit: r.Limit, Busy: r.Busy}
	q.Load = queue.Load{Busy: r.Load.Busy, OverCapacity: r.Load.OverCapacity, Wait: time.Duration(r.Load.WaitSeconds) * time.Second,
		Seq: r.Load.Seq, At: r.Load.At, Unsent: r.Load.Unsent}
	return q
}
