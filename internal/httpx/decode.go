package httpx

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"unicode/utf8"

	"concord"
)

// MaxJSONBody is the largest JSON request body accepted.
const MaxJSONBody = 1 << 20

// DecodeJSON reads a JSON object from r into dst strictly: the Content-Type must be
// application/json, the body at most MaxJSONBody bytes of valid UTF-8, unknown fields and
// trailing data are refused. Every refusal is a *concord.Error with a translatable key.
func DecodeJSON(r *http.Request, dst any) error {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/json" {
		return &concord.Error{Code: EMEDIATYPE, Key: "error.content_type", Params: map[string]string{"type": "application/json"},
			Message: "send the body as application/json"}
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxJSONBody+1))
	if err != nil {
		return &concord.Error{Code: EBADREQUEST, Key: "error.bad_json", Message: "cannot read body"}
	}
	if len(body) > MaxJSONBody {
		return &concord.Error{Code: ETOOLARGE, Key: "error.too_large", Message: "body too large"}
	}
	return DecodeJSONBytes(body, dst)
}

// DecodeJSONBytes is DecodeJSON's checks on a body already read; fuzz targets call it.
func DecodeJSONBytes(body []byte, dst any) error {
	if !utf8.Valid(body) {
		return &concord.Error{Code: EBADREQUEST, Key: "error.invalid_utf8", Message: "body is not valid UTF-8"}
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		var typeErr *json.UnmarshalTypeError
		switch {
		case strings.HasPrefix(err.Error(), "json: unknown field "):
			// encoding/json reports unknown fields only in its message; the field name is
			// quoted there and nowhere else.
			field := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
			return &concord.Error{Code: EBADREQUEST, Key: "error.unknown_field", Params: map[string]string{"field": clipField(field)},
				Message: "unknown field " + clipField(field)}
		case errors.As(err, &typeErr) && typeErr.Field != "":
			return &concord.Error{Code: EBADREQUEST, Key: "error.json_type", Params: map[string]string{"field": clipField(typeErr.Field)},
				Message: fmt.Sprintf("field %s has the wrong type", clipField(typeErr.Field))}
		}
		return &concord.Error{Code: EBADREQUEST, Key: "error.bad_json", Message: "body is not valid JSON"}
	}
	if dec.More() {
		return &concord.Error{Code: EBADREQUEST, Key: "error.bad_json", Message: "trailing data after JSON object"}
	}
	if _, err := dec.Token(); err != io.EOF {
		return &concord.Error{Code: EBADREQUEST, Key: "error.bad_json", Message: "trailing data after JSON object"}
	}
	return nil
}

func clipField(s string) string {
	if len(s) > 64 {
		s = s[:64]
	}
	return strings.ToValidUTF8(s, "")
}

// FormValue returns a trimmed form field, and records an invalid-UTF-8 problem in v.
func FormValue(r *http.Request, v *concord.Validation, name string) string {
	s := r.PostFormValue(name)
	if !utf8.ValidString(s) {
		v.Add(name, "error.invalid_utf8", "not valid UTF-8")
		return ""
	}
	return strings.TrimSpace(s)
}
