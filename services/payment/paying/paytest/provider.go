package paytest

import (
	"context"
	"fmt"
	"sync"

	"github.com/canteen/canteen/services/payment/paying"
)

// Provider is a fake payment provider that keeps payments as the paysim contract says: one per
// order id (a repeat answers the same), versions that grow at every change, refunds idempotent
// by refund id. Down makes every call fail with paying.ErrProviderUnavailable.
type Provider struct {
	mu       sync.Mutex
	payments map[string]*paying.Notice // by order id
	refunds  map[string]bool
	Down     bool
	Creates  int // calls of Create that reached the provider
	Refunds  int // refunds made (not repeats)
}

var _ paying.Provider = (*Provider)(nil)

// NewProvider returns a provider holding no payment.
func NewProvider() *Provider {
	return &Provider{payments: map[string]*paying.Notice{}, refunds: map[string]bool{}}
}

// SetDown switches the outage on or off.
func (p *Provider) SetDown(down bool) {
	p.mu.Lock()
	p.Down = down
	p.mu.Unlock()
}

// Create creates the order's payment, or answers the one there is.
func (p *Provider) Create(_ context.Context, orderID string, amount int64) (paying.Notice, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.Down {
		return paying.Notice{}, paying.ErrProviderUnavailable
	}
	p.Creates++
	n, ok := p.payments[orderID]
	if !ok {
		n = &paying.Notice{OrderID: orderID, TxnID: "txn-" + orderID, AmountCents: amount, Status: paying.ProviderPending, Version: 1, PayToken: "tok-" + orderID}
		p.payments[orderID] = n
	}
	if n.AmountCents != amount {
		return paying.Notice{}, paying.ErrAmountConflict
	}
	return *n, nil
}

// Payment reads a payment (without its pay token, as the contract's GET answers).
func (p *Provider) Payment(_ context.Context, txnID string) (paying.Notice, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.Down {
		return paying.Notice{}, paying.ErrProviderUnavailable
	}
	var n *paying.Notice
	for _, c := range p.payments {
		if c.TxnID == txnID {
			n = c
		}
	}
	if n == nil {
		return paying.Notice{}, paying.ErrNoProviderPayment
	}
	out := *n
	out.PayToken = ""
	return out, nil
}

// Refund refunds a succeeded payment in full, once per refund id.
func (p *Provider) Refund(_ context.Context, txnID, refundID string, amount int64) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.Down {
		return paying.ErrProviderUnavailable
	}
	if p.refunds[refundID] {
		return nil
	}
	for _, n := range p.payments {
		if n.TxnID != txnID {
			continue
		}
		if n.Status != paying.ProviderSucceeded || amount != n.AmountCents {
			return fmt.Errorf("%w: payment is %s", paying.ErrRefundRefused, n.Status)
		}
		n.Status, n.Version = paying.ProviderRefunded, n.Version+1
		p.refunds[refundID] = true
		p.Refunds++
		return nil
	}
	return fmt.Errorf("%w: no payment %s", paying.ErrRefundRefused, txnID)
}

// Settle moves the order's payment to status (a customer paying, or a decline) and returns the
// notification the provider would send for it.
func (p *Provider) Settle(orderID string, status paying.ProviderStatus) paying.Notice {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := p.payments[orderID]
	n.Status, n.Version = status, n.Version+1
	out := *n
	out.PayToken = ""
	return out
}

// Notice returns the notification of the payment's current state.
func (p *Provider) Notice(orderID string) paying.Notice {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := *p.payments[orderID]
	out.PayToken = ""
	return out
}

// Counts returns Creates and Refunds under the lock.
func (p *Provider) Counts() (creates, refunds int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.Creates, p.Refunds
}

// Orders is a fake order service: the orders it holds, by id.
type Orders struct {
	mu     sync.Mutex
	orders map[string]paying.Order
	Calls  int
}

var _ paying.Orders = (*Orders)(nil)

// NewOrders returns an order service holding no order.
func NewOrders() *Orders { return &Orders{orders: map[string]paying.Order{}} }

// Put adds or replaces an order.
func (o *Orders) Put(id string, ord paying.Order) {
	o.mu.Lock()
	o.orders[id] = ord
	o.mu.Unlock()
}

// Pending adds an order of customer pending payment of total cents.
func (o *Orders) Pending(id, customer string, total int64) {
	o.Put(id, paying.Order{CustomerID: customer, Status: "pending_payment", AwaitingPayment: true, TotalCents: total})
}

// Order answers the customer's order.
func (o *Orders) Order(_ context.Context, id, customer string) (paying.Order, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.Calls++
	ord, ok := o.orders[id]
	if !ok || ord.CustomerID != customer {
		return paying.Order{}, paying.ErrOrderNotFound
	}
	return ord, nil
}
