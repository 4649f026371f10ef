package httpapi

import (
	"time"

	"github.com/canteen/canteen/services/delivery/dispatch"
)

type zoneRequest struct {
	Name string `json:"name"`
}

type zoneResponse struct {
	ZoneID string `json:"zone_id"`
	Name   string `json:"name"`
}

type riderRequest struct {
	Zone     string `json:"zone"`
	Capacity int    `json:"capacity"`
}

type riderResponse struct {
	RiderID  string        `json:"rider_id"`
	Zone     string        `json:"zone"`
	Capacity int           `json:"capacity"`
	OnDuty   bool          `json:"on_duty"`
	Jobs     []jobResponse `json:"jobs"`
}

type jobResponse struct {
	OrderID    string    `json:"order_id"`
	StoreID    string    `json:"store_id"`
	CustomerID string    `json:"customer_id"`
	Zone       string    `json:"zone"`
	Building   string    `json:"building"`
	Status     string    `json:"status"`
	RiderID    string    `json:"rider_id,omitempty"`
	Attempt    int       `json:"attempt"`
	Reason     string    `json:"reason,omitempty"`
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
}

func toJobResponse(j dispatch.Job) jobResponse {
	return jobResponse{OrderID: j.OrderID, StoreID: j.StoreID, CustomerID: j.CustomerID, Zone: j.Zone, Building: j.Building,
		Status: string(j.Status), RiderID: j.RiderID, Attempt: j.Attempt, Reason: j.Reason, CreatedAt: j.CreatedAt, UpdatedAt: j.UpdatedAt}
}

func toRiderResponse(r dispatch.Rider) riderResponse {
	out := riderResponse{RiderID: r.ID, Zone: r.Zone, Capacity: r.Capacity, OnDuty: r.OnDuty, Jobs: make([]jobResponse, len(r.Jobs))}
	for i, j := range r.Jobs {
		out.Jobs[i] = toJobResponse(j)
	}
	return out
}
