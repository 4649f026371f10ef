package feed_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/canteen/canteen/services/notification/feed"
	"github.com/canteen/canteen/services/notification/feed/feedtest"
)

func ev(order, store, typ string) feed.Event {
	return feed.Event{Type: typ, OrderID: order, StoreID: store, CustomerID: "c-" + order, At: time.Unix(1764650000, 0).UTC(),
		Data: []byte(`{"type":"` + typ + `","order_id":"` + order + `"}`)}
}

func types(evs []feed.Event) []string {
	out := make([]string, len(evs))
	for i, e := range evs {
		out[i] = e.Type
	}
	return out
}

func ids(evs []feed.Event) []int64 {
	out := make([]int64, len(evs))
	for i, e := range evs {
		out[i] = e.ID
	}
	return out
}

func TestAnEventDeliveredTwiceIsInEachStreamOnce(t *testing.T) {
	ctx := context.Background()
	mem := feedtest.NewMemory()
	svc := feed.NewService(mem, feed.NewNotifier())
	for _, typ := range []string{"order.created", "order.created", "order.paid", "ticket.accepted", "order.paid"} {
		require.NoError(t, svc.Record(ctx, ev("o1", "s1", typ)))
	}
	writes := mem.HeadWrites
	require.NoError(t, svc.Record(ctx, ev("o1", "s1", "order.paid")))
	assert.Equal(t, writes, mem.HeadWrites, "a duplicate of a completed event writes nothing")

	for _, s := range []feed.Stream{feed.OrderStream("o1"), feed.StoreStream("s1")} {
		got, err := svc.Since(ctx, s, 0)
		require.NoError(t, err)
		assert.Equal(t, []string{"order.created", "order.paid", "ticket.accepted"}, types(got), s.String())
		assert.Equal(t, []int64{1, 2, 3}, ids(got), s.String())
	}
}

func TestConcurrentDuplicatesAndOrdersGetDenseIdsAndOneCopyEach(t *testing.T) {
	ctx := context.Background()
	svc := feed.NewService(feedtest.NewMemory(), feed.NewNotifier())
	var wg sync.WaitGroup
	for o := range 6 {
		for range 3 { // each event delivered three times at once
			wg.Add(1)
			go func() {
				defer wg.Done()
				assert.NoError(t, svc.Record(ctx, ev(fmt.Sprint("o", o), "s1", "order.created")))
			}()
		}
	}
	wg.Wait()
	got, err := svc.Since(ctx, feed.StoreStream("s1"), 0)
	require.NoError(t, err)
	assert.Equal(t, []int64{1, 2, 3, 4, 5, 6}, ids(got))
}

func TestAStoreStreamIsPagedAndReadBackFromAnyIdWithinWhatItKeeps(t *testing.T) {
	ctx := context.Background()
	mem := feedtest.NewMemory()
	svc := feed.NewService(mem, feed.NewNotifier())
	const n = 5*feed.PageSize + 7 // five sealed pages and a head of seven
	for i := range n {
		require.NoError(t, svc.Record(ctx, ev(fmt.Sprint("o", i), "busy", "order.created")))
	}
	s := feed.StoreStream("busy")
	h, _, err := mem.Head(ctx, s)
	require.NoError(t, err)
	assert.Len(t, h.Events, 7, "the head holds only the open page")

	for _, tc := range []struct {
		name        string
		from, first int64
	}{
		{"in the head", n - 3, n - 2},
		{"in the last page", n - 10, n - 9},
		{"two pages back", 3*feed.PageSize + 1, 3*feed.PageSize + 2},
		{"beyond what is kept resumes at the oldest kept", 10, 2*feed.PageSize + 1},
		{"from the start", 0, 2*feed.PageSize + 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := svc.Since(ctx, s, tc.from)
			require.NoError(t, err)
			require.NotEmpty(t, got)
			assert.Equal(t, tc.first, got[0].ID)
			assert.Equal(t, int64(n), got[len(got)-1].ID)
			for i := 1; i < len(got); i++ {
				assert.Equal(t, got[i-1].ID+1, got[i].ID, "no gap, no repeat")
			}
		})
	}
	t.Run("nothing after the last", func(t *testing.T) {
		got, err := svc.Since(ctx, s, n)
		require.NoError(t, err)
		assert.Empty(t, got)
	})
	t.Run("a duplicate just sealed into a page is still a duplicate", func(t *testing.T) {
		require.NoError(t, svc.Record(ctx, ev(fmt.Sprint("o", n-8), "busy", "order.created")))
		got, err := svc.Since(ctx, s, n-1)
		require.NoError(t, err)
		assert.Len(t, got, 1)
	})
	t.Run("an expired page is skipped, not an error", func(t *testing.T) {
		mem.Expire(s, 3)
		got, err := svc.Since(ctx, s, 0)
		require.NoError(t, err)
		assert.Equal(t, (feed.KeepPages-1)*feed.PageSize+7, len(got), "the kept pages but the expired one, and the head")
	})
}

