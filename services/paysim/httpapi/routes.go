// Package httpapi is paysim's REST API, called through Dapr service invocation
// (/v1.0/invoke/paysim/method/v1/...): the request and response types of services/internal/paysimapi
// with their converters to and from the provider domain, and the one place where domain errors
// become HTTP statuses.
package httpapi

import (
	"errors"
	"log/slog"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/canteen/canteen/services/internal/apierr"
	"github.com/canteen/canteen/services/internal/paysimapi"
	"github.com/canteen/canteen/services/paysim/provider"
)

// handler serves the paysim API over a provider.Service.
type handler struct {
	svc *provider.Service
	log *slog.Logger
}

// Register adds the paysim routes to r.
func Register(r gin.IRouter, svc *provider.Service, log *slog.Logger) {
	h := &handler{svc: svc, log: log}
	r.POST("/"+paysimapi.PathPayments, h.createPayment)
	r.GET("/"+paysimapi.PathPayments, h.paymentByOrder)
	r.GET("/"+paysimapi.PathPayments+"/:txn", h.getPayment)
	r.POST("/"+paysimapi.PathPayments+"/:txn/pay", h.pay)
	r.POST("/"+paysimapi.PathPayments+"/:txn/refunds", h.refund)
	r.PUT("/"+paysimapi.PathPayments+"/:txn/faults", h.setPaymentFaults)
	r.GET("/"+paysimapi.PathFaults, h.getFaults)
	r.PUT("/"+paysimapi.PathFaults, h.setFaults)
}

// fail answers the provider's own errors, by type; everything else ends in apierr.Fail.
func fail(c *gin.Context, log *slog.Logger, err error) {
	var (
		inv     *provider.InvalidError
		exceeds *provider.RefundExceedsError
	)
	switch {
	case errors.As(err, &inv):
		apierr.Invalid(c, inv.Field, inv.Error())
	case errors.Is(err, provider.ErrDown):
		apierr.Unavailable(c, "the payment provider is down; try again later")
	case errors.Is(err, provider.ErrNotFound):
		apierr.NotFound(c, "", "no such payment")
	case errors.Is(err, provider.ErrOrderConflict):
		apierr.Write(c, http.StatusConflict, string(paysimapi.CodeOrderConflict), "amount_cents", err.Error())
	case errors.Is(err, provider.ErrInvalidToken):
		apierr.Write(c, http.StatusForbidden, string(paysimapi.CodeInvalidToken), "pay_token", err.Error())
	case errors.Is(err, provider.ErrNotPaid):
		apierr.Write(c, http.StatusConflict, string(paysimapi.CodeNotPaid), "", err.Error())
	case errors.As(err, &exceeds):
		apierr.Write(c, http.StatusConflict, string(paysimapi.CodeRefundExceeds), "amount_cents", exceeds.Error())
	case errors.Is(err, provider.ErrRefundConflict):
		apierr.Write(c, http.StatusConflict, string(paysimapi.CodeRefundConflict), "amount_cents", err.Error())
	default:
		apierr.Fail(c, log, err)
	}
}
