// Package subscribe serves Dapr programmatic pub/sub subscriptions from a gin app: the
// GET /dapr/subscribe listing, CloudEvent unwrapping, and the answer Dapr acts on (SUCCESS, RETRY,
// or DROP to the subscription's dead-letter topic). Delivery is at least once: handlers must be
// idempotent.
package subscribe

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/canteen/canteen/services/internal/event"
)

// ErrPoison marks a message that can never be processed (malformed, unknown subject): it is dropped
// to the dead-letter topic instead of being redelivered forever. Wrap it: fmt.Errorf("...: %w", ErrPoison).
var ErrPoison = errors.New("poison message")

// Route is one topic subscription served at Path.
type Route struct {
	Topic  string
	Path   string
	Handle func(ctx context.Context, id string, data json.RawMessage) error // id: the CloudEvent id
}

type subscription struct {
	PubSubName      string `json:"pubsubname"`
	Topic           string `json:"topic"`
	Route           string `json:"route"`
	DeadLetterTopic string `json:"deadLetterTopic"`
}

// cloudEvent is the part of the CloudEvents envelope a handler needs.
type cloudEvent struct {
	ID   string          `json:"id"`
	Data json.RawMessage `json:"data"`
}

// Register serves the subscription list and each route on r.
func Register(r gin.IRouter, log *slog.Logger, routes ...Route) {
	subs := make([]subscription, 0, len(routes))
	for _, rt := range routes {
		subs = append(subs, subscription{PubSubName: event.PubSub, Topic: rt.Topic, Route: rt.Path, DeadLetterTopic: rt.Topic + event.DeadLetterSuffix})
		r.POST(rt.Path, handler(rt, log))
	}
	r.GET("/dapr/subscribe", func(c *gin.Context) { c.JSON(http.StatusOK, subs) })
}

func handler(rt Route, log *slog.Logger) gin.HandlerFunc {
	return func(c *gin.Context) {
		var ce cloudEvent
		err := json.NewDecoder(c.Request.Body).Decode(&ce)
		if err == nil && len(ce.Data) == 0 {
			err = errors.New("no data")
		}
		if err != nil {
			err = errors.Join(ErrPoison, err)
		} else {
			err = rt.Handle(c, ce.ID, ce.Data)
		}
		switch {
		case err == nil:
			c.JSON(http.StatusOK, gin.H{"status": "SUCCESS"})
		case errors.Is(err, ErrPoison):
			log.Warn("dropping poison message to the dead-letter topic", "topic", rt.Topic, "id", ce.ID, "err", err)
			c.JSON(http.StatusOK, gin.H{"status": "DROP"})
		default:
			log.Error("message failed; Dapr will redeliver it", "topic", rt.Topic, "id", ce.ID, "err", err)
			c.JSON(http.StatusOK, gin.H{"status": "RETRY"})
		}
	}
}

// Decode unmarshals data into v, marking a failure as poison.
func Decode(data json.RawMessage, v any) error {
	if err := json.Unmarshal(data, v); err != nil {
		return errors.Join(ErrPoison, err)
	}
	return nil
}
