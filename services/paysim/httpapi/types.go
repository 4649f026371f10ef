package httpapi

import (
	"time"

	"github.com/canteen/canteen/services/internal/paysimapi"
	"github.com/canteen/canteen/services/paysim/provider"
)

// The request and response bodies are paysimapi's: the contract the payment service imports.

func toPaymentInput(r paysimapi.CreatePaymentRequest) provider.PaymentInput {
	return provider.PaymentInput{MerchantOrderID: r.MerchantOrderID, AmountCents: r.AmountCents, NotifyURL: r.NotifyURL, Description: r.Description}
}

// toPayment is the answer for p; the pay token, the payer's credential, only in a create's.
func toPayment(p provider.Payment, withToken bool) paysimapi.Payment {
	out := paysimapi.Payment{
		TxnID: p.TxnID, MerchantOrderID: p.MerchantOrderID, AmountCents: p.AmountCents, Status: paysimapi.Status(p.Status),
		RefundedCents: p.RefundedCents, Version: p.Version, CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt,
	}
	if withToken {
		out.PayToken = p.PayToken
	}
	return out
}

// toFaults converts the switches; a delay_ms out of range stays out of range (a negative one
// negative), so that the domain's validation names the field.
func toFaults(f paysimapi.Faults) provider.Faults {
	delay := time.Duration(f.DelayMS) * time.Millisecond
	switch { // no overflow for huge values
	case f.DelayMS > provider.MaxDelay.Milliseconds():
		delay = provider.MaxDelay + time.Millisecond
	case f.DelayMS < 0:
		delay = -time.Millisecond
	}
	return provider.Faults{Decline: f.Decline, Delay: delay, Duplicates: f.Duplicates, Lose: f.Lose, OutOfOrder: f.OutOfOrder, Down: f.Down}
}

func fromFaults(f provider.Faults) paysimapi.Faults {
	return paysimapi.Faults{Decline: f.Decline, DelayMS: f.Delay.Milliseconds(), Duplicates: f.Duplicates, Lose: f.Lose, OutOfOrder: f.OutOfOrder, Down: f.Down}
}
