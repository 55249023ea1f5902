package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"

	"concord"
)

// TestWriteError covers the error writer's mapping: domain codes to statuses, translation,
// and internal errors that are logged with the request but shown only generically.
func TestWriteError(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		err        error
		lang       string
		wantStatus int
		want       errorDTO
		wantLogged string // "" when nothing is logged
	}{
		{"plain error", errors.New("database exploded"), "", 500,
			errorDTO{Code: "internal", Message: "Something went wrong on our side. Nothing was changed."}, "database exploded"},
		{"wrapped internal code", fmt.Errorf("load: %w", &concord.Error{Code: concord.EINTERNAL, Message: "secret detail"}), "de", 500,
			errorDTO{Code: "internal", Message: "Bei uns ist ein Fehler aufgetreten. Es wurde nichts geändert."}, "secret detail"},
		{"unknown code", &concord.Error{Code: "teapot", Message: "short and stout"}, "", 500,
			errorDTO{Code: "internal", Message: "Something went wrong on our side. Nothing was changed."}, "short and stout"},
		{"wrapped not found", fmt.Errorf("get org: %w", concord.NotFound("organization")), "", 404,
			errorDTO{Code: "not_found", Message: "Not found."}, ""},
		{"forbidden", concord.Forbidden("not yours"), "fr", 403,
			errorDTO{Code: "forbidden", Message: "Vous n’avez pas le droit de faire cela."}, ""},
		{"conflict", &concord.Error{Code: concord.ECONFLICT, Key: "error.last_admin"}, "", 409,
			errorDTO{Code: "conflict", Message: "The federation needs at least one admin."}, ""},
		{"rate limited", &concord.Error{Code: concord.ERATELIMIT}, "", 429,
			errorDTO{Code: "rate_limited", Message: "Too many attempts. Please wait a moment and try again."}, ""},
		{"field without key", &concord.Error{Code: concord.EINVALID, Fields: []concord.FieldError{{Field: "x"}}}, "", 422,
			errorDTO{Code: "invalid", Message: "The input is not valid.", Fields: []fieldErrorDTO{{Field: "x", Code: "error.invalid", Message: "The input is not valid."}}}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var logs bytes.Buffer
			h := New(Deps{I18n: mustBundle(), Log: slog.New(slog.NewTextHandler(&logs, nil))})
			req := httptest.NewRequest("GET", Prefix+"/organizations", nil)
			req.Header.Set("Accept-Language", tt.lang)
			rec := httptest.NewRecorder()
			h.writeError(rec, req, tt.err)
			var body errorBody
			if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
				t.Fatal(err)
			}
			if rec.Code != tt.wantStatus {
				t.Errorf("status %d, want %d", rec.Code, tt.wantStatus)
			}
			if diff := diffDTO(tt.want, body.Error); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
			if tt.wantLogged != "" && strings.Contains(rec.Body.String(), tt.wantLogged) {
				t.Errorf("the response shows the internal detail %q", tt.wantLogged)
			}
			if got := logs.String(); (tt.wantLogged == "") != (got == "") || !strings.Contains(got, tt.wantLogged) || (got != "" && !strings.Contains(got, "path=/api/v1/organizations")) {
				t.Errorf("log %q, want one with %q and the path", got, tt.wantLogged)
			}
		})
	}
}
