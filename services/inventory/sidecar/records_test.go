package sidecar

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/canteen/canteen/services/inventory/stock"
)

// A bucket stored in the first form (holds by order, every buyer in sold_to) still reads: each
// order's hold as one part with the empty id, which its record of the first form (no parts) owns;
// sold_to is dropped at the next write.
func TestBucketOfTheFirstFormReads(t *testing.T) {
	raw := `{"restocked":10,"sold":3,"available":5,"holds":{"o1":2},"sold_to":{"o0":3},"restocks":["r1"],"buckets":1}`
	var rec bucketRecord
	require.NoError(t, json.Unmarshal([]byte(raw), &rec))
	b := rec.domain()
	assert.Equal(t, map[string]int64{stock.PartKey("o1", ""): 2}, b.Parts)
	assert.True(t, b.Balanced())
	again, err := json.Marshal(toBucketRecord(b))
	require.NoError(t, err)
	assert.NotContains(t, string(again), "sold_to")
	assert.NotContains(t, string(again), `"holds"`)
}
