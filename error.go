package concord

import (
	"errors"
	"fmt"
)

// Error codes: each maps to one HTTP status and one translated message in the UI.
const (
	ECONFLICT     = "conflict"     // a uniqueness or state rule was violated
	EFORBIDDEN    = "forbidden"    // the actor is known but may not do this
	EINTERNAL     = "internal"     // a bug or an outage; details are logged, not shown
	EINVALID      = "invalid"      // the input is wrong; Fields says where
	ENOTFOUND     = "not_found"    // the thing does not exist or is not visible to the actor
	ERATELIMIT    = "rate_limited" // too many attempts
	EUNAUTHORIZED = "unauthorized" // no valid session or token
)

// Error is the domain error: a machine-readable code, a message key for translation, and
// optional per-field problems. Message is the English fallback text.
type Error struct {
	Code    string
	Key     string            // i18n key such as "error.country"; empty means "error.<code>"
	Params  map[string]string // placeholder values for Key
	Message string            // English text for logs and clients that do not translate
	Fields  []FieldError      // per-field validation problems
}

// FieldError names one invalid input field and the translatable reason.
type FieldError struct {
	Field   string
	Key     string
	Params  map[string]string
	Message string
}

// Error implements the error interface.
func (e *Error) Error() string {
	if e.Message != "" {
		return e.Code + ": " + e.Message
	}
	return e.Code
}

// Errorf returns an *Error with the given code and an English message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL for any other
// non-nil error and "" for nil.
func ErrorCode(err error) string {
	var e *Error
	switch {
	case err == nil:
		return ""
	case errors.As(err, &e):
		return e.Code
	}
	return EINTERNAL
}

// AsError returns the *Error in err's chain, or nil.
func AsError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return nil
}

// NotFound returns an ENOTFOUND error naming what was looked for.
func NotFound(what string) *Error {
	return &Error{Code: ENOTFOUND, Message: what + " not found"}
}

// Forbidden returns an EFORBIDDEN error with an English reason for the logs.
func Forbidden(reason string) *Error {
	return &Error{Code: EFORBIDDEN, Message: reason}
}

// Validation collects field errors; its Err method returns nil when there are none.
type Validation struct {
	fields []FieldError
}

// Add records a problem with field, using an i18n key and its parameters as name/value pairs.
func (v *Validation) Add(field, key, message string, kv ...string) {
	params := map[string]string{"field": field}
	for i := 0; i+1 < len(kv); i += 2 {
		params[kv[i]] = kv[i+1]
	}
	v.fields = append(v.fields, FieldError{Field: field, Key: key, Params: params, Message: message})
}

// Err returns an EINVALID *Error listing every recorded field problem, or nil.
func (v *Validation) Err() error {
	if len(v.fields) == 0 {
		return nil
	}
	msg := v.fields[0].Field + ": " + v.fields[0].Message
	if len(v.fields) > 1 {
		msg += fmt.Sprintf(" (and %d more)", len(v.fields)-1)
	}
	return &Error{Code: EINVALID, Key: "error.invalid", Message: msg, Fields: v.fields}
}
