// Package subscribe serves Dapr programmatic pub/sub subscriptions from a gin app: the
// GET /dapr/subscribe listing, CloudEvent unwrapping, the answer Dapr acts on (SUCCESS, RETRY, or
// DROP to the subscription's dead-letter topic), and the consumer of every dead-letter topic,
// which keeps each poison message where an operator can list and replay it (letters.go).
// Delivery is at least once: handlers must be idempotent.
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

// ErrPoison marks a message that can never be processed (malformed, unknown subject, or a
// disagreement an operator must look at): it is dropped to the dead-letter topic, and kept there
// for the operator, instead of being redelivered forever. Wrap it: fmt.Errorf("...: %w", ErrPoison).
var ErrPoison = errors.New("poison message")

// Handler processes one message; id is the CloudEvent id.
type Handler func(ctx context.Context, id string, data json.RawMessage) error

// Route is one topic subscription served at Path.
type Route struct {
	Topic  string
	Path   string
	Handle Handler
}

// Config is what every subscribing service gives: its app id (which names its dead-letter
// topics, so that two services subscribed to one topic do not read each other's dead letters),
// a logger, and the store its dead letters are kept in.
type Config struct {
	App     string
	Log     *slog.Logger
	Letters LetterStore
}

type subscription struct {
	PubSubName      string `json:"pubsubname"`
	Topic           string `json:"topic"`
	Route           string `json:"route"`
	DeadLetterTopic string `json:"deadLetterTopic,omitempty"`
}

// cloudEvent is the part of the CloudEvents envelope a handler needs.
type cloudEvent struct {
	ID   string          `json:"id"`
	Data json.RawMessage `json:"data"`
}

// DeadLetterTopic names the dead-letter topic of app's subscription to topic.
func DeadLetterTopic(app, topic string) string { return topic + event.DeadLetterSuffix + "-" + app }

// Register serves the subscription list, each route, each route's dead-letter consumer and the
// operators' dead-letter endpoints (/ops/deadletters) on r.
func Register(r gin.IRouter, cfg Config, routes ...Route) {
	subs := make([]subscription, 0, 2*len(routes))
	byTopic := map[string]Route{}
	for _, rt := range routes {
		dl := DeadLetterTopic(cfg.App, rt.Topic)
		subs = append(subs,
			subscription{PubSubName: event.PubSub, Topic: rt.Topic, Route: rt.Path, DeadLetterTopic: dl},
			subscription{PubSubName: event.PubSub, Topic: dl, Route: "/deadletters/" + rt.Topic})
		byTopic[rt.Topic] = rt
		r.POST(rt.Path, handler(rt, cfg.Log))
		r.POST("/deadletters/"+rt.Topic, keeper(rt.Topic, cfg))
	}
	r.GET("/dapr/subscribe", func(c *gin.Context) { c.JSON(http.StatusOK, subs) })
	registerOps(r, cfg, byTopic)
}

func handler(rt Route, log *slog.Logger) gin.HandlerFunc {
	return func(c *gin.Context) {
		ce, err := decodeEnvelope(c)
		if err == nil {
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

func decodeEnvelope(c *gin.Context) (cloudEvent, error) {
	var ce cloudEvent
	err := json.NewDecoder(c.Request.Body).Decode(&ce)
	if err == nil && len(ce.Data) == 0 {
		err = errors.New("no data")
	}
	if err != nil {
		return ce, errors.Join(ErrPoison, err)
	}
	return ce, nil
}

// Decode unmarshals data into v, marking a failure as poison.
func Decode(data json.RawMessage, v any) error {
	if err := json.Unmarshal(data, v); err != nil {
		return errors.Join(ErrPoison, err)
	}
	return nil
}
