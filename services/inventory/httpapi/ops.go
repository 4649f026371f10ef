package httpapi

import (
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/canteen/canteen/services/internal/apierr"
	"github.com/canteen/canteen/services/internal/stockapi"
	"github.com/canteen/canteen/services/inventory/stock"
)

type ops struct {
	rec *stock.Reconciler
	h   *handler
}

// RegisterOps adds the reconciler's operator endpoints to r: GET /ops/reconcile answers the
// last sweep's report, POST /ops/reconcile runs a sweep now. (Its job callback is the sidecar's.)
func RegisterOps(r gin.IRouter, rec *stock.Reconciler, log *slog.Logger) {
	o := &ops{rec: rec, h: &handler{log: log}}
	r.GET("/ops/reconcile", o.lastReport)
	r.POST("/ops/reconcile", o.sweepNow)
}

func (o *ops) lastReport(c *gin.Context) {
	rep, err := o.rec.LastReport(c)
	if errors.Is(err, stock.ErrNotFound) {
		apierr.Write(c, http.StatusNotFound, apierr.CodeNotFound, "", "no sweep has run yet")
		return
	}
	if err != nil {
		o.h.fail(c, err, nil)
		return
	}
	c.JSON(http.StatusOK, toReportJSON(rep))
}

func (o *ops) sweepNow(c *gin.Context) {
	if !decodeOptional(c, &struct{}{}) {
		return
	}
	rep, err := o.rec.Sweep(c)
	if err != nil {
		o.h.fail(c, err, nil)
		return
	}
	c.JSON(http.StatusOK, toReportJSON(rep))
}

type reportJSON struct {
	StartedAt    time.Time      `json:"started_at"`
	FinishedAt   time.Time      `json:"finished_at"`
	Checked      checkedJSON    `json:"checked"`
	Waiting      int            `json:"waiting"`
	Released     int            `json:"released"`
	Repaired     int            `json:"repaired"`
	Confirmed    int            `json:"confirmed"`
	ByReason     map[string]int `json:"by_reason"`
	Fixes        []fixJSON      `json:"fixes"`
	Errors       int            `json:"errors"`
	ErrorSamples []string       `json:"error_samples"`
}

type checkedJSON struct {
	Items  int `json:"items"`
	Holds  int `json:"holds"`
	Orders int `json:"orders"`
}

type fixJSON struct {
	OrderID string          `json:"order_id"`
	Reason  string          `json:"reason"`
	Items   []stockapi.Line `json:"items"`
}

func toReportJSON(rep stock.Report) reportJSON {
	out := reportJSON{
		StartedAt: rep.StartedAt, FinishedAt: rep.FinishedAt,
		Checked: checkedJSON{Items: rep.Items, Holds: rep.Holds, Orders: rep.Orders},
		Waiting: rep.Waiting, Released: rep.Released, Repaired: rep.Repaired, Confirmed: rep.Confirmed,
		ByReason: map[string]int{}, Fixes: []fixJSON{}, Errors: rep.Errors, ErrorSamples: append([]string{}, rep.ErrorSamples...),
	}
	for reason, n := range rep.ByReason {
		out.ByReason[string(reason)] = n
	}
	for _, f := range rep.Fixes {
		fx := fixJSON{OrderID: f.OrderID, Reason: string(f.Reason), Items: []stockapi.Line{}}
		for _, l := range f.Lines {
			fx.Items = append(fx.Items, stockapi.Line{StoreID: l.StoreID, DishID: l.DishID, Period: l.Period, Quantity: l.Quantity})
		}
		out.Fixes = append(out.Fixes, fx)
	}
	return out
}
