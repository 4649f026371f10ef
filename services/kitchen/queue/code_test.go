package queue

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPickupCodesAreALetterAndThreeDigitsAndNeverRepeatInADay(t *testing.T) {
	for n, want := range map[int]string{1: "A001", 42: "A042", 999: "A999", 1000: "B001", 1998: "B999", 25974: "Z999", 25975: "AA001"} {
		assert.Equal(t, want, PickupCode(n), "code %d", n)
	}
	seen := map[string]bool{}
	for n := 1; n <= 60000; n++ {
		c := PickupCode(n)
		require.False(t, seen[c], "code %s issued twice (n=%d)", c, n)
		seen[c] = true
	}
}

func TestTheSaleDayIsThePeriodsDatePart(t *testing.T) {
	day, err := SaleDay("2026-11-25.lunch")
	require.NoError(t, err)
	assert.Equal(t, "2026-11-25", day)
	for _, bad := range []string{"", "2026-11-25", "lunch", "2026-11-25.Lunch", "26-11-25.lunch"} {
		_, err := SaleDay(bad)
		var inv *InvalidError
		assert.ErrorAs(t, err, &inv, "%q", bad)
	}
}
