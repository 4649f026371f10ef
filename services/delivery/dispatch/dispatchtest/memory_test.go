package dispatchtest

import "testing"

func TestMemoryRepositoryContract(t *testing.T) { RunRepositoryContract(t, NewMemory()) }
