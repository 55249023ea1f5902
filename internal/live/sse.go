package live

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// ServeSSE streams topic to the client as text/event-stream until the client goes or the hub
// closes. The client's position comes from the Last-Event-ID header or the last_event_id
// query parameter (for a first connection that already rendered state up to an ID); a value
// that is not a decimal number is a 400. The writer must support flushing through
// http.ResponseController (wrappers implement Unwrap).
func (h *Hub) ServeSSE(w http.ResponseWriter, r *http.Request, topic string) {
	last, err := lastEventID(r)
	if err != nil {
		http.Error(w, "Last-Event-ID must be a decimal number", http.StatusBadRequest)
		return
	}
	rc := http.NewResponseController(w)
	// The stream outlives the server's WriteTimeout: writes get their own deadline below.
	// The read deadline is lifted too (net/http/1 already does for its background read).
	// Errors mean the writer cannot set deadlines (e.g. a recorder), which is fine.
	_ = rc.SetReadDeadline(time.Time{})
	deadline := time.Now().Add(h.writeTimeout)
	_ = rc.SetWriteDeadline(deadline)
	hdr := w.Header()
	hdr.Set("Content-Type", "text/event-stream")
	hdr.Set("Cache-Control", "no-cache")
	hdr.Set("X-Accel-Buffering", "no")

	sub := h.Subscribe(topic, last) // before the headers go out: a client that sees them is subscribed
	defer sub.Close()
	w.WriteHeader(http.StatusOK)
	if err := rc.Flush(); err != nil {
		h.log.Error("live: event stream cannot flush", "topic", topic, "err", err)
		return
	}
	done := r.Context().Done()
	var buf []*Frame
	for {
		select {
		case <-done:
			return
		case _, ok := <-sub.C():
			if !ok {
				return
			}
		}
		buf = sub.Next(buf[:0])
		if len(buf) == 0 {
			continue
		}
		// Extending the deadline costs a timer update; doing it only once half of it has
		// passed keeps a stuck client's limit between WriteTimeout/2 and WriteTimeout.
		if now := time.Now(); deadline.Sub(now) < h.writeTimeout/2 {
			deadline = now.Add(h.writeTimeout)
			_ = rc.SetWriteDeadline(deadline)
		}
		for _, f := range buf {
			if _, err := w.Write(f.wire); err != nil {
				return
			}
		}
		clear(buf)
		if err := rc.Flush(); err != nil {
			return
		}
	}
}

// lastEventID returns the position a client resumes from, 0 for none.
func lastEventID(r *http.Request) (uint64, error) {
	v := r.Header.Get("Last-Event-ID")
	if v == "" {
		v = r.URL.Query().Get("last_event_id")
	}
	if v = strings.TrimSpace(v); v == "" {
		return 0, nil
	}
	return strconv.ParseUint(v, 10, 64)
}
