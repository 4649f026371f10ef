package e2e

// A store's kitchen load reaches the menu and checkout, through real sidecars: staff set the
// store's capacity at the kitchen, the store's actor announces its load on the stores topic, the
// menu shows it (store.kitchen), and checkout, reading the menu as it already does, answers 201
// with a kitchen_busy warning. No timing is asserted; every eventual effect is polled, bounded.

import (
	"net/http"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// kitchenLoad is store.kitchen in the menu's store and menu answers; nil until the kitchen spoke.
type kitchenLoad struct {
	Busy        bool  `json:"busy"`
	WaitMinutes int64 `json:"wait_minutes"`
}

type storeWithKitchen struct {
	Version int64        `json:"version"`
	Kitchen *kitchenLoad `json:"kitchen"`
}

type warnedOrder struct {
	ID       string `json:"id"`
	Status   string `json:"status"`
	Warnings []struct {
		Code        string `json:"code"`
		Message     string `json:"message"`
		WaitMinutes int64  `json:"wait_minutes"`
	} `json:"warnings"`
}

func setCapacity(t *testing.T, store string, limit int, busy bool) {
	t.Helper()
	r := call(t, http.MethodPut, kitchenURL("stores/"+store+"/capacity"), map[string]any{"limit": limit, "busy": busy})
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Body)
}

// menuKitchen is the store's kitchen load as the customers' menu shows it.
func menuKitchen(t *testing.T, store string) *kitchenLoad {
	t.Helper()
	r := call(t, http.MethodGet, menuURL("stores/"+store+"/menu"), nil)
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Body)
	return decode[struct {
		Store storeWithKitchen `json:"store"`
	}](t, r).Store.Kitchen
}

// checkoutOne checks out one unit as a new customer; the order is placed (201) whatever it warns.
func checkoutOne(t *testing.T, store, dish string) warnedOrder {
	t.Helper()
	r, err := checkout("load-"+uuid.NewString()[:8], uuid.NewString(), orderBody(store, dish, 1))
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, r.Status, "%s", r.Body)
	return decode[warnedOrder](t, r)
}

// Staff switch the kitchen busy: the menu shows it with the wait, a checkout is placed with a
// kitchen_busy warning, a staff edit of the store keeps it, and switching busy off clears both.
func TestAKitchenSwitchedBusyShowsOnTheMenuAndWarnsAtCheckout(t *testing.T) {
	store, dish := saleStore(t, 20, 1)
	setCapacity(t, store, 0, true)

	var k *kitchenLoad
	poll(t, settleWithin, func() bool {
		k = menuKitchen(t, store)
		return k != nil && k.Busy
	}, "the menu shows the kitchen busy")
	assert.Positive(t, k.WaitMinutes, "with the kitchen's estimate")
	s := decode[storeWithKitchen](t, call(t, http.MethodGet, menuURL("stores/"+store), nil))
	require.NotNil(t, s.Kitchen, "GET /stores/{id} shows it too")
	assert.True(t, s.Kitchen.Busy)

	// Checkout reads the menu through its own short cache: poll, each try a new order.
	var o warnedOrder
	poll(t, settleWithin, func() bool {
		o = checkoutOne(t, store, dish)
		return len(o.Warnings) > 0
	}, "a checkout at the busy kitchen warns")
	assert.Equal(t, "pending_payment", o.Status, "the order is placed all the same")
	require.Len(t, o.Warnings, 1)
	assert.Equal(t, "kitchen_busy", o.Warnings[0].Code)
	assert.NotEmpty(t, o.Warnings[0].Message)
	assert.Positive(t, o.Warnings[0].WaitMinutes)

	// A staff edit of the store's details does not overwrite the kitchen's load, nor is it made stale by it.
	r := call(t, http.MethodPut, menuURL("stores/"+store), map[string]any{"name": "Renamed", "zone": "north-campus", "version": s.Version})
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Body)
	edited := decode[storeWithKitchen](t, r)
	require.NotNil(t, edited.Kitchen)
	assert.True(t, edited.Kitchen.Busy)

	setCapacity(t, store, 0, false)
	poll(t, settleWithin, func() bool {
		k := menuKitchen(t, store)
		return k != nil && !k.Busy
	}, "the menu shows the kitchen calm again")
	poll(t, settleWithin, func() bool { return len(checkoutOne(t, store, dish).Warnings) == 0 }, "checkout no longer warns")
}

// A store at its limit of open tickets is busy to customers until a ticket leaves: the paid
// order's admission, and then its rejection, are what change the load.
func TestAStoreAtItsLimitShowsBusyUntilATicketLeaves(t *testing.T) {
	o, _ := paidOrder(t)
	store, _ := dishOf(t, o)
	awaitTicket(t, store, o.ID)
	setCapacity(t, store, 1, false)
	poll(t, settleWithin, func() bool {
		k := menuKitchen(t, store)
		return k != nil && k.Busy
	}, "one open ticket, a limit of one: the menu shows the store busy")

	r := call(t, http.MethodPost, kitchenURL("stores/"+store+"/tickets/"+o.ID+"/reject"), map[string]any{"reason": "out of rice"})
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Body)
	poll(t, settleWithin, func() bool {
		k := menuKitchen(t, store)
		return k != nil && !k.Busy
	}, "the ticket left: the store is under its limit again")
}

// publishLoad publishes a store load event through the Dapr publish API, as the kitchen does.
func publishLoad(t *testing.T, store string, busy bool, waitMinutes, seq int64) {
	t.Helper()
	r := call(t, http.MethodPost, platform.App("menu").DaprURL("/v1.0/publish/pubsub/stores"), map[string]any{
		"type": "store.load_changed", "store_id": store, "busy": busy, "over_capacity": false,
		"wait_seconds": waitMinutes * 60, "seq": seq, "at": time.Now().UTC(),
	})
	require.Equal(t, http.StatusNoContent, r.Status, "%s", r.Body)
}

// The menu keeps a store's latest announcement by its seq: a late older one, a repeat and a
// poison message change nothing, a newer one wins.
func TestTheMenuKeepsTheKitchensLatestLoadBySeq(t *testing.T) {
	s := createStore(t, "Load Canteen")
	publishLoad(t, s.ID, true, 25, 5)
	poll(t, settleWithin, func() bool {
		k := menuKitchen(t, s.ID)
		return k != nil && k.Busy && k.WaitMinutes == 25
	}, "the menu shows the announced load")

	r := call(t, http.MethodPost, platform.App("menu").DaprURL("/v1.0/publish/pubsub/stores"), `{"type":"store.load_changed","store_id":"a||b"}`)
	require.Equal(t, http.StatusNoContent, r.Status, "%s", r.Body)
	publishLoad(t, s.ID, false, 4, 3) // older, arriving late
	publishLoad(t, s.ID, true, 25, 5) // a repeat
	publishLoad(t, s.ID, true, 30, 6)
	poll(t, settleWithin, func() bool { return menuKitchen(t, s.ID).WaitMinutes == 30 }, "the newer announcement wins")
	time.Sleep(time.Second) // give a wrongly applied stale event the chance to show
	k := menuKitchen(t, s.ID)
	assert.True(t, k.Busy)
	assert.EqualValues(t, 30, k.WaitMinutes)
}
