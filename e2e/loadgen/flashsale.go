package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"time"

	"github.com/canteen/canteen/e2e/harness"
)

var progress = os.Stderr

// stockView is inventory's GET /stock/:store/:dish/:period answer.
type stockView struct {
	Restocked, Sold, Reserved, Available int64
	Holds                                []struct {
		OrderID  string `json:"order_id"`
		Quantity int64  `json:"quantity"`
	} `json:"holds"`
}

// flashSale restocks one dish with o.stock units in the given number of buckets, then has o.buyers
// distinct orders reserve one unit each at the offered rate. It returns the run and its audit, and
// fails when the audit shows an oversell or a lost unit: a fast run that breaks an invariant is a
// failed run.
func flashSale(ctx context.Context, c *http.Client, inv *harness.App, o options, buckets int) (Result, string, error) {
	sale := fmt.Sprintf("%d", time.Now().UnixNano())
	store, dish, period := "bench-store-"+sale, "bench-dish", "2026-11-25.lunch"
	restock := fmt.Sprintf(`{"store_id":%q,"dish_id":%q,"period":%q,"quantity":%d,"restock_id":"r-%s","buckets":%d}`, store, dish, period, o.stock, sale, buckets)
	if out := send(ctx, c, http.MethodPost, inv.URL("stock/restock"), restock); out != "" {
		return Result{}, "", fmt.Errorf("restock: %s", out)
	}
	name := "flash sale, plain single key"
	if buckets > 1 {
		name = fmt.Sprintf("flash sale, %d buckets", buckets)
	}
	res := Run(ctx, name, o.rate, o.buyers, o.maxInFlight, progress, func(ctx context.Context, i int) Outcome {
		body := fmt.Sprintf(`{"order_id":"o-%s-%d","items":[{"store_id":%q,"dish_id":%q,"period":%q,"quantity":1}]}`, sale, i, store, dish, period)
		switch out := send(ctx, c, http.MethodPost, inv.URL("reservations"), body); out {
		case "409":
			return "sold_out"
		default:
			return out
		}
	})

	var v stockView
	if err := getJSON(ctx, c, inv.URL(fmt.Sprintf("stock/%s/%s/%s", store, dish, period)), &v); err != nil {
		return res, "", fmt.Errorf("audit: %w", err)
	}
	reserved := int64(res.Outcomes[""])
	audit := fmt.Sprintf("%d reserved of %d, available %d, holds %d", v.Reserved, v.Restocked, v.Available, len(v.Holds))
	if v.Restocked != int64(o.stock) || v.Reserved != reserved || int64(len(v.Holds)) != reserved ||
		v.Sold+v.Reserved+v.Available != v.Restocked || v.Available < 0 || (reserved < int64(o.stock) && res.Outcomes["sold_out"] > 0 && v.Available != 0) {
		return res, audit, fmt.Errorf("%s: invariant broken: %s with %d answered reserved", name, audit, reserved)
	}
	return res, audit, nil
}

func getJSON(ctx context.Context, c *http.Client, url string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %d %s", url, resp.StatusCode, bytes.TrimSpace(raw))
	}
	return json.Unmarshal(raw, v)
}
