package httpapi

import (
	"time"

	"github.com/canteen/canteen/services/payment/paying"
)

type createRequest struct {
	OrderID string `json:"order_id"`
}

type paymentResponse struct {
	OrderID     string    `json:"order_id"`
	TxnID       string    `json:"txn_id,omitempty"`
	AmountCents int64     `json:"amount_cents"`
	Status      string    `json:"status"`
	PayToken    string    `json:"pay_token,omitempty"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

func toPaymentResponse(in paying.Intent) paymentResponse {
	return paymentResponse{OrderID: in.OrderID, TxnID: in.TxnID, AmountCents: in.AmountCents, Status: string(in.Status),
		PayToken: in.PayToken, CreatedAt: in.CreatedAt, UpdatedAt: in.UpdatedAt}
}
