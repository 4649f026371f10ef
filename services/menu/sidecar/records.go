package sidecar

import (
	"time"

	"github.com/canteen/canteen/services/menu/catalog"
)

// storeRecord and dishRecord are the stored JSON forms. Field names are the contract with any
// other implementation reading this store, so they change only with a migration.
type storeRecord struct {
	Name    string         `json:"name"`
	Zone    string         `json:"zone"`
	Hours   []windowRecord `json:"hours,omitempty"`
	Busy    bool           `json:"busy"`
	Version int64          `json:"version"`
	DishIDs []string       `json:"dish_ids,omitempty"`
	Kitchen *kitchenRecord `json:"kitchen,omitempty"`
}

// kitchenRecord is the store's load as its kitchen last announced it.
type kitchenRecord struct {
	Busy         bool      `json:"busy,omitempty"`
	OverCapacity bool      `json:"over_capacity,omitempty"`
	WaitSeconds  int64     `json:"wait_seconds"`
	Seq          int64     `json:"seq"`
	At           time.Time `json:"at"`
}

type windowRecord struct {
	Open  string `json:"open"`
	Close string `json:"close"`
}

type dishRecord struct {
	Name       string    `json:"name"`
	Category   string    `json:"category"`
	PriceCents int64     `json:"price_cents"`
	ImageURL   string    `json:"image_url,omitempty"`
	SoldOut    bool      `json:"sold_out"`
	Version    int64     `json:"version"`
	OutOfStock bool      `json:"out_of_stock,omitempty"`
	StockAsOf  time.Time `json:"stock_as_of,omitzero"`
}

func toStoreRecord(s catalog.Store) storeRecord {
	rec := storeRecord{Name: s.Name, Zone: s.Zone, Busy: s.Busy, Version: s.Version, DishIDs: s.DishIDs}
	if k := s.Kitchen; k.Seq > 0 {
		rec.Kitchen = &kitchenRecord{Busy: k.Busy, OverCapacity: k.OverCapacity, WaitSeconds: int64(k.Wait / time.Second), Seq: k.Seq, At: k.At}
	}
	for _, w := range s.Hours {
		rec.Hours = append(rec.Hours, windowRecord(w))
	}
	return rec
}

func (rec storeRecord) domain(id string) catalog.Store {
	s := catalog.Store{ID: id, Name: rec.Name, Zone: rec.Zone, Busy: rec.Busy, Version: rec.Version, DishIDs: rec.DishIDs}
	if k := rec.Kitchen; k != nil {
		s.Kitchen = catalog.KitchenLoad{Busy: k.Busy, OverCapacity: k.OverCapacity, Wait: time.Duration(k.WaitSeconds) * time.Second, Seq: k.Seq, At: k.At}
	}
	for _, w := range rec.Hours {
		s.Hours = append(s.Hours, catalog.Window(w))
	}
	return s
}

func toDishRecord(d catalog.Dish) dishRecord {
	return dishRecord{Name: d.Name, Category: d.Category, PriceCents: d.PriceCents, ImageURL: d.ImageURL, SoldOut: d.SoldOut, Version: d.Version, OutOfStock: d.OutOfStock, StockAsOf: d.StockAsOf}
}

func (rec dishRecord) domain(storeID, id string) catalog.Dish {
	return catalog.Dish{
		ID: id, StoreID: storeID, Name: rec.Name, Category: rec.Category, PriceCents: rec.PriceCents,
		ImageURL: rec.ImageURL, SoldOut: rec.SoldOut, Version: rec.Version, OutOfStock: rec.OutOfStock, StockAsOf: rec.StockAsOf,
	}
}
