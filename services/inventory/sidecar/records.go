package sidecar

import (
	"github.com/canteen/canteen/services/inventory/stock"
)

// bucketRecord, reservationRecord and restockRecord are the stored JSON forms: the
// contract with any other implementation reading this store, changed only with a migration (new
// fields are optional).
//
// Migration from the first bucket form: "holds" (order id -> units) is read as one part per order
// with the empty part id, which a reservation record without parts (also of the first form) owns;
// "sold_to" is no longer read, and drops out at the bucket's next write.
type bucketRecord struct {
	Restocked int64            `json:"restocked"`
	Sold      int64            `json:"sold"`
	Available int64            `json:"available"`
	Parts     map[string]int64 `json:"parts,omitempty"`
	Restocks  []string         `json:"restocks,omitempty"`
	Returns   []string         `json:"returns,omitempty"`
	Buckets   int              `json:"buckets,omitempty"`
	// LegacyHolds is the first form's holds, read and never written.
	LegacyHolds map[string]int64 `json:"holds,omitempty"`
}

type reservationRecord struct {
	Status  string       `json:"status"`
	Lines   []lineRecord `json:"lines"`
	Digest  string       `json:"digest,omitempty"`
	Parts   []partRecord `json:"parts,omitempty"`
	SoldOut *itemRecord  `json:"sold_out,omitempty"`
}

type restockRecord struct {
	RestockID string `json:"restock_id"`
}

type itemRecord struct {
	StoreID string `json:"store_id"`
	DishID  string `json:"dish_id"`
	Period  string `json:"period"`
}

type lineRecord struct {
	itemRecord
	Quantity int64 `json:"quantity"`
}

type partRecord struct {
	itemRecord
	Bucket   int    `json:"bucket"`
	ID       string `json:"id"`
	Quantity int64  `json:"quantity"`
}

func toBucketRecord(b stock.Bucket) bucketRecord {
	return bucketRecord{Restocked: b.Restocked, Sold: b.Sold, Available: b.Available, Parts: b.Parts, Restocks: b.Restocks, Returns: b.Returns, Buckets: b.Buckets}
}

func (r bucketRecord) domain() stock.Bucket {
	b := stock.Bucket{Restocked: r.Restocked, Sold: r.Sold, Available: r.Available, Parts: r.Parts, Restocks: r.Restocks, Returns: r.Returns, Buckets: r.Buckets}
	for order, q := range r.LegacyHolds {
		if b.Parts == nil {
			b.Parts = map[string]int64{}
		}
		b.Parts[stock.PartKey(order, "")] += q
	}
	return b
}

func toItemRecord(it stock.Item) itemRecord { return itemRecord(it) }

func (r itemRecord) domain() stock.Item { return stock.Item(r) }

func toLineRecords(lines []stock.Line) []lineRecord {
	out := make([]lineRecord, 0, len(lines))
	for _, l := range lines {
		out = append(out, lineRecord{itemRecord: toItemRecord(l.Item), Quantity: l.Quantity})
	}
	return out
}

func linesOf(recs []lineRecord) []stock.Line {
	var out []stock.Line
	for _, l := range recs {
		out = append(out, stock.Line{Item: l.itemRecord.domain(), Quantity: l.Quantity})
	}
	return out
}

func toReservationRecord(r stock.Reservation) reservationRecord {
	rec := reservationRecord{Status: string(r.Status), Lines: toLineRecords(r.Lines), Digest: r.Digest}
	for _, p := range r.Parts {
		rec.Parts = append(rec.Parts, partRecord{itemRecord: toItemRecord(p.Item), Bucket: p.Bucket, ID: p.ID, Quantity: p.Quantity})
	}
	if r.SoldOut != (stock.Item{}) {
		it := toItemRecord(r.SoldOut)
		rec.SoldOut = &it
	}
	return rec
}

func (r reservationRecord) domain(order string) stock.Reservation {
	res := stock.Reservation{OrderID: order, Status: stock.Status(r.Status), Lines: linesOf(r.Lines), Digest: r.Digest}
	for _, p := range r.Parts {
		res.Parts = append(res.Parts, stock.Part{Item: p.itemRecord.domain(), Bucket: p.Bucket, ID: p.ID, Quantity: p.Quantity})
	}
	if r.SoldOut != nil {
		res.SoldOut = r.SoldOut.domain()
	}
	return res
}
