package httpapi

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/canteen/canteen/services/internal/apierr"
	"github.com/canteen/canteen/services/internal/paysimapi"
)

func (h *handler) createPayment(c *gin.Context) {
	var req paysimapi.CreatePaymentRequest
	if !apierr.Decode(c, &req) {
		return
	}
	p, created, err := h.svc.Create(c, toPaymentInput(req))
	if err != nil {
		fail(c, h.log, err)
		return
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	c.JSON(status, toPayment(p, true))
}

func (h *handler) paymentByOrder(c *gin.Context) {
	id, ok := c.GetQuery(paysimapi.QueryMerchantOrderID)
	if !ok || id == "" {
		apierr.Invalid(c, paysimapi.QueryMerchantOrderID, "query parameter merchant_order_id is required")
		return
	}
	p, err := h.svc.PaymentByOrder(c, id)
	if err != nil {
		fail(c, h.log, err)
		return
	}
	c.JSON(http.StatusOK, toPayment(p, false))
}

func (h *handler) getPayment(c *gin.Context) {
	if !apierr.PathIDs(c, "txn") {
		return
	}
	p, err := h.svc.Payment(c, c.Param("txn"))
	if err != nil {
		fail(c, h.log, err)
		return
	}
	c.JSON(http.StatusOK, toPayment(p, false))
}

func (h *handler) pay(c *gin.Context) {
	var req paysimapi.PayRequest
	if !apierr.PathIDs(c, "txn") || !apierr.Decode(c, &req) {
		return
	}
	p, err := h.svc.Pay(c, c.Param("txn"), req.PayToken)
	if err != nil {
		fail(c, h.log, err)
		return
	}
	c.JSON(http.StatusOK, toPayment(p, false))
}

func (h *handler) refund(c *gin.Context) {
	var req paysimapi.RefundRequest
	if !apierr.PathIDs(c, "txn") || !apierr.Decode(c, &req) {
		return
	}
	r, err := h.svc.Refund(c, c.Param("txn"), req.RefundID, req.AmountCents)
	if err != nil {
		fail(c, h.log, err)
		return
	}
	c.JSON(http.StatusOK, paysimapi.Refund{RefundID: r.ID, TxnID: c.Param("txn"), AmountCents: r.AmountCents, Status: paysimapi.RefundSucceeded})
}

func (h *handler) setPaymentFaults(c *gin.Context) {
	var req paysimapi.Faults
	if !apierr.PathIDs(c, "txn") || !apierr.Decode(c, &req) {
		return
	}
	f, err := h.svc.SetPaymentFaults(c, c.Param("txn"), toFaults(req))
	if err != nil {
		fail(c, h.log, err)
		return
	}
	c.JSON(http.StatusOK, fromFaults(f))
}

func (h *handler) getFaults(c *gin.Context) {
	f, err := h.svc.Faults(c)
	if err != nil {
		fail(c, h.log, err)
		return
	}
	c.JSON(http.StatusOK, fromFaults(f))
}

func (h *handler) setFaults(c *gin.Context) {
	var req paysimapi.Faults
	if !apierr.Decode(c, &req) {
		return
	}
	f, err := h.svc.SetFaults(c, toFaults(req))
	if err != nil {
		fail(c, h.log, err)
		return
	}
	c.JSON(http.StatusOK, fromFaults(f))
}
