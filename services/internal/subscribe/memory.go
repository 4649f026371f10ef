package subscribe

import (
	"context"
	"slices"
	"sync"
)

// MemoryLetters is an in-memory LetterStore, for unit tests.
type MemoryLetters struct {
	mu      sync.Mutex
	letters []Letter
}

// Keep stores or updates the letter.
func (m *MemoryLetters) Keep(_ context.Context, l Letter) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if i := slices.IndexFunc(m.letters, func(x Letter) bool { return x.ID == l.ID }); i >= 0 {
		m.letters[i] = l
		return nil
	}
	m.letters = append(m.letters, l)
	return nil
}

// Letters lists the kept letters.
func (m *MemoryLetters) Letters(context.Context) ([]Letter, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.letters), nil
}

// Letter reads one.
func (m *MemoryLetters) Letter(_ context.Context, id string) (Letter, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, l := range m.letters {
		if l.ID == id {
			return l, nil
		}
	}
	return Letter{}, ErrNoLetter
}

// Remove unlists one.
func (m *MemoryLetters) Remove(_ context.Context, id string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.letters = slices.DeleteFunc(m.letters, func(l Letter) bool { return l.ID == id })
	return nil
}
