package live

import (
	"bufio"
	"bytes"
	"io"
	"strconv"
	"unicode/utf8"

	"concord"
)

// Event is one live update on a topic (e.g. "procedure/<id>"). ID is assigned by the
// publisher from durable state (e.g. the procedure's response count or revision), so that
// instances agree on it and clients can resume with Last-Event-ID.
type Event struct {
	Topic string // what is watched, e.g. "procedure/<id>"
	ID    uint64 // from durable state; grows within (Topic, Name); at least 1
	Name  string // SSE event name, e.g. "tally", "signatory", "status"
	Data  []byte // JSON; must not be modified after Publish
}

// ResetName is the name of the synthetic event telling a client that it missed events and
// must refetch the full state. Publishers may not use it.
const ResetName = "reset"

// Limits on published events.
const (
	maxTopicLen = 200
	maxNameLen  = 64
)

// Frame is one event encoded as an SSE frame. Frames are immutable and shared by every
// subscriber they are sent to; neither the frame nor its bytes may be modified.
type Frame struct {
	Event Event // the event; ID 0 for "reset", zero for a heartbeat comment
	seq   uint64
	wire  []byte
}

// Bytes returns the encoded frame, ready to be written to an event stream.
func (f *Frame) Bytes() []byte { return f.wire }

// Heartbeat reports whether f is a keep-alive comment rather than an event.
func (f *Frame) Heartbeat() bool { return f.Event.Name == "" }

// The shared synthetic frames. The reset frame has no id, so a client's Last-Event-ID stays
// that of the state events sent right before it.
var (
	resetFrame     = &Frame{Event: Event{Name: ResetName, Data: []byte("{}")}, wire: []byte("event: reset\ndata: {}\n\n")}
	heartbeatFrame = &Frame{wire: []byte(":\n\n")}
)

// validate checks e for publication.
func validate(e Event) error {
	switch {
	case e.Topic == "" || len(e.Topic) > maxTopicLen || !printable(e.Topic):
		return concord.Errorf(concord.EINVALID, "live: topic %q must be 1 to %d printable characters", e.Topic, maxTopicLen)
	case e.Name == "" || len(e.Name) > maxNameLen || !eventName(e.Name):
		return concord.Errorf(concord.EINVALID, "live: event name %q must be 1 to %d letters, digits, '_', '-' or '.'", e.Name, maxNameLen)
	case e.Name == ResetName:
		return concord.Errorf(concord.EINVALID, "live: event name %q is reserved", ResetName)
	case e.ID == 0:
		return concord.Errorf(concord.EINVALID, "live: event ID must be at least 1")
	case !utf8.Valid(e.Data):
		return concord.Errorf(concord.EINVALID, "live: event data must be UTF-8")
	}
	return nil
}

func printable(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return false
		}
	}
	return true
}

func eventName(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '-' || c == '.') {
			return false
		}
	}
	return true
}

// newFrame encodes a valid event once. Line breaks in Data (LF, CRLF, CR) split it into
// several data lines, which a client joins with LF. When Data has no line break, the frame's
// Event.Data shares the encoded bytes, so the hub holds each event's data once.
func newFrame(e Event) *Frame {
	size := len("id: \nevent: \ndata: \n\n") + 20 + len(e.Name) + len(e.Data)
	breaks := bytes.Count(e.Data, []byte{'\n'}) + bytes.Count(e.Data, []byte{'\r'})
	size += breaks * len("data: \n")
	b := make([]byte, 0, size)
	b = append(b, "id: "...)
	b = strconv.AppendUint(b, e.ID, 10)
	b = append(b, "\nevent: "...)
	b = append(b, e.Name...)
	b = append(b, "\ndata: "...)
	if breaks == 0 {
		start := len(b)
		b = append(b, e.Data...)
		e.Data = b[start:len(b):len(b)]
	} else {
		e.Data = bytes.Clone(e.Data)
		data := e.Data
		for {
			i := bytes.IndexAny(data, "\r\n")
			if i < 0 {
				b = append(b, data...)
				break
			}
			b = append(b, data[:i]...)
			b = append(b, "\ndata: "...)
			if data[i] == '\r' && i+1 < len(data) && data[i+1] == '\n' {
				i++
			}
			data = data[i+1:]
		}
	}
	b = append(b, "\n\n"...)
	return &Frame{Event: e, wire: b}
}

// maxEventLine is the longest line ReadEvents accepts.
const maxEventLine = 1 << 20

// ReadEvents parses a text/event-stream from r as a browser's EventSource does and calls fn
// for each event. Event.Name is "message" when the stream gave none; Event.ID is the stream's
// last event ID (kept from earlier events when an event has no id field, 0 when it is not a
// number); Event.Topic is empty. Comments and retry fields are skipped, and an event not
// ended by a blank line before EOF is discarded. ReadEvents returns nil at EOF, the first
// error from fn, or the read error.
func ReadEvents(r io.Reader, fn func(Event) error) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(nil, maxEventLine)
	sc.Split(splitLines())
	var (
		id      uint64
		name    string
		data    []byte
		hasData bool
		first   = true
	)
	for sc.Scan() {
		line := sc.Bytes()
		if first {
			line = bytes.TrimPrefix(line, []byte("\xEF\xBB\xBF"))
			first = false
		}
		if len(line) == 0 {
			if hasData {
				if name == "" {
					name = "message"
				}
				if err := fn(Event{ID: id, Name: name, Data: data[:len(data)-1]}); err != nil {
					return err
				}
			}
			name, data, hasData = "", nil, false
			continue
		}
		if line[0] == ':' {
			continue
		}
		field, value := line, []byte(nil)
		if i := bytes.IndexByte(line, ':'); i >= 0 {
			field, value = line[:i], line[i+1:]
			if len(value) > 0 && value[0] == ' ' {
				value = value[1:]
			}
		}
		switch string(field) {
		case "event":
			name = string(value)
		case "data":
			data = append(data, value...)
			data = append(data, '\n')
			hasData = true
		case "id":
			if bytes.IndexByte(value, 0) < 0 {
				id, _ = strconv.ParseUint(string(value), 10, 64) // not a number: 0, unknown
			}
		}
	}
	return sc.Err()
}

// splitLines splits at LF, CRLF or CR. A CR is a line end at once, even when the LF that may
// follow has not arrived yet; that LF is skipped when it comes.
func splitLines() bufio.SplitFunc {
	skipLF := false
	return func(data []byte, atEOF bool) (int, []byte, error) {
		if skipLF && len(data) > 0 {
			skipLF = false
			if data[0] == '\n' {
				return 1, nil, nil
			}
		}
		if i := bytes.IndexAny(data, "\r\n"); i >= 0 {
			if data[i] == '\r' {
				if i+1 < len(data) {
					if data[i+1] == '\n' {
						return i + 2, data[:i], nil
					}
				} else {
					skipLF = true
				}
			}
			return i + 1, data[:i], nil
		}
		if atEOF && len(data) > 0 {
			return len(data), data, nil
		}
		return 0, nil, nil
	}
}
