// Package api is Concord's JSON API under /api/v1: bearer-token authentication, request and
// response types of its own (snake_case, dates as YYYY-MM-DD, times in RFC 3339 UTC), one
// error writer that translates messages with Accept-Language, and an OpenAPI 3.1 document
// (openapi.json) that a test holds to the routes in routes.go.
//
// Handlers stay thin: decode, call a service, encode. The services authorize and validate;
// this package only turns HTTP into calls and results into JSON. Bodies are JSON except for
// file uploads (attachments, XLIFF, PO and CSV imports: upload.go) and the files served
// (attachments and exports).
package api

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"

	"concord"
	"concord/internal/auth"
	"concord/internal/documents"
	"concord/internal/httpx"
	"concord/internal/i18n"
	"concord/internal/live"
	"concord/internal/membership"
	"concord/internal/procedures"
)

// Deps are what the API needs; the server wires them once.
type Deps struct {
	Auth    *auth.Service
	Members *membership.Service
	Docs    *documents.Service
	Procs   *procedures.Service
	Live    *live.Hub // live event streams; nil serves none
	I18n    *i18n.Bundle
	Log     *slog.Logger
	Clock   concord.Clock
}

// Handler serves the JSON API.
type Handler struct {
	auth    *auth.Service
	members *membership.Service
	docs    *documents.Service
	procs   *procedures.Service
	live    *live.Hub
	i18n    *i18n.Bundle
	log     *slog.Logger
	clock   concord.Clock
	routes  []Route
	known   *http.ServeMux // the routes alone, to tell a wrong method (405) from an unknown path (404)
}

// New returns the API handler. A nil Log discards, a nil Clock is the system clock.
func New(d Deps) *Handler {
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	if d.Clock == nil {
		d.Clock = concord.SystemClock{}
	}
	h := &Handler{auth: d.Auth, members: d.Members, docs: d.Docs, procs: d.Procs, live: d.Live, i18n: d.I18n, log: d.Log, clock: d.Clock,
		routes: Routes(), known: http.NewServeMux()}
	noop := http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})
	for _, rt := range h.routes {
		h.known.Handle(rt.Pattern(), noop)
	}
	return h
}

// fallbackMethods get a catch-all under Prefix so that unknown paths and wrong methods answer
// in JSON. They are registered per method: a method-less "/api/v1/" would conflict with a
// "GET /" that the HTML UI may register.
var fallbackMethods = []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch,
	http.MethodDelete, http.MethodOptions}

// Register adds every route of routes.go to mux, plus JSON answers for unknown paths (404)
// and wrong methods (405) under /api/v1/.
func (h *Handler) Register(mux *http.ServeMux) {
	for _, rt := range h.routes {
		mux.Handle(rt.Pattern(), h.endpoint(rt))
	}
	for _, m := range fallbackMethods {
		mux.Handle(m+" "+Prefix+"/", http.HandlerFunc(h.unmatched))
	}
}

// endpoint wraps a route's handler: it authenticates the bearer token, refuses anonymous
// requests to protected routes, and writes any error the handler returns.
func (h *Handler) endpoint(rt Route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		actor, err := h.authenticate(w, r)
		if err == nil && actor == nil && !rt.Public {
			err = &concord.Error{Code: concord.EUNAUTHORIZED, Key: "error.token_missing", Message: "send an API token: Authorization: Bearer <token>"}
		}
		if err == nil {
			err = rt.handle(h, w, r.WithContext(httpx.WithActor(r.Context(), actor)))
		}
		if err != nil {
			h.writeError(w, r, err)
		}
	})
}

// maxTokenLength bounds the bearer token looked up; real ones are 67 characters.
const maxTokenLength = 200

// authenticate returns the actor for the request's bearer token, nil without an
// Authorization header. A malformed, unknown or revoked token is an error on every route,
// public ones included: a client that sends a token expects it to count.
func (h *Handler) authenticate(w http.ResponseWriter, r *http.Request) (*concord.Actor, error) {
	header := r.Header.Get("Authorization")
	if header == "" {
		return nil, nil
	}
	invalid := func() error {
		w.Header().Set("WWW-Authenticate", `Bearer realm="concord", error="invalid_token"`)
		return &concord.Error{Code: concord.EUNAUTHORIZED, Key: "error.token_invalid", Message: "invalid or revoked API token"}
	}
	scheme, token, _ := strings.Cut(header, " ")
	token = strings.TrimSpace(token)
	if !strings.EqualFold(scheme, "Bearer") || token == "" || len(token) > maxTokenLength {
		return nil, invalid()
	}
	actor, err := h.auth.TokenActor(r.Context(), token)
	switch concord.ErrorCode(err) {
	case "":
		return actor, nil
	case concord.EUNAUTHORIZED:
		return nil, invalid()
	}
	return nil, err
}

