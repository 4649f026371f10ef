package occ

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestRetry(t *testing.T) {
	other := errors.New("store down")
	cases := []struct {
		name      string
		conflicts int   // how many attempts meet a conflict before the outcome
		outcome   error // what the attempt after them returns
		want      error
		calls     int
	}{
		{"first try", 0, nil, nil, 1},
		{"after conflicts", 3, nil, nil, 4},
		{"other error is not retried", 0, other, other, 1},
		{"wrapped conflict is retried", 2, nil, nil, 3},
		{"gives up", Attempts, nil, ErrExhausted, Attempts},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			calls := 0
			err := Retry(context.Background(), func(context.Context) error {
				calls++
				if calls <= tc.conflicts {
					return fmt.Errorf("save k: %w", ErrConflict)
				}
				return tc.outcome
			})
			assert.ErrorIs(t, err, tc.want)
			if tc.want == nil {
				assert.NoError(t, err)
			}
			assert.Equal(t, tc.calls, calls)
		})
	}
}

func TestRetryStopsWhenTheContextEnds(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	calls := 0
	err := Retry(ctx, func(context.Context) error { calls++; cancel(); return ErrConflict })
	assert.ErrorIs(t, err, context.Canceled)
	assert.Equal(t, 1, calls)
}
