package httpapi

import (
	"bytes"
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/canteen/canteen/services/notification/feed"
)

var ping = []byte(": ping\n\n")

// frame is one event in SSE framing: its id (the stream sequence), its type as the event name,
// and the payload as data lines (a payload with line breaks becomes several data lines, which
// the client joins back with "\n").
func frame(e feed.Event) []byte {
	var b bytes.Buffer
	b.WriteString("id: " + strconv.FormatInt(e.ID, 10) + "\n")
	b.WriteString("event: " + oneLine(e.Type) + "\n")
	data := strings.ReplaceAll(strings.ReplaceAll(string(e.Data), "\r\n", "\n"), "\r", "\n")
	for _, line := range strings.Split(data, "\n") {
		b.WriteString("data: " + line + "\n")
	}
	b.WriteString("\n")
	return b.Bytes()
}

// oneLine keeps a published type from breaking the framing.
func oneLine(s string) string { return strings.NewReplacer("\r", " ", "\n", " ").Replace(s) }

// stream serves st from after id last until the client leaves, falls behind by more than the
// buffer, or the service stops. Frames go through a bounded queue to one writer goroutine, so a
// client that stops reading blocks only that goroutine; when the queue is full the connection is
// cut (the write deadline unblocks the writer) and the client resumes with its Last-Event-ID.
func (h *handler) stream(c *gin.Context, st feed.Stream, last int64) {
	wake, stop := h.notify.Listen(st) // before the first read: nothing appended after it is missed
	defer stop()
	evs, err := h.svc.Since(c, st, last)
	if err != nil {
		h.fail(c, err)
		return
	}
	hd := c.Writer.Header()
	hd.Set("Content-Type", "text/event-stream")
	hd.Set("Cache-Control", "no-cache")
	hd.Set("X-Accel-Buffering", "no") // nginx (and ingress-nginx): pass each frame on at once
	c.Status(http.StatusOK)
	c.Writer.WriteHeaderNow()

	ctx, cancel := context.WithCancel(c.Request.Context())
	defer cancel()
	rc := http.NewResponseController(c.Writer)
	frames := make(chan []byte, h.cfg.Buffer)
	written := make(chan struct{})
	go func() {
		defer close(written)
		defer cancel() // a failed write (client gone, deadline) ends the stream
		_ = rc.Flush() // the headers, so the client knows the stream is open
		for f := range frames {
			if _, err := c.Writer.Write(f); err != nil {
				return
			}
			if err := rc.Flush(); err != nil {
				return
			}
		}
	}()
	defer func() {
		close(frames)
		<-written
	}()

	send := func(f []byte) bool {
		select {
		case frames <- f:
			return true
		default:
			h.log.Warn("client too slow; closing its stream, it resumes with Last-Event-ID", "stream", st.String(), "last_event_id", last)
			_ = rc.SetWriteDeadline(time.Now()) // unblock the writer stuck on this client
			return false
		}
	}
	heartbeat, poll := time.NewTicker(h.cfg.Heartbeat), time.NewTicker(h.cfg.Poll)
	defer heartbeat.Stop()
	defer poll.Stop()
	for {
		for _, e := range evs {
			if !send(frame(e)) {
				return
			}
			last = e.ID
		}
		select {
		case <-ctx.Done():
			return
		case <-h.cfg.Done:
			return
		case <-heartbeat.C:
			if !send(ping) {
				return
			}
			evs = nil
			continue
		case <-wake:
		case <-poll.C:
		}
		if evs, err = h.svc.Since(ctx, st, last); err != nil {
			// The store blinked: keep the connection, the next wake or poll reads again.
			h.log.Warn("stream re-read failed", "stream", st.String(), "err", err)
			evs = nil
		}
	}
}
