// Package sidecar is the delivery service's Dapr I/O: jobs, zone rosters, the rider directory
// and the zone list in a state store (each record a single key written with its ETag and
// first-write; a job's pending events inside it), publishing delivery events, the accept timers
// and the sweep as Dapr jobs, and the inbound callbacks (jobs, the orders and tickets
// subscriptions).
package sidecar

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"

	dapr "github.com/dapr/go-sdk/client"

	"github.com/canteen/canteen/services/delivery/dispatch"
	"github.com/canteen/canteen/services/internal/daprconn"
	"github.com/canteen/canteen/services/internal/event"
	"github.com/canteen/canteen/services/internal/occ"
)

// Client is the part of the Dapr client the delivery service's state and publishing use.
type Client interface {
	GetState(ctx context.Context, store, key string, meta map[string]string) (*dapr.StateItem, error)
	GetBulkState(ctx context.Context, store string, keys []string, meta map[string]string, parallelism int32) ([]*dapr.BulkStateItem, error)
	SaveBulkState(ctx context.Context, store string, items ...*dapr.SetStateItem) error
	PublishEvent(ctx context.Context, pubsub, topic string, data any, opts ...dapr.PublishEventOption) error
}

// Repository implements dispatch's Repository and Publisher on a Dapr state store and pub/sub.
type Repository struct {
	Client     Client
	StateStore string
}

var (
	_ dispatch.Repository = (*Repository)(nil)
	_ dispatch.Publisher  = (*Repository)(nil)
)

const (
	jobPrefix = "job:"
	zonesKey  = "zones"
	// placeholderTTL bounds how long a job that is only a remembered ready mark or cancellation
	// is kept: most are pickup orders, whose order.paid never makes them a delivery job.
	placeholderTTL = 24 * 60 * 60
)

func jobKey(orderID string) string   { return jobPrefix + orderID }
func rosterKey(zone string) string   { return "roster:" + zone }
func riderKey(riderID string) string { return "rider:" + riderID }

// ttl is the time to live of a job's record: placeholders expire, jobs of paid orders stay
// (a write without a TTL makes the record permanent again).
func ttl(j dispatch.Job) int {
	if j.Zone == "" {
		return placeholderTTL
	}
	return 0
}

// Job reads one job.
func (r *Repository) Job(ctx context.Context, orderID string) (dispatch.Job, dispatch.Token, error) {
	rec, tok, err := read[jobRecord](ctx, r, jobKey(orderID))
	return rec.domain(orderID), tok, err
}

