package catalog

import (
	"strings"
	"time"
	"unicode/utf8"
)

// Limits on what staff may enter; they keep a menu renderable on a phone and bound storage.
const (
	MaxNameLen     = 80
	MaxZoneLen     = 40
	MaxWindows     = 6
	MaxCategoryLen = 40
	MaxURLLen      = 512
	MaxPriceCents  = 1_000_000 // 10,000.00 in the store's currency: far above any canteen dish
)

// Window is a daily opening interval in the store's local time, "HH:MM" each, Open before Close.
type Window struct {
	Open, Close string
}

// StoreInput is what staff send to create or replace a store's details.
type StoreInput struct {
	Name  string
	Zone  string // the campus zone, used for delivery dispatch
	Hours []Window
	Busy  bool // a busy store still shows its menu but takes no new orders
}

// Store is a canteen or restaurant. Version counts its updates; callers echo it to update.
type Store struct {
	ID      string
	Name    string
	Zone    string
	Hours   []Window
	Busy    bool
	Version int64
	DishIDs []string // the menu's dishes in the order they were added; not part of Version
	Kitchen KitchenLoad
}

// Validate checks the input field by field and names the first field at fault.
func (in StoreInput) Validate() error {
	if err := text("name", in.Name, MaxNameLen); err != nil {
		return err
	}
	if err := text("zone", in.Zone, MaxZoneLen); err != nil {
		return err
	}
	if len(in.Hours) > MaxWindows {
		return invalid("opening_hours", "has %d windows; at most %d", len(in.Hours), MaxWindows)
	}
	for _, w := range in.Hours {
		open, err1 := time.Parse("15:04", w.Open)
		closing, err2 := time.Parse("15:04", w.Close)
		if err1 != nil || err2 != nil {
			return invalid("opening_hours", "must be HH:MM times, got %q-%q", w.Open, w.Close)
		}
		if !open.Before(closing) {
			return invalid("opening_hours", "window %s-%s closes before it opens", w.Open, w.Close)
		}
	}
	return nil
}

// NewStore validates in and returns the first version of a store with the given id.
func NewStore(id string, in StoreInput) (Store, error) {
	if err := in.Validate(); err != nil {
		return Store{}, err
	}
	return Store{ID: id, Name: strings.TrimSpace(in.Name), Zone: strings.TrimSpace(in.Zone), Hours: in.Hours, Busy: in.Busy, Version: 1}, nil
}

// Update replaces the store's details if version is current.
func (s Store) Update(version int64, in StoreInput) (Store, error) {
	if version != s.Version {
		return Store{}, ErrStale
	}
	next, err := NewStore(s.ID, in)
	if err != nil {
		return Store{}, err
	}
	next.Version, next.DishIDs, next.Kitchen = s.Version+1, s.DishIDs, s.Kitchen
	return next, nil
}

func text(field, v string, max int) error {
	v = strings.TrimSpace(v)
	switch {
	case v == "":
		return invalid(field, "is required")
	case !utf8.ValidString(v):
		return invalid(field, "is not valid UTF-8")
	case utf8.RuneCountInString(v) > max:
		return invalid(field, "is longer than %d characters", max)
	}
	return nil
}
