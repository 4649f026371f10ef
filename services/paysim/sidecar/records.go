package sidecar

import (
	"time"

	"github.com/canteen/canteen/services/paysim/provider"
)

// paymentRecord and faultsRecord are the stored JSON forms. Field names are the contract with any
// other implementation reading this store, so they change only with a migration.
type paymentRecord struct {
	MerchantOrderID string         `json:"merchant_order_id"`
	AmountCents     int64          `json:"amount_cents"`
	Description     string         `json:"description,omitempty"`
	NotifyURL       string         `json:"notify_url"`
	PayToken        string         `json:"pay_token"`
	Status          string         `json:"status"`
	Version         int64          `json:"version"`
	RefundedCents   int64          `json:"refunded_cents"`
	Refunds         []refundRecord `json:"refunds,omitempty"`
	History         []changeRecord `json:"history"`
	Faults          *faultsRecord  `json:"faults,omitempty"` // absent: the global switches apply
	CreatedAt       time.Time      `json:"created_at"`
	UpdatedAt       time.Time      `json:"updated_at"`
}

type refundRecord struct {
	ID          string    `json:"id"`
	AmountCents int64     `json:"amount_cents"`
	At          time.Time `json:"at"`
}

type changeRecord struct {
	Version int64     `json:"version"`
	Status  string    `json:"status"`
	At      time.Time `json:"at"`
}

type faultsRecord struct {
	Decline    bool  `json:"decline,omitempty"`
	DelayMS    int64 `json:"delay_ms,omitempty"`
	Duplicates int   `json:"duplicates,omitempty"`
	Lose       bool  `json:"lose,omitempty"`
	OutOfOrder bool  `json:"out_of_order,omitempty"`
	Down       bool  `json:"down,omitempty"`
}

func toPaymentRecord(p provider.Payment) paymentRecord {
	rec := paymentRecord{
		MerchantOrderID: p.MerchantOrderID, AmountCents: p.AmountCents, Description: p.Description, NotifyURL: p.NotifyURL,
		PayToken: p.PayToken, Status: string(p.Status), Version: p.Version, RefundedCents: p.RefundedCents,
		CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt,
	}
	for _, r := range p.Refunds {
		rec.Refunds = append(rec.Refunds, refundRecord{ID: r.ID, AmountCents: r.AmountCents, At: r.At})
	}
	for _, c := range p.History {
		rec.History = append(rec.History, changeRecord{Version: c.Version, Status: string(c.Status), At: c.At})
	}
	if p.Faults != nil {
		f := toFaultsRecord(*p.Faults)
		rec.Faults = &f
	}
	return rec
}

func (rec paymentRecord) domain(txnID string) provider.Payment {
	p := provider.Payment{
		TxnID: txnID, MerchantOrderID: rec.MerchantOrderID, AmountCents: rec.AmountCents, Description: rec.Description,
		NotifyURL: rec.NotifyURL, PayToken: rec.PayToken, Status: provider.Status(rec.Status), Version: rec.Version,
		RefundedCents: rec.RefundedCents, CreatedAt: rec.CreatedAt, UpdatedAt: rec.UpdatedAt,
	}
	for _, r := range rec.Refunds {
		p.Refunds = append(p.Refunds, provider.Refund{ID: r.ID, AmountCents: r.AmountCents, At: r.At})
	}
	for _, c := range rec.History {
		p.History = append(p.History, provider.Change{Version: c.Version, Status: provider.Status(c.Status), At: c.At})
	}
	if rec.Faults != nil {
		f := rec.Faults.domain()
		p.Faults = &f
	}
	return p
}

func toFaultsRecord(f provider.Faults) faultsRecord {
	return faultsRecord{Decline: f.Decline, DelayMS: f.Delay.Milliseconds(), Duplicates: f.Duplicates, Lose: f.Lose, OutOfOrder: f.OutOfOrder, Down: f.Down}
}

func (rec faultsRecord) domain() provider.Faults {
	return provider.Faults{
		Decline: rec.Decline, Delay: time.Duration(rec.DelayMS) * time.Millisecond, Duplicates: rec.Duplicates,
		Lose: rec.Lose, OutOfOrder: rec.OutOfOrder, Down: rec.Down,
	}
}