func TestTheOrdersCustomerComesFromOrderEventsEvenAfterATicketEvent(t *testing.T) {
	ctx := context.Background()
	svc := feed.NewService(feedtest.NewMemory(), feed.NewNotifier())
	tk := ev("o1", "s1", "ticket.accepted")
	tk.CustomerID = ""
	require.NoError(t, svc.Record(ctx, tk))
	assert.ErrorIs(t, svc.Customer(ctx, "o1", "c-o1"), feed.ErrNotFound, "no order event yet: nobody's")
	require.NoError(t, svc.Record(ctx, ev("o1", "s1", "order.created")))
	assert.NoError(t, svc.Customer(ctx, "o1", "c-o1"))
	assert.ErrorIs(t, svc.Customer(ctx, "o1", "someone-else"), feed.ErrNotFound)
	assert.ErrorIs(t, svc.Customer(ctx, "o1", ""), feed.ErrNotFound)
	assert.ErrorIs(t, svc.Customer(ctx, "o9", "c-o9"), feed.ErrNotFound)
}

func TestAnEventWithoutOrderOrStoreIsMalformed(t *testing.T) {
	svc := feed.NewService(feedtest.NewMemory(), feed.NewNotifier())
	for _, e := range []feed.Event{ev("", "s1", "order.paid"), ev("o1", "", "order.paid"), ev("o1", "s1", "")} {
		assert.ErrorIs(t, svc.Record(context.Background(), e), feed.ErrMalformed)
	}
}

func TestRecordWakesTheListenersOfBothStreams(t *testing.T) {
	n := feed.NewNotifier()
	svc := feed.NewService(feedtest.NewMemory(), n)
	order, stopO := n.Listen(feed.OrderStream("o1"))
	defer stopO()
	store, stopS := n.Listen(feed.StoreStream("s1"))
	defer stopS()
	other, stopX := n.Listen(feed.StoreStream("s2"))
	defer stopX()
	require.NoError(t, svc.Record(context.Background(), ev("o1", "s1", "order.created")))
	assert.Len(t, order, 1)
	assert.Len(t, store, 1)
	assert.Empty(t, other)
}

// A flash sale: 120 orders of one store recorded at once go into the store's stream once each,
// numbered 1 to 120 without a gap (appends waiting for the store stream commit together, so one
// replica never conflicts with itself and nothing gives up); every event delivered again
// afterwards, as the broker redelivers, changes nothing. (How many appends share a write depends
// on scheduling, so it is not asserted.)
func TestAStoresRushIsCommittedInGroupsOnceEach(t *testing.T) {
	ctx := context.Background()
	mem := feedtest.NewMemory()
	svc := feed.NewService(mem, feed.NewNotifier())
	rush := func() {
		var wg sync.WaitGroup
		for i := range 120 {
			wg.Go(func() {
				assert.NoError(t, svc.Record(ctx, ev(fmt.Sprintf("o%d", i), "rush", "order.created")))
			})
		}
		wg.Wait()
	}
	rush()
	writes := mem.HeadWrites
	rush()
	assert.Equal(t, writes, mem.HeadWrites, "the redeliveries write nothing")
	got, err := svc.Since(ctx, feed.StoreStream("rush"), 0)
	require.NoError(t, err)
	require.Len(t, got, 120, "each order once")
	orders := map[string]bool{}
	for i, e := range got {
		assert.EqualValues(t, i+1, e.ID)
		orders[e.OrderID] = true
	}
	assert.Len(t, orders, 120)
}
