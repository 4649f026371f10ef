package httpapi

import (
	"time"

	"github.com/canteen/canteen/services/menu/catalog"
)

// windowJSON is a daily opening interval, "HH:MM" local time.
type windowJSON struct {
	Open  string `json:"open"`
	Close string `json:"close"`
}

// storeRequest creates a store (POST) or replaces its details (PUT, with version).
type storeRequest struct {
	Name         string       `json:"name"`
	Zone         string       `json:"zone"`
	OpeningHours []windowJSON `json:"opening_hours"`
	Busy         bool         `json:"busy"`
	Version      *int64       `json:"version"`
}

type storeResponse struct {
	ID           string           `json:"id"`
	Name         string           `json:"name"`
	Zone         string           `json:"zone"`
	OpeningHours []windowJSON     `json:"opening_hours"`
	Busy         bool             `json:"busy"`
	Version      int64            `json:"version"`
	Kitchen      *kitchenResponse `json:"kitchen,omitempty"`
}

// kitchenResponse is the store's load as its kitchen last announced it; the store still takes
// orders, unlike a busy store.
type kitchenResponse struct {
	Busy        bool      `json:"busy"`
	WaitMinutes int64     `json:"wait_minutes"`
	AsOf        time.Time `json:"as_of"`
}

// dishRequest creates a dish (POST) or replaces it (PUT, with version).
type dishRequest struct {
	Name       string `json:"name"`
	Category   string `json:"category"`
	PriceCents int64  `json:"price_cents"`
	ImageURL   string `json:"image_url"`
	SoldOut    bool   `json:"sold_out"`
	Version    *int64 `json:"version"`
}

type dishResponse struct {
	ID         string `json:"id"`
	StoreID    string `json:"store_id"`
	Name       string `json:"name"`
	Category   string `json:"category"`
	PriceCents int64  `json:"price_cents"`
	ImageURL   string `json:"image_url,omitempty"`
	SoldOut    bool   `json:"sold_out"`
	OutOfStock bool   `json:"out_of_stock"`
	Orderable  bool   `json:"orderable"`
	Version    int64  `json:"version"`
}

type menuResponse struct {
	Store      storeResponse      `json:"store"`
	Categories []categoryResponse `json:"categories"`
}

type categoryResponse struct {
	Name   string         `json:"name"`
	Dishes []dishResponse `json:"dishes"`
}

func (r storeRequest) domain() catalog.StoreInput {
	in := catalog.StoreInput{Name: r.Name, Zone: r.Zone, Busy: r.Busy}
	for _, w := range r.OpeningHours {
		in.Hours = append(in.Hours, catalog.Window(w))
	}
	return in
}

func (r dishRequest) domain() catalog.DishInput {
	return catalog.DishInput{Name: r.Name, Category: r.Category, PriceCents: r.PriceCents, ImageURL: r.ImageURL, SoldOut: r.SoldOut}
}

func toStoreResponse(s catalog.Store) storeResponse {
	out := storeResponse{ID: s.ID, Name: s.Name, Zone: s.Zone, Busy: s.Busy, Version: s.Version, OpeningHours: []windowJSON{}}
	if k := s.Kitchen; k.Seq > 0 {
		// The kitchen rounds its wait up to whole minutes or more; this rounds up whatever it sent.
		out.Kitchen = &kitchenResponse{Busy: k.Slow(), WaitMinutes: int64((k.Wait + time.Minute - 1) / time.Minute), AsOf: k.At}
	}
	for _, w := range s.Hours {
		out.OpeningHours = append(out.OpeningHours, windowJSON(w))
	}
	return out
}

func toDishResponse(d catalog.Dish) dishResponse {
	return dishResponse{
		ID: d.ID, StoreID: d.StoreID, Name: d.Name, Category: d.Category, PriceCents: d.PriceCents, ImageURL: d.ImageURL,
		SoldOut: d.SoldOut, OutOfStock: d.OutOfStock, Orderable: d.Orderable(), Version: d.Version,
	}
}

func toMenuResponse(m catalog.Menu) menuResponse {
	out := menuResponse{Store: toStoreResponse(m.Store), Categories: make([]categoryResponse, 0, len(m.Categories))}
	for _, c := range m.Categories {
		cr := categoryResponse{Name: c.Name, Dishes: make([]dishResponse, 0, len(c.Dishes))}
		for _, d := range c.Dishes {
			cr.Dishes = append(cr.Dishes, toDishResponse(d))
		}
		out.Categories = append(out.Categories, cr)
	}
	return out
}