// Jobs reads the jobs that exist among ids in one bulk call, keyed by order id.
func (r *Repository) Jobs(ctx context.Context, ids []string) (map[string]dispatch.Job, error) {
	out := make(map[string]dispatch.Job, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	keys := make([]string, len(ids))
	for i, id := range ids {
		keys[i] = jobKey(id)
	}
	items, err := daprconn.GetBulk[jobRecord](ctx, r.Client, r.StateStore, keys)
	if err != nil {
		return nil, fmt.Errorf("read %d jobs: %w", len(ids), err)
	}
	for _, it := range items {
		id := it.Key[len(jobPrefix):]
		out[id] = it.Value.domain(id)
	}
	return out, nil
}

// CreateJob writes a new job, create-only on every store.
func (r *Repository) CreateJob(ctx context.Context, j dispatch.Job) error {
	return r.create(ctx, jobKey(j.OrderID), toJobRecord(j), ttl(j))
}

// SaveJob writes the job if its ETag is still t.
func (r *Repository) SaveJob(ctx context.Context, j dispatch.Job, t dispatch.Token) error {
	return r.save(ctx, jobKey(j.OrderID), toJobRecord(j), t, ttl(j))
}

// Roster reads a zone's roster.
func (r *Repository) Roster(ctx context.Context, zone string) (dispatch.Roster, dispatch.Token, error) {
	rec, tok, err := read[rosterRecord](ctx, r, rosterKey(zone))
	return rec.domain(zone), tok, err
}

// CreateRoster writes a new zone's roster, create-only.
func (r *Repository) CreateRoster(ctx context.Context, ro dispatch.Roster) error {
	return r.create(ctx, rosterKey(ro.Zone), toRosterRecord(ro), 0)
}

// SaveRoster writes the roster if its ETag is still t: the write every dispatch goes through.
func (r *Repository) SaveRoster(ctx context.Context, ro dispatch.Roster, t dispatch.Token) error {
	return r.save(ctx, rosterKey(ro.Zone), toRosterRecord(ro), t, 0)
}

// read reads key's record; dispatch.ErrNotFound when absent.
func read[R any](ctx context.Context, r *Repository, key string) (R, dispatch.Token, error) {
	var rec R
	etag, found, err := daprconn.Get(ctx, r.Client, r.StateStore, key, &rec)
	if err == nil && !found {
		err = dispatch.ErrNotFound
	}
	return rec, dispatch.Token(etag), err
}

// create stores rec under key, create-only on every store; ttl > 0 is a time to live in seconds.
func (r *Repository) create(ctx context.Context, key string, rec any, ttl int) error {
	raw, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	return daprconn.CreateTTL(ctx, r.Client, r.StateStore, key, raw, ttl)
}

// save stores rec under key while its ETag is still t; ttl as in create, given on every write
// of a record that should expire (a write without one makes it permanent again).
func (r *Repository) save(ctx context.Context, key string, rec any, t dispatch.Token, ttl int) error {
	if t == "" {
		return fmt.Errorf("save %s: no token", key) // would silently be a create
	}
	raw, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	return daprconn.SaveTTL(ctx, r.Client, r.StateStore, key, raw, string(t), ttl)
}

// RiderZone is the zone the rider is registered in.
func (r *Repository) RiderZone(ctx context.Context, riderID string) (string, error) {
	var rec riderRecord
	_, found, err := daprconn.Get(ctx, r.Client, r.StateStore, riderKey(riderID), &rec)
	switch {
	case err != nil:
		return "", err
	case !found:
		return "", dispatch.ErrNotFound
	}
	return rec.Zone, nil
}

// SetRiderZone records the rider's zone (the last write wins: the PUT that wrote it last).
func (r *Repository) SetRiderZone(ctx context.Context, riderID, zone string) error {
	raw, err := json.Marshal(riderRecord{Zone: zone})
	if err != nil {
		return err
	}
	return r.Client.SaveBulkState(ctx, r.StateStore, &dapr.SetStateItem{Key: riderKey(riderID), Value: raw})
}

// Zones lists the zones set up.
func (r *Repository) Zones(ctx context.Context) ([]string, error) {
	var zones []string
	if _, _, err := daprconn.Get(ctx, r.Client, r.StateStore, zonesKey, &zones); err != nil {
		return nil, err
	}
	return zones, nil
}

// AddZone lists a zone (once), with the list's ETag: concurrent additions all stay.
func (r *Repository) AddZone(ctx context.Context, zone string) error {
	return occ.Retry(ctx, func(ctx context.Context) error {
		var zones []string
		etag, found, err := daprconn.Get(ctx, r.Client, r.StateStore, zonesKey, &zones)
		if err != nil || slices.Contains(zones, zone) {
			return err
		}
		raw, err := json.Marshal(append(zones, zone))
		if err != nil {
			return err
		}
		if !found {
			return daprconn.Create(ctx, r.Client, r.StateStore, zonesKey, raw)
		}
		return daprconn.Save(ctx, r.Client, r.StateStore, zonesKey, raw, etag)
	})
}

// PublishDelivery publishes a delivery event to the deliveries topic. The CloudEvent id names the
// job, the change and the attempt, so a republished event carries the id of the first.
func (r *Repository) PublishDelivery(ctx context.Context, e event.DeliveryJob) error {
	return r.Client.PublishEvent(ctx, event.PubSub, event.TopicDeliveries, e,
		dapr.PublishEventWithMetadata(map[string]string{"cloudevent.id": e.OrderID + "/" + e.EventType()}))
}
