package queue

import (
	"fmt"
	"regexp"
)

// codesPerLetter: a code is letters and three digits, 001..999, so it is short to call out.
const codesPerLetter = 999

// PickupCode is the n-th code of a sale day (n from 1): A001..A999, B001..Z999, then AA001 and
// on (bijective base 26), so codes never repeat within a day however many orders come.
func PickupCode(n int) string {
	k, digits := (n-1)/codesPerLetter, (n-1)%codesPerLetter+1
	letters := ""
	for k++; k > 0; k = (k - 1) / 26 {
		letters = string(rune('A'+(k-1)%26)) + letters
	}
	return fmt.Sprintf("%s%03d", letters, digits)
}

var periodPattern = regexp.MustCompile(`^(\d{4}-\d{2}-\d{2})\.[a-z]{1,16}$`)

// SaleDay is the day part of a sale period ("2026-11-25.lunch" -> "2026-11-25"). Codes are unique
// per store and sale day, the day the order is served on (a pre-order for tomorrow gets one of
// tomorrow's codes), not the day it was paid: the code is called out when the food is ready.
func SaleDay(period string) (string, error) {
	m := periodPattern.FindStringSubmatch(period)
	if m == nil {
		return "", &InvalidError{Field: "period", Reason: "must be a day and a lowercase name, like 2026-11-25.lunch"}
	}
	return m[1], nil
}
