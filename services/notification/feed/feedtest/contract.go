package feedtest

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/canteen/canteen/services/internal/occ"
	"github.com/canteen/canteen/services/notification/feed"
)

// RunRepositoryContract checks what feed relies on from any Repository: an absent stream reads as
// the zero head; a head and a page read back as written (raw payloads byte for byte); a head is
// created once however many race, and a stale token is refused; a page may be written twice.
// (Stream ids are fresh uuids: a real store keeps earlier runs' data.)
func RunRepositoryContract(t *testing.T, repo feed.Repository) {
	ctx := context.Background()
	at := time.Date(2026, 11, 25, 11, 30, 0, 0, time.UTC)
	ev := func(id int64, typ string) feed.Event {
		return feed.Event{ID: id, Type: typ, OrderID: "o-1", StoreID: "s-1", CustomerID: "c-1", At: at,
			Data: []byte(`{"type":"` + typ + `","order_id":"o-1","note":"caf\u00e9 \"quoted\""}`), InStore: id%2 == 0}
	}

	t.Run("absent stream is the zero head", func(t *testing.T) {
		h, tok, err := repo.Head(ctx, feed.OrderStream(uuid.NewString()))
		require.NoError(t, err)
		assert.Equal(t, feed.Head{}, h)
		assert.Empty(t, tok)
		_, ok, err := repo.Page(ctx, feed.StoreStream(uuid.NewString()), 0)
		require.NoError(t, err)
		assert.False(t, ok)
	})

	t.Run("head round trip; a stale token is refused", func(t *testing.T) {
		s := feed.OrderStream(uuid.NewString())
		h := feed.Head{Next: 3, Customer: "c-1", Events: []feed.Event{ev(1, "order.created"), ev(2, "order.paid")}}
		require.NoError(t, repo.SaveHead(ctx, s, h, ""))
		got, tok, err := repo.Head(ctx, s)
		require.NoError(t, err)
		require.NotEmpty(t, tok)
		assert.Equal(t, h, got)
		assert.ErrorIs(t, repo.SaveHead(ctx, s, h, ""), occ.ErrConflict, "create-only over an existing head")

		got.Next = 4
		require.NoError(t, repo.SaveHead(ctx, s, got, tok))
		assert.ErrorIs(t, repo.SaveHead(ctx, s, got, tok), occ.ErrConflict, "the token was spent")
		again, _, err := repo.Head(ctx, s)
		require.NoError(t, err)
		assert.Equal(t, int64(4), again.Next)
	})

	t.Run("one of many racing creates wins", func(t *testing.T) {
		s := feed.StoreStream(uuid.NewString())
		var wg sync.WaitGroup
		wins := make(chan int, 8)
		for i := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if repo.SaveHead(ctx, s, feed.Head{Next: int64(i + 1)}, "") == nil {
					wins <- i
				}
			}()
		}
		wg.Wait()
		close(wins)
		var won []int
		for i := range wins {
			won = append(won, i)
		}
		require.Len(t, won, 1)
		h, _, err := repo.Head(ctx, s)
		require.NoError(t, err)
		assert.Equal(t, int64(won[0]+1), h.Next)
	})

	t.Run("a page reads back as written, also when written twice", func(t *testing.T) {
		s := feed.StoreStream(uuid.NewString())
		p := feed.Page{N: 2, Events: []feed.Event{ev(101, "ticket.accepted"), ev(102, "order.paid")}}
		require.NoError(t, repo.SavePage(ctx, s, p))
		require.NoError(t, repo.SavePage(ctx, s, p))
		got, ok, err := repo.Page(ctx, s, 2)
		require.NoError(t, err)
		require.True(t, ok)
		assert.Equal(t, p, got)
		_, ok, err = repo.Page(ctx, s, 1)
		require.NoError(t, err)
		assert.False(t, ok)
	})
}
