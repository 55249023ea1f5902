// Package live carries live updates from the services that change state to the browsers
// that watch it, as Server-Sent Events (SSE).
//
// A [Hub] holds topics such as "procedure/<id>". A service publishes an [Event] after its
// transaction commits; every subscriber of the topic receives it: on this instance, and, when
// a [Broker] such as [NATSBroker] is configured, on every other instance that shares the
// database. [Hub.ServeSSE] streams a topic to one HTTP client; [ReadEvents] parses such a
// stream (for tests, benchmarks and Go clients).
//
// # Event IDs and deduplication
//
// The publisher assigns Event.ID from durable state (a procedure's response count, a
// revision), so every instance agrees on it and a client can resume with Last-Event-ID.
// IDs only grow within a (topic, name); several names may share one ID (one response may
// publish a "tally" and a "signatory" with the same ID). An event whose ID is not greater than
// the latest one seen for its (topic, name) is ignored: a NATS echo, a redelivery or a second
// instance publishing the same fact does nothing. A consequence to know: if two instances
// publish events of one (topic, name) concurrently and they arrive out of order, the older
// one is dropped; names whose events are deltas (a new signatory) should carry enough for a
// client to notice a gap (e.g. the new count) and refetch.
//
// # State, ring and resume
//
// Per topic the hub keeps a ring of the last Options.Buffer events and the latest event of
// each name, the current state. Names are a small fixed set ("tally", "signatory",
// "status").
//
// A subscriber that gives lastEventID (the Last-Event-ID header or ?last_event_id=) gets:
//   - lastEventID = 0 (a fresh page): the current state, the latest event of each name in
//     publication order, then every later event.
//   - the ring still holds every event after lastEventID: exactly those events (ID greater
//     than lastEventID), in publication order, then every later event. A lastEventID ahead
//     of this hub (the client saw it on another instance first) replays nothing, and events
//     not newer than lastEventID are not sent to it later either.
//   - otherwise (the gap is older than the ring, this hub restarted or evicted the topic, or
//     it lost events from the broker): the current state followed by a synthetic event named
//     "reset" with data {} and no id, telling the client to refetch the full list.
//
// A hub that has not followed a topic cannot vouch for any position on it and resets such
// clients. The web handler can tell it the durable position with [Hub.Known] (say the
// procedure's revision, read while checking the client may watch it): clients at that
// position or later then resume without a reset. Events of one ID but different names count
// as seen together: resuming with ID n never replays events with ID n.
//
// The ID space of a topic should be one sequence shared by its names (a revision), so that
// one Last-Event-ID says how far a client got.
//
// # Slow subscribers
//
// Publish never blocks on subscribers. Each subscription is a cursor into the topic's ring
// plus a one-slot readiness channel: publishing appends the encoded frame to the ring and
// pokes each subscriber without waiting. A subscriber more than Options.QueueLen events
// behind (or whose unread events left the ring) has overflowed: its pending events are
// dropped and it gets the current state plus "reset" instead, counted in [Stats]. Events that
// pile up between two reads are returned together by [Subscription.Next] and written with one
// flush (coalescing bursts).
//
// # Cost
//
// Each event's SSE frame ("id: …\nevent: …\ndata: …\n\n") is encoded once and the same
// bytes are written to every subscriber. A subscription costs a few hundred bytes beyond its
// HTTP connection and goroutine; the hub runs one shared ticker that sends heartbeat comments
// (":\n\n") to subscribers that were idle for a whole Options.Heartbeat (a sixteenth of
// them per tick, so that 10,000 idle watchers are not 10,000 writes at one instant), and
// evicts topics without subscribers after Options.TopicTTL.
//
// # Serving
//
// The hub does not authorize: the caller checks that the client may watch the topic, and
// only serves topics that exist (each watched topic costs memory until Options.TopicTTL
// after its last watcher left). On the first connection a page may pass the ID its
// rendered state reflects as ?last_event_id=; EventSource sends Last-Event-ID itself when it
// reconnects, and the header wins.
//
// [Hub.ServeSSE] uses [http.ResponseController] (so wrapped writers must implement Unwrap),
// lifts the server's read deadline for the stream and keeps a write deadline between
// Options.WriteTimeout/2 and Options.WriteTimeout ahead of each write, so a client that
// stops reading is dropped. Streams
// end when the client goes or the hub closes: register [Hub.Close] with
// [http.Server.RegisterOnShutdown], because Shutdown does not end streaming responses.
package live
