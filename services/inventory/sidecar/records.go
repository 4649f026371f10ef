package sidecar

import "github.com/canteen/canteen/services/inventory/stock"

// bucketRecord and reservationRecord are the stored JSON forms: the contract with any other
// implementation reading this store, changed only with a migration (new fields are optional).
type bucketRecord struct {
	Restocked int64            `json:"restocked"`
	Sold      int64            `json:"sold"`
	Available int64            `json:"available"`
	Holds     map[string]int64 `json:"holds,omitempty"`
	SoldTo    map[string]int64 `json:"sold_to,omitempty"`
	Restocks  []string         `json:"restocks,omitempty"`
	Buckets   int              `json:"buckets,omitempty"`
}

type reservationRecord struct {
	Status  string       `json:"status"`
	Lines   []lineRecord `json:"lines"`
	SoldOut *itemRecord  `json:"sold_out,omitempty"`
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

func toBucketRecord(b stock.Bucket) bucketRecord { return bucketRecord(b) }

func (r bucketRecord) domain() stock.Bucket { return stock.Bucket(r) }

func toItemRecord(it stock.Item) itemRecord { return itemRecord(it) }

func (r itemRecord) domain() stock.Item { return stock.Item(r) }

func toReservationRecord(r stock.Reservation) reservationRecord {
	rec := reservationRecord{Status: string(r.Status)}
	for _, l := range r.Lines {
		rec.Lines = append(rec.Lines, lineRecord{itemRecord: toItemRecord(l.Item), Quantity: l.Quantity})
	}
	if r.SoldOut != (stock.Item{}) {
		it := toItemRecord(r.SoldOut)
		rec.SoldOut = &it
	}
	return rec
}

func (r reservationRecord) domain(order string) stock.Reservation {
	res := stock.Reservation{OrderID: order, Status: stock.Status(r.Status)}
	for _, l := range r.Lines {
		res.Lines = append(res.Lines, stock.Line{Item: l.itemRecord.domain(), Quantity: l.Quantity})
	}
	if r.SoldOut != nil {
		res.SoldOut = r.SoldOut.domain()
	}
	return res
}