// unmatched answers requests under /api/v1/ that no route takes: 405 with Allow when the
// path exists with other methods, else 404.
func (h *Handler) unmatched(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	var allow []string
	for _, m := range []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		probe := &http.Request{Method: m, URL: r.URL, Host: r.Host, Header: http.Header{}}
		if _, pattern := h.known.Handler(probe); pattern != "" {
			allow = append(allow, m)
		}
	}
	if len(allow) > 0 {
		w.Header().Set("Allow", strings.Join(allow, ", "))
		h.writeError(w, r, &concord.Error{Code: httpx.EMETHOD, Key: "error.method_not_allowed",
			Params: map[string]string{"allowed": strings.Join(allow, ", ")}, Message: "method not allowed"})
		return
	}
	h.writeError(w, r, &concord.Error{Code: concord.ENOTFOUND, Key: "error.no_route", Message: "no such API endpoint"})
}

// errorBody is the JSON shape of every error response.
type errorBody struct {
	Error errorDTO `json:"error"`
}

type errorDTO struct {
	Code    string          `json:"code"`
	Message string          `json:"message"`
	Fields  []fieldErrorDTO `json:"fields,omitempty"`
}

type fieldErrorDTO struct {
	Field   string `json:"field"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

// writeError is the one error writer: the domain code picks the status, the message is
// translated into the request's language, internal errors are logged and shown generically.
func (h *Handler) writeError(w http.ResponseWriter, r *http.Request, err error) {
	loc := h.localizer(r)
	e := concord.AsError(err)
	code := concord.ErrorCode(err)
	st := httpx.Status(code)
	body := errorDTO{Code: code}
	if e == nil || st == http.StatusInternalServerError {
		h.log.ErrorContext(r.Context(), "api request failed", "method", r.Method, "path", r.URL.Path, "route", r.Pattern,
			"person", httpx.ActorFrom(r.Context()).PersonID(), "err", err)
		body = errorDTO{Code: concord.EINTERNAL, Message: loc.T("error.internal")}
	} else {
		body.Message = loc.T(httpx.ErrorKey(e), httpx.Params(e.Params)...)
		for _, f := range e.Fields {
			key := f.Key
			if key == "" {
				key = "error.invalid"
			}
			body.Fields = append(body.Fields, fieldErrorDTO{Field: f.Field, Code: key, Message: loc.T(key, httpx.Params(f.Params)...)})
		}
	}
	if st == http.StatusUnauthorized && w.Header().Get("WWW-Authenticate") == "" {
		w.Header().Set("WWW-Authenticate", `Bearer realm="concord"`)
	}
	w.Header().Set("Content-Language", loc.Tag())
	if err := writeJSON(w, st, errorBody{Error: body}); err != nil {
		h.log.ErrorContext(r.Context(), "write api error", "err", err)
	}
}

// localizer returns the translator for the request's Accept-Language (English by default).
func (h *Handler) localizer(r *http.Request) *i18n.Localizer {
	return h.i18n.Localizer(h.i18n.Negotiate(h.i18n.FromAcceptLanguage(r.Header.Get("Accept-Language"))...))
}

// writeJSON encodes v with the given status. It fails only if v cannot be encoded, before
// anything is written, so the caller can still write an error.
func writeJSON(w http.ResponseWriter, status int, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n')) // a failed write means the client left; nothing to do
	return nil
}

// decode reads a JSON request body strictly (see httpx.DecodeJSON).
func decode(r *http.Request, dst any) error { return httpx.DecodeJSON(r, dst) }

// actor returns the acting person of the request (nil on public routes without a token).
func actor(r *http.Request) *concord.Actor { return httpx.ActorFrom(r.Context()) }

// listOf is the envelope of every list response.
type listOf[T any] struct {
	Items []T `json:"items"`
}

// list wraps items, as an empty array rather than null when there are none.
func list[T any](items []T) listOf[T] {
	if items == nil {
		items = []T{}
	}
	return listOf[T]{Items: items}
}
