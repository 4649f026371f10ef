package httpapi

import (
	"github.com/canteen/canteen/services/internal/stockapi"
	"github.com/canteen/canteen/services/inventory/stock"
)

// The reservation API's bodies are stockapi's, the contract its callers use; restock and the stock
// view are for staff and tests, and stay here.

type restockRequest struct {
	StoreID   string `json:"store_id"`
	DishID    string `json:"dish_id"`
	Period    string `json:"period"`
	Quantity  int64  `json:"quantity"`
	RestockID string `json:"restock_id"`
	Buckets   int    `json:"buckets"`
}

type holdJSON struct {
	OrderID  string `json:"order_id"`
	Quantity int64  `json:"quantity"`
}

type stockResponse struct {
	StoreID   string     `json:"store_id"`
	DishID    string     `json:"dish_id"`
	Period    string     `json:"period"`
	Restocked int64      `json:"restocked"`
	Sold      int64      `json:"sold"`
	Reserved  int64      `json:"reserved"`
	Available int64      `json:"available"`
	Buckets   int        `json:"buckets"`
	Holds     []holdJSON `json:"holds"`
}

func toLines(in []stockapi.Line) []stock.Line {
	out := make([]stock.Line, len(in))
	for i, l := range in {
		out[i] = stock.Line{Item: stock.Item{StoreID: l.StoreID, DishID: l.DishID, Period: l.Period}, Quantity: l.Quantity}
	}
	return out
}

func toStockResponse(v stock.View) stockResponse {
	out := stockResponse{
		StoreID: v.StoreID, DishID: v.DishID, Period: v.Period, Restocked: v.Restocked, Sold: v.Sold,
		Reserved: v.Reserved, Available: v.Available, Buckets: v.Buckets, Holds: make([]holdJSON, 0, len(v.Holds)),
	}
	for o, q := range v.Holds {
		out.Holds = append(out.Holds, holdJSON{OrderID: o, Quantity: q})
	}
	return out
}
