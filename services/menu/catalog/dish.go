package catalog

import (
	"net/url"
	"strings"
	"time"
)

// DishInput is what staff send to create or replace a dish.
type DishInput struct {
	Name       string
	Category   string
	PriceCents int64 // integer cents: money is never a float
	ImageURL   string
	SoldOut    bool
}

// Dish is one item on a store's menu. Version counts staff updates; callers echo it to update.
// SoldOut is the staff's switch; OutOfStock follows inventory's stock events, as of StockAsOf, and
// changes no Version so that it never makes a staff edit stale.
type Dish struct {
	ID         string
	StoreID    string
	Name       string
	Category   string
	PriceCents int64
	ImageURL   string
	SoldOut    bool
	Version    int64
	OutOfStock bool
	StockAsOf  time.Time
}

// Orderable reports whether customers can order the dish now.
func (d Dish) Orderable() bool { return !d.SoldOut && !d.OutOfStock }

// ApplyStock records inventory's word that the dish is (or is no longer) out of stock as of at.
// Events arrive at least once and in any order, so an older or repeated one changes nothing; it
// reports whether the dish changed.
func (d *Dish) ApplyStock(outOfStock bool, at time.Time) bool {
	if !at.After(d.StockAsOf) {
		return false
	}
	d.OutOfStock, d.StockAsOf = outOfStock, at
	return true
}

// Validate checks the input field by field and names the first field at fault.
func (in DishInput) Validate() error {
	if err := text("name", in.Name, MaxNameLen); err != nil {
		return err
	}
	if err := text("category", in.Category, MaxCategoryLen); err != nil {
		return err
	}
	if in.PriceCents <= 0 || in.PriceCents > MaxPriceCents {
		return invalid("price_cents", "must be between 1 and %d, got %d", MaxPriceCents, in.PriceCents)
	}
	if in.ImageURL != "" {
		if len(in.ImageURL) > MaxURLLen {
			return invalid("image_url", "is longer than %d characters", MaxURLLen)
		}
		u, err := url.Parse(in.ImageURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return invalid("image_url", "must be an absolute http(s) URL")
		}
	}
	return nil
}

// NewDish validates in and returns the first version of a dish of store storeID.
func NewDish(storeID, id string, in DishInput) (Dish, error) {
	if err := in.Validate(); err != nil {
		return Dish{}, err
	}
	return Dish{
		ID: id, StoreID: storeID, Name: strings.TrimSpace(in.Name), Category: strings.TrimSpace(in.Category),
		PriceCents: in.PriceCents, ImageURL: in.ImageURL, SoldOut: in.SoldOut, Version: 1,
	}, nil
}

// Update replaces the dish's details if version is current.
func (d Dish) Update(version int64, in DishInput) (Dish, error) {
	if version != d.Version {
		return Dish{}, ErrStale
	}
	next, err := NewDish(d.StoreID, d.ID, in)
	if err != nil {
		return Dish{}, err
	}
	next.Version, next.OutOfStock, next.StockAsOf = d.Version+1, d.OutOfStock, d.StockAsOf
	return next, nil
}
