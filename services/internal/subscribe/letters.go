package subscribe

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/canteen/canteen/services/internal/apierr"
)

// Letter is a message that reached a dead-letter topic: its handler refused it as poison, or
// failed on it through every retry of the inbound policy. It is kept until an operator replays it
// (its handler runs again, in this app) or discards it.
type Letter struct {
	ID      string          `json:"id"`       // ours: derived from topic and CloudEvent id
	EventID string          `json:"event_id"` // the CloudEvent id
	Topic   string          `json:"topic"`    // the topic it was published to
	Data    json.RawMessage `json:"data"`
	At      time.Time       `json:"received_at"`
	// LastError is what the last replay failed with, if any.
	LastError string `json:"last_error,omitempty"`
}

// ErrNoLetter: no kept letter has that id.
var ErrNoLetter = errors.New("no such dead letter")

// LetterStore keeps dead letters. Keep is idempotent by letter id.
type LetterStore interface {
	Keep(ctx context.Context, l Letter) error
	Letters(ctx context.Context) ([]Letter, error)
	Letter(ctx context.Context, id string) (Letter, error) // ErrNoLetter
	Remove(ctx context.Context, id string) error
}

func letterID(topic, eventID string) string {
	sum := sha256.Sum256([]byte(topic + "\x00" + eventID))
	return hex.EncodeToString(sum[:12])
}

// keeper consumes a dead-letter topic: every message is kept, never dropped; a message that
// cannot even be read is kept as it came.
func keeper(topic string, cfg Config) gin.HandlerFunc {
	return func(c *gin.Context) {
		raw, err := c.GetRawData()
		var ce cloudEvent
		if err == nil && json.Unmarshal(raw, &ce) != nil || len(ce.Data) == 0 {
			ce.Data = raw
		}
		l := Letter{ID: letterID(topic, ce.ID), EventID: ce.ID, Topic: topic, Data: ce.Data, At: time.Now().UTC()}
		if err == nil {
			err = cfg.Letters.Keep(c, l)
		}
		if err != nil {
			cfg.Log.Error("dead letter not kept yet; Dapr will redeliver it", "topic", topic, "id", ce.ID, "err", err)
			c.JSON(http.StatusOK, gin.H{"status": "RETRY"})
			return
		}
		cfg.Log.Warn("dead letter kept for an operator (GET /ops/deadletters)", "topic", topic, "event", ce.ID, "letter", l.ID)
		c.JSON(http.StatusOK, gin.H{"status": "SUCCESS"})
	}
}

// registerOps serves the operators' endpoints: list, replay and discard kept dead letters.
func registerOps(r gin.IRouter, cfg Config, routes map[string]Route) {
	r.GET("/ops/deadletters", func(c *gin.Context) {
		ls, err := cfg.Letters.Letters(c)
		if err != nil {
			apierr.Fail(c, cfg.Log, err)
			return
		}
		c.JSON(http.StatusOK, gin.H{"letters": ls})
	})
	r.POST("/ops/deadletters/:id/replay", func(c *gin.Context) {
		l, ok := letter(c, cfg)
		if !ok {
			return
		}
		rt, known := routes[l.Topic]
		if !known {
			apierr.Write(c, http.StatusConflict, apierr.CodeConflict, "topic", "this service no longer subscribes to "+l.Topic)
			return
		}
		if err := rt.Handle(c, l.EventID, l.Data); err != nil {
			l.LastError = err.Error()
			if kerr := cfg.Letters.Keep(c, l); kerr != nil {
				cfg.Log.Error("replay's failure not recorded", "letter", l.ID, "err", kerr)
			}
			apierr.Write(c, http.StatusConflict, "replay_failed", "", fmt.Sprintf("the handler refused the message again: %v", err))
			return
		}
		if err := cfg.Letters.Remove(c, l.ID); err != nil {
			apierr.Fail(c, cfg.Log, err)
			return
		}
		c.JSON(http.StatusOK, gin.H{"replayed": l.ID})
	})
	r.DELETE("/ops/deadletters/:id", func(c *gin.Context) {
		l, ok := letter(c, cfg)
		if !ok {
			return
		}
		if err := cfg.Letters.Remove(c, l.ID); err != nil {
			apierr.Fail(c, cfg.Log, err)
			return
		}
		cfg.Log.Warn("dead letter discarded by an operator", "letter", l.ID, "topic", l.Topic, "event", l.EventID)
		c.Status(http.StatusNoContent)
	})
}

func letter(c *gin.Context, cfg Config) (Letter, bool) {
	id := c.Param("id")
	if !apierr.ValidID(id) {
		apierr.Write(c, http.StatusBadRequest, apierr.CodeInvalid, "id", "a letter id is 1-64 letters, digits, '-' or '_'")
		return Letter{}, false
	}
	l, err := cfg.Letters.Letter(c, id)
	switch {
	case errors.Is(err, ErrNoLetter):
		apierr.Write(c, http.StatusNotFound, apierr.CodeNotFound, "id", "no such dead letter")
		return Letter{}, false
	case err != nil:
		apierr.Fail(c, cfg.Log, err)
		return Letter{}, false
	}
	return l, true
}
