package provider

import "time"

// Limits on the fault switches, so that a typo cannot park a notification for days.
const (
	MaxDelay      = 10 * time.Minute
	MaxDuplicates = 10
)

// Faults are the switches that make the provider misbehave the way real ones do. They are set
// globally and, replacing the global ones, per payment; Down is global only.
type Faults struct {
	Decline    bool          // pay answers failed
	Delay      time.Duration // notification delay; zero means the configured default
	Duplicates int           // every notification is delivered 1+Duplicates times
	Lose       bool          // notifications are never sent
	OutOfOrder bool          // copies and stale earlier versions are delivered at once, shuffled
	Down       bool          // every payment endpoint answers "unavailable"
}

// Validate checks the switches; perPayment refuses Down, which only exists globally.
func (f Faults) Validate(perPayment bool) error {
	switch {
	case f.Delay < 0 || f.Delay > MaxDelay:
		return invalid("delay_ms", "must be between 0 and %d", MaxDelay.Milliseconds())
	case f.Duplicates < 0 || f.Duplicates > MaxDuplicates:
		return invalid("duplicates", "must be between 0 and %d", MaxDuplicates)
	case perPayment && f.Down:
		return invalid("down", "is a global switch only: set it with PUT v1/faults")
	}
	return nil
}

// effective are the switches that apply to p: its own when set, else the global ones.
func effective(p Payment, global Faults) Faults {
	if p.Faults != nil {
		return *p.Faults
	}
	return global
}
