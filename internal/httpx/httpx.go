// Package httpx holds what the HTML UI and the JSON API share about HTTP: the mapping of
// domain error codes to statuses, the acting person in the request context, strict JSON and
// form decoding, client addresses, and middleware (recovery, logging, security headers,
// metrics).
package httpx

import (
	"context"
	"net"
	"net/http"
	"strings"

	"concord"
)

// Status maps a domain error code to its HTTP status. This is the one place that does so.
func Status(code string) int {
	switch code {
	case "":
		return http.StatusOK
	case concord.EINVALID:
		return http.StatusUnprocessableEntity
	case concord.ENOTFOUND:
		return http.StatusNotFound
	case concord.ECONFLICT:
		return http.StatusConflict
	case concord.EFORBIDDEN:
		return http.StatusForbidden
	case concord.EUNAUTHORIZED:
		return http.StatusUnauthorized
	case concord.ERATELIMIT:
		return http.StatusTooManyRequests
	case ETOOLARGE:
		return http.StatusRequestEntityTooLarge
	case EMEDIATYPE:
		return http.StatusUnsupportedMediaType
	case EBADREQUEST:
		return http.StatusBadRequest
	case EMETHOD:
		return http.StatusMethodNotAllowed
	}
	return http.StatusInternalServerError
}

// Transport-level error codes, beside the domain's.
const (
	EBADREQUEST = "bad_request"            // malformed JSON or form
	ETOOLARGE   = "too_large"              // body over the limit
	EMEDIATYPE  = "unsupported_media_type" // wrong Content-Type
	EMETHOD     = "method_not_allowed"     // the path exists, the method does not
)

// ErrorKey returns the i18n key for an error: its own Key or "error.<code>".
func ErrorKey(e *concord.Error) string {
	if e.Key != "" {
		return e.Key
	}
	return "error." + e.Code
}

// Params flattens an error's parameters into name/value pairs for a translator.
func Params(m map[string]string) []any {
	kv := make([]any, 0, 2*len(m))
	for k, v := range m {
		kv = append(kv, k, v)
	}
	return kv
}

type actorKey struct{}

// WithActor returns a context carrying the acting person for this request.
func WithActor(ctx context.Context, a *concord.Actor) context.Context {
	return context.WithValue(ctx, actorKey{}, a)
}

// ActorFrom returns the acting person, or nil for an anonymous request.
func ActorFrom(ctx context.Context) *concord.Actor {
	a, _ := ctx.Value(actorKey{}).(*concord.Actor)
	return a
}

// ClientIP returns the request's remote address without port. Behind a reverse proxy,
// configure trusted proxies there: Concord does not trust X-Forwarded-For by default.
func ClientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// IsSecure reports whether the request came over TLS (directly or, when trustProxy is set,
// through a proxy that says so).
func IsSecure(r *http.Request, trustProxy bool) bool {
	return r.TLS != nil || (trustProxy && strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https"))
}
