package catalog

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync/atomic"
	"time"

	"github.com/canteen/canteen/services/internal/occ"
)

// Token is the storage's concurrency token (a Dapr ETag) for a record as it was read; writing with
// it succeeds only if nobody wrote in between. The zero Token writes a new record; catalog uses it
// only with freshly generated ids, because stores differ on what it does to an existing key.
type Token string

// Repository is where stores and dishes live. Put* return occ.ErrConflict when the token is stale.
type Repository interface {
	Store(ctx context.Context, id string) (Store, Token, error)
	PutStore(ctx context.Context, s Store, t Token) error
	Dish(ctx context.Context, storeID, id string) (Dish, Token, error)
	PutDish(ctx context.Context, d Dish, t Token) error
	// Dishes returns the dishes with the given ids that exist, in the order of ids.
	Dishes(ctx context.Context, storeID string, ids []string) ([]Dish, error)
}

// Service is the menu use cases: staff edits and customer browsing.
type Service struct {
	repo  Repository
	newID func() string
	menus *cache
	loads atomic.Uint64 // numbers each menu load (Menu.Load)
}

// NewService returns a Service over repo. Menus are served from memory for up to menuTTL after
// they were read; see cache for how that stays correct.
func NewService(repo Repository, newID func() string, menuTTL time.Duration) *Service {
	return &Service{repo: repo, newID: newID, menus: newCache(menuTTL)}
}

// CreateStore adds a store with an empty menu.
func (s *Service) CreateStore(ctx context.Context, in StoreInput) (Store, error) {
	st, err := NewStore(s.newID(), in)
	if err != nil {
		return Store{}, err
	}
	if err := s.repo.PutStore(ctx, st, ""); err != nil {
		return Store{}, fmt.Errorf("create store: %w", err)
	}
	return st, nil
}

// Store returns one store.
func (s *Service) Store(ctx context.Context, id string) (Store, error) {
	st, _, err := s.repo.Store(ctx, id)
	return st, err
}

// UpdateStore replaces a store's details; ErrStale when version is not the current one.
func (s *Service) UpdateStore(ctx context.Context, id string, version int64, in StoreInput) (Store, error) {
	var out Store
	err := occ.Retry(ctx, func(ctx context.Context) error {
		cur, tok, err := s.repo.Store(ctx, id)
		if err != nil {
			return err
		}
		if out, err = cur.Update(version, in); err != nil {
			return err
		}
		return s.repo.PutStore(ctx, out, tok)
	})
	s.menus.forget(id)
	return out, err
}

// CreateDish adds a dish to a store's menu. The dish is written before it is listed on the store,
// so the menu never lists a dish that does not exist; a crash between the two leaves an unlisted
// dish nobody can see, never a broken menu.
func (s *Service) CreateDish(ctx context.Context, storeID string, in DishInput) (Dish, error) {
	if _, _, err := s.repo.Store(ctx, storeID); err != nil {
		return Dish{}, err
	}
	d, err := NewDish(storeID, s.newID(), in)
	if err != nil {
		return Dish{}, err
	}
	if err := s.repo.PutDish(ctx, d, ""); err != nil {
		return Dish{}, fmt.Errorf("create dish: %w", err)
	}
	err = occ.Retry(ctx, func(ctx context.Context) error {
		st, tok, err := s.repo.Store(ctx, storeID)
		if err != nil {
			return err
		}
		st.DishIDs = append(slices.Clip(st.DishIDs), d.ID)
		return s.repo.PutStore(ctx, st, tok)
	})
	s.menus.forget(storeID)
	if err != nil {
		return Dish{}, fmt.Errorf("list dish %s on store %s: %w", d.ID, storeID, err)
	}
	return d, nil
}

// Dish returns one dish of a store.
func (s *Service) Dish(ctx context.Context, storeID, id string) (Dish, error) {
	d, _, err := s.repo.Dish(ctx, storeID, id)
	return d, err
}

// UpdateDish replaces a dish; ErrStale when version is not the current one.
func (s *Service) UpdateDish(ctx context.Context, storeID, id string, version int64, in DishInput) (Dish, error) {
	var out Dish
	err := occ.Retry(ctx, func(ctx context.Context) error {
		cur, tok, err := s.repo.Dish(ctx, storeID, id)
		if err != nil {
			return err
		}
		if out, err = cur.Update(version, in); err != nil {
			return err
		}
		return s.repo.PutDish(ctx, out, tok)
	})
	s.menus.forget(storeID)
	return out, err
}

// ApplyStock marks a dish out of stock or back in stock from an inventory event written at at.
// A dish this service does not know is not an error: the event may concern a dish created elsewhere
// or deleted since, and redelivering it would never help.
func (s *Service) ApplyStock(ctx context.Context, storeID, dishID string, outOfStock bool, at time.Time) error {
	return s.applyEvent(ctx, storeID, func(ctx context.Context) error {
		d, tok, err := s.repo.Dish(ctx, storeID, dishID)
		if err != nil || !d.ApplyStock(outOfStock, at) {
			return err
		}
		return s.repo.PutDish(ctx, d, tok)
	})
}

// applyEvent runs another service's event's change to a store's records (retried on conflicts)
// and forgets the store's cached menu. A record the event names that does not exist is done:
// redelivering the event would never help.
func (s *Service) applyEvent(ctx context.Context, storeID string, change func(context.Context) error) error {
	err := occ.Retry(ctx, change)
	s.menus.forget(storeID)
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	return err
}

// Menu is what a customer browses: a store and its dishes grouped by category.
type Menu struct {
	Store      Store
	Categories []Category
	// Load tells this replica's loads of menus apart: two menus with the same Load are the same
	// cached menu, so what a caller derives from one (the API's encoding of it) holds for the other.
	Load uint64
}

// Category is one section of a menu, in the order its first dish was added.
type Category struct {
	Name   string
	Dishes []Dish
}

// Menu returns a store's menu, from memory when it was read within the cache's lifetime.
func (s *Service) Menu(ctx context.Context, storeID string) (Menu, error) {
	return s.menus.get(ctx, storeID, func(ctx context.Context) (Menu, error) {
		st, _, err := s.repo.Store(ctx, storeID)
		if err != nil {
			return Menu{}, err
		}
		dishes, err := s.repo.Dishes(ctx, storeID, st.DishIDs)
		if err != nil {
			return Menu{}, fmt.Errorf("menu of %s: %w", storeID, err)
		}
		return Menu{Store: st, Categories: groupByCategory(dishes), Load: s.loads.Add(1)}, nil
	})
}

func groupByCategory(dishes []Dish) []Category {
	var cats []Category
	index := map[string]int{}
	for _, d := range dishes {
		i, ok := index[d.Category]
		if !ok {
			i = len(cats)
			index[d.Category] = i
			cats = append(cats, Category{Name: d.Category})
		}
		cats[i].Dishes = append(cats[i].Dishes, d)
	}
	return cats
}

// IsNotFound reports whether err means the store or dish does not exist.
func IsNotFound(err error) bool { return errors.Is(err, ErrNotFound) }
