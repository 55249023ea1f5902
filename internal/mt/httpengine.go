package mt

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// StatusError is a non-200 answer from an HTTP engine. Callers may retry later on 429
// (too many requests), 456 (DeepL quota) and 5xx.
type StatusError struct {
	Engine     string
	StatusCode int
	Message    string // the service's error text, if it sent one
}

// Error implements the error interface.
func (e *StatusError) Error() string {
	msg := fmt.Sprintf("%s: http status %d", strings.ToLower(e.Engine), e.StatusCode)
	if e.Message != "" {
		msg += ": " + e.Message
	}
	return msg
}

// Limits of the HTTP engines.
const (
	defaultHTTPTimeout  = 60 * time.Second // whole request, when no HTTPClient is configured
	defaultMaxResponse  = 8 << 20          // bytes read from a successful response
	maxErrorBody        = 64 << 10         // bytes read from an error response
	maxErrorMessageSize = 500              // bytes of the service's error text kept
)

// httpEngine holds what the HTTP engines share: the client and the response bound.
type httpEngine struct {
	name        string
	client      *http.Client
	maxResponse int64
	// errorText extracts the service's error text from an error response body.
	errorText func(body []byte) string
}

func newHTTPEngine(name string, client *http.Client, errorText func([]byte) string) httpEngine {
	if client == nil {
		client = &http.Client{Timeout: defaultHTTPTimeout}
	}
	return httpEngine{name: name, client: client, maxResponse: defaultMaxResponse, errorText: errorText}
}

// parseBaseURL checks an engine's configured base URL.
func parseBaseURL(engine, raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("%s: url: %w", strings.ToLower(engine), err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("%s: url %q: want http(s)://host[/path]", strings.ToLower(engine), raw)
	}
	return u, nil
}

// getJSON sends GET u with the headers and decodes the JSON answer into v.
func (h httpEngine) getJSON(ctx context.Context, u *url.URL, header http.Header, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return fmt.Errorf("%s: %w", strings.ToLower(h.name), err)
	}
	addHeaders(req.Header, header)
	return h.do(req, v)
}

// postJSON sends body as JSON to u with the headers and decodes the JSON answer into v.
func (h httpEngine) postJSON(ctx context.Context, u *url.URL, header http.Header, body, v any) error {
	data, err := json.Marshal(body)
	if err != nil {
		return fmt.Errorf("%s: encode request: %w", strings.ToLower(h.name), err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), bytes.NewReader(data))
	if err != nil {
		return fmt.Errorf("%s: %w", strings.ToLower(h.name), err)
	}
	addHeaders(req.Header, header)
	req.Header.Set("Content-Type", "application/json")
	return h.do(req, v)
}

// do sends req and decodes a 200 answer into v, reading at most maxResponse bytes.
func (h httpEngine) do(req *http.Request, v any) error {
	name := strings.ToLower(h.name)
	req.Header.Set("Accept", "application/json")
	resp, err := h.client.Do(req)
	if err != nil {
		return fmt.Errorf("%s: %s %s: %w", name, req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
		msg := ""
		if h.errorText != nil {
			msg = h.errorText(body)
		}
		if msg == "" && !strings.Contains(resp.Header.Get("Content-Type"), "html") {
			msg = string(body)
		}
		return &StatusError{Engine: h.name, StatusCode: resp.StatusCode, Message: clip(msg, maxErrorMessageSize)}
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, h.maxResponse+1))
	if err != nil {
		return fmt.Errorf("%s: %s %s: read response: %w", name, req.Method, req.URL.Path, err)
	}
	if int64(len(body)) > h.maxResponse {
		return fmt.Errorf("%s: %s %s: response larger than %d bytes", name, req.Method, req.URL.Path, h.maxResponse)
	}
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("%s: %s %s: decode response: %w", name, req.Method, req.URL.Path, err)
	}
	return nil
}

// addHeaders adds the header values of src to dst.
func addHeaders(dst, src http.Header) {
	for k, vs := range src {
		for _, v := range vs {
			dst.Add(k, v)
		}
	}
}

// jsonErrorField returns the string field name of a JSON object body, or "".
func jsonErrorField(body []byte, name string) string {
	var obj map[string]json.RawMessage
	if json.Unmarshal(body, &obj) != nil {
		return ""
	}
	var s string
	if json.Unmarshal(obj[name], &s) != nil {
		return ""
	}
	return s
}
