package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/canteen/canteen/internal/harness"
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
	var mu sync.Mutex
	told := map[string]Outcome{} // what each buyer was answered
	res := Run(ctx, name, o.rate, o.buyers, o.maxInFlight, progress, func(ctx context.Context, i int) Outcome {
		order := fmt.Sprintf("o-%s-%d", sale, i)
		out := reserve(ctx, c, inv, order, store, dish, period)
		mu.Lock()
		told[order] = out
		mu.Unlock()
		return out
	})

	var v stockView
	if err := getJSON(ctx, c, inv.URL(fmt.Sprintf("stock/%s/%s/%s", store, dish, period)), &v); err != nil {
		return res, "", fmt.Errorf("audit: %w", err)
	}
	// Every hold must belong to a buyer told "reserved", or to one whose answer was lost (a 5xx or
	// a timeout under overload: the hold stands and a retry with the same order id gets it); never
	// to a buyer told "sold out". Units must add up and none be sold twice.
	var ambiguous int
	for _, h := range v.Holds {
		out, known := told[h.OrderID]
		switch {
		case !known:
			return res, "", fmt.Errorf("%s: a hold of %s, an order nobody placed", name, h.OrderID)
		case out == "":
		case out == "sold_out":
			return res, "", fmt.Errorf("%s: %s holds a unit but was told sold out", name, h.OrderID)
		default:
			ambiguous++
		}
	}
	audit := fmt.Sprintf("%d held of %d (%d told reserved, %d whose answer was lost to a 5xx/timeout), available %d",
		v.Reserved, v.Restocked, res.Outcomes[""], ambiguous, v.Available)
	if v.Restocked != int64(o.stock) || v.Sold+v.Reserved+v.Available != v.Restocked || v.Available < 0 ||
		int64(len(v.Holds)) != v.Reserved || int64(res.Outcomes[""]+ambiguous) != v.Reserved {
		return res, audit, fmt.Errorf("%s: invariant broken: %s", name, audit)
	}
	return res, audit, nil
}

// reserve asks inventory for one unit for order.
func reserve(ctx context.Context, c *http.Client, inv *harness.App, order, store, dish, period string) Outcome {
	body := fmt.Sprintf(`{"order_id":%q,"items":[{"store_id":%q,"dish_id":%q,"period":%q,"quantity":1}]}`, order, store, dish, period)
	if out := send(ctx, c, http.MethodPost, inv.URL("reservations"), body); out != "409" {
		return out
	}
	return "sold_out"
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

func postJSON(ctx context.Context, c *http.Client, url, body string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewBufferString(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("POST %s: %d %s", url, resp.StatusCode, bytes.TrimSpace(raw))
	}
	return json.Unmarshal(raw, v)
}

// checkoutID places an order and returns its id, or the outcome of a refusal.
func checkoutID(ctx context.Context, c *http.Client, url, body string, headers map[string]string) (string, Outcome) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewBufferString(body))
	if err != nil {
		return "", "bad-request"
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := c.Do(req)
	if err != nil {
		return "", "transport-error"
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode/100 != 2 {
		return "", Outcome(fmt.Sprint(resp.StatusCode))
	}
	var o struct{ ID string }
	if json.Unmarshal(raw, &o) != nil || o.ID == "" {
		return "", "bad-answer"
	}
	return o.ID, ""
}
