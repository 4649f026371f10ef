package sidecar

import "github.com/canteen/canteen/services/inventory/stock"

// bucketRecord and reservationRecord are the stored JSON forms: the contract with any other
// implementation reading this store, changed only with a migration.
type bucketRecord struct {
	Restocked int64            `json:"restocked"`
	Sold      int64            `json:"sold"`
	Available int64            `json:"available"`
	Holds     map[string]int64 `json:"holds,omitempty"`
	Restocks  []string         `json:"restocks,omitempty"`
	Buckets   int              `json:"buckets,omitempty"`
}

type reservationRecord struct {
	Status string       `json:"status"`
	Lines  []lineRecord `json:"lines"`
}

type lineRecord struct {
	StoreID  string `json:"store_id"`
	DishID   string `json:"dish_id"`
	Period   string `json:"period"`
	Quantity int64  `json:"quantity"`
}

func toBucketRecord(b stock.Bucket) bucketRecord { return bucketRecord(b) }

func (r bucketRecord) domain() stock.Bucket { return stock.Bucket(r) }

func toReservationRecord(r stock.Reservation) reservationRecord {
	rec := reservationRecord{Status: string(r.Status)}
	for _, l := range r.Lines {
		rec.Lines = append(rec.Lines, lineRecord{StoreID: l.StoreID, DishID: l.DishID, Period: l.Period, Quantity: l.Quantity})
	}
	return rec
}

func (r reservationRecord) domain(order string) stock.Reservation {
	res := stock.Reservation{OrderID: order, Status: stock.Status(r.Status)}
	for _, l := range r.Lines {
		res.Lines = append(res.Lines, stock.Line{Item: stock.Item{StoreID: l.StoreID, DishID: l.DishID, Period: l.Period}, Quantity: l.Quantity})
	}
	return res
}
