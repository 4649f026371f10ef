package sidecar

import (
	"context"
	"fmt"
	"net/http"

	"github.com/canteen/canteen/services/internal/apierr"
	"github.com/canteen/canteen/services/internal/invoke"
	"github.com/canteen/canteen/services/internal/orderapi"
	"github.com/canteen/canteen/services/internal/paysimapi"
	"github.com/canteen/canteen/services/payment/paying"
)

// Peers reaches the order service, the provider (paysim) and the Jobs API through the app's own
// sidecar, with the one invoke client every service uses. Calls to the provider go through the
// resiliency policy of its app id (timeout, bounded retry, circuit breaker:
// dapr/resources/resiliency.yaml); refusals are told apart by their code, and everything else
// (the provider down, slow, or its breaker open) is paying.ErrProviderUnavailable.
type Peers struct {
	Client    *invoke.Client
	OrderApp  string
	PaysimApp string
	// NotifyURL is where the provider sends its notifications: this app through its own sidecar.
	NotifyURL string
}

var (
	_ paying.Orders   = (*Peers)(nil)
	_ paying.Provider = (*Peers)(nil)
)

// Order reads the customer's order from the order service (orderapi.OrderPath).
func (p *Peers) Order(ctx context.Context, orderID, customerID string) (paying.Order, error) {
	var o orderapi.Order
	err := p.Client.InvokeWith(ctx, p.OrderApp, http.MethodGet, orderapi.OrderPath(orderID),
		http.Header{orderapi.CustomerHeader: {customerID}}, nil, &o)
	switch {
	case invoke.CodeOf(err) == apierr.CodeNotFound:
		return paying.Order{}, paying.ErrOrderNotFound
	case err != nil:
		return paying.Order{}, fmt.Errorf("order %s: %w", orderID, err)
	}
	return paying.Order{CustomerID: o.CustomerID, Status: o.Status, AwaitingPayment: o.Status == orderapi.PendingPayment, TotalCents: o.TotalCents}, nil
}

// Create creates the order's payment at the provider, or answers the one it has.
func (p *Peers) Create(ctx context.Context, orderID string, amountCents int64) (paying.Notice, error) {
	req := paysimapi.CreatePaymentRequest{MerchantOrderID: orderID, AmountCents: amountCents, NotifyURL: p.NotifyURL, Description: "Canteen order " + orderID}
	var pay paysimapi.Payment
	err := p.Client.Invoke(ctx, p.PaysimApp, http.MethodPost, paysimapi.PathPayments, req, &pay)
	switch {
	case paysimapi.Code(invoke.CodeOf(err)) == paysimapi.CodeOrderConflict:
		return paying.Notice{}, fmt.Errorf("create payment of %s: %w", orderID, paying.ErrAmountConflict)
	case err != nil:
		return paying.Notice{}, unavailable("create payment of "+orderID, err)
	}
	return notice(pay), nil
}

// Payment reads a payment at the provider.
func (p *Peers) Payment(ctx context.Context, txnID string) (paying.Notice, error) {
	var pay paysimapi.Payment
	err := p.Client.Invoke(ctx, p.PaysimApp, http.MethodGet, paysimapi.PaymentPath(txnID), nil, &pay)
	switch {
	case invoke.CodeOf(err) == apierr.CodeNotFound:
		return paying.Notice{}, paying.ErrNoProviderPayment
	case err != nil:
		return paying.Notice{}, unavailable("read payment "+txnID, err)
	}
	return notice(pay), nil
}

// Refund refunds amountCents of payment txnID, idempotently by refundID.
func (p *Peers) Refund(ctx context.Context, txnID, refundID string, amountCents int64) error {
	err := p.Client.Invoke(ctx, p.PaysimApp, http.MethodPost, paysimapi.RefundsPath(txnID),
		paysimapi.RefundRequest{RefundID: refundID, AmountCents: amountCents}, &paysimapi.Refund{})
	switch paysimapi.Code(invoke.CodeOf(err)) {
	case "":
	case paysimapi.CodeNotPaid, paysimapi.CodeRefundExceeds:
		return fmt.Errorf("refund %s: %w: %w", txnID, paying.ErrRefundRefused, err)
	}
	if err != nil {
		return unavailable("refund "+txnID, err)
	}
	return nil
}

// unavailable marks a provider fault: not an answer the provider chose (daprd's own error for a
// breaker that is open or an app it cannot reach, a timeout, a 503 unavailable).
func unavailable(what string, err error) error {
	return fmt.Errorf("%s: %w: %w", what, paying.ErrProviderUnavailable, err)
}

func notice(p paysimapi.Payment) paying.Notice {
	return paying.Notice{OrderID: p.MerchantOrderID, TxnID: p.TxnID, AmountCents: p.AmountCents, Status: paying.ProviderStatus(p.Status),
		Version: p.Version, PayToken: p.PayToken}
}
