package stocktest

import "testing"

func TestMemorySweepRepositoryContract(t *testing.T) { RunSweepRepositoryContract(t, NewMemory()) }
